import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Scope } from "../../src/auth/scopes";
import { newId } from "../../src/db/ids";
import type { Plan } from "../../src/db/schema";
import type { ErrorCode } from "../../src/errors";
import { SPEC_CODES } from "../../src/messages/outcome";
import * as messageRoutes from "../../src/routes/messages/messages.routes";
import { admin, api, jsonOf } from "../helpers/api";
import { addFault, emulatorSends, emulatorSettings, registerWaba, setTemplateStatus } from "../helpers/emulator";
import { createMessagingTenant, inboundFrom, messageRow, type MessagingTenant } from "../helpers/messaging";
import { documentedErrors, type RouteDefinition } from "../helpers/route-contract";
import { createTenant, metaId } from "../helpers/tenant";
import { schema, storeOf, wabaDb, wabaSql } from "../helpers/waba";

// Issue 3's completeness check: every error code a send route documents (read from its createRoute
// definition) has a concrete request here that provokes exactly that code against the emulator. A
// refused request must leave no trace: no message, contact or conversation written, nothing sent to Meta.
// Codes that Meta itself answers leave one message, `failed` with Meta's code.

const TO = "+919812345678";

const ROUTES = {
  text: messageRoutes.sendText,
  template: messageRoutes.sendTemplate,
  media: messageRoutes.sendMedia,
  interactive: messageRoutes.sendInteractive,
  location: messageRoutes.sendLocation,
} satisfies Record<string, RouteDefinition>;
type RouteName = keyof typeof ROUTES;
const ROUTE_NAMES = Object.keys(ROUTES) as RouteName[];

/** Documented, but only an unexpected fault inside the API answers it: there is no request that should. */
const NOT_PROVOKABLE = new Set<ErrorCode>(["INTERNAL"]);

const VALID: Record<RouteName, Record<string, unknown>> = {
  text: { to: TO, body: "Hi! Your order #4827 has shipped." },
  template: { to: TO, template: "order_shipped_v2", language: "en_US", variables: ["Aarav", "4827", "tomorrow"] },
  media: { to: TO, type: "image", link: "https://cdn.example.com/promo.jpg", caption: "Spring sale starts now!" },
  interactive: { to: TO, kind: "buttons", body: "Did your order arrive in good condition?", buttons: [{ id: "yes", title: "Yes, all good" }, { id: "no", title: "Report an issue" }] },
  location: { to: TO, latitude: 12.9716, longitude: 77.5946, name: "WBIZ HQ", address: "Indiranagar, Bengaluru 560038" },
};

/** Each route's valid body with one detail changed: the same Idempotency-Key with it is a different request. */
const CHANGED: Record<RouteName, Record<string, unknown>> = {
  text: { ...VALID.text, body: "Hi! Your order #4828 has shipped." },
  template: { ...VALID.template, variables: ["Aarav", "4828", "tomorrow"] },
  media: { ...VALID.media, caption: "Summer sale starts now!" },
  interactive: { ...VALID.interactive, body: "Did order #4828 arrive in good condition?" },
  location: { ...VALID.location, name: "WBIZ Annex" },
};

/** A body each route's schema refuses, and the field it names. */
const INVALID: Record<RouteName, [Record<string, unknown>, string]> = {
  text: [{ ...VALID.text, to: "9812345678" }, "to"],
  template: [{ ...VALID.template, language: "english-US" }, "language"],
  media: [{ ...VALID.media, mediaId: "1042817329043512" }, "link"],
  interactive: [{ ...VALID.interactive, buttons: [1, 2, 3, 4].map((i) => ({ id: `b${i}`, title: `Option ${i}` })) }, "buttons"],
  location: [{ ...VALID.location, latitude: 91 }, "latitude"],
};

type Req = { body?: unknown; raw?: string; headers?: Record<string, string> };
type Given = { inFlight?: Promise<Response>; otherPhone?: string };

