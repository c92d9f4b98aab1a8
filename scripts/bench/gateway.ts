// Gateway overhead: what authentication + exact rate limiting (one call to the key's Durable Object)
// adds to a request, and how WBIZ compares with calling the Graph API (the emulator) directly.
import { DEMO, mark, provisionKey, table, type BenchContext, type Figure, type SectionResult } from "./context";
import { atWindowStart, bearer, expectStatus, fmtMs, fmtRate, jsonBody, percentile, serverTiming, timedFetch, type Timed } from "./http";

type Probe = { id: string; label: string; expect: number; run: () => Promise<Timed> };
type Stats = { p50: number; p95: number; n: number; d1: number | null; durableObject: number | null };

/** Round-robin over the probes (each round starts one further along), so drift hits all alike. */
async function measure(probes: Probe[], warmup: number, samples: number): Promise<Map<string, Stats>> {
  const times = new Map(probes.map((p) => [p.id, [] as number[]]));
  const costs = new Map<string, { d1: number; durableObject: number } | null>();
  for (let round = 0; round < warmup + samples; round++) {
    for (let k = 0; k < probes.length; k++) {
      const p = probes[(round + k) % probes.length]!;
      const r = expectStatus(await p.run(), p.label, p.expect);
      if (round >= warmup) times.get(p.id)!.push(r.ms);
      else costs.set(p.id, serverTiming(r.headers));
    }
  }
  return new Map(
    probes.map((p) => {
      const xs = times.get(p.id)!;
      const cost = costs.get(p.id) ?? null;
      return [p.id, { p50: percentile(xs, 50), p95: percentile(xs, 95), n: xs.length, d1: cost?.d1 ?? null, durableObject: cost?.durableObject ?? null }];
    }),
  );
}

/**
 * Requests per second of each probe under `concurrency` requests in flight, in alternating phases of
 * `phaseMs` (bare, auth, auth, bare, …) so drift and warm-up hit both alike.
 */
async function throughputOf(probes: Array<{ id: string; label: string; expect: number; request: (i: number) => [string, RequestInit?] }>, opts: { rounds: number; phaseMs: number; concurrency: number }) {
  const totals = new Map(probes.map((p) => [p.id, { n: 0, ms: 0 }]));
  for (let round = 0; round < opts.rounds; round++) {
    const order = round % 2 === 0 ? probes : [...probes].reverse();
    for (const p of order) {
      let n = 0;
      const started = performance.now();
      const end = started + opts.phaseMs;
      await Promise.all(
        Array.from({ length: opts.concurrency }, async () => {
          while (performance.now() < end) {
            const [url, init] = p.request(n);
            const res = await fetch(url, init);
            await res.arrayBuffer();
            if (res.status !== p.expect) throw new Error(`${p.label} → HTTP ${res.status} (expected ${p.expect})`);
            n++;
          }
        }),
      );
      const t = totals.get(p.id)!;
      t.n += n;
      t.ms += performance.now() - started;
    }
  }
  return new Map([...totals].map(([id, t]) => [id, { rps: t.n / (t.ms / 1000), n: t.n }]));
}

export const GATEWAY_TARGETS = {
  /** requests per second through authentication + exact rate limiting vs the same route refused before both */
  throughputRatio: 0.8,
  /** added p50 of authentication + exact rate limiting (one DO call) */
  authAddedP50Ms: 2,
  authAddedP95Ms: 5,
  /** a read through the gateway (auth + one call to the WABA's object) vs the same read straight from the Graph API */
  readRatio: 2,
  /** a synchronous send through the gateway (store, queue, relay, wait) vs posting to the Graph API directly */
  sendAddedP50Ms: 50,
};

