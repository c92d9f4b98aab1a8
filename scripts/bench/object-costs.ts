// The counting stack: the same API bundle, wrapped by scripts/bench/instrumented-entry.js, in a
// Miniflare instance of its own (its own state). Not timed against anything — it observes:
//
// - per request: D1 queries and Durable Object calls (Server-Timing) split by class (costs.ts);
// - per path outside requests: the relay's, Meta's statuses' and inbound messages' calls per message
//   and D1 queries, from the queue consumers' counts;
// - inside one WABA object: the SQL statements, rows read and written and the bytes a message
//   lifecycle leaves behind (SqlStorageCursor.rowsRead/rowsWritten, storage.sql.databaseSize), through the
//   real pipeline (emulator status webhooks on) and with an integrator webhook endpoint subscribed;
// - the object's CPU per lifecycle: n lifecycles run inside the object (benchLifecycles), timed, with
//   workerd's CPU read from /proc around them — the object's own work, nothing else running.
import { copyFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { SCOPES } from "../../src/auth/scopes";
import { foldCase } from "../../src/domain/fold";
import { PHONE_HEADROOM } from "../../src/relay/pacing";
import { waIdOf } from "../../src/domain/phone";
import { localVar, ROOT } from "../lib/wrangler";
import { seedId } from "../seed/sql";
import { admin, mark, table, type BenchContext, type Figure, type SectionResult, BENCH_PHONE_MPS } from "./context";
import { requestCosts, splitOf, type Split } from "./costs";
import { measureCpu, roleSeconds } from "./cpu";
import { bearer, expectStatus, jsonBody, pool, postJson, sleep, timedFetch } from "./http";
import { startMiniflareStack, type Bundles } from "./miniflare-stack";
import { BENCH_STATE, prepareState, seedDataPlane } from "./stack";
import { EMULATOR_MPS_LIMIT } from "./throughput";

/** Changes from Meta the object has applied, counted by item (the consumer's grouped calls carry several). */
const metaChanges = (s: ObjectStats) => s.calls["applyMetaChanges items"] ?? 0;

/** How long the relay's pacing spreads `n` sends of one bench number over. */
const paceMs = (n: number) => Math.ceil((n * 1000) / (BENCH_PHONE_MPS * PHONE_HEADROOM));

/** A WABA (own workspace, phone number, scale key) with one contact whose 24-hour window is open. */
async function benchWaba(ctx: BenchContext, metaWabaId: string, phoneNumberId: string, accessToken: string, contact: string, n: number): Promise<{ wabaId: string; key: string }> {
  const workspace = await admin(ctx, "POST", "/admin/workspaces", { name: `Bench: lifecycle ${n}`, plan: "scale" });
  const waba = await admin(ctx, "POST", "/admin/wabas", { workspaceId: workspace.id, metaWabaId, name: `Bench: lifecycle ${n}`, accessToken });
  await admin(ctx, "POST", `/admin/wabas/${waba.id}/phone-numbers`, { metaPhoneNumberId: phoneNumberId, displayPhoneNumber: `+1 555 010 ${8880 + n}`, throughputMps: BENCH_PHONE_MPS });
  const key = (await admin(ctx, "POST", "/admin/keys", { wabaId: waba.id, name: "bench: lifecycle", scopes: [...SCOPES], mode: "live", planOverride: "scale" })).secret as string;
  const now = Date.now();
  const row = { id: seedId(20, n), phone: contact, wa_id: waIdOf(contact), name: "Bench Lifecycle", name_folded: foldCase("Bench Lifecycle"), custom_fields: "{}", opted_in: 1, last_inbound_at: now, created_at: now, updated_at: now };
  expectStatus(
    await timedFetch(`${ctx.api}/admin/wabas/${waba.id}/import`, { method: "POST", headers: { Authorization: `Bearer ${localVar("ADMIN_TOKEN")}`, "Content-Type": "application/x-ndjson" }, body: JSON.stringify({ table: "contacts", row }) }),
    "import the lifecycle contact",
    200,
  );
  return { wabaId: waba.id as string, key };
}

export const LIFECYCLE_WABA = {
  metaWabaId: "102290129348888",
  metaPhoneNumberId: "106540352248888",
  accessToken: "EAAGbenchLifecycleLocalOnlyToken0000000000000000000001",
  contact: "+919800000001",
};

type ObjectStats = { calls: Record<string, number>; statements: number; rowsRead: number; rowsWritten: number; d1: number; databaseSize: number };
type ConsumerCounts = Record<string, { batches: number; messages: number } & Split>;
type StepCost = { count: number; statements: number; rowsRead: number; rowsWritten: number };

export type Scenario = {
  name: string;
  /** message lifecycles (or inbound messages) it ran */
  n: number;
  object: ObjectStats;
  consumers: ConsumerCounts;
  /** what the API requests of the scenario called, summed */
  requests: Split & { count: number };
  bytes: number;
};

export type LoopResult = { n: number; steps: Record<string, StepCost>; bytes: number; databaseSize: number; innerMs: number; wallSeconds: number; cpuSeconds: number };

type Pages = { databaseSize: number; freePages: number | null; pageSize: number | null };
export type Retention = { n: number; pruned: number; sweeps: number; before: Pages; grown: Pages; swept: Pages; regrown: Pages; bytesFirst: number; bytesAgain: number };

/** The retention experiment's text length: a typical template or reply, rather than the loop's short test text. */
export const RETENTION_BODY_CHARS = 300;

/** MESSAGE_RETENTION_DAYS' default (src/settings.ts); wrangler.toml does not set it. */
export const RETENTION_DAYS = 180;

export type ObjectCosts = { outbound: Scenario; inbound: Scenario; webhooks: Scenario; loop: LoopResult; loopInbound: LoopResult; retentionDays: number; retention: Retention };

const sumOf = (o: Record<string, number> | undefined) => Object.values(o ?? {}).reduce((a, b) => a + b, 0);

/** Runs the counting stack: per-request costs, then the per-object scenarios. */
export async function runCountingStack(opts: { bundles: Bundles; quick: boolean; log: (line: string) => void }): Promise<{ costs: SectionResult; objectCosts: ObjectCosts; section: SectionResult }> {
  const { bundles, log } = opts;
  const state = path.join(BENCH_STATE, "counting");
  const seed = await prepareState(state, log);
  const dir = path.dirname(bundles.api);
  const entry = path.join(dir, "bench-entry.js");
  copyFileSync(path.join(ROOT, "scripts/bench/instrumented-entry.js"), entry);
  const stack = await startMiniflareStack({
    name: "counting",
    bundles,
    state,
    emulatorVars: { STATUS_DELAYS_MS: "none", MPS_LIMIT: String(EMULATOR_MPS_LIMIT) },
    apiModules: { paths: [entry, bundles.api], root: dir },
  });
  try {
    await seedDataPlane(stack.api, seed);
    const ctx: BenchContext = { stack: "counting", api: stack.api, emulator: stack.emulator, sharedEmulator: true, demoKeys: Object.fromEntries(seed.keys.map((k) => [k.label, k.secret])), cpu: stack.cpu, log };
    const costs = await requestCosts(ctx);
    const objectCosts = await perObject(ctx, opts.quick ? { n: 60, loop: 200 } : { n: 300, loop: 1500 }, stack.cpu);
    return { costs: costs.section, objectCosts, section: objectCostsSection(objectCosts) };
  } finally {
    await stack.stop();
  }
}

async function perObject(ctx: BenchContext, sizes: { n: number; loop: number }, cpu: BenchContext["cpu"]): Promise<ObjectCosts> {
  const { api, emulator, log } = ctx;
  const W = LIFECYCLE_WABA;
  // a WABA of its own, known to the emulator, with one contact whose 24-hour window is open
  const { wabaId, key } = await benchWaba(ctx, W.metaWabaId, W.metaPhoneNumberId, W.accessToken, W.contact, 1);
  expectStatus(
    await postJson(`${emulator}/__emulator/wabas`, { metaWabaId: W.metaWabaId, name: "Bench: lifecycle", accessToken: W.accessToken, phoneNumbers: [{ metaPhoneNumberId: W.metaPhoneNumberId, displayPhoneNumber: "+1 555 010 8888" }] }),
    "register the lifecycle WABA with the emulator",
    200,
    201,
  );
  expectStatus(
    await postJson(`${emulator}/__emulator/settings`, { wabaId: W.metaWabaId, mpsLimit: EMULATOR_MPS_LIMIT, statusDelaysMs: [0, 30, 60] }),
    "emulator settings for the lifecycle WABA",
    200,
  );

  const objectStats = async (reset = false): Promise<ObjectStats> => (await timedFetch(`${api}/__bench/object?wabaId=${wabaId}${reset ? "&reset=1" : ""}`)).json;
  const consumers = async (): Promise<ConsumerCounts> => (await timedFetch(`${api}/__bench/consumers`)).json;
  const resetAll = async () => {
    await objectStats(true);
    await timedFetch(`${api}/__bench/reset`, { method: "POST" });
  };
  const waitFor = async (what: string, done: (s: ObjectStats) => boolean, timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await objectStats();
      if (done(s)) return;
      if (Date.now() > deadline) throw new Error(`per-object cost: timed out waiting for ${what}: ${JSON.stringify(s.calls)}`);
      await sleep(200);
    }
  };
  const sends = async (n: number, label: string) => {
    const split: Split & { count: number } = { count: 0, d1: 0, KeyGate: {}, WabaStore: {} };
    await pool(n, 8, async (i) => {
      const r = expectStatus(await timedFetch(`${api}/v1/messages/text`, jsonBody(key, { to: W.contact, body: `bench ${label} ${i}` }, { Prefer: "respond-async" })), "lifecycle send", 202);
      const s = splitOf(r.headers)!;
      split.count++;
      split.d1 += s.d1;
      for (const cls of ["KeyGate", "WabaStore"] as const) for (const [m, k] of Object.entries(s[cls])) split[cls][m] = (split[cls][m] ?? 0) + k;
    });
    return split;
  };
  const scenario = async (name: string, n: number, run: () => Promise<Split & { count: number }>, done: (s: ObjectStats) => boolean): Promise<Scenario> => {
    log(`per-object cost: ${name} (${n})`);
    await resetAll();
    const size0 = (await objectStats()).databaseSize;
    const requests = await run();
    await waitFor(name, done);
    await sleep(300); // the last consumer batch's counts land after its calls
    const object = await objectStats();
    return { name, n, object, consumers: await consumers(), requests, bytes: object.databaseSize - size0 };
  };

  // warm: the object, its control record, the relay's and the meta-events consumer's caches
  await sends(3, "warm-up");
  await waitFor("warm-up", (s) => metaChanges(s) >= 9);

  const N = sizes.n;
  const outbound = await scenario("outbound lifecycles", N, () => sends(N, "outbound"), (s) => metaChanges(s) >= 3 * N && (s.calls["completeSends items"] ?? 0) >= N);
  const inbound = await scenario(
    "inbound messages",
    N,
    async () => {
      await pool(N, 8, async (i) =>
        expectStatus(await postJson(`${emulator}/__emulator/inbound`, { phoneNumberId: W.metaPhoneNumberId, from: W.contact, name: "Bench Lifecycle", type: "text", text: `bench inbound ${i}` }), "inbound", 200, 201),
      );
      return { count: 0, d1: 0, KeyGate: {}, WabaStore: {} };
    },
    (s) => metaChanges(s) >= N,
  );

  // an integrator endpoint subscribed to every message event, answering 200 from this process
  const sink = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200).end("ok"));
  });
  await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
  const port = (sink.address() as { port: number }).port;
  const hook = expectStatus(
    await timedFetch(`${api}/v1/webhooks`, jsonBody(key, { url: `http://127.0.0.1:${port}/bench-hook`, events: ["message.sent", "message.delivered", "message.read", "message.failed", "message.received"], description: "bench: per-object cost" })),
    "create the bench webhook endpoint",
    201,
  ).json;
  const half = Math.max(1, Math.round(N / 2));
  let webhooks: Scenario;
  try {
    webhooks = await scenario(
      "outbound lifecycles with a webhook endpoint",
      half,
      () => sends(half, "webhooks"),
      (s) => metaChanges(s) >= 3 * half && (s.calls.recordDeliveryAttempt ?? 0) >= 3 * half,
    );
  } finally {
    await timedFetch(`${api}/v1/webhooks/${hook.id}`, { method: "DELETE", headers: bearer(key) });
    sink.close();
  }

  // the object alone: lifecycles run inside it, nothing else running
  const loop = async (n: number, withInbound: boolean): Promise<LoopResult> => {
    log(`per-object cost: ${n} lifecycles inside the object${withInbound ? ", each with an inbound message" : ""}`);
    const t0 = performance.now();
    const { result, cpu: share } = await measureCpu(cpu, async () =>
      expectStatus(
        await timedFetch(`${api}/__bench/lifecycles?wabaId=${wabaId}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ n, to: W.contact, metaWabaId: W.metaWabaId, phoneNumberId: W.metaPhoneNumberId, inbound: withInbound }) }),
        "lifecycles in the object",
        200,
      ),
    );
    const out = { ...result.json, wallSeconds: (performance.now() - t0) / 1000, cpuSeconds: roleSeconds(share, "workerd") };
    // the loop claims faster than the number's pace (src/relay/pacing.ts), which runs its lane ahead of
    // the clock: let the lane catch up before the next loop, or its claims would be told to wait
    await sleep(paceMs(n));
    return out;
  };
  await loop(50, false); // warm
  const loopOut = await loop(sizes.loop, false);
  const loopIn = await loop(sizes.loop, true);

  // retention, in a fresh object: lifecycles, the product's sweep as if the retention period had passed, lifecycles again
  log(`per-object cost: retention (${sizes.loop} lifecycles, the sweep ${RETENTION_DAYS} days later, ${sizes.loop} more)`);
  const probe = await benchWaba(ctx, "102290129346666", "106540352246666", W.accessToken, W.contact, 2);
  const retention = expectStatus(
    await timedFetch(`${api}/__bench/retention?wabaId=${probe.wabaId}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ n: sizes.loop, to: W.contact, metaWabaId: "102290129346666", phoneNumberId: "106540352246666", inbound: false, retentionDays: RETENTION_DAYS, bodyChars: RETENTION_BODY_CHARS, catchUpMs: paceMs(sizes.loop) }),
    }),
    "retention in the object",
    200,
  ).json as Retention;
  return { outbound, inbound, webhooks: webhooks!, loop: loopOut, loopInbound: loopIn, retentionDays: RETENTION_DAYS, retention };
}

