// Send pipeline throughput: N text sends straight to the emulator's Graph endpoint (the emulator
// alone, on its own port) vs the same N through WBIZ — accepted (202, Prefer: respond-async), then
// relayed by the send queue to the in-process emulator until every message is `sent`.
import { DEMO, mark, provisionKey, table, type BenchContext, type Figure, type SectionResult } from "./context";
import { readFileSync, statSync } from "node:fs";
import { describeCpu, measureCpu } from "./cpu";
import { atWindowStart, bearer, fmtMs, fmtRate, jsonBody, percentile, pool, serverTiming, sleep, timedFetch, type Timed } from "./http";

export const THROUGHPUT_TARGETS = {
  /** the scale plan's burst: 1 200 requests per 10 s. Below it the rate limiter, not the gateway, must be the cap. */
  acceptPerSec: 120,
  /** Meta's default throughput per business phone number: 80 messages per second. The relay must keep up with it. */
  relayPerSec: 80,
};

type Status = { id: string; status: string; createdAt: number; updatedAt: number; wamid: string | null };

/** GET /v1/messages/{id}, waiting out a 429 (not expected: the poll key is fresh and on the scale plan). */
async function messageStatus(api: string, key: string, id: string): Promise<Status> {
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

const pending = (s: Status) => s.status === "queued" || s.status === "sending";

export async function sendThroughput(ctx: BenchContext, opts: { sends: number; concurrency: number; timeoutMs?: number }): Promise<SectionResult> {
  const { api, emulator, log } = ctx;
  const N = opts.sends;
  const C = opts.concurrency;
  const graph = `${emulator}/${DEMO.graphVersion}/${DEMO.phoneNumberId}/messages`;
  const directBody = (i: number) => ({ messaging_product: "whatsapp", recipient_type: "individual", to: DEMO.recipient.slice(1), type: "text", text: { preview_url: false, body: `bench throughput ${i}` } });

  // 1. the emulator alone
  const settings = await configureStandaloneEmulator(emulator);
  const sentCount = async () => ((await (await fetch(`${emulator}/__emulator/sent?phoneNumberId=${DEMO.phoneNumberId}`)).json()) as { data: unknown[] }).data.length;
  const sentBefore = await sentCount();
  log(`throughput: ${N} sends straight to the emulator, ${C} at a time`);
  await pool(Math.min(100, N), C, (i) => timedFetch(graph, jsonBody(DEMO.accessToken, directBody(-i)))); // warm-up
  const e0 = performance.now();
  const direct = await pool(N, C, (i) => timedFetch(graph, jsonBody(DEMO.accessToken, directBody(i))));
  const directSecs = (performance.now() - e0) / 1000;
  const directOk = direct.filter((r) => r.status === 200).length;
  const directRate = directOk / directSecs;

  // 2. through WBIZ: acceptance, inside one burst window of the scale key (N ≤ 1 200)
  const scale = ctx.demoKeys.scale!;
  const pollKey = await provisionKey(ctx, "scale", "bench: throughput poll");
  await timedFetch(`${api}/v1/key`, { headers: bearer(pollKey) }); // warm its Durable Object
  await atWindowStart(10_000);
  const logOffset = statSync(ctx.apiLog).size;
  log(`throughput: ${N} sends through WBIZ (Prefer: respond-async), ${C} at a time`);
  const t0 = Date.now();
  const w0 = performance.now();
  const { result: accepted, cpu: acceptCpu } = await measureCpu(ctx.apiPgid, () =>
    pool(N, C, (i) => timedFetch(`${api}/v1/messages/text`, jsonBody(scale, { to: DEMO.recipient, body: `bench throughput ${i}` }, { Prefer: "respond-async" }))),
  );
  const acceptSecs = (performance.now() - w0) / 1000;
  const ids = accepted.filter((r) => r.status === 202).map((r) => r.json.id as string);
  const acceptRate = ids.length / acceptSecs;
  const otherStatuses = countBy(accepted.filter((r) => r.status !== 202).map((r) => r.status));

  // 3. until every accepted send is `sent`: watch the last one accepted (cheap), then sweep them all
  log(`throughput: waiting for ${ids.length} messages to be relayed`);
  const deadline = Date.now() + (opts.timeoutMs ?? 180_000);
  while (ids.length && pending(await messageStatus(api, pollKey, ids[ids.length - 1]!)) && Date.now() < deadline) await sleep(100);
  let statuses = await pool(ids.length, 8, (i) => messageStatus(api, pollKey, ids[i]!));
  while (statuses.some(pending) && Date.now() < deadline) {
    await sleep(250);
    statuses = await pool(statuses.length, 8, async (i) => (pending(statuses[i]!) ? messageStatus(api, pollKey, ids[i]!) : statuses[i]!));
  }
  const sent = statuses.filter((s) => s.status === "sent" || s.status === "delivered" || s.status === "read");
  const failed = statuses.filter((s) => s.status === "failed").length;
  const stuck = statuses.filter(pending).length;
  // with status webhooks off nothing touches a message after the relay stores its wamid: updatedAt is that moment
  const lastSent = Math.max(...sent.map((s) => s.updatedAt));
  const e2eSecs = (lastSent - t0) / 1000;
  const e2eRate = sent.length / e2eSecs;
  const relayLatency = sent.map((s) => s.updatedAt - s.createdAt);
  // every send the standalone emulator logged should be one of ours: WBIZ must have used its own
  const standaloneNew = (await sentCount()) - sentBefore - Math.min(100, N);
  const T = THROUGHPUT_TARGETS;

  // what each send cost: the route's share from its 202's Server-Timing, the relay's from its log line
  const routeCosts = accepted.filter((r) => r.status === 202).map((r) => serverTiming(r.headers)!);
  let relayCosts = relayCostsLogged(ctx.apiLog, logOffset);
  for (let waited = 0; relayCosts.length < ids.length && waited < 3000; waited += 100) {
    await sleep(100); // the last lines may still be on their way from wrangler's stdout to the log file
    relayCosts = relayCostsLogged(ctx.apiLog, logOffset);
  }
  const cost = {
    routeD1: mode(routeCosts.map((c) => c.d1)),
    routeDo: mode(routeCosts.map((c) => c.durableObject)),
    relayD1: mode(relayCosts.map((c) => c.d1)),
    relayDo: mode(relayCosts.map((c) => c.durableObject)),
    retried: relayCosts.filter((c) => c.attempt > 1).length,
  };

  const figures: Figure[] = [
    { name: "Sends/s straight to the emulator (baseline)", value: `${fmtRate(directRate)}/s`, target: "— (baseline)", pass: null },
    { name: "Sends/s accepted by WBIZ (202, respond-async)", value: `${fmtRate(acceptRate)}/s (${(acceptRate / directRate).toFixed(2)}× the emulator alone)`, target: `≥ ${T.acceptPerSec}/s (scale plan burst rate)`, pass: acceptRate >= T.acceptPerSec && ids.length === N },
    { name: "Sends/s through WBIZ end to end (first request → last `sent`)", value: `${fmtRate(e2eRate)}/s (${(e2eRate / directRate).toFixed(2)}× the emulator alone)`, target: `≥ ${T.relayPerSec}/s (Meta's default per-number rate)`, pass: e2eRate >= T.relayPerSec },
    {
      name: "Cost of one send, whole pipeline (route + relay): D1 statements / DO calls",
      value: `${cost.routeD1 + cost.relayD1} D1, ${cost.routeDo + cost.relayDo} DO (route ${cost.routeD1} D1 + ${cost.routeDo} DO; relay ${cost.relayD1} D1 + ${cost.relayDo} DO)`,
      target: "reported (a respond-async send; a waiting send adds 1 DO call)",
      pass: null,
    },
    { name: "Accepted sends that reached `sent`", value: `${sent.length} / ${N}${failed ? `, ${failed} failed` : ""}${stuck ? `, ${stuck} still queued` : ""}`, target: `${N} / ${N}`, pass: sent.length === N },
  ];

  const rows = [
    ["Emulator alone: POST /{phone-number-id}/messages", `${directOk} × 200`, directSecs.toFixed(2), fmtRate(directRate), fmtMs(percentile(direct.map((r) => r.ms), 50)), fmtMs(percentile(direct.map((r) => r.ms), 95))],
    ["WBIZ: POST /v1/messages/text, Prefer: respond-async (acceptance)", `${ids.length} × 202${Object.entries(otherStatuses).map(([s, n]) => `, ${n} × ${s}`).join("")}`, acceptSecs.toFixed(2), fmtRate(acceptRate), fmtMs(percentile(accepted.map((r) => r.ms), 50)), fmtMs(percentile(accepted.map((r) => r.ms), 95))],
    ["WBIZ: end to end, until every message is `sent`", `${sent.length} sent`, e2eSecs.toFixed(2), fmtRate(e2eRate), fmtMs(percentile(relayLatency, 50)), fmtMs(percentile(relayLatency, 95))],
  ];
  const markdown = [
    table(["pipeline", "answers", "seconds", "sends/s", "p50 ms", "p95 ms"], rows, ["l", "l", "r", "r", "r", "r"]),
    "",
    table(["figure", "value", "target", "result"], figures.map((f) => [f.name, f.value, f.target, mark(f.pass)])),
    "",
    `**What set the pace.** During the acceptance run ${describeCpu(acceptCpu)}. Near 100 % busy, the figure is this machine's ceiling for the whole local stack rather than a property of the code: the load generator, wrangler's Node process (its loopback server and logging), the dev proxy every request passes through, and the runtime that runs the API, the relay, the emulator and the local D1, Durable Objects and Queues all share these cores. Only the runtime's share is work that exists on Cloudflare, where requests also spread over many isolates and only the key's Durable Object and the D1 primary are shared.`,
    "",
    `**Cost per send.** The route's share is read from the \`Server-Timing\` header of each of the ${routeCosts.length} 202 answers (the most frequent count is shown); the relay's from the line the queue consumer logs for each message it handled (\`LOG_RELAY_COSTS=true\`, set with \`--var\` for the bench only): ${relayCosts.length} lines${cost.retried ? `, ${cost.retried} of them retries` : ", no retries"}. D1 counts statements (a batch of three is three, in one round trip). The route writes the message and its conversation in one batch, counts the request in the key's Durable Object and puts the job on the queue; the relay claims the message, calls Meta, stores the wamid with its event, and hands the outcome to the key's Durable Object (a call that a respond-async send's route does not wait for, but the relay still makes).`,
    "",
    `**How.** ${N} text sends to ${DEMO.recipient} (the demo contact whose 24-hour window the seed opens), ${C} requests in flight at a time, both times after a warm-up. Baseline: straight to the standalone emulator's \`POST /${DEMO.graphVersion}/${DEMO.phoneNumberId}/messages\` with the demo WABA's token (over the whole section it logged ${standaloneNew} timed sends${standaloneNew === N ? ", exactly the baseline's, so none of WBIZ's reached it: WBIZ's relay talks to its own in-process emulator through the META service binding" : ` — expected ${N}: WBIZ's sends may have reached it`}). WBIZ: \`POST /v1/messages/text\` with the demo scale key and \`Prefer: respond-async\`, started just after a UTC 10-second boundary so all ${N} fit in one burst window (1 200); acceptance = 202s per second of wall time. End to end = from the first request until the last message was marked \`sent\` by the relay (its \`updatedAt\` from \`GET /v1/messages/{id}\`, which nothing else touches with status webhooks off), read afterwards with a separate key so the polling neither spends the sending key's budget nor overlaps the measured interval much (one request per 100 ms until the last message is done, then one sweep). For WBIZ the p50/p95 of the end-to-end row is per message: stored (\`createdAt\`) → \`sent\` (\`updatedAt\`), i.e. queue wait + relay.`,
    "",
    `**Emulator settings.** Both emulators run with the per-number cap lifted (\`mpsLimit\` ${settings.mpsLimit}: the standalone one through \`POST /__emulator/settings\`, the in-process one — whose control API is only reachable through the API's binding — through its \`MPS_LIMIT\` var) and **status webhooks off** (\`statusDelaysMs: "none"\` / \`STATUS_DELAYS_MS=none\`), so the figure is the send pipeline alone: no sent/delivered/read webhooks compete for the same Worker and D1 during the run. A message counts as \`sent\` when the relay has stored the wamid from Meta's 200, not when a \`sent\` webhook arrives.`,
    "",
    `**Targets.** Acceptance must not be what limits a customer: the top plan allows 1 200 requests per 10 s, so WBIZ must accept at least ${T.acceptPerSec} sends/s. The relay must at least keep up with what Meta itself allows a business number by default (${T.relayPerSec} messages/s); faster than that only builds a backlog at Meta.`,
  ].join("\n");
  return { id: "throughput", title: "Send pipeline throughput", figures, markdown };
}

/** The standalone emulator: per-number cap lifted, status webhooks off (for the demo WABA). Returns its effective settings. */
export async function configureStandaloneEmulator(emulator: string): Promise<{ mpsLimit: number; statusDelaysMs: number[] }> {
  const r = await timedFetch(`${emulator}/__emulator/settings`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ wabaId: DEMO.metaWabaId, mpsLimit: EMULATOR_MPS_LIMIT, statusDelaysMs: "none" }),
  });
  if (r.status !== 200) throw new Error(`POST /__emulator/settings → ${r.status} ${r.text}`);
  const effective = r.json.settings as { mpsLimit: number; statusDelaysMs: number[] };
  if (effective.mpsLimit !== EMULATOR_MPS_LIMIT || effective.statusDelaysMs.length !== 0) throw new Error(`emulator settings not applied: ${r.text}`);
  return effective;
}

/** Per-number sends per second the emulators allow during the bench (Meta's default is 80). */
export const EMULATOR_MPS_LIMIT = 1_000_000;

/** The relay's per-message cost lines that the API's wrangler dev wrote after `offset`. */
function relayCostsLogged(file: string, offset: number): Array<{ d1: number; durableObject: number; attempt: number }> {
  const text = readFileSync(file).subarray(offset).toString("utf8");
  return [...text.matchAll(/\{"level":"info","msg":"relay costs"[^\n}]*\}/g)].map((m) => JSON.parse(m[0]));
}

function mode(xs: number[]): number {
  const counts = countBy(xs);
  return Number(Object.entries(counts).sort((a, b) => b[1] - a[1])[0]?.[0] ?? Number.NaN);
}

function countBy(xs: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}
