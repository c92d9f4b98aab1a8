import { and, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { api, jsonOf } from "../helpers/api";
import { emulateInbound, setTemplateStatus } from "../helpers/emulator";
import { createMessagingTenant, inboundFrom, messageByWamid, messageRow, type MessagingTenant } from "../helpers/messaging";
import { messagesChange, metaSignature, postMetaWebhook, statusItem } from "../helpers/meta-webhook";
import { schema, storeOf, wabaDb, wabaSql } from "../helpers/waba";

const TO = "+919812345678";

async function sentMessage(t: MessagingTenant) {
  await inboundFrom(t, TO);
  const res = await api("/v1/messages/text", { key: t.secret, method: "POST", json: { to: TO, body: "hello" } });
  expect(res.status).toBe(200);
  const { wamid } = await jsonOf(res);
  const row = await messageByWamid(t, wamid);
  return row!;
}

const contactByPhone = (t: MessagingTenant, phone: string) => wabaDb(t, (db) => db.select().from(schema.contacts).where(eq(schema.contacts.phone, phone)).get());
const conversationOf = (t: MessagingTenant, where: { id: string } | { contactId: string }) =>
  wabaDb(t, (db) =>
    db.select().from(schema.conversations).where("id" in where ? eq(schema.conversations.id, where.id) : eq(schema.conversations.contactId, where.contactId)).get(),
  );
const pendingCount = async (t: MessagingTenant, wamid: string) => (await wabaSql<{ n: number }>(t, "SELECT COUNT(*) AS n FROM pending_statuses WHERE wamid = ?", wamid))[0]?.n;

describe("GET /meta/webhook (verification)", () => {
  it("echoes hub.challenge when the verify token matches", async () => {
    const res = await api("/meta/webhook?hub.mode=subscribe&hub.verify_token=demo-meta-verify-token-local-only&hub.challenge=1158201444");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("1158201444");
  });

  it.each([
    "hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1",
    "hub.mode=unsubscribe&hub.verify_token=demo-meta-verify-token-local-only&hub.challenge=1",
    "hub.challenge=1",
  ])("403 for %s", async (qs) => {
    const res = await api(`/meta/webhook?${qs}`);
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain("1158201444");
  });
});

describe("POST /meta/webhook (signature)", () => {
  it.each([
    ["unsigned", null],
    ["forged", `sha256=${"0".repeat(64)}`],
    ["malformed header", "md5=abc"],
    ["signed with another secret", "sha256=" + "ab".repeat(32)],
  ])("401 INVALID_SIGNATURE when %s, and nothing is applied", async (_name, signature) => {
    const t = await createMessagingTenant();
    const m = await sentMessage(t);
    const res = await postMetaWebhook(messagesChange(t.metaWabaId, t.defaultPhone, { statuses: [statusItem(m.wamid!, "read")] }), { signature });
    expect(res.status).toBe(401);
    expect((await jsonOf(res)).error.code).toBe("INVALID_SIGNATURE");
    // a valid webhook posted afterwards is processed, so had the forged one been queued it would have been too
    await postMetaWebhook(messagesChange(t.metaWabaId, t.defaultPhone, { statuses: [statusItem(m.wamid!, "delivered")] }));
    await vi.waitFor(async () => expect((await messageRow(t, m.id))?.status).toBe("delivered"));
  });

  it("a body changed after signing is refused", async () => {
    const t = await createMessagingTenant();
    const m = await sentMessage(t);
    const good = JSON.stringify(messagesChange(t.metaWabaId, t.defaultPhone, { statuses: [statusItem(m.wamid!, "delivered")] }));
    const res = await postMetaWebhook(null, { raw: good.replace("delivered", "read"), signature: await metaSignature(good) });
    expect(res.status).toBe(401);
    expect((await messageRow(t, m.id))?.status).toBe("sent");
  });

  it("400 for a signed body that is not JSON or not an envelope; nothing written", async () => {
    expect((await postMetaWebhook(null, { raw: "{not json" })).status).toBe(400);
    expect((await postMetaWebhook({ object: "whatsapp_business_account", entry: "nope" })).status).toBe(400);
  });

  it("other objects are acknowledged and ignored", async () => {
    const res = await postMetaWebhook({ object: "page", entry: [] });
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toEqual({ received: 0 });
  });
});

describe("Meta statuses", () => {
  it("move a message forward only, and a duplicate or late status changes nothing", async () => {
    const t = await createMessagingTenant();
    const m = await sentMessage(t);
    const post = (status: string) => postMetaWebhook(messagesChange(t.metaWabaId, t.defaultPhone, { statuses: [statusItem(m.wamid!, status)] }));
    await post("read");
    await vi.waitFor(async () => expect((await messageRow(t, m.id))?.status).toBe("read"));
    const seq = (await messageRow(t, m.id))!.eventSeq;
    await post("delivered");
    await post("read");
    await post("failed");
    // a marker webhook processed after them proves they were processed too
    const other = await sentMessage(t);
    await postMetaWebhook(messagesChange(t.metaWabaId, t.defaultPhone, { statuses: [statusItem(other.wamid!, "delivered")] }));
    await vi.waitFor(async () => expect((await messageRow(t, other.id))?.status).toBe("delivered"));
    expect(await messageRow(t, m.id)).toMatchObject({ status: "read", eventSeq: seq });
  });

  it("failed is terminal and keeps Meta's error", async () => {
    const t = await createMessagingTenant();
    const m = await sentMessage(t);
    const errors = [{ code: 131026, title: "Message undeliverable", message: "Message undeliverable", error_data: { details: "Recipient is not a WhatsApp user" } }];
    await postMetaWebhook(messagesChange(t.metaWabaId, t.defaultPhone, { statuses: [statusItem(m.wamid!, "failed", { errors })] }));
    await vi.waitFor(async () => expect((await messageRow(t, m.id))?.status).toBe("failed"));
    expect(JSON.parse((await messageRow(t, m.id))!.error!)).toMatchObject({ source: "meta", code: 131026, details: "Recipient is not a WhatsApp user" });
    await postMetaWebhook(messagesChange(t.metaWabaId, t.defaultPhone, { statuses: [statusItem(m.wamid!, "delivered")] }));
    const res = await api(`/v1/messages/${m.id}`, { key: t.secret });
    expect((await jsonOf(res)).status).toBe("failed");
  });

  it("a status that arrives before the send stored its wamid is applied once it is", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    const res = await api("/v1/messages/text", { key: t.secret, method: "POST", json: { to: TO, body: "x" }, headers: { Prefer: "respond-async" } });
    const { id } = await jsonOf(res);
    await vi.waitFor(async () => expect((await messageRow(t, id))?.status).toBe("sent"));
    // as if Meta's webhooks for a second send raced ahead of the relay's write
    await wabaSql(t, "UPDATE messages SET wamid = NULL, status = 'sending' WHERE id = ?", id);
    const wamid = `wamid.early-${id}`;
    await postMetaWebhook(messagesChange(t.metaWabaId, t.defaultPhone, { statuses: [statusItem(wamid, "delivered"), statusItem(wamid, "read")] }));
    await vi.waitFor(async () => expect(await pendingCount(t, wamid)).toBe(2));
    expect((await messageRow(t, id))?.status).toBe("sending");
    // the relay's answer arrives: Meta accepted it with this wamid
    await storeOf(t).completeSends(t.waba.id, [{ messageId: id, result: { kind: "accepted", wamid, held: false } }]);
    expect(await messageRow(t, id)).toMatchObject({ wamid, status: "read" });
    expect(await pendingCount(t, wamid)).toBe(0);
  });

  it("biz_opaque_callback_data links a status to a send whose wamid write was lost", async () => {
    const t = await createMessagingTenant();
    const m = await sentMessage(t);
    await wabaSql(t, "UPDATE messages SET wamid = NULL, status = 'sending' WHERE id = ?", m.id);
    await postMetaWebhook(messagesChange(t.metaWabaId, t.defaultPhone, { statuses: [statusItem("wamid.linked-" + m.id, "delivered", { biz_opaque_callback_data: m.id })] }));
    await vi.waitFor(async () => expect(await messageRow(t, m.id)).toMatchObject({ wamid: "wamid.linked-" + m.id, status: "delivered" }));
  });
});

