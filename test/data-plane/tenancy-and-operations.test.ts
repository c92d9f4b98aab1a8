import { describe, expect, it, vi } from "vitest";
import { admin, api, jsonOf } from "../helpers/api";
import { doCalls } from "../helpers/lists";
import { createMessagingTenant, inboundFrom, type MessagingTenant } from "../helpers/messaging";
import { receiverUrl } from "../helpers/receiver";
import { storeOf, wabaSql } from "../helpers/waba";

const TO = "+919812345678";

/** A tenant with something behind every kind of id: a contact, a conversation, a sent message, an endpoint with a delivery. */
async function populated(): Promise<MessagingTenant & { ids: Record<string, string> }> {
  const t = await createMessagingTenant();
  await inboundFrom(t, TO);
  const { url } = receiverUrl("tenancy");
  const endpoint = await jsonOf(await api("/v1/webhooks", { key: t.secret, method: "POST", json: { url, events: ["message.sent"] } }));
  const sent = await jsonOf(await api("/v1/messages/text", { key: t.secret, method: "POST", json: { to: TO, body: "hi" }, headers: { Prefer: "respond-async" } }));
  const contact = (await jsonOf(await api("/v1/contacts", { key: t.secret }))).data[0];
  const conversation = (await jsonOf(await api("/v1/conversations", { key: t.secret }))).data[0];
  let delivery: { id: string } | undefined;
  await vi.waitFor(async () => {
    delivery = (await jsonOf(await api(`/v1/webhooks/${endpoint.id}/deliveries`, { key: t.secret }))).data[0];
    expect(delivery).toBeDefined();
  });
  return { ...t, ids: { contact: contact.id, conversation: conversation.id, message: sent.id, endpoint: endpoint.id, delivery: delivery!.id } };
}

describe("tenancy is structural: a key reaches only its own WABA's object", () => {
  it("every id of WABA B answers A's key exactly as a missing id, and B's data is untouched", async () => {
    const a = await createMessagingTenant();
    const b = await populated();
    const missing = "0123456789abcdef01234567";
    const probes: Array<[string, string, unknown?]> = [
      ["GET", `/v1/contacts/${b.ids.contact}`],
      ["PATCH", `/v1/contacts/${b.ids.contact}`, { name: "hijack" }],
      ["GET", `/v1/conversations/${b.ids.conversation}/messages`],
      ["GET", `/v1/messages/${b.ids.message}`],
      ["GET", `/v1/webhooks/${b.ids.endpoint}`],
      ["PATCH", `/v1/webhooks/${b.ids.endpoint}`, { enabled: false }],
      ["POST", `/v1/webhooks/${b.ids.endpoint}/rotate-secret`],
      ["GET", `/v1/webhooks/${b.ids.endpoint}/deliveries`],
      ["POST", `/v1/webhooks/${b.ids.endpoint}/deliveries/${b.ids.delivery}/replay`],
      ["DELETE", `/v1/webhooks/${b.ids.endpoint}`],
    ];
    for (const [method, path, json] of probes) {
      const foreign = await api(path, { key: a.secret, method, ...(json ? { json } : {}) });
      const absent = await api(path.replaceAll(/[0-9a-f]{24}/g, missing), { key: a.secret, method, ...(json ? { json } : {}) });
      expect(foreign.status, `${method} ${path}`).toBe(404);
      const [f, m] = [await jsonOf(foreign), await jsonOf(absent)];
      expect(f.error.code).toBe(m.error.code);
      expect(f.error.message).toBe(m.error.message);
    }
    // lists never show another WABA's rows
    for (const path of ["/v1/contacts", "/v1/conversations", "/v1/webhooks"]) expect((await jsonOf(await api(path, { key: a.secret }))).data).toEqual([]);
    // B is as it was
    expect((await jsonOf(await api(`/v1/contacts/${b.ids.contact}`, { key: b.secret }))).name).not.toBe("hijack");
    expect((await jsonOf(await api(`/v1/webhooks/${b.ids.endpoint}`, { key: b.secret }))).enabled).toBe(true);
    // and A's own object holds nothing of B's
    expect(await wabaSql(a, `SELECT id FROM contacts`)).toEqual([]);
  });
});

