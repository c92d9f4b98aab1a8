// `npm run seed`: (re)seed the local demo tenant without starting the server.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { demoSeedSql } from "./seed/demo-seed";
import { localVar, ROOT, wrangler } from "./lib/wrangler";

wrangler(["d1", "migrations", "apply", "DB", "--local"], { quiet: true });
const { sql, keys } = await demoSeedSql(localVar("TOKEN_ENCRYPTION_KEY"));
mkdirSync(path.join(ROOT, ".wrangler"), { recursive: true });
const file = path.join(ROOT, ".wrangler/seed.sql");
writeFileSync(file, sql);
wrangler(["d1", "execute", "DB", "--local", "--yes", `--file=${file}`], { quiet: true });
for (const k of keys) console.log(`${k.label.padEnd(20)} ${k.secret}`);
