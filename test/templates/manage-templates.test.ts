import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { api, jsonOf } from "../helpers/api";
import { emulatorTemplates, GRAPH_ORIGIN, registerWaba, setTemplateReview, setTemplateStatus } from "../helpers/emulator";
import { createMessagingTenant, type MessagingTenant } from "../helpers/messaging";
import { addKey, createTenant } from "../helpers/tenant";
import { wabaSql } from "../helpers/waba";

// POST /v1/templates, GET/PATCH/DELETE /v1/templates/{template}: Meta's side is the Cloud API emulator,
// whose review is manual here (POST /__emulator/templates/status decides) unless a test sets a delay.

const TO = "+919812345678";

const create = (t: MessagingTenant, json: unknown, key = t.secret) => api("/v1/templates", { key, method: "POST", json });
const get = (t: MessagingTenant, id: string, key = t.secret) => api(`/v1/templates/${id}`, { key });
const patch = (t: MessagingTenant, id: string, json: unknown) => api(`/v1/templates/${id}`, { key: t.secret, method: "PATCH", json });
const remove = (t: MessagingTenant, name: string, query = "") => api(`/v1/templates/${name}${query}`, { key: t.secret, method: "DELETE" });

let seq = 0;
const uniqueName = (base = "shipping_note") => `${base}_${Date.now() % 1_000_000}_${++seq}`;

function draft(over: Record<string, unknown> = {}) {
  return {
    name: uniqueName(),
    language: "en_US",
    category: "utility",
    components: [
      { type: "header", format: "text", text: "Order {{1}}", example: { header_text: ["4827"] } },
      { type: "body", text: "Hi {{1}}! Order #{{2}} ships {{3}}.", example: { body_text: [["Aarav", "4827", "tomorrow"]] } },
      { type: "footer", text: "WBIZ Demo Store" },
      { type: "buttons", buttons: [{ type: "url", text: "Track", url: "https://shop.example/track/{{1}}", example: ["https://shop.example/track/4827"] }, { type: "quick_reply", text: "Stop" }] },
    ],
    ...over,
  };
}

/** A messaging tenant whose Meta review waits for the test to decide. */
async function tenant(): Promise<MessagingTenant> {
  const t = await createMessagingTenant();
  await setTemplateReview(t.metaWabaId, { delayMs: null });
  return t;
}

async function stored(t: MessagingTenant, name: string) {
  return wabaSql<{ id: string; status: string; removed_upstream_at: number | null }>(t, `SELECT id, status, removed_upstream_at FROM templates WHERE name = ?`, name);
}

/** Waits until GET /v1/templates/{id} shows the status (Meta's webhook goes through the queue to the WABA's object). */
async function statusBecomes(t: MessagingTenant, id: string, status: string) {
  return vi.waitFor(
    async () => {
      const body = await jsonOf(await get(t, id));
      expect(body.status).toBe(status);
      return body;
    },
    { timeout: 10_000, interval: 50 },
  );
}

async function errorOf(res: Response, status: number, code: string) {
  const body = await jsonOf(res);
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(body.error.code).toBe(code);
  return body.error;
}

