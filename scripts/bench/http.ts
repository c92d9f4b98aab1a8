// Timing and request helpers shared by the bench sections. Node's global fetch (undici): keep-alive
// connections, and no per-origin connection cap, so N requests started together go out on N sockets.

export type Timed = { status: number; ms: number; headers: Headers; text: string; json: any };

export async function timedFetch(url: string, init: RequestInit = {}): Promise<Timed> {
  const started = performance.now();
  const res = await fetch(url, init);
  const text = await res.text();
  const ms = performance.now() - started;
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.status, ms, headers: res.headers, text, json };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Nearest-rank percentile (p in 0–100). */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export const median = (xs: number[]) => percentile(xs, 50);

/** The D1 query and Durable Object call counts of Server-Timing (EXPOSE_TIMINGS=true). */
export function serverTiming(headers: Headers): { d1: number; durableObject: number } | null {
  const h = headers.get("Server-Timing") ?? "";
  const d1 = /(?:^|,)\s*d1;[^,]*dur=(\d+)/.exec(h);
  const dObj = /(?:^|,)\s*do;[^,]*dur=(\d+)/.exec(h);
  return d1 && dObj ? { d1: Number(d1[1]), durableObject: Number(dObj[1]) } : null;
}

/**
 * Sleeps until `marginMs` after the next multiple of `windowMs` on the UTC epoch (where the rate
 * limiter's windows start), so what follows has almost a whole window ahead of it. Returns that start.
 */
export async function atWindowStart(windowMs: number, opts: { marginMs?: number } = {}): Promise<number> {
  const margin = opts.marginMs ?? 25;
  const now = Date.now();
  const next = now - (now % windowMs) + windowMs;
  await sleep(next + margin - now);
  return next;
}

/** Runs fn(0…n-1) with at most `concurrency` in flight; results in index order. */
export async function pool<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(n);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      out[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return out;
}

export const fmtMs = (ms: number) => (Number.isFinite(ms) ? (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)) : "–");
export const fmtRate = (perSec: number) => (perSec >= 100 ? perSec.toFixed(0) : perSec.toFixed(1));

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
export const jsonBody = (key: string, body: unknown, extra: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { ...bearer(key), "Content-Type": "application/json", ...extra },
  body: JSON.stringify(body),
});

/** Fails with the response when the status is not the expected one. */
export function expectStatus(r: Timed, what: string, ...ok: number[]): Timed {
  if (!ok.includes(r.status)) throw new Error(`${what} → HTTP ${r.status} (expected ${ok.join("/")}): ${r.text.slice(0, 500)}`);
  return r;
}

/** POST JSON without credentials (the emulator's control API). */
export const postJson = (url: string, body: unknown): Promise<Timed> =>
  timedFetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
