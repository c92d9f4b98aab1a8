// Send pipeline throughput, per stack: N text sends straight to the emulator's Graph endpoint (the
// emulator alone) vs the same N through WBIZ — accepted (202, Prefer: respond-async), then relayed by
// the send queue to the stack's emulator until every message is `sent`. Run on both stacks; the
// section puts them side by side.
import { readFileSync, statSync } from "node:fs";
import { PHONE_HEADROOM } from "../../src/relay/pacing";
import { BENCH_PHONE_MPS, DEMO, mark, provisionKey, table, type BenchContext, type Figure, type SectionResult } from "./context";
import { describeCpu, measureCpu, type CpuShare } from "./cpu";
import { perfRecord, type PerfBreakdown } from "./perf";
import { atWindowStart, bearer, fmtMs, fmtRate, jsonBody, percentile, pool, serverTiming, sleep, timedFetch, type Timed } from "./http";

export const THROUGHPUT_TARGETS = {
  /** the scale plan's burst: 1 200 requests per 10 s. Below it the rate limiter, not the gateway, must be the cap. */
  acceptPerSec: 120,
  /** Meta's default throughput per business phone number: 80 messages per second. The relay must keep up with it. */
  relayPerSec: 80,
  /** issue 11, on the proxy-free stack: sends accepted vs the emulator alone, in the same run */
  acceptRatio: 0.5,
  /** issue 11, on the proxy-free stack: end to end to `sent` vs the emulator alone, in the same run */
  e2eRatio: 0.4,
};

/** The fastest the relay may hand one number's messages to Meta: its throughput less the pacer's headroom. */
const PACED_CEILING = BENCH_PHONE_MPS * PHONE_HEADROOM;

/** Sends made on each side before the measured ones (JIT warm-up; the WBIZ path has far more code to tier up). */
const WARM_UP = 500;

/** Per-number sends per second the emulators allow during the bench (Meta's default is 80). */
export const EMULATOR_MPS_LIMIT = 1_000_000;

type Status = { id: string; status: string; createdAt: number; updatedAt: number; wamid: string | null };

/** GET /v1/messages/{id}, waiting out a 429 (not expected: the poll key is fresh and on the scale plan). */
export async function messageStatus(api: string, key: string, id: string): Promise<Status> {
  for (;;) {
    const r = await timedFetch(`${api}/v1/messages/${id}`, { headers: bearer(key) });
    if (r.status === 429) {
      await sleep(1000 * Number(r.headers.get("Retry-After") ?? "1"));
      continue;
    }
    if (r.status !== 200) throw new Error(`GET /v1/messages/${id} → ${r.status} ${r.text}`);
    return { id, status: r.json.status, createdAt: Date.parse(r.json.createdAt), updatedAt: Date.parse(r.json.updatedAt), wamid: r.json.wamid };
  }
}

export const pending = (s: Status) => s.status === "queued" || s.status === "sending";
const isSent = (s: Status) => s.status === "sent" || s.status === "delivered" || s.status === "read";

/**
 * Waits until none of `ids` is queued or sending (watching the last one cheaply, then sweeping them all)
 * and returns their statuses. `pollKeys` are read keys of the messages' WABAs (ids[i] → pollKeys[i]).
 */
export async function awaitRelayed(api: string, ids: string[], keyOf: (i: number) => string, timeoutMs: number): Promise<Status[]> {
  const deadline = Date.now() + timeoutMs;
  const last = ids.length - 1;
  while (ids.length && pending(await messageStatus(api, keyOf(last), ids[last]!)) && Date.now() < deadline) await sleep(100);
  let statuses = await pool(ids.length, 8, (i) => messageStatus(api, keyOf(i), ids[i]!));
  while (statuses.some(pending) && Date.now() < deadline) {
    await sleep(250);
    statuses = await pool(statuses.length, 8, async (i) => (pending(statuses[i]!) ? messageStatus(api, keyOf(i), ids[i]!) : statuses[i]!));
  }
  return statuses;
}

