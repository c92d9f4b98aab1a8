// The bench's own local stack: a state directory of its own (never `npm run dev`'s .wrangler/state),
// seeded from scratch, and `wrangler dev` processes on free ports, each in its own process group so
// stopping one ends wrangler, workerd and everything else it started.
import { BENCH_PHONE_MPS } from "./context";
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { demoSeed } from "../seed/demo-seed";
import { freePort } from "../lib/free-port";
import { localVar, ROOT, wrangler } from "../lib/wrangler";
import { importWabaData } from "../seed/import";

const WRANGLER = path.join(ROOT, "node_modules/.bin/wrangler");

/** Everything the bench writes lives under here (git-ignored .wrangler/). */
export const BENCH_DIR = path.join(ROOT, ".wrangler/bench");
/** The stacks' D1 / Durable Object / queue state, one directory per stack: wiped and re-seeded on every run. */
export const BENCH_STATE = path.join(BENCH_DIR, "state");
const LOG_DIR = path.join(BENCH_DIR, "logs");

/**
 * wrangler's dev registry (how `wrangler dev` processes find each other's service bindings) is
 * per user by default. The bench uses its own, so its workers never answer for, or replace, the
 * workers of a developer's `npm run dev`.
 */
const REGISTRY = path.join(BENCH_DIR, "registry");

/** An empty dev registry for the bench's `wrangler dev` processes. */
export function freshRegistry(): void {
  rmSync(REGISTRY, { recursive: true, force: true });
  mkdirSync(REGISTRY, { recursive: true });
}

function wranglerEnv(): NodeJS.ProcessEnv {
  return { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_REGISTRY_PATH: REGISTRY, NO_COLOR: "1", FORCE_COLOR: "0", CI: "1" };
}


export type DemoState = Awaited<ReturnType<typeof demoSeed>>;

/**
 * A fresh state directory for one stack: the D1 migrations and the demo tenants' control plane (the
 * same SQL as `npm run dev`, so the demo keys and WABAs are there). Their data plane (contacts,
 * conversations, messages, templates) goes into each WABA's Durable Object once the stack runs, through
 * the admin import route, as `npm run dev` does it (see seedDataPlane).
 */
export async function prepareState(dir: string, log: (line: string) => void): Promise<DemoState> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  mkdirSync(BENCH_DIR, { recursive: true });
  const local = ["--local", `--persist-to=${dir}`];
  log(`applying the D1 migrations to ${path.relative(ROOT, dir)}`);
  wrangler(["d1", "migrations", "apply", "DB", ...local], { quiet: true });
  // live keys: the bench measures the path real traffic takes (WBIZ → the Graph API, here the emulator
  // behind the META binding), not the test-mode sandbox that answers the demo's test keys under npm run dev
  const seed = await demoSeed(localVar("TOKEN_ENCRYPTION_KEY"), Date.now(), "live");
  const seedFile = path.join(BENCH_DIR, "demo-seed.sql");
  writeFileSync(seedFile, seed.sql);
  wrangler(["d1", "execute", "DB", ...local, "--yes", `--file=${seedFile}`], { quiet: true });
  // the demo's numbers at Meta's highest level (context.ts: BENCH_PHONE_MPS)
  wrangler(["d1", "execute", "DB", ...local, "--yes", `--command=UPDATE phone_numbers SET throughput_mps = ${BENCH_PHONE_MPS}`], { quiet: true });
  return seed;
}

/** The demo WABAs' data through POST /admin/wabas/{id}/import (scripts/seed/import.ts, as `npm run dev`), into their live-mode objects (the bench's keys are live). */
export async function seedDataPlane(api: string, seed: DemoState): Promise<number> {
  return importWabaData(api, localVar("ADMIN_TOKEN"), seed.data, "live");
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

type Live = { child: ChildProcess; stop: () => Promise<void> };
const live = new Set<Live>();

/**
 * Tracks a child started in its own process group (detached): `stop` ends the whole group (SIGTERM,
 * SIGKILL after 5 s), and so do stopAll() and killAllNow(). Its output goes to .wrangler/bench/logs/<name>.log.
 */
export function registerProcess(child: ChildProcess, name: string): { stop: () => Promise<void>; exited: Promise<void>; logFile: string } {
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = path.join(LOG_DIR, `${name}.log`);
  const log = createWriteStream(logFile);
  child.stdout?.on("data", (chunk: Buffer) => log.write(chunk));
  child.stderr?.on("data", (chunk: Buffer) => log.write(chunk));
  let done = false;
  const exited = new Promise<void>((resolve) => child.once("exit", () => ((done = true), resolve())));
  const entry: Live = {
    child,
    stop: async () => {
      live.delete(entry);
      if (!done && child.pid) {
        killGroup(child.pid, "SIGTERM");
        const timer = setTimeout(() => child.pid && killGroup(child.pid, "SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
      // workerd may outlive its parent by a moment; the group kill reaches it, make sure
      if (child.pid) killGroup(child.pid, "SIGKILL");
      log.end();
    },
  };
  live.add(entry);
  return { stop: entry.stop, exited, logFile };
}

/** Starts `wrangler dev …` in its own process group and resolves once it prints `Ready on <url>`. */
export async function startDev(name: string, args: string[], opts: { port: number; timeoutMs?: number }): Promise<DevProcess> {
  const inspector = await freePort();
  const fullArgs = ["dev", ...args, "--port", String(opts.port), "--ip", "127.0.0.1", "--inspector-port", String(inspector), "--show-interactive-dev-session=false"];
  const child = spawn(WRANGLER, fullArgs, { cwd: ROOT, env: wranglerEnv(), stdio: ["ignore", "pipe", "pipe"], detached: true });
  const { stop, exited, logFile } = registerProcess(child, name);
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = "";
    const timer = setTimeout(() => reject(new Error(`${name}: no "Ready on" within ${(opts.timeoutMs ?? 120_000) / 1000} s; see ${logFile}`)), opts.timeoutMs ?? 120_000);
    const onData = (chunk: Buffer) => {
      buffered = (buffered + chunk.toString("utf8")).slice(-4096);
      const m = /Ready on (http:\/\/\S+)/.exec(buffered);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        child.stderr!.off("data", onData);
        resolve(m[1]!.replace(/\/$/, ""));
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${name}: wrangler dev exited before it was ready; see ${logFile}:\n${buffered.slice(-1500)}`));
    });
  }).catch(async (err) => {
    await stop();
    throw err;
  });
  return { name, url: url.replace("localhost", "127.0.0.1"), port: opts.port, child, logFile, stop };
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
