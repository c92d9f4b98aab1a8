import { env } from "cloudflare:workers";
import { expect, vi } from "vitest";
import { SCOPES } from "../../src/auth/scopes";
import { WEBHOOK_EVENT_TYPES } from "../../src/data-plane/schema";
import * as provisioning from "../../src/provisioning/provisioning";
import { api, jsonOf } from "../helpers/api";
import { emulatorSends } from "../helpers/emulator";
import { createMessagingTenant, inboundFrom, type MessagingTenant } from "../helpers/messaging";
import { webhookTarget } from "../../src/webhooks/url-policy";
import { receiverUrl, setDns } from "../helpers/receiver";
import { addKey } from "../helpers/tenant";
import { wabaSql } from "../helpers/waba";
import { authVariant, bodyVariants, contentType, idempotencyKey, pathId, prefer, PRIVATE_HOSTS, queryString } from "./generators";
import {
  assertProperty,
  awaitTerminal,
  buildRequest,
  call,
  contractFor,
  describeRequest,
  expectDocumented,
  expectUnchanged,
  fc,
  fcParams,
  globalSnapshot,
  outboundIds,
  sendCounts,
  snapshot,
  type Answer,
  type FuzzRequest,
  type Keys,
} from "./harness";

// The fuzzing loop shared by the fuzz-*.test.ts files: a seeded tenant (and a foreign one whose ids
// must behave like unknown ones), a request generator per route, and the property every request must
// satisfy.

/** Phones whose 24-hour window is open on every fuzz tenant, so near-valid sends reach Meta. */
export const OPEN_PHONES = ["+919812345678", "+919812345679", "+919900000001"];

export type Seeded = {
  tenant: MessagingTenant;
  /** a campaign scheduled a day ahead (so fuzzing its actions sends nothing) */
  campaigns: string[];
  contacts: string[];
  conversations: string[];
  outbound: string[];
  inbound: string[];
  templates: string[];
  webhooks: string[];
  deliveries: Array<{ endpoint: string; delivery: string }>;
};

export type FuzzContext = {
  t: MessagingTenant;
  own: Seeded;
  foreign: Seeded;
  keys: Keys & { limitedId: string };
  /** phone numbers whose emulator send logs must not move on a rejected send */
  phones: string[];
};

async function seed(tenant: MessagingTenant, opts: { webhook: boolean }): Promise<Seeded> {
  const s: Seeded = { tenant, campaigns: [], contacts: [], conversations: [], outbound: [], inbound: [], templates: [], webhooks: [], deliveries: [] };
  for (const phone of OPEN_PHONES) {
    const r = await inboundFrom(tenant, phone);
    s.inbound.push(r!.messageId);
    s.conversations.push(r!.conversationId);
    s.contacts.push(r!.contactId);
  }
  for (const [i, tags] of [["vip", "delhi"], ["gold"], []].entries()) {
    const res = await api("/v1/contacts", { key: tenant.secret, method: "POST", json: { phone: `+9197000000${10 + i}`, name: `Seed ${i}`, tags, customFields: { tier: String(i) } } });
    expect(res.status).toBe(200);
    s.contacts.push((await jsonOf(res)).id);
  }
  if (opts.webhook) {
    const res = await api("/v1/webhooks", { key: tenant.secret, method: "POST", json: { url: receiverUrl("fuzz").url, events: [...WEBHOOK_EVENT_TYPES] } });
    expect(res.status).toBe(201);
    s.webhooks.push((await jsonOf(res)).id);
  }
  const sent = await api("/v1/messages/text", { key: tenant.secret, method: "POST", json: { to: OPEN_PHONES[0], body: "seed" } });
  expect(sent.status).toBe(200);
  const { wamid } = await jsonOf(sent);
  const [row] = await wabaSql<{ id: string }>(tenant, `SELECT id FROM messages WHERE wamid = ?`, wamid);
  s.outbound.push(row!.id);
  const templates = await wabaSql<{ id: string }>(tenant, `SELECT id FROM templates`);
  s.templates.push(...templates.map((r) => r.id));
  const campaign = await api("/v1/campaigns", {
    key: tenant.secret,
    method: "POST",
    json: { template: "order_shipped_v2", language: "en_US", sendAt: new Date(Date.now() + 86_400_000).toISOString(), recipients: [{ to: "+919812399001", variables: ["a", "b", "c"] }] },
  });
  expect(campaign.status).toBe(201);
  s.campaigns.push((await jsonOf(campaign)).id);
  if (opts.webhook) {
    const endpoint = s.webhooks[0]!;
    // the send's message.sent event: wait until its delivery settles so nothing moves under the fuzzing
    const delivery = await vi.waitFor(
      async () => {
        const [d] = await wabaSql<{ id: string; status: string }>(tenant, `SELECT id, status FROM webhook_deliveries WHERE endpoint_id = ?`, endpoint);
        expect(d?.status).toBe("succeeded");
        return d!.id;
      },
      { timeout: 10_000, interval: 50 },
    );
    s.deliveries.push({ endpoint, delivery });
  }
  return s;
}