export type PipelineRun = {
  stack: string;
  sends: number;
  concurrency: number;
  /** the emulator alone: `rate` is the faster of its two runs (before and after WBIZ, `runs`); the rest covers both */
  direct: { ok: number; secs: number; rate: number; p50: number; p95: number; cpu: CpuShare; runs: number[] };
  accept: { ok: number; other: Record<string, number>; secs: number; rate: number; p50: number; p95: number; cpu: CpuShare };
  e2e: { sent: number; failed: number; stuck: number; secs: number; rate: number; p50: number; p95: number; cpu: CpuShare; sentDuringAccept: number; drainRate: number };
  routeCost: { d1: number; durableObject: number };
  /** wrangler dev: sends the standalone emulator logged beyond the baseline's (must be 0) */
  strayStandalone: number | null;
  /** where workerd's CPU went during the WBIZ run (perf), when sampled */
  perf: PerfBreakdown | null;
  /** runtime CPU per request kind (proxy-free stack) */
  kinds?: RequestKindCpu[];
  /** the send queue's consumer batches during the WBIZ run, from the stack's log */
  relay: { batches: number; messages: number; busySeconds: number; meanMs: number } | null;
};

export async function measurePipeline(
  ctx: BenchContext,
  opts: { sends: number; concurrency: number; timeoutMs?: number; perfPid?: number | null },
): Promise<PipelineRun> {
  const { api, emulator, log } = ctx;
  const N = opts.sends;
  const C = opts.concurrency;
  const graph = `${emulator}/${DEMO.graphVersion}/${DEMO.phoneNumberId}/messages`;
  const directBody = (i: number) => ({ messaging_product: "whatsapp", recipient_type: "individual", to: DEMO.recipient.slice(1), type: "text", text: { preview_url: false, body: `bench throughput ${i}` } });

  // 1. the emulator alone
  await configureEmulator(emulator, DEMO.metaWabaId);
  const sentCount = async () => ((await (await fetch(`${emulator}/__emulator/sent?phoneNumberId=${DEMO.phoneNumberId}`)).json()) as { data: unknown[] }).data.length;
  const sentBefore = await sentCount();
  log(`[${ctx.stack}] throughput: ${N} sends straight to the emulator, ${C} at a time`);
  const warm = WARM_UP;
  await pool(warm, C, (i) => timedFetch(graph, jsonBody(DEMO.accessToken, directBody(-i))));
  // measured before WBIZ and again after it: the baseline is both runs together, so a drift of the machine
  // during the section does not favour either side
  const directRuns: Array<{ answers: Timed[]; cpu: CpuShare }> = [];
  const directRun = async (offset: number) => {
    const { result, cpu } = await measureCpu(ctx.cpu, () => pool(N, C, (i) => timedFetch(graph, jsonBody(DEMO.accessToken, directBody(offset + i)))));
    directRuns.push({ answers: result, cpu });
  };
  await directRun(0);

  // 2. through WBIZ: a warm-up, then acceptance inside one burst window of the scale key (N ≤ 1 200)
  const scale = ctx.demoKeys.scale!;
  const pollKey = await provisionKey(ctx, "scale", `bench: throughput poll (${ctx.stack})`);
  await timedFetch(`${api}/v1/key`, { headers: bearer(pollKey) });
  const warmIds = (await pool(WARM_UP, C, (i) => timedFetch(`${api}/v1/messages/text`, jsonBody(scale, { to: DEMO.recipient, body: `bench warm-up ${i}` }, { Prefer: "respond-async" }))))
    .filter((r) => r.status === 202)
    .map((r) => r.json.id as string);
  await awaitRelayed(api, warmIds, () => pollKey, 60_000);
  await atWindowStart(10_000);
  log(`[${ctx.stack}] throughput: ${N} sends through WBIZ (Prefer: respond-async), ${C} at a time`);
  let t0 = 0;
  let acceptSecs = 0;
  let accepted: Timed[] = [];
  let acceptCpu: CpuShare | undefined;
  const logOffset = ctx.logFile ? statSync(ctx.logFile).size : 0;
  let perf: PerfBreakdown | null = null;
  const sampled = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (!opts.perfPid) return fn();
    const r = await perfRecord(opts.perfPid, fn);
    perf = r.perf;
    return r.result;
  };
  const { result: statuses, cpu: e2eCpu } = await measureCpu(ctx.cpu, () => sampled(async () => {
    const a = await measureCpu(ctx.cpu, () => {
      t0 = Date.now();
      return pool(N, C, (i) => timedFetch(`${api}/v1/messages/text`, jsonBody(scale, { to: DEMO.recipient, body: `bench throughput ${i}` }, { Prefer: "respond-async" })));
    });
    acceptSecs = a.cpu.wallSeconds;
    accepted = a.result;
    acceptCpu = a.cpu;
    const ids = accepted.filter((r) => r.status === 202).map((r) => r.json.id as string);
    log(`[${ctx.stack}] throughput: waiting for ${ids.length} messages to be relayed`);
    return awaitRelayed(api, ids, () => pollKey, opts.timeoutMs ?? 180_000);
  }));
  log(`[${ctx.stack}] throughput: ${N} sends straight to the emulator again`);
  await directRun(N);
  const direct = directRuns.flatMap((r) => r.answers);
  const directCpu = mergeCpu(directRuns.map((r) => r.cpu));
  const directSecs = directCpu.wallSeconds;
  const directOk = direct.filter((r) => r.status === 200).length;
  await sleep(500); // the stack's last log lines on their way to the file
  const relay = ctx.logFile ? relayBatches(ctx.logFile, logOffset) : null;
  const ok = accepted.filter((r) => r.status === 202);
  const sent = statuses.filter(isSent);
  // with status webhooks off nothing touches a message after the relay stores its wamid: updatedAt is that moment
  const lastSent = Math.max(...sent.map((s) => s.updatedAt));
  const e2eSecs = (lastSent - t0) / 1000;
  const acceptEnd = t0 + acceptSecs * 1000;
  const relayLatency = sent.map((s) => s.updatedAt - s.createdAt);
  const routeCosts = ok.map((r) => serverTiming(r.headers)!);
  return {
    stack: ctx.stack,
    sends: N,
    concurrency: C,
    direct: {
      ok: directOk,
      secs: directSecs,
      // the faster run: contention only ever slows a run down, so this is the stricter baseline for WBIZ
      rate: Math.max(...directRuns.map((r) => r.answers.filter((a) => a.status === 200).length / r.cpu.wallSeconds)),
      p50: percentile(direct.map((r) => r.ms), 50),
      p95: percentile(direct.map((r) => r.ms), 95),
      cpu: directCpu,
      runs: directRuns.map((r) => r.answers.filter((a) => a.status === 200).length / r.cpu.wallSeconds),
    },
    accept: {
      ok: ok.length,
      other: countBy(accepted.filter((r) => r.status !== 202).map((r) => r.status)),
      secs: acceptSecs,
      rate: ok.length / acceptSecs,
      p50: percentile(accepted.map((r) => r.ms), 50),
      p95: percentile(accepted.map((r) => r.ms), 95),
      cpu: acceptCpu!,
    },
    e2e: {
      sent: sent.length,
      failed: statuses.filter((s) => s.status === "failed").length,
      stuck: statuses.filter(pending).length,
      secs: e2eSecs,
      rate: sent.length / e2eSecs,
      p50: percentile(relayLatency, 50),
      p95: percentile(relayLatency, 95),
      cpu: e2eCpu,
      sentDuringAccept: sent.filter((s) => s.updatedAt <= acceptEnd).length,
      drainRate: sent.filter((s) => s.updatedAt > acceptEnd).length / ((lastSent - acceptEnd) / 1000),
    },
    routeCost: { d1: mode(routeCosts.map((c) => c.d1)), durableObject: mode(routeCosts.map((c) => c.durableObject)) },
    strayStandalone: ctx.sharedEmulator ? null : (await sentCount()) - sentBefore - warm - 2 * N,
    perf,
    relay,
  };
}