type Case = {
  route: RouteName;
  code: ErrorCode;
  how: string;
  tenant?: { plan?: Plan; scopes?: Scope[] };
  /** the recipient's 24-hour window: open (wrote a minute ago, the default) or stale (24 h + 1 min ago) */
  window?: "open" | "stale";
  /** state set up before the "before" snapshot: Meta's side, stored templates, earlier requests */
  given?: (t: MessagingTenant) => Promise<Given | void>;
  /** the request under test (default: the route's valid body) */
  request?: (t: MessagingTenant, g: Given) => Req;
  /** the code comes from Meta: its error code, kept on the failed message and under error.upstream */
  meta?: number;
  /** VALIDATION_FAILED / INTERACTIVE_LIMITS: the field `details` must name */
  field?: string;
  /** a header the answer must carry (Retry-After on 429 and 409) */
  header?: [string, RegExp];
};

function send(route: RouteName, t: MessagingTenant, req: Req = { body: VALID[route] }) {
  const init = { method: "POST", key: t.secret, headers: req.headers };
  return req.raw !== undefined ? api(ROUTES[route].path, { ...init, body: req.raw }) : api(ROUTES[route].path, { ...init, json: req.body });
}

/** A template our store has, on Meta's side missing or (with `metaBody`) with a different body. */
async function storeTemplate(t: MessagingTenant, name: string, body: string, metaBody?: string) {
  const now = Date.now();
  const components = [{ type: "BODY", text: body }];
  const metaTemplateId = metaId("9");
  await wabaDb(t, (db) => db.insert(schema.templates).values({
    id: newId(),
    metaTemplateId,
    name,
    language: "en_US",
    category: "UTILITY",
    status: "APPROVED",
    parameterFormat: "POSITIONAL",
    components: JSON.stringify(components),
    createdAt: now,
    updatedAt: now,
  }).run());
  if (metaBody === undefined) return;
  await registerWaba({
    metaWabaId: t.metaWabaId,
    accessToken: t.accessToken,
    phoneNumbers: t.phones.map((p) => ({ metaPhoneNumberId: p.metaPhoneNumberId, displayPhoneNumber: p.displayPhoneNumber })),
    templates: [...t.templates, { metaId: metaTemplateId, name, language: "en_US", category: "UTILITY", status: "APPROVED", parameterFormat: "POSITIONAL", components: [{ type: "BODY", text: metaBody }] }],
  });
}

const metaError = (t: MessagingTenant, code: number, extra: { status?: number; subcode?: number; details?: string } = {}) =>
  addFault({ phoneNumberId: t.defaultPhone, action: "error", code, ...extra });