describe("inbound messages", () => {
  it("create the contact and conversation, count unread, open the window, and store each once", async () => {
    const t = await createMessagingTenant();
    const from = "919812300001";
    const { wamid } = await emulateInbound({ phoneNumberId: t.defaultPhone, from, name: "Aarav Sharma", type: "text", text: { body: "Has my order shipped?" } });
    await vi.waitFor(async () => expect(await messageByWamid(t, wamid)).toBeTruthy());
    const contact = await contactByPhone(t, `+${from}`);
    expect(contact).toMatchObject({ name: "Aarav Sharma", optedIn: true });
    expect(Date.now() - contact!.lastInboundAt!).toBeLessThan(60_000);
    const conversation = await conversationOf(t, { contactId: contact!.id });
    expect(conversation).toMatchObject({ status: "open", unreadCount: 1 });
    // the window is open: a free-form reply goes out
    expect((await api("/v1/messages/text", { key: t.secret, method: "POST", json: { to: `+${from}`, body: "Yes, today!" } })).status).toBe(200);

    // Meta delivers again: nothing changes
    const raw = await messageByWamid(t, wamid);
    await postMetaWebhook(messagesChange(t.metaWabaId, t.defaultPhone, { contacts: [{ profile: { name: "Aarav Sharma" }, wa_id: from }], messages: [JSON.parse(raw!.payload)] }));
    await emulateInbound({ phoneNumberId: t.defaultPhone, from: "919812300002", type: "text", text: { body: "marker" } });
    await vi.waitFor(async () => expect(await contactByPhone(t, "+919812300002")).toBeTruthy());
    const inbound = await wabaDb(t, (db) => db.select().from(schema.messages).where(and(eq(schema.messages.contactId, contact!.id), eq(schema.messages.direction, "inbound"))).all());
    expect(inbound).toHaveLength(1);
    expect((await conversationOf(t, { contactId: contact!.id }))?.unreadCount).toBe(1);
  });

  it("reopen a closed conversation", async () => {
    const t = await createMessagingTenant();
    const first = await inboundFrom(t, TO);
    await wabaSql(t, "UPDATE conversations SET status = 'closed', unread_count = 0 WHERE id = ?", first!.conversationId);
    const { wamid } = await emulateInbound({ phoneNumberId: t.defaultPhone, from: "919812345678", type: "text", text: { body: "me again" } });
    await vi.waitFor(async () => expect(await messageByWamid(t, wamid)).toBeTruthy());
    expect(await conversationOf(t, { id: first!.conversationId })).toMatchObject({ status: "open", unreadCount: 1 });
  });

  it.each([
    [{ type: "image", image: { id: "111", mime_type: "image/jpeg", sha256: "x", caption: "my receipt" } }, "image", "my receipt"],
    [{ type: "document", document: { id: "112", mime_type: "application/pdf", sha256: "x", filename: "invoice.pdf" } }, "document", "invoice.pdf"],
    [{ type: "interactive", interactive: { type: "button_reply", button_reply: { id: "yes", title: "Yes, all good" } } }, "interactive", "Yes, all good"],
    [{ type: "interactive", interactive: { type: "list_reply", list_reply: { id: "m9", title: "9am", description: "Fast" } } }, "interactive", "9am"],
    [{ type: "button", button: { payload: "STOP_123", text: "Unsubscribe" } }, "button", "Unsubscribe"],
    [{ type: "location", location: { latitude: 12.97, longitude: 77.59, name: "Home", address: "Indiranagar" } }, "location", "Home, Indiranagar"],
    [{ type: "reaction", reaction: { message_id: "wamid.x", emoji: "👍" } }, "reaction", "👍"],
    [{ type: "hologram", hologram: { shape: "cube" } }, "hologram", null],
  ])("store %j as kind %s with body %s, keeping the raw payload", async (message, kind, body) => {
    const t = await createMessagingTenant();
    const id = `wamid.in-${crypto.randomUUID()}`;
    const full = { from: "919812300009", id, timestamp: String(Math.floor(Date.now() / 1000)), ...message };
    expect((await postMetaWebhook(messagesChange(t.metaWabaId, t.defaultPhone, { messages: [full] }))).status).toBe(200);
    await vi.waitFor(async () => expect(await messageByWamid(t, id)).toBeTruthy());
    const row = await messageByWamid(t, id);
    expect(row).toMatchObject({ kind, body, direction: "inbound", status: "delivered" });
    expect(JSON.parse(row!.payload)).toEqual(full);
  });
});

