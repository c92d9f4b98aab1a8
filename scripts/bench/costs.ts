// D1 queries and Durable Object calls per request, for every kind of /v1 route, with a warm key: the
// product's own Server-Timing (`d1;…dur=N, do;…dur=M`, EXPOSE_TIMINGS=true), and — on the counting stack
// (object-costs.ts) — the same calls split by class (KeyGate / WabaStore) from the bench's X-Bench-Calls.
// Each request is made three times; the table shows the highest count.
import { DEMO, mark, table, type BenchContext, type Figure, type SectionResult } from "./context";
import { bearer, expectStatus, jsonBody, serverTiming, timedFetch, type Timed } from "./http";

/** Issue 11's budget: 0 D1; 1 KeyGate call + 1 WABA-object call (a send that waits for Meta may add one). */
type Target = { d1: number; keyGate: number; wabaStore: number; why: string };
type Case = { label: string; kind: string; expect: number[]; target: Target; run: (i: number) => Promise<Timed> };
export type Split = { d1: number; KeyGate: Record<string, number>; WabaStore: Record<string, number> };
type Measured = { c: Case; d1: number; durableObject: number; keyGate: number | null; wabaStore: number | null; methods: string };

const REPEAT = 3;
const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

export function splitOf(headers: Headers): Split | null {
  const h = headers.get("X-Bench-Calls");
  return h ? (JSON.parse(h) as Split) : null;
}

