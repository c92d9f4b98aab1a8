// `npm run test:package`: the typed client as an integrator gets it. Builds client/ and packs it, checks
// that the tarball holds only the built client (no ../src, Hono or Cloudflare types), installs it into an
// empty Node project in a temporary directory (its dependencies from the registry), type-checks an
// example and client/README.md's examples there with this repository's TypeScript (strict, nodenext,
// skipLibCheck off: once as a Node project with @types/node and no DOM, once with the DOM lib and no
// Node types, as in other fetch runtimes), then starts `npm run dev` on a free port and runs the example, compiled
// and as plain .mjs, against it. Everything it starts is stopped and the temporary directory removed.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startDevServer, type DevServer } from "../../test/browser/dev-server";
import { demoKeys } from "../seed/demo-keys";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CLIENT = path.join(ROOT, "client");
const TSC = path.join(ROOT, "node_modules/.bin/tsc"); // TypeScript 7, this repository's

const work = mkdtempSync(path.join(tmpdir(), "wbiz-client-package-"));
const project = path.join(work, "project");
let dev: DevServer | undefined;
process.on("exit", () => rmSync(work, { recursive: true, force: true }));

/** The environment without npm's own variables: `npm run` exports npm_config_local_prefix (this
 * repository), which would make an npm started from here install into the repository, not the project. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name))), ...extra };
}

/** Runs a command to completion; its output, or an error carrying all of it. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv(), timeoutMs = 300_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs, killSignal: "SIGKILL" });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${path.basename(command)} ${args.join(" ")} (in ${cwd}) failed (${signal ?? `exit ${code}`}):\n${out}${err}`));
    });
  });
}

async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const start = Date.now();
  const result = await fn();
  console.log(`package: ${name} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
  return result;
}

// The example an integrator would write, in TypeScript: every line of output is asserted below.
const EXAMPLE_TS = `import { createWbizClient, unwrap, WbizApiError, type Schemas } from "@wbiz/client";

const wbiz = createWbizClient({ baseUrl: process.env.WBIZ_API_URL!, apiKey: process.env.WBIZ_API_KEY!, retry: { maxAttempts: 2 } });

const key = await unwrap(wbiz.GET("/v1/key"));
console.log(\`key: \${key.plan}\`);

const templates = await wbiz.GET("/v1/templates", { query: { status: "approved", limit: 5 } });
if (!templates.ok) throw new Error(\`templates: \${templates.status}\`);
console.log(\`templates: \${templates.status} \${templates.data.data.length > 0 && templates.data.data.every((t) => t.status === "APPROVED")}\`);

const contacts: Schemas["ContactPage"] = await unwrap(wbiz.GET("/v1/contacts", { query: { limit: 2, optedIn: true } }));
console.log(\`contacts: \${contacts.data.length} \${contacts.nextCursor !== null}\`);

try {
  await unwrap(wbiz.GET("/v1/contacts", { query: { limit: 1000 } }));
} catch (err) {
  if (!(err instanceof WbizApiError)) throw err;
  console.log(\`error: \${err.status} \${err.code} \${err.details?.[0]?.field} \${err.requestId?.startsWith("req_")}\`);
}

export function neverCalled() {
  // @ts-expect-error limit is a number (were the package's types any, this directive would fail the check)
  return wbiz.GET("/v1/contacts", { query: { limit: "2" } });
}
`;

// The same in plain JavaScript, as a JavaScript user would run it.
const EXAMPLE_MJS = EXAMPLE_TS.replace(", type Schemas", "")
  .replace('const contacts: Schemas["ContactPage"] =', "const contacts =")
  .replaceAll("process.env.WBIZ_API_URL!", "process.env.WBIZ_API_URL")
  .replaceAll("process.env.WBIZ_API_KEY!", "process.env.WBIZ_API_KEY")
  .replace(/\nexport function neverCalled[\s\S]*$/, "\n");

// Types with the DOM lib and no Node types (a Worker or Deno project, say).
const DOM_TS = `import { createWbizClient, unwrap, type WbizClientOptions } from "@wbiz/client";

const options: WbizClientOptions = { baseUrl: "https://api.wbiz.in", apiKey: "wbiz_test_…", fetch: (input, init) => fetch(input, init) };
const wbiz = createWbizClient(options);
export async function latest(): Promise<string | undefined> {
  const page = await unwrap(wbiz.GET("/v1/conversations", { query: { status: "open", limit: 1 } }));
  return page.data[0]?.lastMessageAt;
}
`;

/** client/README.md's ts blocks as one module: imports merged at the top, the first block at top level
 * (it makes `wbiz`), each later one in a block scope of its own. */
function readmeExamples(): string {
  const readme = readFileSync(path.join(CLIENT, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  assert.ok(blocks.length >= 4, "client/README.md has fewer examples than expected");
  const imports = new Map<string, Set<string>>();
  const bodies = blocks.map((block) =>
    block.replace(/^import (type )?\{([^}]*)\} from "([^"]+)";\n/gm, (_, type: string | undefined, names: string, from: string) => {
      const set = imports.get(from) ?? imports.set(from, new Set()).get(from)!;
      for (const name of names.split(",").map((n) => n.trim()).filter(Boolean)) set.add(type ? `type ${name}` : name);
      return "";
    }),
  );
  assert.ok(!bodies.some((b) => /^import\b/m.test(b)), "an import form readmeExamples() does not merge");
  const head = [...imports].map(([from, names]) => `import { ${[...names].join(", ")} } from "${from}";`).join("\n");
  return `${head}\n${bodies[0]}\n${bodies.slice(1).map((b) => `{\n${b}}\n`).join("")}`;
}