/** Both stacks side by side. `proxyFree` names the stack the issue's ratio targets apply to. */
export function pipelineSection(runs: PipelineRun[], proxyFree: string): SectionResult {
  const T = THROUGHPUT_TARGETS;
  const figures: Figure[] = [];
  for (const r of runs) {
    const acceptRatio = r.accept.rate / r.direct.rate;
    const e2eRatio = r.e2e.rate / r.direct.rate;
    const judged = r.stack === proxyFree;
    figures.push(
      { name: `[${r.stack}] Sends/s straight to the emulator (baseline)`, value: `${fmtRate(r.direct.rate)}/s`, target: "— (baseline)", pass: null },
      {
        name: `[${r.stack}] Sends/s accepted by WBIZ (202, respond-async) vs the emulator alone`,
        value: `${acceptRatio.toFixed(2)}× (${fmtRate(r.accept.rate)}/s)`,
        target: judged ? `≥ ${T.acceptRatio}×` : "reported (the dev proxy is not part of Cloudflare)",
        pass: judged ? acceptRatio >= T.acceptRatio && r.accept.ok === r.sends : null,
      },
      {
        name: `[${r.stack}] Sends/s end to end to \`sent\` vs the emulator alone`,
        value: `${e2eRatio.toFixed(2)}× (${fmtRate(r.e2e.rate)}/s)`,
        target: judged ? `≥ ${T.e2eRatio}×` : "reported",
        pass: judged ? e2eRatio >= T.e2eRatio : null,
      },
      { name: `[${r.stack}] Sends/s accepted, absolute`, value: `${fmtRate(r.accept.rate)}/s`, target: `≥ ${T.acceptPerSec}/s (scale plan burst rate)`, pass: r.accept.rate >= T.acceptPerSec && r.accept.ok === r.sends },
      { name: `[${r.stack}] Sends/s end to end, absolute`, value: `${fmtRate(r.e2e.rate)}/s`, target: `≥ ${T.relayPerSec}/s (Meta's default per-number rate)`, pass: r.e2e.rate >= T.relayPerSec },
      {
        // the relay may not go faster than the number's pace (src/relay/pacing.ts): the ceiling of any end-to-end figure on one number
        name: `[${r.stack}] Relay drain once acceptance ended vs the number's paced ceiling (${BENCH_PHONE_MPS}/s at ${PHONE_HEADROOM * 100} %)`,
        value: `${fmtRate(r.e2e.drainRate)}/s = ${(r.e2e.drainRate / PACED_CEILING).toFixed(2)}× (${r.e2e.sent - r.e2e.sentDuringAccept} messages; ${r.e2e.sentDuringAccept} sent while acceptance ran)`,
        target: "reported",
        pass: null,
      },
      {
        name: `[${r.stack}] Accepted sends that reached \`sent\``,
        value: `${r.e2e.sent} / ${r.sends}${r.e2e.failed ? `, ${r.e2e.failed} failed` : ""}${r.e2e.stuck ? `, ${r.e2e.stuck} still queued` : ""}`,
        target: `${r.sends} / ${r.sends}`,
        pass: r.e2e.sent === r.sends,
      },
    );
  }
  const rows = runs.flatMap((r) => [
    [r.stack, `emulator alone: \`POST /{phone-number-id}/messages\` (before and after WBIZ: ${r.direct.runs.map((x) => `${fmtRate(x)}/s`).join(", ")})`, `${r.direct.ok} × 200`, r.direct.secs.toFixed(2), `${fmtRate(r.direct.rate)} (the faster)`, "1.00×", fmtMs(r.direct.p50), fmtMs(r.direct.p95)],
    [
      r.stack,
      "WBIZ: `POST /v1/messages/text`, `Prefer: respond-async` (accepted)",
      `${r.accept.ok} × 202${Object.entries(r.accept.other).map(([s, n]) => `, ${n} × ${s}`).join("")}`,
      r.accept.secs.toFixed(2),
      fmtRate(r.accept.rate),
      `${(r.accept.rate / r.direct.rate).toFixed(2)}×`,
      fmtMs(r.accept.p50),
      fmtMs(r.accept.p95),
    ],
    [r.stack, "WBIZ: end to end, until every message is `sent`", `${r.e2e.sent} sent`, r.e2e.secs.toFixed(2), fmtRate(r.e2e.rate), `${(r.e2e.rate / r.direct.rate).toFixed(2)}×`, fmtMs(r.e2e.p50), fmtMs(r.e2e.p95)],
  ]);
  const r0 = runs[0]!;
  const costs = runs.map((r) => `${r.stack}: ${r.routeCost.d1} D1 queries and ${r.routeCost.durableObject} Durable Object calls`).join("; ");
  const stray = runs.find((r) => r.strayStandalone !== null);
  const markdown = [
    table(["stack", "pipeline", "answers", "seconds", "sends/s", "vs emulator", "p50 ms", "p95 ms"], rows, ["l", "l", "l", "r", "r", "r", "r", "r"]),
    "",
    table(["figure", "value", "target", "result"], figures.map((f) => [f.name, f.value, f.target, mark(f.pass)])),
    "",
    "**What set the pace.**",
    "",
    ...runs.flatMap((r) => [
      `- *${r.stack}*, the emulator alone (both runs): ${describeCpu(r.direct.cpu)}.`,
      `- *${r.stack}*, WBIZ acceptance: ${describeCpu(r.accept.cpu)}.`,
      `- *${r.stack}*, WBIZ end to end (acceptance and relay, until the last \`sent\` was seen): ${describeCpu(r.e2e.cpu)}.`,
    ]),
    "",
    table(
      ["stack", "runtime CPU per emulator send", "per send accepted", "per message end to end", "end to end ÷ emulator"],
      runs.map((r) => {
        const d = runtimeMs(r.direct.cpu, r.direct.ok);
        const e = runtimeMs(r.e2e.cpu, r.e2e.sent);
        return [r.stack, `${d.toFixed(2)} ms`, `${runtimeMs(r.accept.cpu, r.accept.ok).toFixed(2)} ms`, `${e.toFixed(2)} ms`, `${(e / d).toFixed(1)}×`];
      }),
      ["l", "r", "r", "r", "r"],
    ),
    "",
    "*Runtime CPU* is what the runtime processes used per item: workerd (and, under \`wrangler dev\`, its dev proxy) — the Workers, the Durable Objects, the local D1 and Queues, and the emulator —, wrangler's and Miniflare's Node processes excluded. The load generator's share is the same per request on both sides.",
    "",
    ...runs.filter((r) => r.kinds?.length).flatMap((r) => [
      `**Runtime CPU per call** (${r.stack}; each request kind ${r.kinds![0]!.n} times, 16 in flight; workerd's CPU per request):`,
      "",
      table(
        ["request", "calls", "workerd CPU per request"],
        [
          ...r.kinds!.map((k) => [k.kind, k.calls, `${k.ms.toFixed(2)} ms`]),
          ["WBIZ: one send, accepted and relayed to `sent` (the pipeline above)", "1 request + KeyGate + 1 WabaStore call + the relay's share of its batch's claim and answer calls + 1 queue message + 1 emulator request", `${runtimeMs(r.e2e.cpu, r.e2e.sent).toFixed(2)} ms`],
        ],
        ["l", "l", "r"],
      ),
      "",
    ]),
    ...runs.filter((r) => r.kinds?.length).map((r) => {
      const load = (r.direct.cpu.loadSeconds / r.direct.ok) * 1000;
      const acc = runtimeMs(r.accept.cpu, r.accept.ok);
      const e2e = runtimeMs(r.e2e.cpu, r.e2e.sent);
      return `**Reading** (${r.stack}). The emulator alone is paced by the load generator — ${load.toFixed(2)} ms of its CPU per request against ${runtimeMs(r.direct.cpu, r.direct.ok).toFixed(2)} ms of workerd's —, WBIZ by workerd, whose JavaScript runs on one thread: ${acc.toFixed(2)} ms per accepted send, ${e2e.toFixed(2)} ms per message end to end. On that one thread, ${T.acceptRatio}× the emulator's rate (${fmtRate(T.acceptRatio * r.direct.rate)}/s) leaves at most ${(1000 / (T.acceptRatio * r.direct.rate)).toFixed(2)} ms of workerd CPU per accepted send, and ${T.e2eRatio}× (${fmtRate(T.e2eRatio * r.direct.rate)}/s) at most ${(1000 / (T.e2eRatio * r.direct.rate)).toFixed(2)} ms per message end to end; the measured ${acc.toFixed(2)} and ${e2e.toFixed(2)} ms allow at most ${fmtRate(1000 / acc)}/s and ${fmtRate(1000 / e2e)}/s, which is why the ratios are ${(r.accept.rate / r.direct.rate).toFixed(2)}× and ${(r.e2e.rate / r.direct.rate).toFixed(2)}×. The ladder above prices the hops: the API's request path before authentication, the assets router in front of it, each Durable Object call; perf (below) puts SQLite at a few per cent of workerd's CPU and the runtime's own machinery (V8's API, KJ/Cap'n Proto I/O and RPC, workerd's bindings, allocation) at most of it — the cost is the number of hops a message makes, not the SQL.`;
    }),
    "",
    ...runs.filter((r) => r.perf).flatMap((r) => [
      `**Where workerd's CPU went** (${r.stack}, WBIZ end to end; \`perf record -F 499\` on workerd, ${r.perf!.samples} samples, by native symbol):`,
      "",
      table(["area", "share of workerd's CPU"], r.perf!.areas.filter(([, p]) => p >= 0.5).map(([a, p]) => [a, `${p.toFixed(1)} %`]), ["l", "r"]),
      "",
    ]),
    ...runs.filter((r) => r.relay && r.relay.batches).map((r) => {
      const q = r.relay!;
      return `- *${r.stack}*, the relay: the local queue broker handed the send consumer ${q.batches} batches (${q.messages} messages, \`max_batch_size\` 10), one at a time, ${q.meanMs.toFixed(1)} ms each on average: the consumer was busy ${q.busySeconds.toFixed(2)} s of the ${r.e2e.secs.toFixed(2)} s end-to-end window (${Math.round((100 * q.busySeconds) / r.e2e.secs)} %). ${r.e2e.sentDuringAccept} messages were \`sent\` while the sends were still being accepted; the other ${r.e2e.sent - r.e2e.sentDuringAccept} drained afterwards at ${fmtRate(r.e2e.drainRate)}/s.`;
    }),
    "",
    `Under \`wrangler dev\` every request also passes through wrangler's dev proxy (a second workerd) and wrangler's Node process; neither exists on Cloudflare. The proxy-free stack runs the same bundles in one workerd, whose JavaScript runs on one thread: the Workers, the Durable Objects, the local D1 and Queues — and the emulator, which here shares that thread with the API it is compared with. Miniflare's queue broker hands a consumer one batch at a time and waits for it (plus a log round trip to Miniflare's Node process) before the next; Cloudflare runs consumer invocations of a queue concurrently.`,
    "",
    `**Cost per send.** Read from the \`Server-Timing\` header of each 202 (the most frequent count): ${costs} — one call to the key's KeyGate and one to the WABA's WabaStore, which checks, stores and queues the send in one transaction. The relay adds at most 2 WabaStore calls per message (a claim before Meta, the answer after), shared by the messages of a consumer batch (\`claimSends\`, \`completeSends\`), and no D1 query; those happen in the queue consumer, outside any request, and are counted in section "Per-object cost".`,
    "",
    `**How.** ${r0.sends} text sends to ${DEMO.recipient} (the demo contact whose 24-hour window the seed opens), ${r0.concurrency} requests in flight at a time, after a warm-up of ${WARM_UP} sends on each side (through WBIZ: relayed, in an earlier rate-limit window), so the JIT has compiled both hot paths. Baseline: ${r0.sends} sends before WBIZ's and ${r0.sends} after, the faster of the two runs (the machine is shared: contention only ever slows a run down, so the faster run is the stricter baseline), straight to the emulator's \`POST /${DEMO.graphVersion}/${DEMO.phoneNumberId}/messages\` with the demo WABA's token — on \`wrangler dev\` a second \`wrangler dev\` running the emulator alone (${stray ? `it logged ${stray.strayStandalone === 0 ? "exactly the baseline's sends, so none of WBIZ's reached it" : `${stray.strayStandalone} sends beyond the baseline's — WBIZ's may have reached it`}` : "checked by its send log"}), on the proxy-free stack the emulator Worker of the same instance on its own socket (the one the API's META binding reaches). WBIZ: \`POST /v1/messages/text\` with the demo scale key and \`Prefer: respond-async\`, started just after a UTC 10-second boundary so all ${r0.sends} fit in one burst window (1 200); accepted = 202s per second of wall time. End to end = from the first request until the last message was marked \`sent\` by the relay (its \`updatedAt\` from \`GET /v1/messages/{id}\`, which nothing else touches with status webhooks off), read with a separate key (one request per 100 ms on the last message until it is done, then one sweep). The p50/p95 of the end-to-end rows are per message: stored (\`createdAt\`) → \`sent\` (\`updatedAt\`), i.e. queue wait + relay.`,
    "",
    `**Emulator settings.** Per-number cap lifted (\`MPS_LIMIT=${EMULATOR_MPS_LIMIT}\`) and **status webhooks off** (\`STATUS_DELAYS_MS=none\`), so the figure is the send pipeline alone: no sent/delivered/read webhooks compete for the same Worker during the run. A message counts as \`sent\` when the relay has stored the wamid from Meta's 200.`,
    "",
    `**Targets.** Issue 11: on the proxy-free stack, accepted ≥ ${T.acceptRatio}× and end to end ≥ ${T.e2eRatio}× the emulator alone in the same run (the proxy is not part of Cloudflare, so \`wrangler dev\` is reported, not judged, on these). On both: acceptance must not be what limits a customer (the scale plan allows 1 200 requests per 10 s, so ≥ ${T.acceptPerSec}/s), and the relay must keep up with Meta's default ${T.relayPerSec} messages/s per number.`,
    "",
    ...runs.filter((r) => r.stack === proxyFree).map((r) =>
      `**The ceiling of end to end.** Every message here goes out on one phone number, which the relay paces at ${PHONE_HEADROOM * 100} % of its ${BENCH_PHONE_MPS} messages/s (src/relay/pacing.ts: Meta answers 130429 beyond a number's throughput), so no end-to-end figure on this load can pass ${fmtRate(PACED_CEILING)}/s. ${T.e2eRatio}× of this run's emulator alone is ${fmtRate(T.e2eRatio * r.direct.rate)}/s${T.e2eRatio * r.direct.rate > PACED_CEILING ? ", above that ceiling: the target cannot be met on one number however fast the code" : ""}. After acceptance ended the relay drained at ${fmtRate(r.e2e.drainRate)}/s (${(r.e2e.drainRate / PACED_CEILING).toFixed(2)}× the ceiling); while acceptance ran it got little of workerd's one JavaScript thread (${r.e2e.sentDuringAccept} of ${r.e2e.sent} messages), where on Cloudflare the consumer runs in invocations of its own.`,
    ),
  ].join("\n");
  return { id: "throughput", title: "Send pipeline throughput, two stacks", figures, markdown };
}