/** The cases every send route shares: authentication, limits, body handling, phone, idempotency, Meta. */
function sharedCases(route: RouteName): Case[] {
  // idempotency keys are per API key, and every case has its own tenant and key
  const idempotencyKey = `order-4827-${route}`;
  return [
    {
      route,
      code: "INVALID_API_KEY",
      how: "the key was revoked",
      given: async (t) => {
        expect((await admin(`/admin/keys/${t.key.id}/revoke`, { method: "POST" })).status).toBe(200);
      },
    },
    { route, code: "INSUFFICIENT_SCOPE", how: "the key has templates:read only", tenant: { scopes: ["templates:read"] } },
    {
      route,
      code: "RATE_LIMITED",
      how: "a starter-plan key spent its 15-request burst",
      tenant: { plan: "starter" },
      given: async (t) => {
        // windows are aligned to the clock: pin it to the start of one so the flood cannot straddle two
        vi.useFakeTimers({ toFake: ["Date"] });
        vi.setSystemTime(Date.UTC(2030, 0, 1, 12, 0, 0));
        for (let i = 0; i < 15; i++) expect((await api("/v1/key", { key: t.secret })).status).toBe(200);
      },
      header: ["Retry-After", /^10$/],
    },
    { route, code: "PAYLOAD_TOO_LARGE", how: "a body over 64 KiB", request: () => ({ body: { ...VALID[route], padding: "x".repeat(70_000) } }) },
    {
      route,
      code: "UNSUPPORTED_MEDIA_TYPE",
      how: "JSON sent as text/plain",
      request: () => ({ raw: JSON.stringify(VALID[route]), headers: { "Content-Type": "text/plain" } }),
    },
    { route, code: "VALIDATION_FAILED", how: `the schema refuses ${INVALID[route][1]}`, request: () => ({ body: INVALID[route][0] }), field: INVALID[route][1] },
    {
      route,
      code: "PHONE_NOT_FOUND",
      how: "phoneNumberId of another WABA",
      given: async () => ({ otherPhone: (await createTenant()).phones[0]!.metaPhoneNumberId }),
      request: (_, g) => ({ body: { ...VALID[route], phoneNumberId: g.otherPhone } }),
    },
    {
      route,
      code: "IDEMPOTENCY_KEY_IN_USE",
      how: "the same key and body while the first request waits for Meta",
      given: async (t) => {
        await addFault({ phoneNumberId: t.defaultPhone, action: "slow", ms: 800 });
        const inFlight = send(route, t, { body: VALID[route], headers: { "Idempotency-Key": idempotencyKey } });
        // the first request has stored its message and is waiting for the relay
        await vi.waitFor(async () => expect((await outbound(t)).length).toBe(1), { timeout: 5000, interval: 10 });
        return { inFlight };
      },
      request: () => ({ body: VALID[route], headers: { "Idempotency-Key": idempotencyKey } }),
      header: ["Retry-After", /^\d+$/],
    },
    {
      route,
      code: "IDEMPOTENCY_KEY_REUSED",
      how: "the key of a completed send with a different body",
      given: async (t) => {
        expect((await send(route, t, { body: VALID[route], headers: { "Idempotency-Key": idempotencyKey } })).status).toBe(200);
      },
      request: () => ({ body: CHANGED[route], headers: { "Idempotency-Key": idempotencyKey } }),
    },
    {
      route,
      code: "META_UPSTREAM_ERROR",
      how: "Meta refuses with 131026 (undeliverable), a code the reference has none of its own for",
      given: async (t) => {
        await metaError(t, 131026, { status: 400, subcode: 2494010, details: "Recipient is not a WhatsApp user" });
      },
      meta: 131026,
    },
  ];
}

/** OUTSIDE_24H_WINDOW for a free-form route: refused locally, and Meta's 131047 when our record is stale. */
function windowCases(route: RouteName): Case[] {
  return [
    { route, code: "OUTSIDE_24H_WINDOW", how: "the recipient last wrote over 24 hours ago", window: "stale" },
    {
      route,
      code: "OUTSIDE_24H_WINDOW",
      how: "Meta's 131047: Meta finds the window closed",
      given: async (t) => {
        await emulatorSettings(t.metaWabaId, { enforceWindow: true, windowErrorMode: "sync" });
      },
      meta: 131047,
    },
  ];
}