export async function requestCosts(ctx: BenchContext): Promise<{ section: SectionResult; rows: Measured[] }> {
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

  const API: Target = { d1: 0, keyGate: 1, wabaStore: 1, why: "issue 11: 1 KeyGate + 1 WABA-object call, 0 D1" };
  const WAITS: Target = { d1: 0, keyGate: 1, wabaStore: 2, why: "issue 11: a send that waits for Meta may add one call (it waits inside its one WabaStore call)" };
  const idem = `bench-${runId}`;
  const idemBody = { to: DEMO.recipient, body: `bench idempotent send ${runId}` };
  let phoneSeq = 0;
  const cases: Case[] = [
    { label: "GET /v1/contacts/{malformed id} (auth only, 404 without storage)", kind: "read", expect: [404], target: { d1: 0, keyGate: 1, wabaStore: 0, why: "the auth hot path: 1 KeyGate call" }, run: get("/v1/contacts/bench-probe") },
    { label: "GET /v1/key", kind: "read", expect: [200], target: API, run: get("/v1/key") },
    { label: "GET /v1/templates", kind: "list", expect: [200], target: API, run: get("/v1/templates") },
    { label: "GET /v1/templates?status=approved&language=en_US", kind: "list", expect: [200], target: API, run: get("/v1/templates?status=approved&language=en_US") },
    { label: "GET /v1/contacts", kind: "list", expect: [200], target: API, run: get("/v1/contacts") },
    { label: "GET /v1/contacts?tag=vip&optedIn=true", kind: "list", expect: [200], target: API, run: get("/v1/contacts?tag=vip&optedIn=true") },
    { label: "GET /v1/contacts?search=Sharma", kind: "list", expect: [200], target: API, run: get("/v1/contacts?search=Sharma") },
    { label: "GET /v1/conversations", kind: "list", expect: [200], target: API, run: get("/v1/conversations") },
    { label: "GET /v1/conversations?status=open", kind: "list", expect: [200], target: API, run: get("/v1/conversations?status=open") },
    { label: "GET /v1/conversations/{id}/messages", kind: "list", expect: [200], target: API, run: get(`/v1/conversations/${conversation.id}/messages`) },
    { label: "GET /v1/webhooks", kind: "list", expect: [200], target: API, run: get("/v1/webhooks") },
    { label: "GET /v1/webhooks/{id}/deliveries", kind: "list", expect: [200], target: API, run: get(`/v1/webhooks/${hook.id}/deliveries`) },
    { label: "GET /v1/contacts/{id}", kind: "read", expect: [200], target: API, run: get(`/v1/contacts/${aarav.id}`) },
    { label: "GET /v1/webhooks/{id}", kind: "read", expect: [200], target: API, run: get(`/v1/webhooks/${hook.id}`) },
    { label: "GET /v1/messages/{id}", kind: "read", expect: [200], target: API, run: get(`/v1/messages/${queued.id}`) },
    {
      label: "POST /v1/contacts (new phone → 200, created)",
      kind: "write",
      expect: [200],
      target: API,
      run: () => timedFetch(`${api}/v1/contacts`, jsonBody(key, { phone: `+9199${String(Date.now() % 1e6).padStart(6, "0")}${String(++phoneSeq).padStart(2, "0")}`, name: "Bench Contact", tags: ["bench"] })),
    },
    { label: "POST /v1/contacts (existing phone → 200)", kind: "write", expect: [200], target: API, run: () => timedFetch(`${api}/v1/contacts`, jsonBody(key, { phone: DEMO.recipient })) },
    { label: "PATCH /v1/contacts/{id}", kind: "write", expect: [200], target: API, run: () => timedFetch(`${api}/v1/contacts/${aarav.id}`, { ...jsonBody(key, { customFields: { benchRun: runId } }), method: "PATCH" }) },
    { label: "PATCH /v1/webhooks/{id}", kind: "write", expect: [200], target: API, run: (i) => timedFetch(`${api}/v1/webhooks/${hook.id}`, { ...jsonBody(key, { description: `bench ${i}` }), method: "PATCH" }) },
    { label: "POST /v1/webhooks/{id}/rotate-secret", kind: "write", expect: [200], target: API, run: () => timedFetch(`${api}/v1/webhooks/${hook.id}/rotate-secret`, { method: "POST", headers: bearer(key) }) },
    { label: "POST /v1/messages/text (waits for Meta)", kind: "send", expect: [200], target: WAITS, run: (i) => timedFetch(`${api}/v1/messages/text`, jsonBody(key, { to: DEMO.recipient, body: `bench sync ${i}` })) },
    {
      label: "POST /v1/messages/text, Prefer: respond-async",
      kind: "send",
      expect: [202],
      target: API,
      run: (i) => timedFetch(`${api}/v1/messages/text`, jsonBody(key, { to: DEMO.recipient, body: `bench async ${i}` }, { Prefer: "respond-async" })),
    },
    {
      label: "POST /v1/messages/template (waits for Meta)",
      kind: "send",
      expect: [200],
      target: WAITS,
      run: () => timedFetch(`${api}/v1/messages/template`, jsonBody(key, { to: DEMO.recipient, template: "order_shipped_v2", language: "en_US", variables: ["Aarav", "4827", "tomorrow"] })),
    },
    {
      label: "POST /v1/messages/text + Idempotency-Key (first use)",
      kind: "send",
      expect: [200],
      target: WAITS,
      run: (i) => timedFetch(`${api}/v1/messages/text`, jsonBody(key, { ...idemBody, body: `${idemBody.body} ${i}` }, { "Idempotency-Key": `${idem}-${i}` })),
    },
    {
      label: "POST /v1/messages/text + Idempotency-Key (replay)",
      kind: "send",
      expect: [200],
      target: API,
      run: () => timedFetch(`${api}/v1/messages/text`, jsonBody(key, { ...idemBody, body: `${idemBody.body} 0` }, { "Idempotency-Key": `${idem}-0` })),
    },
  ];

  // warm the key (and every route) once, uncounted
  await timedFetch(`${api}/v1/key`, { headers: bearer(key) });
  ctx.log(`[${ctx.stack}] costs: ${cases.length} request kinds × ${REPEAT}`);
  const measured: Measured[] = [];
  for (const c of cases) {
    const m: Measured = { c, d1: 0, durableObject: 0, keyGate: null, wabaStore: null, methods: "" };
    for (let i = 0; i < REPEAT; i++) {
      const r = expectStatus(await c.run(i), c.label, ...c.expect);
      const st = serverTiming(r.headers);
      if (!st) throw new Error(`${c.label}: no Server-Timing counts — is EXPOSE_TIMINGS=true?`);
      m.d1 = Math.max(m.d1, st.d1);
      m.durableObject = Math.max(m.durableObject, st.durableObject);
      const split = splitOf(r.headers);
      if (split) {
        m.keyGate = Math.max(m.keyGate ?? 0, sum(split.KeyGate));
        m.wabaStore = Math.max(m.wabaStore ?? 0, sum(split.WabaStore));
        m.methods = [...Object.entries(split.KeyGate).map(([k, n]) => `KeyGate.${k}${n > 1 ? ` ×${n}` : ""}`), ...Object.entries(split.WabaStore).map(([k, n]) => `WabaStore.${k}${n > 1 ? ` ×${n}` : ""}`)].join(", ");
      }
    }
    measured.push(m);
  }
  expectStatus(await timedFetch(`${api}/v1/webhooks/${hook.id}`, { method: "DELETE", headers: bearer(key) }), "delete the bench webhook", 200, 204);

  const passOf = (m: Measured) => {
    const t = m.c.target;
    if (m.d1 !== t.d1) return false;
    if (m.keyGate !== null && m.wabaStore !== null) return m.keyGate === t.keyGate && m.wabaStore <= t.wabaStore;
    return m.durableObject <= t.keyGate + t.wabaStore;
  };
  const targetText = (t: Target) => `${t.d1} D1; ${t.keyGate} KeyGate + ${t.wabaStore === 2 ? "≤ 2" : t.wabaStore} WabaStore`;
  const rows = measured.map((m) => [
    m.c.label,
    m.d1,
    m.durableObject,
    m.keyGate === null ? "—" : `${m.keyGate} + ${m.wabaStore}`,
    m.methods || "—",
    targetText(m.c.target),
    mark(passOf(m)),
  ]);
  const group = (kind: string) => measured.filter((m) => m.c.kind === kind);
  const figure = (kind: string, name: string): Figure => {
    const ms = group(kind);
    const failing = ms.filter((m) => !passOf(m));
    return {
      name: `${name}: D1 queries and KeyGate + WabaStore calls (${ms.length} request kinds, warm key)`,
      value: failing.length
        ? `${ms.length - failing.length} of ${ms.length} within budget; over: ${failing.map((m) => `${m.c.label} (${m.d1} D1, ${m.keyGate ?? "?"} + ${m.wabaStore ?? "?"})`).join("; ")}`
        : `all ${ms.length}: ${Math.max(...ms.map((m) => m.d1))} D1, ${[...new Set(ms.map((m) => (m.keyGate === null ? `${m.durableObject} DO` : `${m.keyGate} + ${m.wabaStore}`)))].join(" or ")}`,
      target: "0 D1; 1 KeyGate + 1 WabaStore (a send that waits for Meta: + 1)",
      pass: failing.length === 0,
    };
  };
  const figures: Figure[] = [figure("send", "Send paths"), figure("read", "Read paths"), figure("list", "List paths"), figure("write", "Other writes (contacts, webhooks)")];
  const markdown = [
    table(["request", "D1 queries", "DO calls", "KeyGate + WabaStore", "calls", "target", "result"], rows, ["l", "r", "r", "r", "l", "l", "l"]),
    "",
    table(["figure", "value", "target", "result"], figures.map((f) => [f.name, f.value, f.target, mark(f.pass)])),
    "",
    `**How.** On the ${ctx.stack} stack, every request with the demo scale key after it has been warmed (its KeyGate holds the key record, so authentication reads nothing from D1), each kind ${REPEAT} times (the highest count is shown). *D1 queries* and *DO calls* are the product's own \`Server-Timing\` (\`EXPOSE_TIMINGS=true\`): \`d1\` counts D1 statements the request ran, \`do\` its Durable Object calls. *KeyGate + WabaStore* and *calls* split the same calls by class and method: the bench's counting shell (scripts/bench/instrumented-entry.js) wraps the env the Worker gets and reports what each request called in \`X-Bench-Calls\`; the two agree on every row. A WABA object's own D1 read of its control record (once a minute at most) would count in the request that caused it. The webhook endpoint used for the reads is created disabled, pointed at a closed loopback port, and deleted afterwards. The queue consumers (relay, Meta's statuses and inbound messages, webhook deliveries) run outside any request: their calls are in "Per-object cost".`,
  ].join("\n");
  return { section: { id: "costs", title: "D1 queries and Durable Object calls per request", figures, markdown }, rows: measured };
}
