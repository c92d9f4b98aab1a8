// The proxy-free stack: the API and the Cloud API emulator as two Workers in ONE Miniflare instance,
// driven through Miniflare's API — no `wrangler dev`, no dev proxy, no wrangler Node process in the
// request path. What runs is what `wrangler deploy --dry-run --outdir` bundles, with the bindings
// wrangler itself derives from the two toml files (`unstable_getMiniflareWorkerOptions`): the same D1,
// Durable Objects (SQLite), queues with their consumers, rate-limit binding and assets as `wrangler dev`,
// wired to each other (the API's META service binding is the emulator; the emulator's API binding is
// the API). Each Worker is served by workerd itself on a socket of its own (`unsafeDirectSockets`), so
// the load generator talks straight to the runtime.
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { readdirSync } from "node:fs";
import { spawn } from "node:child_process";
import path from "node:path";
import { Log, LogLevel, Miniflare, type WorkerOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { freePort } from "../lib/free-port";
import { ROOT, wrangler } from "../lib/wrangler";
import { groupsCpu, miniflareRole, type CpuProbe } from "./cpu";
import { BENCH_API_VARS } from "./context";
import { BENCH_DIR, registerProcess } from "./stack";

export const API_NAME = "wbiz-api";
export const EMULATOR_NAME = "wbiz-meta-emulator";
const DIST = path.join(BENCH_DIR, "dist");

export type Bundles = { api: string; emulator: string; commands: string[]; bytes: { api: number; emulator: number } };

/**
 * `wrangler deploy --dry-run --outdir` for both Workers — the build `npm run deploy -- --dry-run` makes
 * for staging and production, here for the top-level (local) environment of each toml, whose bindings
 * the stack uses. Nothing is uploaded.
 */
export function buildBundles(log: (line: string) => void): Bundles {
  const builds = [
    { config: "wrangler.toml", out: path.join(DIST, "api") },
    { config: "emulator/wrangler.toml", out: path.join(DIST, "emulator") },
  ];
  const commands: string[] = [];
  for (const b of builds) {
    rmSync(b.out, { recursive: true, force: true });
    const args = ["deploy", "--dry-run", "--env=", "-c", b.config, "--outdir", b.out];
    log(`building: wrangler ${args.join(" ")}`);
    wrangler(args, { quiet: true });
    commands.push(`wrangler ${args.join(" ").replace(ROOT + "/", "")}`);
  }
  const api = path.join(builds[0]!.out, "index.js");
  const emulator = path.join(builds[1]!.out, "index.js");
  return { api, emulator, commands, bytes: { api: statSync(api).size, emulator: statSync(emulator).size } };
}

export type MiniflareInstance = {
  name: string;
  /** the API Worker's own socket */
  api: string;
  /** the emulator Worker's own socket: the same instance the API's META binding reaches */
  emulator: string;
  mf: Miniflare;
  /** workerd's process id (a child of this process), for CPU accounting */
  workerdPid: number;
  stop: () => Promise<void>;
};

export type MiniflareOptions = {
  name: string;
  bundles: Bundles;
  state: string;
  emulatorVars?: Record<string, string>;
  apiVars?: Record<string, string>;
  /** drop the API's [assets] (a measurement of what the assets layer costs a request; never for the figures' stack) */
  withoutAssets?: boolean;
  /** replaces the API's single bundle module: ES modules by path, the first is the entry */
  apiModules?: { paths: string[]; root: string };
  /** workerd's V8 inspector on this port (profiling the Workers by hand; never on a figure's run) */
  inspectorPort?: number;
};

/**
 * Starts the two Workers in this process. `state` is the persistence directory (D1, Durable Objects, queues live under
 * `<state>/v3`, where `wrangler d1 … --persist-to <state>` puts them too). `emulatorVars` are added to
 * the emulator's vars (as `wrangler dev --var` would). `apiModules` replaces the API's single bundle
 * module (the instrumented run wraps the same bundle; see object-costs.ts).
 */
export async function startMiniflare(opts: MiniflareOptions): Promise<MiniflareInstance> {
  const fromToml = (config: string) => unstable_getMiniflareWorkerOptions(path.join(ROOT, config), "");
  const api = fromToml("wrangler.toml");
  const emulator = fromToml("emulator/wrangler.toml");
  if (api.workerOptions.serviceBindings?.META === undefined) throw new Error("wrangler.toml has no META service binding");
  const [apiPort, emulatorPort] = [await freePort(), await freePort()];
  const before = new Set(workerdChildren());

  const { assets: _assets, ...apiWithoutAssets } = api.workerOptions as Record<string, unknown>;
  // no test-mode sandbox Worker here: the bench's keys are live (stack.ts), and a test key's Graph call
  // without the SANDBOX binding fails closed (src/meta/graph.ts), it never reaches the emulator
  const { SANDBOX: _sandbox, ...serviceBindings } = api.workerOptions.serviceBindings ?? {};
  const apiWorker = {
    ...(opts.withoutAssets ? apiWithoutAssets : (api.workerOptions as object)),
    serviceBindings,
    name: API_NAME,
    ...(opts.apiModules
      ? { modules: opts.apiModules.paths.map((p) => ({ type: "ESModule", path: p })), modulesRoot: opts.apiModules.root }
      : { modules: true, scriptPath: opts.bundles.api }),
    bindings: { ...(api.workerOptions.bindings as Record<string, unknown>), ...BENCH_API_VARS, ...opts.apiVars },
    unsafeDirectSockets: [{ host: "127.0.0.1", port: apiPort }],
  } as WorkerOptions;
  const emulatorWorker = {
    ...(emulator.workerOptions as object),
    name: EMULATOR_NAME,
    modules: true,
    scriptPath: opts.bundles.emulator,
    bindings: { ...(emulator.workerOptions.bindings as Record<string, unknown>), ...opts.emulatorVars },
    unsafeDirectSockets: [{ host: "127.0.0.1", port: emulatorPort }],
  } as WorkerOptions;

  const mf = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    defaultPersistRoot: path.join(opts.state, "v3"),
    // INFO: Miniflare's line per queue batch ("QUEUE wbiz-sends 10/10 (17ms)") goes to the stack's log
    log: new Log(LogLevel.INFO),
    logRequests: false,
    ...(opts.inspectorPort ? { inspectorPort: opts.inspectorPort } : {}),
    cf: false, // the fallback request.cf: nothing fetched from the network
    // workerd's output joins this process's, which the parent writes to .wrangler/bench/logs/<name>.log
    handleRuntimeStdio(stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) {
      stdout.pipe(process.stdout, { end: false });
      stderr.pipe(process.stderr, { end: false });
    },
    workers: [apiWorker, emulatorWorker],
  });
  await mf.ready;
  const started = workerdChildren().filter((pid) => !before.has(pid));
  if (started.length !== 1) throw new Error(`expected one new workerd child process, found ${started.length}`);
  return {
    name: opts.name,
    api: `http://127.0.0.1:${apiPort}`,
    emulator: `http://127.0.0.1:${emulatorPort}`,
    mf,
    workerdPid: started[0]!,
    stop: () => mf.dispose(),
  };
}