const CASES: Case[] = [
  ...ROUTE_NAMES.flatMap(sharedCases),
  ...windowCases("text"),
  ...windowCases("media"),
  ...windowCases("interactive"),
  ...windowCases("location"),
  {
    route: "media",
    code: "MEDIA_FETCH_FAILED",
    how: "a plain-http link, which Meta never fetches",
    request: () => ({ body: { ...VALID.media, link: "http://cdn.example.com/promo.jpg" } }),
  },
  {
    route: "media",
    code: "MEDIA_FETCH_FAILED",
    how: "Meta's 131053: the link could not be fetched",
    given: async (t) => {
      await metaError(t, 131053, { details: "Media upload error: the link answered HTTP 404" });
    },
    meta: 131053,
  },
  {
    route: "interactive",
    code: "INTERACTIVE_LIMITS",
    how: "a 21-character button title",
    request: () => ({ body: { ...VALID.interactive, buttons: [{ id: "a", title: "x".repeat(21) }] } }),
    field: "buttons.0.title",
  },
  { route: "template", code: "TEMPLATE_NOT_FOUND", how: "a name the WABA has no template of", request: () => ({ body: { ...VALID.template, template: "no_such_template" } }) },
  {
    route: "template",
    code: "TEMPLATE_NOT_FOUND",
    how: "Meta's 132001: our store has a template Meta no longer has",
    given: (t) => storeTemplate(t, "loyalty_points", "You have {{1}} points."),
    request: () => ({ body: { to: TO, template: "loyalty_points", language: "en_US", variables: ["120"] } }),
    meta: 132001,
  },
  {
    route: "template",
    code: "TEMPLATE_LANGUAGE_MISMATCH",
    how: "a language the template does not exist in",
    request: () => ({ body: { ...VALID.template, language: "es" } }),
  },
  {
    route: "template",
    code: "TEMPLATE_NOT_APPROVED",
    how: "a PENDING template",
    request: () => ({ body: { to: TO, template: "payment_reminder", language: "en_US", variables: ["Aarav", "₹499"] } }),
  },
  {
    route: "template",
    code: "TEMPLATE_NOT_APPROVED",
    how: "Meta's 132015: Meta paused the template before our store heard of it",
    given: async (t) => {
      await setTemplateStatus({ wabaId: t.metaWabaId, name: "order_shipped_v2", language: "en_US", status: "PAUSED", webhook: false });
    },
    meta: 132015,
  },
  {
    route: "template",
    code: "TEMPLATE_VARIABLE_COUNT_MISMATCH",
    how: "one value for three placeholders",
    request: () => ({ body: { ...VALID.template, variables: ["Aarav"] } }),
  },
  {
    route: "template",
    code: "TEMPLATE_VARIABLE_COUNT_MISMATCH",
    how: "Meta's 132000: the template's body changed on Meta's side",
    given: (t) => storeTemplate(t, "points_update", "You have {{1}} points.", "Hi {{1}}, you have {{2}} points."),
    request: () => ({ body: { to: TO, template: "points_update", language: "en_US", variables: ["120"] } }),
    meta: 132000,
  },
  {
    route: "template",
    code: "CONTACT_OPTED_OUT",
    how: "a MARKETING template to a contact who sent STOP",
    given: async (t) => {
      await wabaSql(t, "UPDATE contacts SET opted_in = 0 WHERE phone = ?", TO);
    },
    request: () => ({ body: { to: TO, template: "spring_sale", language: "en_US", variables: ["20%"] } }),
  },
  {
    route: "template",
    code: "CONTACT_OPTED_OUT",
    how: "Meta's 131050: the user stopped marketing messages in WhatsApp",
    given: async (t) => {
      await metaError(t, 131050);
    },
    request: () => ({ body: { to: TO, template: "spring_sale", language: "en_US", variables: ["20%"] } }),
    meta: 131050,
  },
];

// ---- what a request left behind --------------------------------------------------------------------

type MessageRow = { id: string; direction: string; status: string; wamid: string | null; error: string | null; attempts: number; updated_at: number };

async function outbound(t: MessagingTenant) {
  return wabaSql<{ id: string }>(t, "SELECT id FROM messages WHERE direction = 'outbound'");
}

async function snapshot(t: MessagingTenant, phones: string[]) {
  // the three reads at one moment, inside the WABA's object
  const [messages, contacts, conversations] = await runInDurableObject(storeOf(t), (_instance, state) =>
    [
      "SELECT id, direction, status, wamid, error, attempts, updated_at FROM messages ORDER BY id",
      "SELECT * FROM contacts ORDER BY id",
      "SELECT * FROM conversations ORDER BY id",
    ].map((query) => state.storage.sql.exec(query).toArray()),
  );
  const sends = (await Promise.all(phones.map((p) => emulatorSends(p)))).flat().map((s) => s.wamid);
  return { messages: messages as MessageRow[], contacts: contacts!, conversations: conversations!, sends };
}
type Snapshot = Awaited<ReturnType<typeof snapshot>>;

