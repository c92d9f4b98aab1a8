// `npm run deploy [-- --env staging|production] [--dry-run]`: apply D1 migrations to the environment's
// remote database, then deploy the API Worker and the sandbox (emulator/sandbox.wrangler.toml: the Meta
// that test-mode keys reach). `--dry-run` only builds both (CI runs it; no account needed).
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

const SANDBOX_CONFIG = "emulator/sandbox.wrangler.toml";

/** What each Worker's bundle may take in besides runtime dependencies (esbuild's paths, from the project root). */
const WORKERS = [
  { label: "API", config: "wrangler.toml", out: env, entry: "src/index.ts", sources: ["src/"] },
  // the sandbox is the emulator's code; demo/dataset.ts is the WABAs it preloads (local dev's demo tenant)
  { label: "sandbox", config: SANDBOX_CONFIG, out: `${env}/sandbox`, entry: "emulator/src/index.ts", sources: ["emulator/src/", "demo/"] },
] as const;

if (dryRun) {
  rmSync(path.join(ROOT, "dist", env), { recursive: true, force: true }); // nothing stale from an earlier build
  for (const w of WORKERS) {
    const outdir = path.join(ROOT, "dist", w.out);
    const metafile = path.join(outdir, "bundle-meta.json");
    wrangler(["deploy", "-c", w.config, "--env", env, "--dry-run", "--outdir", outdir, "--metafile", metafile]);
    checkBundle(w, metafile);
    console.log(`dry run for ${env}: ${w.label} bundle in dist/${w.out} (only ${w.sources.join(", ")} and runtime dependencies)`);
  }
  process.exit(0);
}

const toml = readFileSync(path.join(ROOT, "wrangler.toml"), "utf8");
if (toml.includes(`REPLACE_WITH_${env.toUpperCase()}_D1_ID`)) {
  console.error(`wrangler.toml still has REPLACE_WITH_${env.toUpperCase()}_D1_ID: create the database first (README, "Deploy").`);
  process.exit(1);
}
console.log(`Applying D1 migrations to ${env}…`);
wrangler(["d1", "migrations", "apply", "DB", "--remote", "--env", env]);
// The API binds the sandbox (SANDBOX) and the sandbox binds the API (webhooks), and Cloudflare refuses a
// binding to a Worker that does not exist. `wrangler secret put META_APP_SECRET -c emulator/sandbox.wrangler.toml`
// (README, "Deploy") creates the sandbox Worker, so the API goes first, then the sandbox, which finds it.
for (const w of WORKERS) {
  console.log(`Deploying the ${w.label} (${env})…`);
  try {
    wrangler(["deploy", "-c", w.config, "--env", env]);
  } catch (err) {
    if (w.label === "API") console.error(`If the SANDBOX binding names a Worker that does not exist, put the sandbox's secret first:\n  npx wrangler secret put META_APP_SECRET -c ${SANDBOX_CONFIG} --env ${env}`);
    throw err;
  }
}

/** Fails the build when a Worker's bundle takes in anything but its own sources and the runtime
 * dependencies: for the API, the Cloud API emulator, tests, scripts, the typed client, test or build
 * tooling, the docs renderer (a static asset); for the sandbox, the API's src/ as well. esbuild's metafile
 * lists every input. */
function checkBundle(w: (typeof WORKERS)[number], metafile: string): void {
  const { inputs } = JSON.parse(readFileSync(metafile, "utf8")) as { inputs: Record<string, unknown> };
  // inputs are relative to the config's folder; a symlinked node_modules (a git worktree's) resolves
  // outside the project, as ../…/node_modules/…: a dependency all the same
  const configDir = path.dirname(path.join(ROOT, w.config));
  const files = Object.keys(inputs).map((f) =>
    path.relative(ROOT, path.resolve(configDir, f)).replace(/\\/g, "/").replace(/^(?:\.\.\/)+(?:[^/]+\/)*?(node_modules\/)/, "$1"),
  );
  const devOnly = /^node_modules\/(vitest|@vitest|fast-check|playwright-core|@cloudflare\/vitest-pool-workers|miniflare|wrangler|@scalar|drizzle-kit|esbuild|tsx|typescript)\//;
  const unwanted = files.filter((f) => !(w.sources.some((s) => f.startsWith(s)) || f.startsWith("node_modules/")) || devOnly.test(f));
  if (!files.includes(w.entry) || unwanted.length > 0) {
    console.error(`the ${env} ${w.label} bundle takes in more than ${w.sources.join(", ")} and runtime dependencies:\n  ${unwanted.join("\n  ") || `(${w.entry} missing)`}`);
    process.exit(1);
  }
}
