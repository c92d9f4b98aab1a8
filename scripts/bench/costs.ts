// D1 queries and Durable Object calls per request, from Server-Timing (EXPOSE_TIMINGS=true), for every
// kind of route, with a warm key. Each request is made three times; the table shows the highest count.
import { DEMO, mark, table, type BenchContext, type Figure, type SectionResult } from "./context";
import { bearer, expectStatus, jsonBody, serverTiming, timedFetch, type Timed } from "./http";

type Target = { d1?: number; d1Max?: number; durableObject: number; source: string };
type Case = { label: string; expect: number[]; target: Target; note?: string; run: (i: number) => Promise<Timed> };

const REPEAT = 3;

export async function requestCosts(ctx: BenchContext): Promise<SectionResult> {
  const { api } = ctx;
  const key = ctx.demoKeys.scale!;
  const get = (path: string) => () => timedFetch(api + path, { headers: bearer(key) });
  const runId = Date.now().toString(36);

  // ids to read: a contact and a conversation of the demo tenant, a message sent for the purpose, a webhook endpoint
  const aarav = expectStatus(await timedFetch(`${api}/v1/contacts?search=${encodeURIComponent(DEMO.recipient)}&limit=1`, { headers: bearer(key) }), "find the demo contact", 200).json.data[0];
  const conversation = expectStatus(await timedFetch(`${api}/v1/conversations?limit=1`, { headers: bearer(key) }), "a conversation", 200).json.data[0];
  const queued = expectStatus(await timedFetch(`${api}/v1/messages/text`, jsonBody(key, { to: DEMO.recipient, body: "bench: a message to read back" }, { Prefer: "respond-async" })), "async send", 202).json;
  // disabled, on a closed loopback port: nothing is ever delivered to it; deleted at the end
  const hook = expectStatus(
    await timedFetch(`${api}/v1/webhooks`, jsonBody(key, { url: "http://127.0.0.1:9/bench", events: ["message.sent"], description: "bench: deliveries list", enabled: false })),
    "create a webhook endpoint",
    201,
  ).json;

  const LIST: Target = { d1Max: 2, durableObject: 1, source: "issue 4: ≤ 2 D1 per list request" };
  const AUTH_ONLY: Target = { d1: 0, durableObject: 1, source: "issue 2: warm key = 1 DO call, 0 D1" };
  const own = (durableObject: number, why: string): Target => ({ durableObject, source: why });
  const idem = `bench-${runId}`;
  const idemBody = { to: DEMO.recipient, body: `bench idempotent send ${runId}` };
  let phoneSeq = 0;
  const cases: Case[] = [
    { label: "GET /v1/contacts/{malformed id} (auth, then 404 without storage)", expect: [404], target: AUTH_ONLY, run: get("/v1/contacts/bench-probe") },
    { label: "GET /v1/key", expect: [200], target: { d1: 1, durableObject: 1, source: "1 DO call (auth); 1 D1 read of the key's name and WABA, which the cache does not hold" }, run: get("/v1/key") },
    { label: "GET /v1/templates", expect: [200], target: LIST, run: get("/v1/templates") },
    { label: "GET /v1/templates?status=approved&language=en_US", expect: [200], target: LIST, run: get("/v1/templates?status=approved&language=en_US") },
    { label: "GET /v1/contacts", expect: [200], target: LIST, run: get("/v1/contacts") },
    { label: "GET /v1/contacts?tag=vip&optedIn=true", expect: [200], target: LIST, run: get("/v1/contacts?tag=vip&optedIn=true") },
    { label: "GET /v1/contacts?search=Sharma", expect: [200], target: LIST, run: get("/v1/contacts?search=Sharma") },
    { label: "GET /v1/conversations", expect: [200], target: LIST, run: get("/v1/conversations") },
    { label: "GET /v1/conversations?status=open", expect: [200], target: LIST, run: get("/v1/conversations?status=open") },
    { label: "GET /v1/conversations/{id}/messages", expect: [200], target: LIST, run: get(`/v1/conversations/${conversation.id}/messages`) },
    { label: "GET /v1/webhooks", expect: [200], target: LIST, run: get("/v1/webhooks") },
    { label: "GET /v1/webhooks/{id}/deliveries", expect: [200], target: LIST, run: get(`/v1/webhooks/${hook.id}/deliveries`) },
    { label: "GET /v1/contacts/{id}", expect: [200], target: own(1, "1 DO call (auth)"), run: get(`/v1/contacts/${aarav.id}`) },
    {
      label: "POST /v1/contacts (new phone → 200, created)",
      expect: [200],
      target: own(1, "1 DO call (auth)"),
      run: () => timedFetch(`${api}/v1/contacts`, jsonBody(key, { phone: `+9199${String(Date.now() % 1e6).padStart(6, "0")}${String(++phoneSeq).padStart(2, "0")}`, name: "Bench Contact", tags: ["bench"] })),
    },
    { label: "POST /v1/contacts (existing phone → 200)", expect: [200], target: own(1, "1 DO call (auth)"), run: () => timedFetch(`${api}/v1/contacts`, jsonBody(key, { phone: DEMO.recipient })) },
    { label: "PATCH /v1/contacts/{id}", expect: [200], target: own(1, "1 DO call (auth)"), run: () => timedFetch(`${api}/v1/contacts/${aarav.id}`, { ...jsonBody(key, { customFields: { benchRun: runId } }), method: "PATCH" }) },
    {
      label: "POST /v1/messages/text (waits for Meta)",
      expect: [200],
      target: own(2, "2 DO calls: auth + waiting for the relay's outcome"),
      note: "the relay's own D1 work runs in the queue consumer, outside the request",
      run: (i) => timedFetch(`${api}/v1/messages/text`, jsonBody(key, { to: DEMO.recipient, body: `bench sync ${i}` })),
    },
    {
      label: "POST /v1/messages/text, Prefer: respond-async",
      expect: [202],
      target: own(1, "1 DO call (auth)"),
      run: (i) => timedFetch(`${api}/v1/messages/text`, jsonBody(key, { to: DEMO.recipient, body: `bench async ${i}` }, { Prefer: "respond-async" })),
    },
    {
      label: "POST /v1/messages/template (waits for Meta)",
      expect: [200],
      target: own(2, "2 DO calls: auth + waiting for the relay's outcome"),
      run: () => timedFetch(`${api}/v1/messages/template`, jsonBody(key, { to: DEMO.recipient, template: "order_shipped_v2", language: "en_US", variables: ["Aarav", "4827", "tomorrow"] })),
    },
    {
      label: "POST /v1/messages/text + Idempotency-Key (first use)",
      expect: [200],
      target: own(4, "4 DO calls: auth, claim the key, wait for the outcome, store the response"),
      run: (i) => timedFetch(`${api}/v1/messages/text`, jsonBody(key, { ...idemBody, body: `${idemBody.body} ${i}` }, { "Idempotency-Key": `${idem}-${i}` })),
    },
    {
      label: "POST /v1/messages/text + Idempotency-Key (replay)",
      expect: [200],
      target: { d1: 0, durableObject: 2, source: "a replay is answered from the key's DO: auth + claim, 0 D1" },
      run: () => timedFetch(`${api}/v1/messages/text`, jsonBody(key, { ...idemBody, body: `${idemBody.body} 0` }, { "Idempotency-Key": `${idem}-0` })),
    },
    { label: "GET /v1/messages/{id}", expect: [200], target: own(1, "1 DO call (auth)"), run: get(`/v1/messages/${queued.id}`) },
  ];

  // warm the key (and every route) once, uncounted
  await timedFetch(`${api}/v1/key`, { headers: bearer(key) });
  ctx.log(`costs: ${cases.length} request kinds × ${REPEAT}`);
  const measured: Array<{ c: Case; d1: number[]; durableObject: number[] }> = [];
  for (const c of cases) {
    const d1: number[] = [];
    const durableObject: number[] = [];
    for (let i = 0; i < REPEAT; i++) {
      const r = expectStatus(await c.run(i), c.label, ...c.expect);
      const st = serverTiming(r.headers);
      if (!st) throw new Error(`${c.label}: no Server-Timing counts — is EXPOSE_TIMINGS=true?`);
      d1.push(st.d1);
      durableObject.push(st.durableObject);
    }
    measured.push({ c, d1, durableObject });
  }
  expectStatus(await timedFetch(`${api}/v1/webhooks/${hook.id}`, { method: "DELETE", headers: bearer(key) }), "delete the bench webhook", 200, 204);

  const passOf = (m: (typeof measured)[number]) => {
    const d1 = Math.max(...m.d1);
    const durableObject = Math.max(...m.durableObject);
    const t = m.c.target;
    return durableObject === t.durableObject && (t.d1 === undefined || d1 === t.d1) && (t.d1Max === undefined || d1 <= t.d1Max);
  };
  const targetText = (t: Target) => [t.d1 !== undefined ? `${t.d1} D1` : t.d1Max !== undefined ? `≤ ${t.d1Max} D1` : null, `${t.durableObject} DO`].filter(Boolean).join(", ");
  const spread = (xs: number[]) => (Math.min(...xs) === Math.max(...xs) ? String(xs[0]) : `${Math.min(...xs)}–${Math.max(...xs)}`);
  const rows = measured.map((m) => [m.c.label, spread(m.d1), spread(m.durableObject), targetText(m.c.target), m.c.target.source + (m.c.note ? `; ${m.c.note}` : ""), mark(passOf(m))]);

  const lists = measured.filter((m) => m.c.target === LIST);
  const authOnly = measured[0]!;
  const keyRoute = measured[1]!;
  const figures: Figure[] = [
    { name: "Auth hot path, warm key (D1 queries / DO calls)", value: `${Math.max(...authOnly.d1)} D1, ${Math.max(...authOnly.durableObject)} DO`, target: "0 D1, 1 DO", pass: passOf(authOnly) },
    { name: "GET /v1/key, warm key (D1 queries / DO calls)", value: `${Math.max(...keyRoute.d1)} D1, ${Math.max(...keyRoute.durableObject)} DO`, target: "1 D1, 1 DO", pass: passOf(keyRoute) },
    {
      name: `List requests: most D1 queries (${lists.length} list requests)`,
      value: `${Math.max(...lists.flatMap((m) => m.d1))} D1, ${Math.max(...lists.flatMap((m) => m.durableObject))} DO`,
      target: "≤ 2 D1, 1 DO",
      pass: lists.every(passOf),
    },
    {
      name: `Other routes within their DO budget (${measured.length - lists.length - 2} kinds)`,
      value: `${measured.slice(2).filter((m) => m.c.target !== LIST && passOf(m)).length} of ${measured.length - lists.length - 2}`,
      target: "all",
      pass: measured.slice(2).filter((m) => m.c.target !== LIST).every(passOf),
    },
  ];
  const markdown = [
    table(["request", "D1 queries", "DO calls", "target", "why", "result"], rows, ["l", "r", "r", "l", "l", "l"]),
    "",
    table(["figure", "value", "target", "result"], figures.map((f) => [f.name, f.value, f.target, mark(f.pass)])),
    "",
    `**How.** Every request uses the demo scale key after it has been warmed (its Durable Object holds the key record, so authentication reads nothing from D1). Each request kind is made ${REPEAT} times; a range means the count varied. The figures come from the \`Server-Timing\` header the API adds with \`EXPOSE_TIMINGS=true\`: \`d1\` counts D1 statements the request ran (each statement of a batch counts, so a batch of 3 is 3 even though it is one round trip) and \`do\` counts calls to Durable Objects. They cover the request only (a read of the key record by the key's Durable Object, when its cached record is older than 60 s, counts in the request that caused it); the send queue's relay and webhook deliveries happen outside it. Only the issue targets (auth hot path, lists) say anything about D1 for the other routes, so for those the target is the DO budget their design implies, and their D1 counts are recorded for regressions. The webhook endpoint used for the deliveries list is created disabled, pointed at a closed loopback port, and deleted afterwards.`,
  ].join("\n");
  return { id: "costs", title: "D1 queries and Durable Object calls per request", figures, markdown };
}