export async function gatewayOverhead(
  ctx: BenchContext,
  opts: { warmup: number; samples: number; sendWarmup: number; sendSamples: number; throughput: { rounds: number; phaseMs: number; concurrency: number; keys: number } },
  /** false: the figures are reported against the targets but not judged (they were set on `wrangler dev`) */
  judged = true,
): Promise<SectionResult> {
  const { api, emulator } = ctx;
  // a key of its own, so 3 × (warm-up + samples) requests stay inside one key's budget
  const key = await provisionKey(ctx, "scale", "bench: gateway latency");
  const probePath = "/v1/contacts/bench-probe"; // authenticated, then 404 without touching storage
  const graph = `${emulator}/${DEMO.graphVersion}`;
  const probes: Probe[] = [
    { id: "bare", label: `GET ${probePath} without a key (401)`, expect: 401, run: () => timedFetch(api + probePath) },
    { id: "auth", label: `GET ${probePath} with a key (404)`, expect: 404, run: () => timedFetch(api + probePath, { headers: bearer(key) }) },
    { id: "key", label: "GET /v1/key", expect: 200, run: () => timedFetch(`${api}/v1/key`, { headers: bearer(key) }) },
    { id: "templates", label: "GET /v1/templates?limit=1", expect: 200, run: () => timedFetch(`${api}/v1/templates?limit=1`, { headers: bearer(key) }) },
    {
      id: "graphTemplates",
      label: `Emulator GET /${DEMO.graphVersion}/{waba-id}/message_templates?limit=1`,
      expect: 200,
      run: () => timedFetch(`${graph}/${DEMO.metaWabaId}/message_templates?limit=1`, { headers: bearer(DEMO.accessToken) }),
    },
  ];
  ctx.log(`[${ctx.stack}] gateway: ${opts.warmup} + ${opts.samples} rounds over ${probes.length} requests`);
  await atWindowStart(10_000); // a fresh burst window for the key: warm-up + samples fit its 1 200
  const reads = await measure(probes, opts.warmup, opts.samples);

  // synchronous sends: WBIZ answers once the relay has Meta's wamid; vs the Graph API call alone
  const scale = ctx.demoKeys.scale!;
  let n = 0;
  const sendProbes: Probe[] = [
    {
      id: "send",
      label: "POST /v1/messages/text (waits for Meta's answer)",
      expect: 200,
      run: () => timedFetch(`${api}/v1/messages/text`, jsonBody(scale, { to: DEMO.recipient, body: `bench sync send ${++n}` })),
    },
    {
      id: "graphSend",
      label: `Emulator POST /${DEMO.graphVersion}/{phone-number-id}/messages`,
      expect: 200,
      run: () =>
        timedFetch(
          `${graph}/${DEMO.phoneNumberId}/messages`,
          jsonBody(DEMO.accessToken, { messaging_product: "whatsapp", recipient_type: "individual", to: DEMO.recipient.slice(1), type: "text", text: { preview_url: false, body: `bench direct send ${++n}` } }),
        ),
    },
  ];
  ctx.log(`[${ctx.stack}] gateway: ${opts.sendWarmup} + ${opts.sendSamples} rounds of synchronous sends`);
  const sends = await measure(sendProbes, opts.sendWarmup, opts.sendSamples);

  // throughput: the same two requests as the overhead probe, many in flight. A scale key admits 1 200
  // requests per 10 s, fewer than a local workerd serves, so the authenticated side round-robins over
  // keys of its own (each warmed first: its Durable Object has cached the key record). Every request
  // still costs one Durable Object call (its KeyGate) and no D1 query; none is refused with 429.
  const tp = opts.throughput;
  const keys = await Promise.all(Array.from({ length: tp.keys }, (_, i) => provisionKey(ctx, "scale", `bench: gateway throughput ${i + 1}`)));
  await atWindowStart(10_000);
  for (const k of keys) expectStatus(await timedFetch(api + probePath, { headers: bearer(k) }), "warm a throughput key", 404);
  ctx.log(`[${ctx.stack}] gateway: throughput, ${tp.rounds} × ${tp.phaseMs} ms phases per request at concurrency ${tp.concurrency}, ${tp.keys} keys`);
  const rps = await throughputOf(
    [
      { id: "bare", label: `GET ${probePath} without a key`, expect: 401, request: () => [api + probePath] },
      { id: "auth", label: `GET ${probePath} with a key`, expect: 404, request: (i) => [api + probePath, { headers: bearer(keys[i % keys.length]!) }] },
    ],
    tp,
  );
  const throughputRatio = rps.get("auth")!.rps / rps.get("bare")!.rps;

  const s = (id: string) => (reads.get(id) ?? sends.get(id))!;
  const bare = s("bare");
  const auth = s("auth");
  const addedP50 = auth.p50 - bare.p50;
  const addedP95 = auth.p95 - bare.p95;
  const readRatio = s("templates").p50 / s("graphTemplates").p50;
  const sendAdded = s("send").p50 - s("graphSend").p50;
  const sendRatio = s("send").p50 / s("graphSend").p50;
  const T = GATEWAY_TARGETS;

  const judge: Figure[] = [
    {
      name: "Gateway throughput: authenticated + rate-limited vs bare (requests/s ratio)",
      value: `${throughputRatio.toFixed(2)} (${fmtRate(rps.get("auth")!.rps)} vs ${fmtRate(rps.get("bare")!.rps)} req/s)`,
      target: `≥ ${T.throughputRatio}`,
      pass: throughputRatio >= T.throughputRatio,
    },
    { name: "Gateway overhead: auth + exact rate limit, added p50", value: `${fmtMs(addedP50)} ms (${(auth.p50 / bare.p50).toFixed(2)}× the bare request)`, target: `≤ ${T.authAddedP50Ms} ms`, pass: addedP50 <= T.authAddedP50Ms },
    { name: "Gateway overhead: auth + exact rate limit, added p95", value: `${fmtMs(addedP95)} ms`, target: `≤ ${T.authAddedP95Ms} ms`, pass: addedP95 <= T.authAddedP95Ms },
    { name: "Read through WBIZ vs straight from the Graph API (p50 ratio)", value: `${readRatio.toFixed(2)}× (${fmtMs(s("templates").p50)} vs ${fmtMs(s("graphTemplates").p50)} ms)`, target: `≤ ${T.readRatio}×`, pass: readRatio <= T.readRatio },
    { name: "Synchronous send through WBIZ vs straight to the Graph API, added p50", value: `${fmtMs(sendAdded)} ms (${sendRatio.toFixed(1)}×)`, target: `≤ ${T.sendAddedP50Ms} ms`, pass: sendAdded <= T.sendAddedP50Ms },
  ];

  const figures: Figure[] = judge.map((f) => ({ ...f, name: `[${ctx.stack}] ${f.name}`, ...(judged ? {} : { target: `${f.target} (reported: set on wrangler dev)`, pass: null }) }));
  const all: Array<[Probe, Stats]> = [...probes.map((p) => [p, reads.get(p.id)!] as [Probe, Stats]), ...sendProbes.map((p) => [p, sends.get(p.id)!] as [Probe, Stats])];
  const rows = all.map(([p, st]) => [p.label, p.expect, fmtMs(st.p50), fmtMs(st.p95), st.n, st.d1 === null ? "—" : st.d1, st.durableObject === null ? "—" : st.durableObject]);
  const markdown = [
    table(
      ["request", "status", "requests/s", "requests"],
      [
        [`GET ${probePath} without a key (bare)`, 401, fmtRate(rps.get("bare")!.rps), rps.get("bare")!.n],
        [`GET ${probePath} with a key (authenticated, rate-limited)`, 404, fmtRate(rps.get("auth")!.rps), rps.get("auth")!.n],
      ],
      ["l", "r", "r", "r"],
    ),
    "",
    `**Throughput.** ${tp.concurrency} requests in flight from one Node process, ${tp.rounds} alternating phases of ${tp.phaseMs / 1000} s per request (bare, authenticated, authenticated, bare, …). The authenticated requests go round-robin over ${tp.keys} fresh scale-plan keys, each warmed once, so that no request is refused by the limiter (one scale key admits 1 200 requests per 10 s): every one is authenticated and counted by its key's KeyGate.`,
    "",
    table(["request", "status", "p50 ms", "p95 ms", "samples", "D1 queries", "DO calls"], rows, ["l", "r", "r", "r", "r", "r", "r"]),
    "",
    table(["figure", "value", "target", "result"], figures.map((f) => [f.name, f.value, f.target, mark(f.pass)])),
    "",
    `**How.** On the ${ctx.stack} stack. ${opts.samples} timed rounds after ${opts.warmup} warm-up rounds, one request at a time over keep-alive connections; each round sends every request once, starting one further along the list each round so that drift affects all of them alike. Times are client-side (request start → body read) and include the local HTTP hop to workerd${ctx.sharedEmulator ? "" : " (through wrangler's dev proxy)"}. A fresh scale-plan key (provisioned for this run, warmed by the warm-up rounds) keeps the rate limiter out of the way.`,
    "",
    `**Gateway overhead** compares two requests to the *same* Worker and route that differ only in the gateway's work: \`GET ${probePath}\` without a key is refused by the auth middleware before it does anything (401), and with a valid key it is authenticated and admitted by the key's KeyGate (a Durable Object), then answered 404 by a handler that does no storage read (an id that is not 24 hex characters). Everything else — the HTTP hop, routing, request id, error envelope — is common to both, so the difference is exactly what authentication + exact rate limiting cost. The 404's Server-Timing shows the hot path's cost: 1 Durable Object call (the KeyGate), 0 D1 queries. A route on another Worker (the emulator) or a heavier unauthenticated route (\`/v1/openapi.json\` builds the whole document) would mix other costs in.`,
    "",
    `**Read and send vs the Graph API** put WBIZ next to the same operation on the emulator alone (${ctx.sharedEmulator ? "the stack's emulator Worker on its own socket" : "a second \`wrangler dev\` running the emulator alone"}): listing one template (WBIZ: auth + one call to the WABA's object, which reads its mirrored templates; Graph: in-memory list) and sending one text. The synchronous send through WBIZ stores the message in the WABA's object, queues it, the queue consumer relays it to the emulator, reports Meta's answer to the same object, which hands it to the send call waiting there; the direct call is only the last hop. Targets: the gateway's own work should stay within a couple of milliseconds on a warm key (${T.authAddedP50Ms} ms p50 / ${T.authAddedP95Ms} ms p95 added); a read served by the WABA's object should cost at most ${T.readRatio}× the upstream's own read; a synchronous send may add at most ${T.sendAddedP50Ms} ms to Meta's latency (Meta's own send latency is typically hundreds of ms, so that is < 10–20 %).`,
  ].join("\n");
  return { id: "gateway", title: `Gateway overhead (${ctx.stack})`, figures, markdown };
}