describe("POST /v1/templates", () => {
  it("submits the template to Meta and stores it PENDING in Meta's upper-case shape", async () => {
    const t = await tenant();
    const input = draft();
    const res = await create(t, input);
    expect(res.status).toBe(201);
    expect(res.headers.get("X-RateLimit-Limit")).not.toBeNull();
    const created = await jsonOf(res);
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      name: input.name,
      language: "en_US",
      category: "UTILITY",
      status: "PENDING",
      parameterFormat: "POSITIONAL",
      components: [
        { type: "HEADER", format: "TEXT", text: "Order {{1}}", example: { header_text: ["4827"] } },
        { type: "BODY", text: "Hi {{1}}! Order #{{2}} ships {{3}}.", example: { body_text: [["Aarav", "4827", "tomorrow"]] } },
        { type: "FOOTER", text: "WBIZ Demo Store" },
        { type: "BUTTONS", buttons: [{ type: "URL", text: "Track", url: "https://shop.example/track/{{1}}", example: ["https://shop.example/track/4827"] }, { type: "QUICK_REPLY", text: "Stop" }] },
      ],
      rejectedReason: null,
    });
    expect(await jsonOf(await get(t, created.id))).toEqual(created);
    const listed = await jsonOf(await api("/v1/templates?status=pending", { key: t.secret }));
    expect(listed.data.map((x: { id: string }) => x.id)).toContain(created.id);
    // Meta's side has it, with its id stored as ours' meta_template_id
    const upstream = (await emulatorTemplates(t.metaWabaId)).find((x) => x.name === input.name)!;
    expect(upstream).toMatchObject({ status: "PENDING", category: "UTILITY", components: created.components });
    const [row] = await wabaSql<{ meta_template_id: string }>(t, `SELECT meta_template_id FROM templates WHERE id = ?`, created.id);
    expect(row!.meta_template_id).toBe(upstream.metaId);
  });

  it("PENDING → APPROVED by Meta's webhook, then it sends through POST /v1/messages/template", async () => {
    const t = await tenant();
    const input = draft({ components: [{ type: "BODY", text: "Hi {{1}}! Order #{{2}} ships {{3}}.", example: { body_text: [["Aarav", "4827", "tomorrow"]] } }, { type: "FOOTER", text: "WBIZ Demo Store" }] });
    const created = await jsonOf(await create(t, input));
    const message = { to: TO, template: input.name, language: "en_US", variables: ["Aarav", "4827", "tomorrow"] };
    await errorOf(await api("/v1/messages/template", { key: t.secret, method: "POST", json: message }), 400, "TEMPLATE_NOT_APPROVED");

    await setTemplateStatus({ wabaId: t.metaWabaId, name: input.name, language: "en_US", status: "APPROVED" });
    expect((await statusBecomes(t, created.id, "APPROVED")).rejectedReason).toBeNull();
    const sent = await api("/v1/messages/template", { key: t.secret, method: "POST", json: message });
    expect(sent.status, JSON.stringify(await sent.clone().json())).toBe(200);
    expect((await jsonOf(sent)).wamid).toMatch(/^wamid\./);
  });

  it("Meta's review approves by itself after its delay", async () => {
    const t = await tenant();
    await setTemplateReview(t.metaWabaId, { delayMs: 100 });
    const created = await jsonOf(await create(t, draft()));
    expect(created.status).toBe("PENDING");
    await statusBecomes(t, created.id, "APPROVED");
  });

  it("a rejection carries Meta's reason (rejectedReason), kept by a later sync", async () => {
    const t = await tenant();
    const input = draft();
    await setTemplateReview(t.metaWabaId, { delayMs: 100, rejectNames: [input.name], reason: "TAG_CONTENT_MISMATCH" });
    const created = await jsonOf(await create(t, input));
    const rejected = await statusBecomes(t, created.id, "REJECTED");
    expect(rejected.rejectedReason).toBe("TAG_CONTENT_MISMATCH");
    const sync = await api(`/admin/wabas/${t.waba.id}/templates/sync`, { key: "wbiz-local-admin-token", method: "POST" });
    expect(sync.status).toBe(200);
    expect(await jsonOf(await get(t, created.id))).toMatchObject({ status: "REJECTED", rejectedReason: "TAG_CONTENT_MISMATCH" });
  });

  it("accepts a media header with Meta's upload handle and a named-variable template", async () => {
    const t = await tenant();
    const media = await create(t, draft({ category: "marketing", components: [{ type: "HEADER", format: "IMAGE", example: { header_handle: ["4::aW1hZ2U="] } }, { type: "BODY", text: "New arrivals are in." }] }));
    expect(media.status).toBe(201);
    const named = await create(t, draft({
      parameterFormat: "named",
      components: [{ type: "BODY", text: "Thanks {{first_name}}, order {{order_id}} is packed.", example: { body_text_named_params: [{ param_name: "first_name", example: "Aarav" }, { param_name: "order_id", example: "4827" }] } }],
    }));
    expect(named.status).toBe(201);
    expect((await jsonOf(named)).parameterFormat).toBe("NAMED");
  });

  it("400 VALIDATION_FAILED naming each field Meta's rules refuse; nothing reaches Meta", async () => {
    const t = await tenant();
    const before = (await emulatorTemplates(t.metaWabaId)).length;
    const cases: Array<[unknown, string[]]> = [
      [draft({ name: "Order Shipped" }), ["name"]],
      [draft({ language: "english" }), ["language"]],
      [draft({ category: "promotional" }), ["category"]],
      [draft({ components: [{ type: "HEADER", format: "IMAGE" }, { type: "BODY", text: "Look at this." }] }), ["components.0.example"]],
      [draft({ components: [{ type: "BODY", text: "Hi {{1}}, order {{3}} ok.", example: { body_text: [["a", "b"]] } }] }), ["components.0.text"]],
      [draft({ components: [{ type: "BODY", text: "Hi {{1}}, ok." }] }), ["components.0.example.body_text"]],
      [draft({ components: [{ type: "BODY", text: "Hi." }, { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "x".repeat(26) }] }] }), ["components.1.buttons.0.text"]],
      [draft({ components: [{ type: "FOOTER", text: "Only a footer" }] }), ["components"]],
      [{ ...draft(), extra: true }, ["extra"]],
      [{ name: "x", language: "en_US", category: "utility" }, ["components"]],
    ];
    for (const [input, expected] of cases) {
      const error = await errorOf(await create(t, input), 400, "VALIDATION_FAILED");
      expect(error.details.map((d: { field: string }) => d.field), JSON.stringify(input)).toEqual(expected);
    }
    expect((await emulatorTemplates(t.metaWabaId)).length).toBe(before);
  });

  it("409 ALREADY_EXISTS for a name and language the WABA has; Meta's duplicate refusal too, with nothing stored", async () => {
    const t = await tenant();
    const first = await errorOf(await create(t, draft({ name: "order_shipped_v2" })), 409, "ALREADY_EXISTS");
    expect(first.message).toContain("order_shipped_v2");

    // Meta has a template our mirror does not (not synced yet): Meta's refusal, passed on
    const ghost = uniqueName("ghost");
    const waba = (await jsonOf(await env.META!.fetch(`${GRAPH_ORIGIN}/__emulator/wabas/${t.metaWabaId}`))).waba;
    await registerWaba({ ...waba, templates: [...waba.templates, { name: ghost, language: "en_US", category: "UTILITY", status: "APPROVED", parameterFormat: "POSITIONAL", components: [{ type: "BODY", text: "Boo." }] }] });
    const error = await errorOf(await create(t, draft({ name: ghost })), 409, "ALREADY_EXISTS");
    expect(error.upstream).toMatchObject({ code: 100, subcode: 2388024 });
    expect(await stored(t, ghost)).toEqual([]);
  });

  it("502 META_UPSTREAM_ERROR when Meta refuses our token, and nothing is stored", async () => {
    const t = await tenant();
    await env.META!.fetch(`${GRAPH_ORIGIN}/__emulator/wabas/${t.metaWabaId}`, { method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ accessToken: "EAAGrotated0000" }) });
    const input = draft();
    const error = await errorOf(await create(t, input), 502, "META_UPSTREAM_ERROR");
    expect(error.upstream.code).toBe(190);
    expect(await stored(t, input.name)).toEqual([]);
  });

  it("a test-mode key submits to the sandbox, whose review approves after its default delay", async () => {
    const t = (await createTenant({ mode: "test" })) as unknown as MessagingTenant;
    const res = await create(t, draft());
    expect(res.status).toBe(201);
    const created = await jsonOf(res);
    expect(created.status).toBe("PENDING");
    await statusBecomes(t, created.id, "APPROVED");
  });

  it("403 INSUFFICIENT_SCOPE for a key without templates:write", async () => {
    const t = await tenant();
    const key = await addKey(t, ["templates:read"]);
    await errorOf(await create(t, draft(), key.secret), 403, "INSUFFICIENT_SCOPE");
  });
});