/** An emulator WABA: per-number cap lifted, status webhooks off unless told. Returns its effective settings. */
export async function configureEmulator(emulator: string, metaWabaId: string, patch: Record<string, unknown> = {}): Promise<{ mpsLimit: number; statusDelaysMs: number[] }> {
  const r = await timedFetch(`${emulator}/__emulator/settings`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ wabaId: metaWabaId, mpsLimit: EMULATOR_MPS_LIMIT, statusDelaysMs: "none", ...patch }),
  });
  if (r.status !== 200) throw new Error(`POST /__emulator/settings → ${r.status} ${r.text}`);
  const effective = r.json.settings as { mpsLimit: number; statusDelaysMs: number[] };
  if (effective.mpsLimit !== EMULATOR_MPS_LIMIT) throw new Error(`emulator settings not applied: ${r.text}`);
  return effective;
}

export function mode(xs: number[]): number {
  const counts = countBy(xs);
  return Number(Object.entries(counts).sort((a, b) => b[1] - a[1])[0]?.[0] ?? Number.NaN);
}

export function countBy(xs: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

/** ms of runtime CPU (workerd and the dev proxy; not wrangler's or Miniflare's Node process) per item. */
export function runtimeMs(c: CpuShare, items: number): number {
  const s = [...c.stack].filter(([role]) => role.startsWith("workerd")).reduce((a, [, v]) => a + v, 0);
  return (s / items) * 1000;
}

/** The stack's "QUEUE wbiz-sends 10/10 (17ms)" lines (Miniflare's and wrangler's log of each consumer batch) after `offset`. */
function relayBatches(file: string, offset: number): { batches: number; messages: number; busySeconds: number; meanMs: number } {
  const text = readFileSync(file).subarray(offset).toString("utf8");
  const batches = [...text.matchAll(/QUEUE wbiz-sends (\d+)\/(\d+) \((\d+)ms\)/g)].map((m) => ({ messages: Number(m[2]), ms: Number(m[3]) }));
  const busy = batches.reduce((a, b) => a + b.ms, 0);
  return { batches: batches.length, messages: batches.reduce((a, b) => a + b.messages, 0), busySeconds: busy / 1000, meanMs: batches.length ? busy / batches.length : Number.NaN };
}

export type RequestKindCpu = { kind: string; calls: string; n: number; ms: number };

/**
 * Runtime CPU per request for a ladder of request kinds, each adding one hop to the one before: the
 * emulator's send alone, an API request refused before authentication, one admitted by its KeyGate, and
 * one that also reads from the WABA's object. With the pipeline's per-message figure it shows what a
 * call costs the runtime here. Proxy-free stack only (workerd's CPU is the runtime's).
 */
export async function requestKindCpu(ctx: BenchContext, n: number, only?: "bare"): Promise<RequestKindCpu[]> {
  const { api, emulator } = ctx;
  const graph = `${emulator}/${DEMO.graphVersion}/${DEMO.phoneNumberId}/messages`;
  const probe = "/v1/contacts/bench-probe";
  const keys = only ? [] : await Promise.all([1, 2].map((i) => provisionKey(ctx, "scale", `bench: request kinds ${i}`)));
  for (const k of keys) await timedFetch(`${api}/v1/key`, { headers: bearer(k) });
  const kinds: Array<{ kind: string; calls: string; run: (i: number) => Promise<Timed> }> = [
    {
      kind: "emulator alone: POST /{phone-number-id}/messages",
      calls: "1 request to the emulator",
      run: (i) => timedFetch(graph, jsonBody(DEMO.accessToken, { messaging_product: "whatsapp", to: DEMO.recipient.slice(1), type: "text", text: { body: `kinds ${i}` } })),
    },
    { kind: `API: GET ${probe} without a key (401)`, calls: "1 request, no Durable Object", run: () => timedFetch(api + probe) },
    { kind: `API: GET ${probe} with a key (404)`, calls: "+ 1 KeyGate call", run: () => timedFetch(api + probe, { headers: bearer(keys[0]!) }) },
    { kind: "API: GET /v1/templates?limit=1", calls: "+ 1 WabaStore call (a read)", run: () => timedFetch(`${api}/v1/templates?limit=1`, { headers: bearer(keys[1]!) }) },
  ];
  const out: RequestKindCpu[] = [];
  if (!only) await atWindowStart(10_000);
  for (const k of only ? kinds.slice(1, 2) : kinds) {
    await pool(50, 16, k.run); // warm
    const { cpu } = await measureCpu(ctx.cpu, () => pool(n, 16, k.run));
    out.push({ kind: k.kind, calls: k.calls, n, ms: runtimeMs(cpu, n) });
  }
  return out;
}

/** Several measurements as one: seconds add up. */
function mergeCpu(parts: CpuShare[]): CpuShare {
  const stack = new Map<string, number>();
  for (const p of parts) for (const [role, v] of p.stack) stack.set(role, (stack.get(role) ?? 0) + v);
  const sum = (f: (p: CpuShare) => number) => parts.reduce((a, p) => a + f(p), 0);
  return { wallSeconds: sum((p) => p.wallSeconds), stack, loadSeconds: sum((p) => p.loadSeconds), machineSeconds: sum((p) => p.machineSeconds), cores: parts[0]!.cores };
}
