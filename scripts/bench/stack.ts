// The bench's own local stack: a state directory of its own (never `npm run dev`'s .wrangler/state),
// seeded from scratch, and `wrangler dev` processes on free ports, each in its own process group so
// stopping one ends wrangler, workerd and everything else it started.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { demoSeedSql } from "../seed/demo-seed";
import { freePort } from "../lib/free-port";
import { localVar, ROOT, wrangler } from "../lib/wrangler";
import { applyLargeDataset, localD1Args } from "./large-dataset";

const WRANGLER = path.join(ROOT, "node_modules/.bin/wrangler");

/** Everything the bench writes lives under here (git-ignored .wrangler/). */
export const BENCH_DIR = path.join(ROOT, ".wrangler/bench");
/** The bench stack's D1 / Durable Object / queue state: wiped and re-seeded on every run. */
export const BENCH_STATE = path.join(ROOT, ".wrangler/bench-state");
const LOG_DIR = path.join(BENCH_DIR, "logs");

/**
 * wrangler's dev registry (how `wrangler dev` processes find each other's service bindings) is
 * per user by default. The bench uses its own, so its workers never answer for, or replace, the
 * workers of a developer's `npm run dev`.
 */
const REGISTRY = path.join(BENCH_DIR, "registry");

function wranglerEnv(): NodeJS.ProcessEnv {
  return { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_REGISTRY_PATH: REGISTRY, NO_COLOR: "1", FORCE_COLOR: "0", CI: "1" };
}


/**
 * A fresh state directory: migrations, the demo tenant (same SQL as `npm run dev`, so the demo keys,
 * WABA and the open 24-hour window of +919812345678 are there) and the large bench data set.
 */
export async function prepareState(log: (line: string) => void): Promise<{ benchKey: string; demoKeys: Awaited<ReturnType<typeof demoSeedSql>>["keys"] }> {
  rmSync(BENCH_STATE, { recursive: true, force: true });
  rmSync(REGISTRY, { recursive: true, force: true });
  mkdirSync(BENCH_STATE, { recursive: true });
  mkdirSync(REGISTRY, { recursive: true });
  mkdirSync(BENCH_DIR, { recursive: true });
  const local = localD1Args(BENCH_STATE);
  log("applying migrations to the bench state");
  wrangler(["d1", "migrations", "apply", "DB", ...local], { quiet: true });
  log("seeding the demo tenant");
  const { sql, keys } = await demoSeedSql(localVar("TOKEN_ENCRYPTION_KEY"));
  const seedFile = path.join(BENCH_DIR, "demo-seed.sql");
  writeFileSync(seedFile, sql);
  wrangler(["d1", "execute", "DB", ...local, "--yes", `--file=${seedFile}`], { quiet: true });
  const benchKey = await applyLargeDataset({ persistTo: BENCH_STATE, log });
  return { benchKey, demoKeys: keys };
}

/**
 * emulator/wrangler.toml for the emulator that runs inside the API's process (reached only through
 * the API's META service binding, so its control API is out of reach): the same Worker with status
 * webhooks off and the per-number throughput cap lifted, set through its documented vars.
 */
export function inProcessEmulatorConfig(vars: Record<string, string>): string {
  const source = path.join(ROOT, "emulator/wrangler.toml");
  let toml = readFileSync(source, "utf8");
  toml = toml.replace(/^main\s*=\s*"([^"]+)"/m, (_, main: string) => `main = ${JSON.stringify(path.resolve(path.dirname(source), main))}`);
  for (const name of Object.keys(vars)) toml = toml.replace(new RegExp(`^${name}\\s*=.*$`, "gm"), "");
  const lines = Object.entries(vars).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join("\n");
  if (!/^\[vars\]\s*$/m.test(toml)) throw new Error("emulator/wrangler.toml has no [vars] table");
  toml = toml.replace(/^\[vars\]\s*$/m, `[vars]\n# added by scripts/bench/stack.ts\n${lines}`);
  const file = path.join(BENCH_DIR, "emulator.wrangler.toml");
  writeFileSync(file, toml);
  return file;
}

export type DevProcess = { name: string; url: string; port: number; child: ChildProcess; logFile: string; stop: () => Promise<void> };

const live = new Set<DevProcess>();

/** Starts `wrangler dev …` in its own process group and resolves once it prints `Ready on <url>`. */
export async function startDev(name: string, args: string[], opts: { port: number; timeoutMs?: number }): Promise<DevProcess> {
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = path.join(LOG_DIR, `${name}.log`);
  const log = createWriteStream(logFile);
  const inspector = await freePort();
  const fullArgs = ["dev", ...args, "--port", String(opts.port), "--ip", "127.0.0.1", "--inspector-port", String(inspector), "--show-interactive-dev-session=false"];
  log.write(`$ wrangler ${fullArgs.join(" ")}\n`);
  const child = spawn(WRANGLER, fullArgs, { cwd: ROOT, env: wranglerEnv(), stdio: ["ignore", "pipe", "pipe"], detached: true });

  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once("exit", () => ((exited = true), resolve())));
  const stop = async () => {
    live.delete(proc);
    if (!exited && child.pid) {
      killGroup(child.pid, "SIGTERM");
      const timer = setTimeout(() => child.pid && killGroup(child.pid, "SIGKILL"), 5000);
      await exitedPromise;
      clearTimeout(timer);
    }
    // workerd may outlive wrangler by a moment; the group kill above reaches it, make sure
    if (child.pid) killGroup(child.pid, "SIGKILL");
    log.end();
  };
  const proc: DevProcess = { name, url: "", port: opts.port, child, logFile, stop };
  live.add(proc);

  const url = await new Promise<string>((resolve, reject) => {
    let buffered = "";
    const timer = setTimeout(() => reject(new Error(`${name}: no "Ready on" within ${(opts.timeoutMs ?? 120_000) / 1000} s; see ${logFile}`)), opts.timeoutMs ?? 120_000);
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      buffered = (buffered + chunk.toString("utf8")).slice(-4096);
      const m = /Ready on (http:\/\/\S+)/.exec(buffered);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!.replace(/\/$/, ""));
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name}: wrangler dev exited (${code ?? signal}) before it was ready; see ${logFile}:\n${buffered.slice(-1500)}`));
    });
  }).catch(async (err) => {
    await stop();
    throw err;
  });
  // keep logging after Ready
  proc.url = url.replace("localhost", "127.0.0.1");
  return proc;
}

function killGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Stops every process this module started (normal end, failure and SIGINT alike). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop()));
}

/** Last-resort synchronous cleanup for process exit paths that cannot await. */
export function killAllNow(): void {
  for (const p of live) if (p.child.pid) killGroup(p.child.pid, "SIGKILL");
}

export function versionOfWrangler(): string {
  return wrangler(["--version"], { quiet: true }).trim().split("\n").pop()!.trim();
}
