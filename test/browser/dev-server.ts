// Runs `npm run dev` (migrate + seed local D1, then wrangler dev with the emulator) in its own process
// group for a browser test, and stops the whole group afterwards.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");

export type DevServer = { origin: string; port: number; output: () => string; stop: () => Promise<void> };

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

const ANSI = /\x1b\[[0-9;]*m/g;

export async function startDevServer(opts: { timeoutMs?: number } = {}): Promise<DevServer> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const child = spawn("npm", ["run", "dev"], {
    cwd: ROOT,
    detached: true, // its own process group: npm, tsx, wrangler and workerd all stop together
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PORT: String(await freePort()), WRANGLER_SEND_METRICS: "false", BROWSER: "none" },
  });
  let log = "";
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

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // the group is already gone
    }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
  // wrangler's children (workerd) may outlive npm for a moment: make sure the group is gone
  signal("SIGKILL");
}
