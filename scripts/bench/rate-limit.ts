// Rate-limit exactness: 3× a key's burst, all at once, inside one 10-second window → exactly the
// burst admitted, the rest 429 with Retry-After. A fresh key per plan and run.
import { PLAN_LIMITS } from "../../src/rate-limit/plans";
import { mark, provisionKey, table, type BenchContext, type Figure, type SectionResult } from "./context";
import { atWindowStart, bearer, fmtMs, timedFetch, type Timed } from "./http";

const WINDOW_MS = 10_000;

type Flood = {
  plan: "starter" | "growth";
  burst: number;
  fired: number;
  admitted: number;
  limited: number;
  limitedWithRetryAfter: number;
  retryAfterRange: [number, number];
  other: number;
  /** X-RateLimit-Remaining of the admitted ones is burst-1 … 0, each once */
  remainingExact: boolean;
  startedAt: number;
  endedAt: number;
  oneWindow: boolean;
  wallMs: number;
};

async function flood(ctx: BenchContext, plan: "starter" | "growth"): Promise<Flood> {
  const { burst } = PLAN_LIMITS[plan];
  const fired = 3 * burst;
  const key = await provisionKey(ctx, plan, `bench: rate limit ${plan}`);
  const url = `${ctx.api}/v1/key`;
  // load the key into its Durable Object first (costs one request of the current window, not the next)
  const warm = await timedFetch(url, { headers: bearer(key) });
  if (warm.status !== 200) throw new Error(`warm-up of the ${plan} key → ${warm.status} ${warm.text}`);
  await atWindowStart(WINDOW_MS);
  ctx.log(`[${ctx.stack}] rate limit: ${fired} concurrent requests with a fresh ${plan} key (burst ${burst})`);
  const startedAt = Date.now();
  const t0 = performance.now();
  const answers: Timed[] = await Promise.all(Array.from({ length: fired }, () => timedFetch(url, { headers: bearer(key) })));
  const wallMs = performance.now() - t0;
  const endedAt = Date.now();
  const ok = answers.filter((r) => r.status === 200);
  const limited = answers.filter((r) => r.status === 429);
  const retryAfter = limited.map((r) => Number(r.headers.get("Retry-After"))).filter((n) => Number.isInteger(n) && n >= 1);
  const remaining = ok.map((r) => Number(r.headers.get("X-RateLimit-Remaining"))).sort((a, b) => a - b);
  return {
    plan,
    burst,
    fired,
    admitted: ok.length,
    limited: limited.length,
    limitedWithRetryAfter: retryAfter.length,
    retryAfterRange: [Math.min(...retryAfter), Math.max(...retryAfter)],
    other: fired - ok.length - limited.length,
    remainingExact: remaining.length === burst && remaining.every((v, i) => v === i),
    startedAt,
    endedAt,
    oneWindow: Math.floor(startedAt / WINDOW_MS) === Math.floor(endedAt / WINDOW_MS),
    wallMs,
  };
}

export async function rateLimitExactness(ctx: BenchContext): Promise<SectionResult> {
  const floods = [await flood(ctx, "starter"), await flood(ctx, "growth")];
  const figures: Figure[] = floods.flatMap((f) => [
    {
      name: `[${ctx.stack}] Rate limit, ${f.plan}: admitted of ${f.fired} concurrent`,
      value: `${f.admitted} admitted, ${f.limited} × 429${f.other ? `, ${f.other} other` : ""}${f.oneWindow ? "" : " (straddled a window boundary)"}`,
      target: `exactly ${f.burst} admitted, ${2 * f.burst} × 429`,
      pass: f.admitted === f.burst && f.limited === 2 * f.burst && f.oneWindow,
    },
    {
      name: `[${ctx.stack}] Rate limit, ${f.plan}: 429s carrying Retry-After`,
      value: `${f.limitedWithRetryAfter} / ${f.limited}${f.limitedWithRetryAfter ? ` (${f.retryAfterRange[0]}–${f.retryAfterRange[1]} s)` : ""}`,
      target: `${2 * f.burst} / ${2 * f.burst}, 1–10 s`,
      pass: f.limitedWithRetryAfter === f.limited && f.limited > 0 && f.retryAfterRange[1] <= 10,
    },
  ]);
  const iso = (ms: number) => new Date(ms).toISOString().slice(11, 23);
  const rows = floods.map((f) => [
    f.plan,
    `${PLAN_LIMITS[f.plan].perMinute}/min, ${f.burst}/10 s`,
    f.fired,
    f.admitted,
    f.limited,
    `${f.limitedWithRetryAfter} (${f.retryAfterRange[0]}–${f.retryAfterRange[1]} s)`,
    f.other,
    f.remainingExact ? `${f.burst - 1} … 0, each once` : "not a permutation",
    `${iso(f.startedAt)} → ${iso(f.endedAt)} UTC (${fmtMs(f.wallMs)} ms)${f.oneWindow ? "" : " ⚠ two windows"}`,
  ]);
  const markdown = [
    table(["plan", "limits", "fired", "200", "429", "with Retry-After", "other", "X-RateLimit-Remaining of the 200s", "flood (one 10 s window)"], rows, ["l", "l", "r", "r", "r", "l", "r", "l", "l"]),
    "",
    table(["figure", "value", "target", "result"], figures.map((f) => [f.name, f.value, f.target, mark(f.pass)])),
    "",
    `**How.** On the ${ctx.stack} stack. For each plan a fresh key is provisioned on the demo WABA (\`POST /admin/keys\` with \`planOverride\`) and warmed with one request, so its KeyGate has the key cached. The windows are fixed and aligned to UTC 10-second boundaries (and minutes), so the bench waits until 25 ms after the next boundary and then starts 3 × the burst \`GET /v1/key\` requests at once, each on its own connection (Node's fetch has no per-origin connection cap), and waits for all of them. The flood's first request and last answer fall inside the same 10-second window (times above), so exactly one burst allowance applies; the minute allowance is far from used. Admission is decided by the key's KeyGate (a Durable Object) alone, one request at a time, which is why the admitted requests see \`X-RateLimit-Remaining\` count down through every value exactly once.`,
  ].join("\n");
  return { id: "rate-limit", title: `Rate-limit exactness at 3× the limit (${ctx.stack})`, figures, markdown };
}
