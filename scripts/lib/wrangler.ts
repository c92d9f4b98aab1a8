import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");
const WRANGLER = path.join(ROOT, "node_modules/.bin/wrangler");

/** Runs wrangler to completion (non-interactive) and fails loudly if it fails. */
export function wrangler(args: string[], opts: { quiet?: boolean } = {}): string {
  const res = spawnSync(WRANGLER, args, {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: process.env.CI ?? "1" },
  });
  if (res.status !== 0) {
    process.stderr.write(res.stdout + res.stderr);
    throw new Error(`wrangler ${args.join(" ")} failed (exit ${res.status})`);
  }
  if (!opts.quiet) process.stdout.write(res.stdout);
  return res.stdout;
}

export function startWrangler(args: string[]) {
  return spawn(WRANGLER, args, { cwd: ROOT, stdio: "inherit", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
}

/** Like startWrangler, but with stdout and stderr piped to the caller. */
export function spawnWrangler(args: string[]) {
  return spawn(WRANGLER, args, { cwd: ROOT, stdio: ["inherit", "pipe", "pipe"], env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
}

/** A value from wrangler.toml's top-level [vars] (the local-dev values). */
export function localVar(name: string): string {
  const toml = readFileSync(path.join(ROOT, "wrangler.toml"), "utf8");
  const top = toml.split(/^\[env\./m)[0]!;
  const m = new RegExp(`^${name}\\s*=\\s*"([^"]*)"`, "m").exec(top);
  if (!m) throw new Error(`${name} not found in wrangler.toml [vars]`);
  return m[1]!;
}