/** A scale-plan tenant (its rate limits stay out of the way), seeded; and a foreign tenant, seeded alike. */
export async function createFuzzContext(opts: { webhook?: boolean } = {}): Promise<FuzzContext> {
  await Promise.all(PRIVATE_HOSTS.map(({ name, A, AAAA }) => setDns(name, { A, AAAA })));
  const t = await createMessagingTenant({ plan: "scale" });
  const other = await createMessagingTenant({ plan: "scale" });
  const own = await seed(t, { webhook: opts.webhook ?? false });
  const foreign = await seed(other, { webhook: opts.webhook ?? false });
  const revoked = await addKey(t, [...SCOPES]);
  await provisioning.revokeApiKey(t.db, env, revoked.id);
  const limited = await addKey(t, ["templates:read"]);
  return {
    t,
    own,
    foreign,
    keys: { valid: t.secret, revoked: revoked.secret, limited: limited.secret, limitedId: limited.id },
    phones: [...t.phones.map((p) => p.metaPhoneNumberId), other.defaultPhone],
  };
}

const PRIVATE_NAMES = new Set(PRIVATE_HOSTS.map((h) => h.name));

/** No endpoint of the tenant points where no webhook may: at a URL the policy refuses, or a name that resolves privately. */
export async function expectNoPrivateEndpoint(ctx: FuzzContext, label: string) {
  const results = await wabaSql<{ url: string }>(ctx.t, `SELECT url FROM webhook_endpoints`);
  for (const { url } of results) {
    const target = webhookTarget(url, env.WEBHOOKS_ALLOW_LOOPBACK_HTTP === "true");
    expect(target.kind, `stored a URL the policy refuses, ${url}: ${label}`).not.toBe("refused");
    if (target.kind === "name") expect(PRIVATE_NAMES.has(target.host), `stored ${url}, whose name resolves to a private address: ${label}`).toBe(false);
  }
}

// ---- specs ---------------------------------------------------------------------------------------------------

export type FuzzSpec = {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** as in the route definition: /v1/contacts/{id} */
  path: string;
  audience: "key" | "admin" | "none";
  /** a valid body; the runner also breaks it, replaces it and sends junk */
  body?: (ctx: FuzzContext) => fc.Arbitrary<unknown>;
  /** known query parameters and valid values for them; the runner adds junk */
  query?: (ctx: FuzzContext) => Record<string, fc.Arbitrary<string>>;
  /** path parameters: own ids and foreign ones (the runner adds random and junk ids) */
  params?: (ctx: FuzzContext) => Record<string, { own: fc.Arbitrary<string>; foreign: fc.Arbitrary<string> }>;
  /** a send route: Idempotency-Key and Prefer are fuzzed, accepted sends are followed to their end */
  send?: boolean;
  /** POST /meta/webhook: the signature is fuzzed */
  signed?: boolean;
  /** a 2xx that must have written nothing (POST /v1/contacts answering 200 for an existing phone, …) */
  unchangedOn?: (answer: Answer, req: FuzzRequest) => boolean;
  /** after each request (e.g. delete what a successful create made, to stay under a cap) */
  after?: (ctx: FuzzContext, answer: Answer, req: FuzzRequest) => Promise<void>;
};

const constant = <T>(v: T) => fc.constant(v);

export function requestArbitrary(spec: FuzzSpec, ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const params = spec.params?.(ctx) ?? {};
  const names = Object.keys(params);
  const path = fc
    .tuple(...names.map((n) => pathId(params[n]!.own, params[n]!.foreign)))
    .map((values) => names.reduce((p, n, i) => p.replace(`{${n}}`, values[i]!), spec.path));
  const bodyless = spec.method === "GET";
  return fc
    .record({
      method: constant(spec.method),
      path: names.length ? path : constant(spec.path),
      query: queryString(spec.query?.(ctx) ?? {}),
      auth: spec.audience === "none" ? constant({ variant: "valid" as const, junk: "" }) : authVariant,
      contentType: contentType,
      idempotencyKey: spec.send ? idempotencyKey : fc.oneof({ weight: 9, arbitrary: constant(null) }, { weight: 1, arbitrary: idempotencyKey }),
      prefer: spec.send ? prefer : constant(null),
      body: bodyless ? constant(null) : spec.body ? bodyVariants(spec.body(ctx)) : fc.oneof(constant({ kind: "none" as const }), bodyVariants(constant({}))),
      signature: spec.signed ? fc.oneof({ weight: 6, arbitrary: constant("valid" as const) }, { weight: 1, arbitrary: fc.constantFrom("none" as const, "wrong" as const, "junk" as const) }) : constant(undefined),
    })
    .map((req) => Object.assign(req, { [fc.toStringMethod]: () => describeRequest(req) }) as FuzzRequest);
}

