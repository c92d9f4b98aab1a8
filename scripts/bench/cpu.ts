// CPU accounting from /proc, so a section can say whether the machine or the code set its pace:
// the stack's processes by role, this (load-generating) process, and the whole machine — which is
// shared, so what neither the stack nor the load generator used was someone else's.
import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds used so far by each process of a stack (pid → its role and seconds). */
export type CpuProbe = () => Map<number, { role: string; seconds: number }>;

function statFields(pid: string | number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // the command name (field 2) may hold spaces: split after its closing parenthesis
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

const cpuOf = (fields: string[]) => (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime + stime

/** What a process of a `wrangler dev` group is: wrangler's Node process, the dev proxy, or the runtime. */
export function wranglerRole(cmd: string[]): string {
  if (!cmd[0]?.endsWith("workerd")) return "wrangler (Node)";
  // wrangler dev runs two workerd: a proxy on the public port, and the runtime (with the inspector)
  return cmd.some((a) => a.startsWith("--inspector-addr")) ? "workerd runtime" : "workerd dev proxy";
}

/** What a process of the Miniflare stack's group is: Miniflare's Node process, or workerd. */
export function miniflareRole(cmd: string[]): string {
  return cmd[0]?.endsWith("workerd") ? "workerd" : "Miniflare (Node)";
}

/**
 * Process groups (a `wrangler dev` and everything it started, or the Miniflare stack), CPU by role. The
 * group's processes are looked up in /proc once (a full scan takes a while on a busy machine) and again
 * only when one of them is gone.
 */
export function groupsCpu(pgids: number[], roleOf: (cmd: string[]) => string = wranglerRole): CpuProbe {
  let members: Array<{ pid: string; role: string }> | null = null;
  const scan = () => {
    const found: Array<{ pid: string; role: string }> = [];
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        if (!pgids.includes(Number(statFields(pid)[2]))) continue; // pgrp
        found.push({ pid, role: roleOf(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")) });
      } catch {
        // the process ended while we looked
      }
    }
    return found;
  };
  return () => {
    members ??= scan();
    const out = new Map<number, { role: string; seconds: number }>();
    for (const m of members) {
      try {
        out.set(Number(m.pid), { role: m.role, seconds: cpuOf(statFields(m.pid)) });
      } catch {
        members = null; // one is gone: look again next time
      }
    }
    return out;
  };
}

/** Busy CPU seconds of the whole machine (all cores) so far: everything but idle and iowait. */
function machineBusySeconds(): number {
  const [, ...ticks] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = ticks.map(Number);
  return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) / TICKS_PER_SECOND;
}

export type CpuShare = {
  wallSeconds: number;
  stack: Map<string, number>;
  /** this process: the load generator */
  loadSeconds: number;
  /** every core of the machine, whoever used it */
  machineSeconds: number;
  cores: number;
};

/** Runs `fn` and reports the CPU the stack, this process and the machine used meanwhile. */
export async function measureCpu<T>(probe: CpuProbe, fn: () => Promise<T>): Promise<{ result: T; cpu: CpuShare }> {
  const before = probe();
  const machine0 = machineBusySeconds();
  const load0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await fn();
  const wallSeconds = (performance.now() - t0) / 1000;
  const load = process.cpuUsage(load0);
  const machineSeconds = machineBusySeconds() - machine0;
  // per process, then by role: a process that started meanwhile counts from 0, one that ended is left out
  const stack = new Map<string, number>();
  for (const [pid, { role, seconds }] of probe()) stack.set(role, (stack.get(role) ?? 0) + Math.max(0, seconds - (before.get(pid)?.seconds ?? 0)));
  return { result, cpu: { wallSeconds, stack, loadSeconds: (load.user + load.system) / 1e6, machineSeconds, cores: availableParallelism() } };
}

export const stackSeconds = (c: CpuShare) => [...c.stack.values()].reduce((a, b) => a + b, 0);

/** Seconds of CPU of one role (0 if absent). */
export const roleSeconds = (c: CpuShare, role: string) => c.stack.get(role) ?? 0;

/** "the stack used 17.1 s of CPU (…), the load generator 1.2 s and other processes 0.4 s, in 9.6 s of wall time on 2 cores (95 % busy)" */
export function describeCpu(c: CpuShare): string {
  const stack = stackSeconds(c);
  const others = Math.max(0, c.machineSeconds - stack - c.loadSeconds);
  const busy = c.machineSeconds / (c.wallSeconds * c.cores);
  const parts = [...c.stack].sort((a, b) => b[1] - a[1]).map(([role, s]) => `${role} ${s.toFixed(1)} s`).join(", ");
  return `the stack used ${stack.toFixed(1)} s of CPU (${parts}), the load generator ${c.loadSeconds.toFixed(1)} s and other processes on the machine ${others.toFixed(1)} s, in ${c.wallSeconds.toFixed(1)} s of wall time on ${c.cores} cores (${Math.round(busy * 100)} % busy)`;
}