/** workerd processes started by this process. */
function workerdChildren(): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) !== process.pid) continue; // ppid
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0]!.endsWith("workerd")) pids.push(Number(pid));
    } catch {
      // gone
    }
  }
  return pids;
}

/** The SQLite files of a Durable Object class under a stack's state (one per object), with their sizes. */
export function objectFiles(state: string, className: string): Array<{ file: string; bytes: number }> {
  const dir = path.join(state, "v3", "do", `${API_NAME}-${className}`);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".sqlite"))
    .map((f) => {
      const file = path.join(dir, f);
      const wal = `${file}-wal`;
      return { file, bytes: statSync(file).size + (existsSync(wal) ? statSync(wal).size : 0) };
    });
}

export type MiniflareStack = {
  name: string;
  api: string;
  emulator: string;
  /** the stack's process (Miniflare's Node side) and workerd, by role */
  cpu: CpuProbe;
  pid: number;
  workerdPid: number;
  logFile: string;
  stop: () => Promise<void>;
};

/**
 * Starts the proxy-free stack in a process of its own (miniflare-server.ts, its own process group: the
 * bench's cleanup stops it, workerd included) and resolves once both Workers serve.
 */
export async function startMiniflareStack(opts: MiniflareOptions, timeoutMs = 120_000): Promise<MiniflareStack> {
  const tsx = path.join(ROOT, "node_modules/.bin/tsx");
  const child = spawn(tsx, [path.join(ROOT, "scripts/bench/miniflare-server.ts"), JSON.stringify(opts)], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
  });
  const { stop, exited, logFile } = registerProcess(child, opts.name);
  const ready = await new Promise<{ api: string; emulator: string; workerdPid: number }>((resolve, reject) => {
    let buffered = "";
    const timer = setTimeout(() => reject(new Error(`${opts.name}: not ready within ${timeoutMs / 1000} s:\n${buffered.slice(-1500)}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const m = /^READY (\{.*\})$/m.exec(buffered);
      if (m) {
        clearTimeout(timer);
        resolve(JSON.parse(m[1]!));
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${opts.name}: the Miniflare process exited before it was ready:\n${buffered.slice(-1500)}`));
    });
  }).catch(async (err) => {
    await stop();
    throw err;
  });
  return { name: opts.name, ...ready, cpu: groupsCpu([child.pid!], miniflareRole), pid: child.pid!, logFile, stop };
}
