// `npm run deploy [-- --env staging|production] [--dry-run]`: apply D1 migrations to the environment's
// remote database, then deploy the Worker. `--dry-run` only builds (CI runs it; no account needed).
import { readFileSync, rmSync } from "node:fs";
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
  const outdir = path.join(ROOT, "dist", env);
  const metafile = path.join(outdir, "bundle-meta.json");
  rmSync(outdir, { recursive: true, force: true }); // nothing stale from an earlier build
  wrangler(["deploy", "--env", env, "--dry-run", "--outdir", outdir, "--metafile", metafile]);
  checkBundle(metafile);
  console.log(`dry run for ${env}: bundle in dist/${env} (only src/ and runtime dependencies)`);
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

/** Fails the build when the Worker bundle takes in anything but src/ and the runtime dependencies: the
 * Cloud API emulator, tests, scripts, the typed client, test or build tooling, the docs renderer (that one
 * is a static asset). esbuild's metafile lists every input, relative to the project root. */
function checkBundle(metafile: string): void {
  const { inputs } = JSON.parse(readFileSync(metafile, "utf8")) as { inputs: Record<string, unknown> };
  const files = Object.keys(inputs).map((f) => f.replace(/\\/g, "/"));
  const devOnly = /^node_modules\/(vitest|@vitest|fast-check|playwright-core|@cloudflare\/vitest-pool-workers|miniflare|wrangler|@scalar|drizzle-kit|esbuild|tsx|typescript)\//;
  const unwanted = files.filter((f) => !(f.startsWith("src/") || f.startsWith("node_modules/")) || devOnly.test(f));
  if (!files.includes("src/index.ts") || unwanted.length > 0) {
    console.error(`the ${env} bundle takes in more than src/ and runtime dependencies:\n  ${unwanted.join("\n  ") || "(src/index.ts missing)"}`);
    process.exit(1);
  }
}
