// `npm run seed`: (re)seed the demo tenants into a running `npm run dev` (WBIZ_API_URL, default
// http://localhost:8787): the control plane in the local D1, the data plane through the admin import
// route. The demo rows come back as seeded (24-hour windows refreshed); anything created since is kept.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { demoSeed } from "./seed/demo-seed";
import { importWabaData } from "./seed/import";
import { localVar, ROOT, wrangler } from "./lib/wrangler";

const apiUrl = (process.env.WBIZ_API_URL ?? "http://localhost:8787").replace(/\/$/, "");
wrangler(["d1", "migrations", "apply", "DB", "--local"], { quiet: true });
const { sql, data, keys } = await demoSeed(localVar("TOKEN_ENCRYPTION_KEY"));
mkdirSync(path.join(ROOT, ".wrangler"), { recursive: true });
const file = path.join(ROOT, ".wrangler/seed.sql");
writeFileSync(file, sql);
wrangler(["d1", "execute", "DB", "--local", "--yes", `--file=${file}`], { quiet: true });
try {
  const rows = await importWabaData(apiUrl, process.env.WBIZ_ADMIN_TOKEN ?? localVar("ADMIN_TOKEN"), data);
  console.log(`Seeded the demo data plane through ${apiUrl} (${rows} rows).`);
} catch (err) {
  console.error(`${String(err)}\nThe data plane is seeded through the running API: start \`npm run dev\` first (or set WBIZ_API_URL).`);
  process.exit(1);
}
for (const k of keys) console.log(`${k.label.padEnd(20)} ${k.secret}`);
