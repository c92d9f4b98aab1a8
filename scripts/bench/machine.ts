// The machine the figures were measured on.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "../lib/wrangler";
import { versionOfWrangler } from "./stack";

export type Machine = Record<string, string>;

function osName(): string {
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync("/etc/os-release", "utf8"))?.[1];
    if (pretty) return `${pretty} (${os.type()} ${os.release()}, ${os.arch()})`;
  } catch {
    // not Linux
  }
  return `${os.type()} ${os.release()} (${os.arch()})`;
}

function packageVersion(name: string): string {
  try {
    return JSON.parse(readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")).version;
  } catch {
    return "?";
  }
}

function git(args: string[]): string | null {
  const r = spawnSync("git", args, { cwd: ROOT, encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

export function describeMachine(startedAt: Date): Machine {
  const cpus = os.cpus();
  const models = [...new Set(cpus.map((c) => c.model.trim()))].join(", ");
  const commit = git(["rev-parse", "--short", "HEAD"]);
  const dirty = git(["status", "--porcelain", "--untracked-files=no"]);
  return {
    Date: `${startedAt.toISOString().replace("T", " ").slice(0, 19)} UTC`,
    CPU: `${models} — ${cpus.length} logical core${cpus.length === 1 ? "" : "s"}${cpus[0]?.speed ? ` @ ${cpus[0].speed} MHz` : ""}`,
    RAM: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB (${(os.freemem() / 2 ** 30).toFixed(1)} GiB free at start)`,
    OS: osName(),
    "Load average at start": os.loadavg().map((n) => n.toFixed(2)).join(" / ") + " (1 / 5 / 15 min)",
    Node: process.version,
    Wrangler: versionOfWrangler(),
    workerd: packageVersion("workerd"),
    Miniflare: packageVersion("miniflare"),
    Commit: commit ? `${commit}${dirty ? " (with uncommitted changes)" : ""}` : "?",
  };
}