function changes(before: Snapshot, after: Snapshot) {
  const earlier = new Map(before.messages.map((m) => [m.id, m]));
  return {
    newRows: after.messages.filter((m) => !earlier.has(m.id)),
    changedRows: after.messages.filter((m) => earlier.has(m.id) && JSON.stringify(earlier.get(m.id)) !== JSON.stringify(m)),
    goneRows: before.messages.filter((m) => !after.messages.some((a) => a.id === m.id)),
    newSends: after.sends.filter((w) => !before.sends.includes(w)),
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("send routes: every documented error code", () => {
  it("the table has a case for every code each send route documents, and none it does not (INTERNAL excepted)", () => {
    // every POST route under /v1/messages is here, so a new send route cannot go unchecked
    const sendRoutes = Object.values(messageRoutes).filter((r) => typeof r === "object" && r !== null && "method" in r && r.method === "post");
    expect(new Set(sendRoutes)).toEqual(new Set(Object.values(ROUTES)));

    const missing: string[] = [];
    const undocumented: string[] = [];
    for (const route of ROUTE_NAMES) {
      const documented = documentedErrors(ROUTES[route]);
      for (const code of NOT_PROVOKABLE) expect(documented.has(code), `${route} documents ${code}`).toBe(true);
      for (const code of documented.keys()) {
        if (!NOT_PROVOKABLE.has(code) && !CASES.some((c) => c.route === route && c.code === code)) missing.push(`${route} ${code}`);
      }
    }
    for (const c of CASES) if (!documentedErrors(ROUTES[c.route]).has(c.code)) undocumented.push(`${c.route} ${c.code}`);
    expect(missing).toEqual([]);
    expect(undocumented).toEqual([]);
  });

  it.each(CASES.map((c) => [`${c.route} ${c.code}: ${c.how}`, c] as const))("%s", async (_, c) => {
    const t = await createMessagingTenant(c.tenant ?? {});
    await inboundFrom(t, TO, c.window === "stale" ? 24 * 60 + 1 : 1);
    const g = (await c.given?.(t)) ?? {};
    const phones = [...t.phones.map((p) => p.metaPhoneNumberId), ...(g.otherPhone ? [g.otherPhone] : [])];
    const before = await snapshot(t, phones);

    const res = await send(c.route, t, c.request?.(t, g));
    vi.useRealTimers();
    expect(res.status).toBe(documentedErrors(ROUTES[c.route]).get(c.code));
    const body = await jsonOf(res);
    expect(body.error).toMatchObject({ code: c.code, message: expect.any(String), requestId: res.headers.get("X-Request-Id") });
    if (c.field) expect(body.error.details.map((d: { field: string }) => d.field)).toContain(c.field);
    if (c.header) expect(res.headers.get(c.header[0])).toMatch(c.header[1]);

    // an earlier request still running (IDEMPOTENCY_KEY_IN_USE) completes on its own: its send is its own
    let earlierWamid: string | undefined;
    if (g.inFlight) {
      const first = await g.inFlight;
      expect(first.status).toBe(200);
      earlierWamid = (await jsonOf(first)).wamid;
    }
    const after = await snapshot(t, phones);
    const diff = changes(before, after);
    expect(diff.goneRows).toEqual([]);
    expect(after.contacts).toEqual(before.contacts);

    if (c.meta === undefined) {
      expect(diff.newRows).toEqual([]);
      expect(diff.changedRows.map((m) => [m.status, m.wamid])).toEqual(earlierWamid ? [["sent", earlierWamid]] : []);
      expect(diff.newSends).toEqual(earlierWamid ? [earlierWamid] : []);
      expect(after.conversations).toEqual(before.conversations);
    } else {
      expect(body.error.upstream).toMatchObject({ code: c.meta });
      expect(diff.newRows).toHaveLength(1);
      expect(diff.newRows[0]).toMatchObject({ direction: "outbound", status: "failed", wamid: null, attempts: 1 });
      expect(JSON.parse(diff.newRows[0]!.error!)).toMatchObject({ source: "meta", code: c.meta });
      expect(diff.changedRows).toEqual([]);
      expect(diff.newSends).toEqual([]);
    }
  });
});

describe("send routes: happy path", () => {
  it.each(ROUTE_NAMES)("%s → 200 with a wamid Meta accepted exactly once", async (route) => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    const before = await snapshot(t, [t.defaultPhone]);
    const res = await send(route, t);
    expect(res.status).toBe(200);
    const body = await jsonOf(res);
    expect(body).toEqual({ wamid: expect.stringMatching(/^wamid\./) });

    const sent = await emulatorSends(t.defaultPhone);
    expect(sent.filter((s) => s.wamid === body.wamid)).toHaveLength(1);
    const diff = changes(before, await snapshot(t, [t.defaultPhone]));
    expect(diff.newSends).toEqual([body.wamid]);
    expect(diff.newRows).toHaveLength(1);
    expect(diff.newRows[0]).toMatchObject({ direction: "outbound", status: "sent", wamid: body.wamid, error: null, attempts: 1 });
  });
});

describe("Meta's error codes on every send route", () => {
  // A Meta code the reference names maps to the reference's code only where the route documents it;
  // anywhere else (131047 on a template send, 132001 on a text send, …) it is a 502 with Meta's code.
  it.each(ROUTE_NAMES)("%s answers only codes it documents", async (route) => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    const documented = documentedErrors(ROUTES[route]);
    const answered: Array<[number, string]> = [];
    const expected: Array<[number, string]> = [];
    for (const [metaCode, specCode] of Object.entries(SPEC_CODES)) {
      await metaError(t, Number(metaCode));
      const res = await send(route, t);
      const body = await jsonOf(res);
      expect(body.error.upstream.code).toBe(Number(metaCode));
      answered.push([Number(metaCode), `${res.status} ${body.error.code}`]);
      const code: ErrorCode = documented.has(specCode) ? specCode : "META_UPSTREAM_ERROR";
      expected.push([Number(metaCode), `${documented.get(code)} ${code}`]);
    }
    expect(answered).toEqual(expected);
    expect(await emulatorSends(t.defaultPhone)).toEqual([]);
  });
});