/**
 * The property: the answer is documented; a rejected request (and any GET) wrote nothing and sent
 * nothing; an accepted send ends sent or failed-with-a-reason, reached Meta at most once, and made
 * exactly one message; nothing the key can reach outside its own WABA ever changes.
 */
export async function checkRequest(spec: FuzzSpec, ctx: FuzzContext, req: FuzzRequest): Promise<Answer> {
  const contract = contractFor(spec.method, spec.path);
  const label = describeRequest(req);
  const admin = spec.audience === "admin";
  const [before, foreignBefore, globalBefore] = await Promise.all([snapshot(ctx.t), snapshot(ctx.foreign.tenant), admin ? globalSnapshot() : null]);
  const sendsBefore = spec.send ? await sendCounts(ctx.phones) : null;
  const outBefore = spec.send ? await outboundIds(ctx.t) : null;

  const a = await call(await buildRequest(req, spec.audience, ctx.keys));
  count(spec, a);
  expectDocumented(contract, a, label);

  const replayed = a.headers.get("Idempotent-Replayed") === "true";
  const refusedByMeta = spec.send && a.status >= 400 && a.json?.error?.upstream !== undefined && !replayed;
  const accepted = spec.send && a.status < 300 && !replayed;
  if (accepted || refusedByMeta) {
    const made = (await outboundIds(ctx.t)).filter((id) => !outBefore!.includes(id));
    expect(made, `one send must make exactly one message: ${label}`).toHaveLength(1);
    const row = await awaitTerminal(ctx.t, made[0]!);
    if (a.status === 202) expect(a.json.id, label).toBe(row.id);
    if (a.status === 200) expect(row, label).toMatchObject({ status: "sent", wamid: a.json.wamid });
    if (refusedByMeta) expect(row.status, label).toBe("failed");
    const after = await sendCounts(ctx.phones);
    const delta = after.reduce((n, c, i) => n + c - sendsBefore![i]!, 0);
    expect(delta, `Meta got ${delta} sends for one accepted message: ${label}`).toBe(row.status === "failed" ? 0 : 1);
    if (row.wamid) expect((await emulatorSends(row.meta_phone_number_id)).filter((s) => s.wamid === row.wamid), label).toHaveLength(1);
  } else if (a.status >= 400 || spec.method === "GET" || replayed || spec.unchangedOn?.(a, req)) {
    expectUnchanged(before, await snapshot(ctx.t), `a ${a.status} wrote to the tenant: ${label}`);
    if (admin) expectUnchanged(globalBefore!, await globalSnapshot(), `a ${a.status} wrote provisioning rows: ${label}`);
    if (spec.send) expect(await sendCounts(ctx.phones), `a ${a.status} reached Meta: ${label}`).toEqual(sendsBefore);
  }
  if (!admin) expectUnchanged(foreignBefore, await snapshot(ctx.foreign.tenant), `a request with this tenant's key changed another tenant: ${label}`);
  await spec.after?.(ctx, a, req);
  return a;
}

/** true: the tally also names the first field of each VALIDATION_FAILED (to tune generators). */
const DETAIL = false;
/** Answers seen per route ("POST /v1/contacts" → "200 ×12, 400 VALIDATION_FAILED ×40, …"), printed by each file's afterAll. */
export const tally = new Map<string, Map<string, number>>();

function count(spec: FuzzSpec, a: Answer) {
  const key = `${spec.method} ${spec.path}`;
  const seen = tally.get(key) ?? new Map<string, number>();
  const what = a.status >= 400 ? `${a.status} ${a.json?.error?.code ?? "?"}${DETAIL ? ` ${a.json?.error?.details?.[0]?.field ?? ""}` : ""}` : String(a.status);
  seen.set(what, (seen.get(what) ?? 0) + 1);
  tally.set(key, seen);
}

export function printTally() {
  for (const [route, seen] of tally) {
    console.log(`${route}: ${[...seen].sort((x, y) => y[1] - x[1]).map(([k, n]) => `${k} ×${n}`).join(", ")}`);
  }
}

export async function fuzzRoute(spec: FuzzSpec, ctx: FuzzContext, numRuns: number, extra: fc.Parameters<[FuzzRequest]> = {}) {
  await assertProperty(
    fc.asyncProperty(requestArbitrary(spec, ctx), async (req) => {
      await checkRequest(spec, ctx, req);
    }),
    fcParams(numRuns, extra as fc.Parameters<unknown>) as fc.Parameters<[FuzzRequest]>,
  );
}