describe("GET /v1/templates/{template}", () => {
  it("another WABA's template id answers 404 exactly like a missing or malformed one", async () => {
    const a = await tenant();
    const b = await tenant();
    const theirs = await jsonOf(await create(b, draft()));
    const foreign = await errorOf(await get(a, theirs.id), 404, "NOT_FOUND");
    const missing = await errorOf(await get(a, "0123456789abcdef01234567"), 404, "NOT_FOUND");
    await errorOf(await get(a, "not-an-id"), 404, "NOT_FOUND");
    expect(foreign.message.replace(theirs.id, "X")).toBe(missing.message.replace("0123456789abcdef01234567", "X"));
    await errorOf(await patch(a, theirs.id, { category: "marketing" }), 404, "NOT_FOUND");
    expect((await get(b, theirs.id)).status).toBe(200);
  });
});

describe("PATCH /v1/templates/{template}", () => {
  async function approved(t: MessagingTenant, over: Record<string, unknown> = {}) {
    const created = await jsonOf(await create(t, draft(over)));
    await setTemplateStatus({ wabaId: t.metaWabaId, name: created.name, language: "en_US", status: "APPROVED" });
    await statusBecomes(t, created.id, "APPROVED");
    return created;
  }
  const newBody = [{ type: "BODY", text: "Hi {{1}}! Order #{{2}} is on its way.", example: { body_text: [["Aarav", "4827"]] } }];

  it("replaces an approved template's components through Meta: the template is PENDING again", async () => {
    const t = await tenant();
    const created = await approved(t);
    const res = await patch(t, created.id, { components: newBody });
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toMatchObject({ id: created.id, status: "PENDING", components: newBody, category: "UTILITY" });
    expect((await emulatorTemplates(t.metaWabaId)).find((x) => x.name === created.name)).toMatchObject({ status: "PENDING", components: newBody });
    // Meta reviews it again: approved once more
    await setTemplateStatus({ wabaId: t.metaWabaId, name: created.name, language: "en_US", status: "APPROVED" });
    await statusBecomes(t, created.id, "APPROVED");
    // a second edit of an approved template within 24 hours: Meta's refusal, in upstream; nothing changed
    const again = await errorOf(await patch(t, created.id, { components: [{ type: "BODY", text: "Order {{1}} shipped today.", example: { body_text: [["4827"]] } }] }), 400, "VALIDATION_FAILED");
    expect(again.upstream).toMatchObject({ code: 100 });
    expect(again.message).toContain("24 hour");
    expect(await jsonOf(await get(t, created.id))).toMatchObject({ status: "APPROVED", components: newBody });
  });

  it("409 INVALID_STATE: a PENDING template, or an approved template's category", async () => {
    const t = await tenant();
    const pending = await jsonOf(await create(t, draft()));
    expect((await errorOf(await patch(t, pending.id, { components: newBody }), 409, "INVALID_STATE")).message).toContain("PENDING");
    const created = await approved(t);
    expect((await errorOf(await patch(t, created.id, { category: "marketing" }), 409, "INVALID_STATE")).message).toContain("category");
  });

  it("a rejected template may change category and components", async () => {
    const t = await tenant();
    const created = await jsonOf(await create(t, draft()));
    await setTemplateStatus({ wabaId: t.metaWabaId, name: created.name, language: "en_US", status: "REJECTED", reason: "INCORRECT_CATEGORY" });
    expect((await statusBecomes(t, created.id, "REJECTED")).rejectedReason).toBe("INCORRECT_CATEGORY");
    const res = await patch(t, created.id, { category: "marketing", components: newBody });
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toMatchObject({ status: "PENDING", category: "MARKETING", rejectedReason: null });
  });

  it("400 VALIDATION_FAILED naming the field; 404 for an unknown id", async () => {
    const t = await tenant();
    const created = await approved(t);
    const error = await errorOf(await patch(t, created.id, { components: [{ type: "BODY", text: "Hi {{1}}, ok." }] }), 400, "VALIDATION_FAILED");
    expect(error.details.map((d: { field: string }) => d.field)).toEqual(["components.0.example.body_text"]);
    await errorOf(await patch(t, created.id, {}), 400, "VALIDATION_FAILED");
    await errorOf(await patch(t, "0123456789abcdef01234567", { components: newBody }), 404, "NOT_FOUND");
  });
});

