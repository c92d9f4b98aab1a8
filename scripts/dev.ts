// `npm run dev`: apply local D1 migrations, seed the demo tenant, print the demo keys, then run the
// API and the Cloud API emulator side by side with `wrangler dev`. Safe to re-run.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { demoSeedSql } from "./seed/demo-seed";
import { localVar, ROOT, startWrangler, wrangler } from "./lib/wrangler";

const port = process.env.PORT ?? "8787";

console.log("Applying D1 migrations (local)…");
wrangler(["d1", "migrations", "apply", "DB", "--local"], { quiet: true });

console.log("Seeding the demo tenant…");
const { sql, keys } = await demoSeedSql(localVar("TOKEN_ENCRYPTION_KEY"));
mkdirSync(path.join(ROOT, ".wrangler"), { recursive: true });
const seedFile = path.join(ROOT, ".wrangler/seed.sql");
writeFileSync(seedFile, sql);
wrangler(["d1", "execute", "DB", "--local", "--yes", `--file=${seedFile}`], { quiet: true });

const pad = (s: string, n: number) => s.padEnd(n);
console.log(`
WBIZ local demo keys (local dev only — the same on every machine, see README):
${keys.map((k) => `  ${pad(k.label, 20)} ${pad(k.plan, 8)} ${pad(k.scopes.length === 6 ? "all scopes" : k.scopes.join(" "), 16)} ${k.secret}`).join("\n")}

  admin token          ${localVar("ADMIN_TOKEN")}
  API                  http://localhost:${port}/v1   (OpenAPI: /v1/openapi.json, reference: /docs)

Try:
  curl -s http://localhost:${port}/v1/templates -H "Authorization: Bearer ${keys.find((k) => k.label === "growth")!.secret}"
`);

const child = startWrangler(["dev", "-c", "wrangler.toml", "-c", "emulator/wrangler.toml", "--port", port, "--show-interactive-dev-session=false"]);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
