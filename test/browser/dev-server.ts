// Runs `npm run dev` (migrate + seed local D1, then wrangler dev with the emulator) in its own process
// group for a browser test, and stops the whole group afterwards.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { freePort } from "../../scripts/lib/free-port";

export const ROOT = path.resolve(import.meta.dirname, "../..");

export type DevServer = { origin: string; port: number; output: () => string; stop: () => Promise<void> };

const ANSI = /\x1b\[[0-9;]*m/g;

/** `env`: more environment for `npm run dev` (and the wrangler it starts). */
export async function startDevServer(opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<DevServer> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const child = spawn("npm", ["run", "dev"], {
    cwd: ROOT,
    detached: true, // its own process group: npm, tsx, wrangler and workerd all stop together
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...opts.env, PORT: String(await freePort()), WRANGLER_SEND_METRICS: "false", BROWSER: "none" },
  });
  let log = "";
  if (child.pid !== undefined) groups.add(child.pid);
  killGroupsOnExit();
  const stop = () => stopGroup(child);

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm run dev printed no "Ready on" within ${timeoutMs} ms:\n${log}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      log += chunk.toString().replace(ANSI, "");
      const ready = /Ready on https?:\/\/[^:\s]+:(\d+)/.exec(log);
      if (ready) {
        clearTimeout(timer);
        resolve(Number(ready[1]));
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`npm run dev exited (${code}) before it was ready:\n${log}`));
    });
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });

  return { origin: `http://localhost:${port}`, port, output: () => log, stop };
}

/** SIGTERM to the dev server's whole process group, SIGKILL after 5 s, and SIGKILL once more after npm
 * exits: wrangler's children (workerd, esbuild) may outlive npm, and npm may already be gone when this is
 * called (it crashed, or exited before it was ready) while they still run. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined) return;
  const pgid = child.pid;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    signalGroup(pgid, "SIGTERM");
    const timer = setTimeout(() => signalGroup(pgid, "SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }
  signalGroup(pgid, "SIGKILL");
  groups.delete(pgid);
}

function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    // the group is already gone
  }
}

// The groups not stopped yet. If the test process ends without running its `after` hooks (an uncaught
// error, a signal, the test runner's timeout), a detached group would live on: kill them on the way out.
const groups = new Set<number>();
let exitHooked = false;
function killGroupsOnExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on("exit", () => groups.forEach((pgid) => signalGroup(pgid, "SIGKILL")));
  for (const [sig, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
    process.once(sig, () => process.exit(code)); // a signal's default action skips "exit" handlers
  }
}