describe("opt-out", () => {
  const inboundText = async (t: MessagingTenant, text: string) => {
    const { wamid } = await emulateInbound({ phoneNumberId: t.defaultPhone, from: "919812345678", type: "text", text: { body: text } });
    await vi.waitFor(async () => expect(await messageByWamid(t, wamid)).toBeTruthy());
  };
  const optedIn = async (t: MessagingTenant) => (await contactByPhone(t, TO))?.optedIn;
  const marketing = (t: MessagingTenant) => api("/v1/messages/template", { key: t.secret, method: "POST", json: { to: TO, template: "spring_sale", language: "en_US", variables: ["20%"] } });

  it("STOP (any case, whole message) opts out and marketing templates are refused; START opts back in", async () => {
    const t = await createMessagingTenant();
    await inboundText(t, "  stop ");
    expect(await optedIn(t)).toBe(false);
    const refused = await marketing(t);
    expect(refused.status).toBe(400);
    expect((await jsonOf(refused)).error.code).toBe("CONTACT_OPTED_OUT");
    await inboundText(t, "START");
    expect(await optedIn(t)).toBe(true);
    expect((await marketing(t)).status).toBe(200);
    await inboundText(t, "Unsubscribe");
    expect(await optedIn(t)).toBe(false);
  });

  it("STOP inside a sentence is just a message", async () => {
    const t = await createMessagingTenant();
    await inboundText(t, "please don't stop the deliveries");
    expect(await optedIn(t)).toBe(true);
  });
});

describe("template status updates", () => {
  it("update the template store when Meta approves or rejects a template", async () => {
    const t = await createMessagingTenant();
    const stored = (name: string) => wabaDb(t, (db) => db.select().from(schema.templates).where(and(eq(schema.templates.name, name), eq(schema.templates.language, "en_US"))).get());
    await setTemplateStatus({ wabaId: t.metaWabaId, name: "payment_reminder", language: "en_US", status: "APPROVED" });
    await vi.waitFor(async () => expect((await stored("payment_reminder"))?.status).toBe("APPROVED"));
    expect((await api("/v1/messages/template", { key: t.secret, method: "POST", json: { to: TO, template: "payment_reminder", language: "en_US", variables: ["a", "b"] } })).status).toBe(200);

    await setTemplateStatus({ wabaId: t.metaWabaId, name: "spring_sale", language: "en_US", status: "REJECTED", reason: "INCORRECT_CATEGORY" });
    await vi.waitFor(async () => expect(await stored("spring_sale")).toMatchObject({ status: "REJECTED", rejectedReason: "INCORRECT_CATEGORY" }));
  });
});
