// Where workerd's CPU goes, by native symbol: `perf record` on the proxy-free stack's workerd while a
// phase runs, then `perf report` grouped into what the runtime was doing (JavaScript, garbage
// collection, SQLite, KJ/Cap'n Proto I/O and RPC, memory allocation, the kernel, …). Optional: when
// perf is missing or not allowed (perf_event_paranoid), the bench says so and goes on.
import { spawn, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { BENCH_DIR } from "./stack";

export type PerfBreakdown = { samples: number; areas: Array<[string, number]>; top: Array<[string, number]> };

export function perfAvailable(): boolean {
  const r = spawnSync("perf", ["record", "-q", "-o", "/dev/null", "--", "true"], { stdio: "ignore" });
  return r.status === 0;
}

/** Samples `pid` (499 Hz, CPU time only) while `fn` runs. */
export async function perfRecord<T>(pid: number, fn: () => Promise<T>): Promise<{ result: T; perf: PerfBreakdown | null }> {
  const file = path.join(BENCH_DIR, `perf-${pid}.data`);
  rmSync(file, { force: true });
  const rec = spawn("perf", ["record", "-q", "-F", "499", "-p", String(pid), "-o", file], { stdio: "ignore" });
  await new Promise((resolve) => setTimeout(resolve, 300)); // attached
  let result: T;
  try {
    result = await fn();
  } finally {
    rec.kill("SIGINT");
    await new Promise((resolve) => rec.once("exit", resolve));
  }
  const report = spawnSync("perf", ["report", "-i", file, "--sort", "dso,sym", "--stdio", "-q", "-n", "--percent-limit", "0"], { encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
  rmSync(file, { force: true });
  if (report.status !== 0) return { result, perf: null };
  const rows = report.stdout
    .split("\n")
    .map((l) => /^\s*([\d.]+)%\s+(\d+)\s+(\S.*?)\s{2,}\[(.)\]\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pct: Number(m[1]), n: Number(m[2]), dso: m[3]!.trim(), kind: m[4]!, sym: m[5]!.trim() }));
  const samples = rows.reduce((a, r) => a + r.n, 0);
  const areas = new Map<string, number>();
  for (const r of rows) areas.set(areaOf(r), (areas.get(areaOf(r)) ?? 0) + r.pct);
  const top = rows.slice(0, 12).map((r) => [`${r.sym.slice(0, 90)} (${r.dso})`, r.pct] as [string, number]);
  return { result, perf: { samples, areas: [...areas].sort((a, b) => b[1] - a[1]), top } };
}

function areaOf(r: { dso: string; kind: string; sym: string }): string {
  const s = r.sym;
  if (r.kind === "k" || r.dso.includes("kernel")) return "kernel (syscalls: sockets, fsync, futex, scheduling)";
  if (r.dso.startsWith("[JIT]") || /^0x[0-9a-f]+$/.test(s)) return "JavaScript (JIT-compiled code)";
  if (/^sqlite3|^sqlite/.test(s)) return "SQLite";
  if (/^Builtins_/.test(s)) return "JavaScript (interpreter and built-ins)";
  if (/Scavenger|MarkCompact|MinorMark|Heap::|GCTracer|Sweeper|Marking|cppgc|Evacuat|ConcurrentMark|HeapTracer/.test(s)) return "garbage collection (V8 and C++ heaps)";
  if (/tcmalloc|^malloc|^free|^operator new|^operator delete|TCMalloc|calloc|realloc/.test(s)) return "memory allocation";
  if (/^v8::|^v8_|Runtime_|^Builtin/.test(s)) return "V8 runtime (API, objects, compiler)";
  if (/^kj::|^capnp::/.test(s)) return "KJ / Cap'n Proto (event loop, promises, I/O, RPC)";
  if (/^workerd::/.test(s)) return "workerd (runtime APIs, bindings, storage, actors)";
  if (/SHA|AES|EVP_|bssl|BN_|CRYPTO_|gcm|aes_/.test(s)) return "crypto (BoringSSL)";
  if (r.dso.startsWith("libc") || /^__mem|^__str|^str|^mem/.test(s)) return "libc (memcpy, strings, locks)";
  return "other native";
}
