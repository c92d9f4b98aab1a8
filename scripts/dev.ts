// `npm run dev`: apply the local D1 migrations, seed the demo tenants' control plane (D1), print the
// demo keys, run the API, the Cloud API emulator and the sandbox side by side with `wrangler dev`, and — before
// wrangler's "Ready on" line is shown — seed each demo WABA's data plane (its Durable Object) through
// the admin import route. So when "Ready on" appears, the demo data is there. Safe to re-run.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { SCOPES } from "../src/auth/scopes";
import { demoSeed } from "./seed/demo-seed";
import { importWabaData } from "./seed/import";
import { localVar, ROOT, spawnWrangler, wrangler } from "./lib/wrangler";

const port = process.env.PORT ?? "8787";

console.log("Applying D1 migrations (local)…");
wrangler(["d1", "migrations", "apply", "DB", "--local"], { quiet: true });

console.log("Seeding the demo tenants (control plane)…");
const { sql, data, keys } = await demoSeed(localVar("TOKEN_ENCRYPTION_KEY"));
mkdirSync(path.join(ROOT, ".wrangler"), { recursive: true });
const seedFile = path.join(ROOT, ".wrangler/seed.sql");
writeFileSync(seedFile, sql);
wrangler(["d1", "execute", "DB", "--local", "--yes", `--file=${seedFile}`], { quiet: true });

const pad = (s: string, n: number) => s.padEnd(n);
const growthKey = keys.find((k) => k.label === "growth")!.secret;
console.log(`
WBIZ local demo keys (local dev only — the same on every machine, see README):
${keys.map((k) => `  ${pad(k.label, 20)} ${pad(k.plan, 8)} ${pad(k.scopes.length === SCOPES.length ? "all scopes" : k.scopes.join(" "), 16)} ${k.secret}`).join("\n")}

  admin token          ${localVar("ADMIN_TOKEN")}
  API                  http://localhost:${port}/v1   (OpenAPI: /v1/openapi.json, reference: /docs)
  emulator control     http://localhost:${port}/__emulator/…   (the Meta that live keys reach; emulator/README.md)
  sandbox control      http://localhost:${port}/__sandbox/…    (the Meta that test keys, like the demo keys, reach)

Try:
  curl -s http://localhost:${port}/v1/templates -H "Authorization: Bearer ${growthKey}"
  curl -s http://localhost:${port}/__emulator/wabas
`);

const child = spawnWrangler([
  "dev",
  "-c", "wrangler.toml",
  "-c", "emulator/wrangler.toml",
  "-c", "emulator/sandbox.wrangler.toml",
  "--port", port,
  "--show-interactive-dev-session=false",
  // the /docs page fills in the bearer token from this var, so "Test Request" works at once
  "--var", `DOCS_DEMO_KEY:${growthKey}`,
]);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
child.stderr!.pipe(process.stderr);

// wrangler's output goes through unchanged, except that its "Ready on" line waits for the data-plane seed
let seeded = false;
createInterface({ input: child.stdout! }).on("line", (line) => {
  if (seeded || !/Ready on (http:\/\/\S+)/.test(line)) return void console.log(line);
  const url = /Ready on (http:\/\/\S+)/.exec(line)![1]!.replace(/\/$/, "");
  importWabaData(url, localVar("ADMIN_TOKEN"), data)
    .then((rows) => {
      console.log(`Seeded the demo data plane (${rows} rows).`);
      seeded = true;
      console.log(line);
    })
    .catch((err) => {
      console.error(String(err));
      child.kill("SIGTERM");
    });
});
