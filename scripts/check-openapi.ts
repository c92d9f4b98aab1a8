// `npm run openapi:check` (part of `npm test`): builds the app in Node, takes its GET /v1/openapi.json,
// validates it against the OpenAPI 3.1 JSON Schema, then lints it with Redocly (`recommended`,
// redocly.yaml) and Spectral (`spectral:oas`, .spectral.yaml). Any schema violation or lint error fails
// the check; lint warnings are listed. It runs here rather than in the Workers runtime because the
// schema validator (Ajv) compiles code at run time, which workerd forbids, and the linters are CLIs.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";

const ROOT = path.resolve(import.meta.dirname, "..");

// imported by a computed path: src/ is type-checked against the Workers types (tsconfig.json), which
// clash with this Node project's DOM and Node types
const appModule = "../src/app";
const { createApp } = (await import(appModule)) as { createApp: () => { request(path: string, init: object, env: object): Promise<Response> } };

const res = await createApp().request("/v1/openapi.json", {}, {}); // the document needs no bindings
if (res.status !== 200) throw new Error(`GET /v1/openapi.json → ${res.status}: ${await res.text()}`);
const doc = (await res.json()) as { openapi: string; paths: Record<string, object>; webhooks?: Record<string, object> };

const result = await new Validator().validate(doc);
const operations = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
if (!result.valid || doc.openapi !== "3.1.0") {
  console.error(`/v1/openapi.json is not a valid OpenAPI 3.1 document (openapi: ${doc.openapi}):`);
  console.error(JSON.stringify(result.errors, null, 2));
  process.exit(1);
}
console.log(`openapi: /v1/openapi.json is valid OpenAPI ${doc.openapi} (${operations} operations, ${Object.keys(doc.webhooks ?? {}).length} webhooks)`);

// ---- lint ------------------------------------------------------------------------------------------

type Problem = { severity: "error" | "warning"; rule: string; where: string; message: string };

/** Runs a linter that prints JSON on stdout; its own chatter (stderr) is shown only when it fails to run. */
function run(bin: string, args: string[]): unknown {
  const out = spawnSync(path.join(ROOT, "node_modules/.bin", bin), args, { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  try {
    return JSON.parse(out.stdout);
  } catch {
    console.error(`${bin} ${args.join(" ")} did not run (exit ${out.status}):\n${out.stdout}\n${out.stderr}`);
    process.exit(1);
  }
}

function redocly(file: string): Problem[] {
  const report = run("redocly", ["lint", file, "--config", path.join(ROOT, "redocly.yaml"), "--format=json"]) as {
    problems: Array<{ ruleId: string; severity: string; message: string; location?: Array<{ pointer?: string }> }>;
  };
  return report.problems.map((p) => ({
    severity: p.severity === "error" ? "error" : "warning",
    rule: p.ruleId,
    where: p.location?.[0]?.pointer ?? "#",
    message: p.message,
  }));
}

function spectral(file: string): Problem[] {
  const report = run("spectral", ["lint", file, "--ruleset", path.join(ROOT, ".spectral.yaml"), "--format", "json", "--fail-severity", "error"]) as Array<{
    code: string;
    severity: number;
    message: string;
    path: Array<string | number>;
  }>;
  // Spectral's severities: 0 error, 1 warning, 2 information, 3 hint
  return report
    .filter((p) => p.severity <= 1)
    .map((p) => ({ severity: p.severity === 0 ? "error" : "warning", rule: p.code, where: `#/${p.path.map((s) => String(s).replaceAll("~", "~0").replaceAll("/", "~1")).join("/")}`, message: p.message }));
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

const dir = mkdtempSync(path.join(tmpdir(), "wbiz-openapi-"));
let errors = 0;
try {
  const file = path.join(dir, "openapi.json");
  writeFileSync(file, JSON.stringify(doc, null, 2)); // pretty: the linters' line numbers mean something
  for (const [name, lint] of [["redocly (recommended)", redocly], ["spectral (spectral:oas)", spectral]] as const) {
    const problems = lint(file);
    const count = (s: Problem["severity"]) => problems.filter((p) => p.severity === s).length;
    console.log(`openapi: ${name}: ${plural(count("error"), "error")}, ${plural(count("warning"), "warning")}`);
    for (const p of problems) console.log(`  ${p.severity.padEnd(7)} ${p.rule}  ${p.where}  ${p.message}`);
    errors += count("error");
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (errors > 0) {
  console.error(`openapi: ${plural(errors, "lint error")} in /v1/openapi.json`);
  process.exit(1);
}