describe("GET /v1/messages/{id}", () => {
  // 404 for other WABAs' messages, inbound ones, unknown and malformed ids: test/messages/relay.test.ts
  const messageOf = async (t: MessagingTenant) => {
    const rows = await outbound(t);
    expect(rows).toHaveLength(1);
    return messageRow(t, rows[0]!.id);
  };

  it("a sent message: its status, wamid and the MessageStatus shape, nothing more", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    const { wamid } = await jsonOf(await send("text", t));
    const row = (await messageOf(t))!;
    const res = await api(`/v1/messages/${row.id}`, { key: t.secret });
    expect(res.status).toBe(200);
    const body = await jsonOf(res);
    expect(body).toEqual({
      id: row.id,
      wamid,
      status: "sent",
      kind: "text",
      to: TO,
      userId: null,
      phoneNumberId: t.defaultPhone,
      body: VALID.text.body,
      error: null,
      createdAt: new Date(row.createdAt).toISOString(),
      updatedAt: new Date(row.updatedAt).toISOString(),
    });
    expect(messageRoutes.MessageStatusSchema.strict().safeParse(body).success).toBe(true);
  });

  it("a message Meta refused: failed, no wamid, Meta's error", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    await metaError(t, 131026, { status: 400, subcode: 2494010, details: "Recipient is not a WhatsApp user" });
    expect((await send("location", t)).status).toBe(502);
    const row = (await messageOf(t))!;
    const body = await jsonOf(await api(`/v1/messages/${row.id}`, { key: t.secret }));
    expect(body).toMatchObject({ id: row.id, wamid: null, status: "failed", kind: "location", body: "WBIZ HQ, Indiranagar, Bengaluru 560038" });
    expect(body.error).toEqual({ source: "meta", code: 131026, subcode: 2494010, message: expect.stringContaining("131026"), details: "Recipient is not a WhatsApp user", fbtraceId: expect.any(String) });
    expect(messageRoutes.MessageStatusSchema.strict().safeParse(body).success).toBe(true);
  });
});