describe("cost per request: the key gate and the WABA's object, no D1", () => {
  it("sends, reads and lists of a warm key cost 0 D1 queries and 2 Durable Object calls", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    await api("/v1/messages/text", { key: t.secret, method: "POST", json: { to: TO, body: "warm" }, headers: { Prefer: "respond-async" } });
    const timing = (res: Response) => /d1;[^,]*dur=(\d+)/.exec(res.headers.get("Server-Timing") ?? "")?.[1];
    const requests: Array<[string, { method?: string; json?: unknown; headers?: Record<string, string> }]> = [
      ["/v1/messages/text", { method: "POST", json: { to: TO, body: "async" }, headers: { Prefer: "respond-async" } }],
      ["/v1/messages/template", { method: "POST", json: { to: TO, template: "order_shipped_v2", language: "en_US", variables: ["a", "b", "c"] }, headers: { Prefer: "respond-async" } }],
      ["/v1/contacts", {}],
      ["/v1/conversations", {}],
      ["/v1/templates", {}],
      ["/v1/webhooks", {}],
    ];
    for (const [path, init] of requests) {
      const res = await api(path, { key: t.secret, ...init });
      expect(res.status, path).toBeLessThan(300);
      expect(timing(res), path).toBe("0");
      expect(doCalls(res), path).toBe(2);
    }
    // a send that waits for Meta's answer is still one call to the object: it waits there
    const waited = await api("/v1/messages/text", { key: t.secret, method: "POST", json: { to: TO, body: "wait" } });
    expect(waited.status).toBe(200);
    expect(timing(waited)).toBe("0");
    expect(doCalls(waited)).toBe(2);
  });
});

describe("operations: export and erase a WABA", () => {
  it("waba:export streams every row as JSON lines; waba:erase deletes the object's data and the WABA's control-plane rows", async () => {
    const t = await populated();
    const exported = await admin(`/admin/wabas/${t.waba.id}/export`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get("Content-Type")).toContain("application/x-ndjson");
    const lines = (await exported.text()).trim().split("\n").map((l) => JSON.parse(l) as { table: string; row: Record<string, unknown> });
    const tables = new Set(lines.map((l) => l.table));
    for (const table of ["contacts", "conversations", "messages", "templates", "webhook_endpoints", "webhook_events", "webhook_deliveries"]) expect(tables).toContain(table);
    expect(lines.find((l) => l.table === "contacts")!.row).toMatchObject({ phone: TO });

    const erased = await admin(`/admin/wabas/${t.waba.id}`, { method: "DELETE" });
    expect(erased.status).toBe(200);
    expect(await jsonOf(erased)).toMatchObject({ wabaId: t.waba.id, keysDeleted: 1 });
    expect((await api("/v1/key", { key: t.secret })).status).toBe(401);
    for (const table of ["contacts", "contact_tags", "conversations", "messages", "templates", "webhook_endpoints", "webhook_events", "webhook_deliveries", "meta_alerts"]) {
      expect(await wabaSql(t, `SELECT count(*) AS n FROM ${table}`), table).toEqual([{ n: 0 }]);
    }
    expect((await admin(`/admin/wabas/${t.waba.id}/export`)).status).toBe(404);
    expect((await admin(`/admin/wabas/${t.waba.id}`, { method: "DELETE" })).status).toBe(404);
    expect(await storeOf(t).listAlerts(t.waba.id)).toEqual([]);
  });

  it("import upserts by primary key and refuses unknown tables or columns without writing anything", async () => {
    const t = await createMessagingTenant();
    const row = { id: "0123456789abcdef01234567", phone: "+14155550123", custom_fields: "{}", opted_in: 1, created_at: 1, updated_at: 1 };
    const good = await admin(`/admin/wabas/${t.waba.id}/import`, { method: "POST", body: JSON.stringify({ table: "contacts", row }), headers: { "Content-Type": "application/x-ndjson" } });
    expect(good.status).toBe(200);
    expect(await jsonOf(good)).toMatchObject({ rows: 1, byTable: { contacts: 1 } });
    const bad = [JSON.stringify({ table: "contacts", row: { ...row, id: "0123456789abcdef01234568", phone: "+14155550124" } }), JSON.stringify({ table: "wabas", row: { id: "x" } })].join("\n");
    const refused = await admin(`/admin/wabas/${t.waba.id}/import`, { method: "POST", body: bad, headers: { "Content-Type": "application/x-ndjson" } });
    expect(refused.status).toBe(400);
    expect(await wabaSql(t, `SELECT id FROM contacts`)).toEqual([{ id: row.id }]);
  });
});
