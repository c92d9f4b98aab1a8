// `npm run deploy [-- --env staging|production] [--dry-run]`: apply D1 migrations to the environment's
// remote database, then deploy the Worker. `--dry-run` only builds (CI runs it; no account needed).
import { readFileSync } from "node:fs";
import path from "node:path";
import { ROOT, wrangler } from "./lib/wrangler";

const args = process.argv.slice(2);
const envIndex = args.indexOf("--env");
const env = envIndex >= 0 ? args[envIndex + 1] : "production";
const dryRun = args.includes("--dry-run");
if (env !== "staging" && env !== "production") {
  console.error("usage: npm run deploy -- [--env staging|production] [--dry-run]");
  process.exit(2);
}

if (dryRun) {
  wrangler(["deploy", "--env", env, "--dry-run", "--outdir", path.join(ROOT, "dist", env)]);
  console.log(`dry run for ${env}: bundle in dist/${env}`);
  process.exit(0);
}

const toml = readFileSync(path.join(ROOT, "wrangler.toml"), "utf8");
if (toml.includes(`REPLACE_WITH_${env.toUpperCase()}_D1_ID`)) {
  console.error(`wrangler.toml still has REPLACE_WITH_${env.toUpperCase()}_D1_ID: create the database first (README, "Deploy").`);
  process.exit(1);
}
console.log(`Applying D1 migrations to ${env}…`);
wrangler(["d1", "migrations", "apply", "DB", "--remote", "--env", env]);
console.log(`Deploying ${env}…`);
wrangler(["deploy", "--env", env]);
