// CPU time of a process group (a `wrangler dev` and everything it started: its Node process, the dev
// proxy's workerd and the runtime's workerd) from /proc, so a section can say whether the machine or
// the code set its pace.
import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** What a process of a `wrangler dev` group is: wrangler's Node process, the dev proxy, or the runtime. */
function roleOf(pid: string): string {
  const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  if (!cmd[0]?.endsWith("workerd")) return "wrangler (Node)";
  // wrangler dev runs two workerd: a proxy on the public port, and the runtime (with the inspector)
  return cmd.some((a) => a.startsWith("--inspector-addr")) ? "workerd runtime (the Workers, D1, DOs, queues)" : "workerd dev proxy";
}

/** Seconds of CPU (user + system) used so far by each kind of live process of the group. */
export function groupCpuSeconds(pgid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      // the command name (field 2) may hold spaces: split after its closing parenthesis
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue; // pgrp
      const role = roleOf(pid);
      out.set(role, (out.get(role) ?? 0) + (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND); // utime + stime
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

export type CpuShare = { wallSeconds: number; stack: Map<string, number>; loadSeconds: number; cores: number };

/** Runs `fn` and reports the CPU the stack's process group and this (load-generating) process used meanwhile. */
export async function measureCpu<T>(pgid: number, fn: () => Promise<T>): Promise<{ result: T; cpu: CpuShare }> {
  const before = groupCpuSeconds(pgid);
  const load0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await fn();
  const wallSeconds = (performance.now() - t0) / 1000;
  const load = process.cpuUsage(load0);
  const stack = new Map([...groupCpuSeconds(pgid)].map(([role, s]) => [role, s - (before.get(role) ?? 0)]));
  return { result, cpu: { wallSeconds, stack, loadSeconds: (load.user + load.system) / 1e6, cores: availableParallelism() } };
}

/** "the API stack used 17.1 s of CPU (…) and the load generator 1.2 s in 9.6 s of wall time on 2 cores (95 % busy)" */
export function describeCpu(c: CpuShare): string {
  const stackSeconds = [...c.stack.values()].reduce((a, b) => a + b, 0);
  const busy = (stackSeconds + c.loadSeconds) / (c.wallSeconds * c.cores);
  const parts = [...c.stack].sort((a, b) => b[1] - a[1]).map(([role, s]) => `${role} ${s.toFixed(1)} s`).join(", ");
  return `the API stack used ${stackSeconds.toFixed(1)} s of CPU (${parts}) and the load generator ${c.loadSeconds.toFixed(1)} s, in ${c.wallSeconds.toFixed(1)} s of wall time on ${c.cores} cores (${Math.round(busy * 100)} % busy)`;
}