// ---- the section --------------------------------------------------------------------------------------

const per = (x: number, n: number) => (n ? x / n : Number.NaN);
const f1 = (x: number) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1)) : "–");
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "–");
const calls = (o: Record<string, number> | undefined, n: number) =>
  Object.entries(o ?? {})
    .map(([m, k]) => `${m} ${f1(k / n)}`)
    .join(", ") || "none";

/** What one lifecycle costs inside the object, from the loop (exact per step). */
export function lifecycleCost(c: ObjectCosts) {
  const L = c.loop;
  const steps = Object.values(L.steps);
  const rowsWritten = steps.reduce((a, s) => a + s.rowsWritten, 0) / L.n;
  const rowsRead = steps.reduce((a, s) => a + s.rowsRead, 0) / L.n;
  const statements = steps.reduce((a, s) => a + s.statements, 0) / L.n;
  const calls = steps.reduce((a, s) => a + s.count, 0) / L.n;
  const cpuMs = (L.cpuSeconds / L.n) * 1000;
  const wallMs = (L.wallSeconds / L.n) * 1000;
  const inboundCpuMs = ((c.loopInbound.cpuSeconds - L.cpuSeconds) / c.loopInbound.n) * 1000;
  const R = c.retention;
  const live = (p: Retention["before"]) => (p.freePages !== null && p.pageSize !== null ? p.databaseSize - p.freePages * p.pageSize : null);
  const liveBefore = live(R.before);
  const liveSwept = live(R.swept);
  return {
    retention: {
      n: R.n,
      pruned: R.pruned,
      /** bytes a lifecycle adds, fresh */
      fresh: (R.grown.databaseSize - R.before.databaseSize) / R.n,
      /** bytes still in use per message once the sweep has pruned it (null: free pages not visible) */
      afterPrune: liveBefore !== null && liveSwept !== null ? (liveSwept - liveBefore) / R.n : null,
      /** file growth per lifecycle after the sweep (space freed by pruning reused) */
      regrowth: (R.regrown.databaseSize - R.swept.databaseSize) / R.n,
      pageSize: R.before.pageSize,
      freeVisible: R.before.freePages !== null,
    },
    calls, statements, rowsRead, rowsWritten, cpuMs, wallMs, inboundCpuMs,
    bytesLoop: L.bytes / L.n,
    bytesPipeline: c.outbound.bytes / c.outbound.n,
    bytesWithWebhooks: c.webhooks.bytes / c.webhooks.n,
    bytesInbound: c.inbound.bytes / c.inbound.n,
    pipelineRowsWritten: c.outbound.object.rowsWritten / c.outbound.n,
    pipelineRowsRead: c.outbound.object.rowsRead / c.outbound.n,
    webhookRowsWritten: c.webhooks.object.rowsWritten / c.webhooks.n,
    webhookRowsRead: c.webhooks.object.rowsRead / c.webhooks.n,
    webhookCalls: sumOf(c.webhooks.object.calls) / c.webhooks.n,
    pipelineCalls: sumOf(c.outbound.object.calls) / c.outbound.n,
  };
}