const EXPECTED = ["key: growth", "templates: 200 true", "contacts: 2 true", "error: 400 VALIDATION_FAILED limit true"];

const compilerOptions = { strict: true, target: "es2022", module: "nodenext", moduleResolution: "nodenext", skipLibCheck: false };

let failed = false;
try {
  const tarball = await step("built and packed client/", async () => {
    await run("npm", ["run", "build"], CLIENT);
    const [packed] = JSON.parse(await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], CLIENT)) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = packed!.files.map((f) => f.path).sort();
    const stray = files.filter((f) => !/^(package\.json|README\.md|dist\/[\w-]+\.(js|d\.ts))$/.test(f));
    assert.deepEqual(stray, [], `the tarball holds more than the built client: ${stray.join(", ")}`);
    for (const needed of ["dist/index.js", "dist/index.d.ts", "dist/openapi.d.ts", "dist/retry.js", "README.md"]) assert.ok(files.includes(needed), `${needed} is not in the tarball`);
    return path.join(work, packed!.filename);
  });

  await step("the tarball names nothing of the Worker: relative imports only, no Hono or Cloudflare types", async () => {
    const unpacked = path.join(work, "unpacked");
    mkdirSync(unpacked);
    await run("tar", ["-xzf", tarball, "-C", unpacked], work);
    const pkg = JSON.parse(readFileSync(path.join(unpacked, "package/package.json"), "utf8")) as { dependencies?: Record<string, string> };
    const deps = Object.keys(pkg.dependencies ?? {});
    assert.deepEqual(deps.filter((d) => /^(hono|@hono\/|@cloudflare\/|wrangler)/.test(d)), [], "a Worker dependency in the client's package.json");
    const dist = path.join(unpacked, "package/dist");
    for (const file of readdirSync(dist)) {
      const text = readFileSync(path.join(dist, file), "utf8");
      const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g)].map((m) => m[1]!);
      const foreign = specifiers.filter((s) => !s.startsWith("./") && !deps.includes(s));
      assert.deepEqual(foreign, [], `dist/${file} imports ${foreign.join(", ")}`);
      assert.doesNotMatch(text, /\/\/\/\s*<reference|\.\.\/src\b|D1Database|DurableObject|workers-types|cloudflare:|\bhono\b/i, `dist/${file} mentions the Worker's side`);
    }
  });

  await step("installed the tarball into an empty Node project", async () => {
    mkdirSync(project);
    writeFileSync(path.join(project, "package.json"), `${JSON.stringify({ name: "wbiz-client-example", version: "1.0.0", private: true, type: "module" }, null, 2)}\n`);
    await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball, "@types/node@20"], project);
    const installed = JSON.parse(readFileSync(path.join(project, "node_modules/@wbiz/client/package.json"), "utf8")) as { name: string; version: string };
    assert.equal(`${installed.name}@${installed.version}`, "@wbiz/client@1.0.0");
  });

  await step("type-checked the example and client/README.md's as a Node project (@types/node, no DOM) and with the DOM lib (no Node types)", async () => {
    writeFileSync(path.join(project, "example.ts"), EXAMPLE_TS);
    writeFileSync(path.join(project, "example.mjs"), EXAMPLE_MJS);
    writeFileSync(path.join(project, "dom.ts"), DOM_TS);
    writeFileSync(path.join(project, "readme.ts"), readmeExamples());
    const node = { compilerOptions: { ...compilerOptions, lib: ["es2022"], types: ["node"], outDir: "build" }, files: ["example.ts", "readme.ts"] };
    const dom = { compilerOptions: { ...compilerOptions, lib: ["es2022", "dom"], types: [], noEmit: true }, files: ["dom.ts"] };
    writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify(node, null, 2));
    writeFileSync(path.join(project, "tsconfig.dom.json"), JSON.stringify(dom, null, 2));
    await run(TSC, ["-p", "tsconfig.json"], project); // emits build/example.js
    await run(TSC, ["-p", "tsconfig.dom.json"], project);
  });

  dev = await step("started npm run dev", () => startDevServer());
  const growth = (await demoKeys()).find((k) => k.label === "growth")!.secret;
  const env = cleanEnv({ WBIZ_API_URL: dev.origin, WBIZ_API_KEY: growth });

  await step(`ran the compiled example against ${dev.origin}`, async () => {
    const out = await run(process.execPath, ["build/example.js"], project, env, 60_000);
    assert.deepEqual(out.trim().split("\n"), EXPECTED);
  });

  await step("ran the .mjs example", async () => {
    const out = await run(process.execPath, ["example.mjs"], project, env, 60_000);
    assert.deepEqual(out.trim().split("\n"), EXPECTED);
  });
  console.log("package: @wbiz/client installs, type-checks and runs");
} catch (err) {
  failed = true;
  console.error(err);
  if (dev) console.error(`npm run dev said:\n${dev.output().slice(-4000)}`);
} finally {
  await dev?.stop();
}
process.exit(failed ? 1 : 0);