describe("DELETE /v1/templates/{template}", () => {
  it("deletes every language of a name at Meta: it leaves the list and no longer sends", async () => {
    const t = await tenant();
    const res = await remove(t, "order_shipped_v2");
    expect(res.status).toBe(200);
    const body = await jsonOf(res);
    expect(body.deleted.map((d: { language: string }) => d.language).sort()).toEqual(["en_US", "hi_IN"]);
    const list = await jsonOf(await api("/v1/templates?limit=100", { key: t.secret }));
    expect(list.data.map((x: { name: string }) => x.name)).not.toContain("order_shipped_v2");
    await errorOf(await get(t, body.deleted[0].id), 404, "NOT_FOUND");
    const send = await api("/v1/messages/template", { key: t.secret, method: "POST", json: { to: TO, template: "order_shipped_v2", language: "en_US", variables: ["a", "b", "c"] } });
    await errorOf(send, 404, "TEMPLATE_NOT_FOUND");
    expect((await emulatorTemplates(t.metaWabaId)).filter((x) => x.name === "order_shipped_v2")).toEqual([]);
    await errorOf(await remove(t, "order_shipped_v2"), 404, "TEMPLATE_NOT_FOUND");
  });

  it("?language= deletes one language (Meta's hsm_id); the other stays", async () => {
    const t = await tenant();
    const res = await remove(t, "order_shipped_v2", "?language=hi_IN");
    expect(res.status).toBe(200);
    expect((await jsonOf(res)).deleted).toEqual([{ id: expect.any(String), name: "order_shipped_v2", language: "hi_IN" }]);
    expect((await emulatorTemplates(t.metaWabaId)).filter((x) => x.name === "order_shipped_v2").map((x) => x.language)).toEqual(["en_US"]);
    const sent = await api("/v1/messages/template", { key: t.secret, method: "POST", json: { to: TO, template: "order_shipped_v2", language: "en_US", variables: ["a", "b", "c"] } });
    expect(sent.status).toBe(200);
    await errorOf(await remove(t, "order_shipped_v2", "?language=fr_FR"), 404, "TEMPLATE_NOT_FOUND");
  });

  it("409 INVALID_STATE for a DISABLED template (Meta does not delete those); another WABA's name is 404", async () => {
    const t = await tenant();
    await setTemplateStatus({ wabaId: t.metaWabaId, name: "spring_sale", language: "en_US", status: "DISABLED" });
    await vi.waitFor(async () => expect((await stored(t, "spring_sale"))[0]!.status).toBe("DISABLED"), { timeout: 10_000, interval: 50 });
    await errorOf(await remove(t, "spring_sale"), 409, "INVALID_STATE");
    const other = await tenant();
    const mine = await jsonOf(await create(t, draft()));
    await errorOf(await remove(other, mine.name), 404, "TEMPLATE_NOT_FOUND");
    expect((await get(t, mine.id)).status).toBe(200);
  });
});