export function objectCostsSection(c: ObjectCosts): SectionResult {
  const o = c.outbound;
  const sendsQ = o.consumers["wbiz-sends"];
  const metaQ = o.consumers["wbiz-meta-events"];
  const inQ = c.inbound.consumers["wbiz-meta-events"];
  const hookQ = c.webhooks.consumers["wbiz-webhooks"];
  const relayCalls = per(sumOf(sendsQ?.WabaStore), sendsQ?.messages ?? 0);
  const statusCalls = per(sumOf(metaQ?.WabaStore), metaQ?.messages ?? 0);
  const inboundCalls = per(sumOf(inQ?.WabaStore), inQ?.messages ?? 0);
  const lc = lifecycleCost(c);
  const figures: Figure[] = [
    {
      name: "Relay: WabaStore calls per message, D1 queries (warm)",
      value: `${f2(relayCalls)} (${calls(sendsQ?.WabaStore, sendsQ?.messages ?? 0)}; ${f1(per(sumOf(sendsQ?.WabaStore), sendsQ?.batches ?? 0))} per batch of ${f1(per(sendsQ?.messages ?? 0, sendsQ?.batches ?? 0))}), ${sendsQ?.d1 ?? "?"} D1 over ${sendsQ?.messages ?? 0} messages`,
      target: "< 2 calls (a claim and an answer per message, grouped per batch), 0 D1",
      pass: relayCalls < 2 && sendsQ?.d1 === 0,
    },
    {
      name: "Meta statuses: WabaStore calls per change, D1 queries (warm)",
      value: `${f2(statusCalls)} (${calls(metaQ?.WabaStore, metaQ?.messages ?? 0)}; batches of ${f1(per(metaQ?.messages ?? 0, metaQ?.batches ?? 0))}), ${metaQ?.d1 ?? "?"} D1 over ${metaQ?.messages ?? 0} changes`,
      target: "≤ 1 call (a batch's changes of one WABA go as one), 0 D1",
      pass: statusCalls <= 1 && metaQ?.d1 === 0,
    },
    {
      name: "Inbound messages: WabaStore calls per change, D1 queries (warm)",
      value: `${f2(inboundCalls)} (${calls(inQ?.WabaStore, inQ?.messages ?? 0)}; batches of ${f1(per(inQ?.messages ?? 0, inQ?.batches ?? 0))}), ${inQ?.d1 ?? "?"} D1 over ${inQ?.messages ?? 0} changes`,
      target: "≤ 1 call (a batch's changes of one WABA go as one), 0 D1",
      pass: inboundCalls <= 1 && inQ?.d1 === 0,
    },
    {
      name: "WABA object's D1 reads during the scenarios (control record)",
      value: `${o.object.d1 + c.inbound.object.d1 + c.webhooks.object.d1}`,
      target: "0 (cached; at most one a minute)",
      pass: o.object.d1 + c.inbound.object.d1 + c.webhooks.object.d1 <= 1,
    },
    { name: "One outbound lifecycle inside the object: rows written / read, SQL statements", value: `${f1(lc.rowsWritten)} / ${f1(lc.rowsRead)}, ${f1(lc.statements)} statements in ${f1(lc.calls)} calls`, target: "reported (docs/scaling.md)", pass: null },
    { name: "One outbound lifecycle inside the object: CPU, wall time", value: `${lc.cpuMs.toFixed(2)} ms CPU, ${lc.wallMs.toFixed(2)} ms wall`, target: "reported (docs/scaling.md)", pass: null },
    { name: "Bytes one outbound lifecycle adds to the object (no endpoint / with an endpoint)", value: `${Math.round(lc.bytesPipeline)} / ${Math.round(lc.bytesWithWebhooks)} B`, target: "reported (docs/scaling.md)", pass: null },
  ];
  const stepRows = Object.entries(c.loop.steps).map(([name, s]) => [name, f1(s.statements / s.count), f1(s.rowsRead / s.count), f1(s.rowsWritten / s.count)]);
  const inStep = c.loopInbound.steps["inbound message"];
  if (inStep) stepRows.push(["inbound message (second loop)", f1(inStep.statements / inStep.count), f1(inStep.rowsRead / inStep.count), f1(inStep.rowsWritten / inStep.count)]);
  const scenarioRows = [o, c.inbound, c.webhooks].map((s) => [
    s.name,
    s.n,
    calls(s.object.calls, s.n),
    f1(s.object.statements / s.n),
    f1(s.object.rowsRead / s.n),
    f1(s.object.rowsWritten / s.n),
    Math.round(s.bytes / s.n),
    s.object.d1,
  ]);
  const queueRows = [
    ...Object.entries(o.consumers).map(([q, v]) => [o.name, q, v.batches, v.messages, calls(v.WabaStore, v.messages), calls(v.KeyGate, v.messages), v.d1]),
    ...Object.entries(c.inbound.consumers).map(([q, v]) => [c.inbound.name, q, v.batches, v.messages, calls(v.WabaStore, v.messages), calls(v.KeyGate, v.messages), v.d1]),
    ...Object.entries(c.webhooks.consumers).map(([q, v]) => [c.webhooks.name, q, v.batches, v.messages, calls(v.WabaStore, v.messages), calls(v.KeyGate, v.messages), v.d1]),
  ];
  const markdown = [
    "**Paths outside a request** — what the queue consumers called per message they handled (the consumers' env is counted by the bench's shell, so these are observed, not derived):",
    "",
    table(["scenario", "queue", "batches", "messages", "WabaStore calls per message", "KeyGate calls per message", "D1 queries (total)"], queueRows, ["l", "l", "r", "r", "l", "l", "r"]),
    "",
    table(["figure", "value", "target", "result"], figures.map((f) => [f.name, f.value, f.target, mark(f.pass)])),
    "",
    "**Inside the WABA object, through the real pipeline** — per lifecycle (a send accepted with `Prefer: respond-async`, relayed to the emulator, then its sent, delivered and read webhooks) or per inbound message, everything the object did: its RPC calls, SQL statements and the rows they read and wrote (`SqlStorageCursor.rowsRead` / `rowsWritten`, what Cloudflare bills), the growth of `storage.sql.databaseSize`, and its own D1 reads:",
    "",
    table(["scenario", "n", "object calls per item", "statements", "rows read", "rows written", "bytes added", "D1 (total)"], scenarioRows, ["l", "r", "l", "r", "r", "r", "r", "r"]),
    "",
    `**Inside the WABA object, alone** — ${c.loop.n} outbound lifecycles run inside the object one step at a time (the same RPC methods the route, the relay and the Meta consumer call, with the queue sends muted: nothing else runs), then ${c.loopInbound.n} more each with an inbound message. workerd's CPU (user + system, /proc) over the first loop: ${(c.loop.cpuSeconds).toFixed(2)} s, i.e. **${lc.cpuMs.toFixed(2)} ms per lifecycle** (${lc.wallMs.toFixed(2)} ms of wall time, SQLite commits included: one object, serially, does ${Math.round(1000 / lc.wallMs)} lifecycles/s here); an inbound message adds ${lc.inboundCpuMs.toFixed(2)} ms. Per step:`,
    "",
    table(["step", "statements", "rows read", "rows written"], stepRows, ["l", "r", "r", "r"]),
    "",
    `The loop's lifecycles add ${Math.round(lc.bytesLoop)} bytes each to the database (all to one conversation). These figures feed [docs/scaling.md](scaling.md).`,
    "",
    `**Retention.** In a fresh object: ${lc.retention.n} lifecycles of ${RETENTION_BODY_CHARS}-character texts added ${Math.round(lc.retention.fresh)} B each. Then the product's sweep (what each object's alarm runs, src/data-plane/maintenance.ts) ran as if ${c.retentionDays + 1} days had passed, ${c.retention.sweeps} time(s) (≤ 500 rows each) until nothing was left: it pruned ${lc.retention.pruned} messages (body and payload cleared, the row kept), and the database's size did not change (${c.retention.grown.databaseSize} → ${c.retention.swept.databaseSize} B: SQLite keeps its pages; the runtime does not let \`PRAGMA freelist_count\` through, so free pages inside it are not visible). ${lc.retention.n} more lifecycles then grew it by ${Math.round(lc.retention.regrowth)} B each, ${Math.round((100 * lc.retention.regrowth) / lc.retention.fresh)} % of the first time: ${lc.retention.regrowth >= 0.9 * lc.retention.fresh ? "the space pruning freed inside the old pages was not reused by new messages, which (time-ordered ids) are appended at the end of the table and its indexes" : "part of the space pruning freed was reused"}.`,
  ].join("\n");
  return { id: "object", title: "Per-object cost: relay, statuses, inbound, and one message lifecycle inside its WABA object", figures, markdown };
}
