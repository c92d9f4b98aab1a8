import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { WEBHOOK_EVENT_TYPES } from "../../src/data-plane/schema";
import type { SendJob } from "../../src/queues/send-job";
import { api, jsonOf } from "../helpers/api";
import { addFault, emulateInbound, emulatorSends, postStatus, resolveHeld, setTemplateStatus } from "../helpers/emulator";
import { createMessagingTenant, inboundFrom, messageByWamid, messageRow, type MessagingTenant } from "../helpers/messaging";
import { messagesChange, postMetaWebhook, statusItem } from "../helpers/meta-webhook";
import { runQueue } from "../helpers/queues";
import { received, receiverUrl } from "../helpers/receiver";
import { schema, wabaDb } from "../helpers/waba";

// What Meta actually sends and answers, followed through the gateway: template events (with a
// subscriber), retry verdicts on HTTP 500, usernames and BSUIDs, wa_ids that are not the E.164 number,
// user preferences, number changes, edits and deletions, and statuses beyond sent/delivered/read.

const TO = "+919812345678";

async function subscribe(t: MessagingTenant, events: readonly string[] = WEBHOOK_EVENT_TYPES) {
  const { url, path } = receiverUrl("fidelity");
  const res = await api("/v1/webhooks", { key: t.secret, method: "POST", json: { url, events } });
  expect(res.status).toBe(201);
  return path;
}

/** The events the receiver got on this path, of one type. */
async function eventsOf(path: string, type: string) {
  return (await received(path)).map((r) => JSON.parse(r.body)).filter((e) => e.type === type);
}

const sendTemplate = (t: MessagingTenant, json: Record<string, unknown>) => api("/v1/messages/template", { key: t.secret, method: "POST", json: { to: TO, language: "en_US", ...json } });
const templateOf = async (t: MessagingTenant, name: string) => (await jsonOf(await api("/v1/templates?limit=100", { key: t.secret }))).data.find((x: { name: string; language: string }) => x.name === name && x.language === "en_US");

describe("template events", () => {
  it("a status change is applied and announced when an integrator subscribes to template.status_updated", async () => {
    const t = await createMessagingTenant();
    const path = await subscribe(t, ["template.status_updated"]);
    await setTemplateStatus({ wabaId: t.metaWabaId, name: "spring_sale", language: "en_US", status: "PAUSED" });
    await vi.waitFor(async () => expect((await templateOf(t, "spring_sale")).status).toBe("PAUSED"));
    await vi.waitFor(async () => expect(await eventsOf(path, "template.status_updated")).toHaveLength(1));
    const [event] = await eventsOf(path, "template.status_updated");
    expect(event).toMatchObject({ wamid: null, sequence: null, data: { template: { name: "spring_sale", status: "PAUSED", previousStatus: "APPROVED", event: "PAUSED", flagged: false } } });
  });

  it("FLAGGED keeps a template sendable; PAUSED stops it; an unpause (APPROVED) and REINSTATED let it send again", async () => {
    const t = await createMessagingTenant();
    const path = await subscribe(t, ["template.status_updated"]);
    const sale = { template: "spring_sale", variables: ["20%"] };
    const event = async (status: string, n: number) => {
      await setTemplateStatus({ wabaId: t.metaWabaId, name: "spring_sale", language: "en_US", status });
      await vi.waitFor(async () => expect(await eventsOf(path, "template.status_updated")).toHaveLength(n));
    };
    await event("FLAGGED", 1);
    expect(await templateOf(t, "spring_sale")).toMatchObject({ status: "APPROVED" });
    expect((await sendTemplate(t, sale)).status).toBe(200);
    await event("PAUSED", 2);
    expect((await jsonOf(await sendTemplate(t, sale))).error.code).toBe("TEMPLATE_NOT_APPROVED");
    await event("APPROVED", 3);
    expect((await sendTemplate(t, sale)).status).toBe(200);
    await event("FLAGGED", 4);
    await event("REINSTATED", 5);
    expect((await sendTemplate(t, sale)).status).toBe(200);
    const flags = (await eventsOf(path, "template.status_updated")).map((e) => [e.data.template.event, e.data.template.status, e.data.template.flagged]);
    expect(flags).toEqual([["FLAGGED", "APPROVED", true], ["PAUSED", "PAUSED", true], ["APPROVED", "APPROVED", false], ["FLAGGED", "APPROVED", true], ["REINSTATED", "APPROVED", false]]);
  });

  it("an event Meta adds later never makes an approved template unsendable", async () => {
    const t = await createMessagingTenant();
    const template = t.templates.find((x) => x.name === "spring_sale")!;
    const res = await postMetaWebhook({
      object: "whatsapp_business_account",
      entry: [{ id: t.metaWabaId, time: 1, changes: [{ field: "message_template_status_update", value: { event: "QUALITY_PENDING_REVIEW", message_template_id: Number(template.metaId), message_template_name: "spring_sale", message_template_language: "en-US", reason: null } }] }],
    });
    expect(res.status).toBe(200);
    await postMetaWebhook(messagesChange(t.metaWabaId, t.defaultPhone, { statuses: [] })); // a marker
    expect((await sendTemplate(t, { template: "spring_sale", variables: ["20%"] })).status).toBe(200);
  });

  it("template_category_update moves a template into MARKETING, and the opt-out check follows", async () => {
    const t = await createMessagingTenant();
    const path = await subscribe(t, ["template.category_updated"]);
    await inboundFrom(t, TO);
    await api("/v1/contacts", { key: t.secret, method: "POST", json: { phone: TO } });
    const contact = (await jsonOf(await api(`/v1/contacts?search=${encodeURIComponent("+91 98123")}`, { key: t.secret }))).data[0];
    await api(`/v1/contacts/${contact.id}`, { key: t.secret, method: "PATCH", json: { optedIn: false } });
    const order = { template: "order_shipped_v2", variables: ["Aarav", "4827", "tomorrow"] };
    expect((await sendTemplate(t, order)).status).toBe(200); // utility: sends to an opted-out contact
    const template = t.templates.find((x) => x.name === "order_shipped_v2" && x.language === "en_US")!;
    await postMetaWebhook({
      object: "whatsapp_business_account",
      entry: [{ id: t.metaWabaId, time: 1, changes: [{ field: "template_category_update", value: { message_template_id: Number(template.metaId), message_template_name: "order_shipped_v2", message_template_language: "en-US", previous_category: "UTILITY", new_category: "MARKETING" } }] }],
    });
    await vi.waitFor(async () => expect((await templateOf(t, "order_shipped_v2")).category).toBe("MARKETING"));
    expect((await jsonOf(await sendTemplate(t, order))).error.code).toBe("CONTACT_OPTED_OUT");
    await vi.waitFor(async () => expect(await eventsOf(path, "template.category_updated")).toHaveLength(1));
    expect((await eventsOf(path, "template.category_updated"))[0].data.template).toMatchObject({ category: "MARKETING", previousCategory: "UTILITY" });
  });
});

describe("retry verdicts", () => {
  it.each([
    [3, "a permission problem"],
    [131045, "a phone number registration problem"],
  ])("Meta's %i (%s) answered with HTTP 500 fails the send at once, without retries", async (code) => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    await addFault({ phoneNumberId: t.defaultPhone, action: "error", code, status: 500, times: "always" });
    const res = await api("/v1/messages/text", { key: t.secret, method: "POST", json: { to: TO, body: "hello" } });
    expect(res.status).toBe(502);
    expect((await jsonOf(res)).error.upstream.code).toBe(code);
    const row = await wabaDb(t, (db) => db.select().from(schema.messages).where(eq(schema.messages.direction, "outbound")).get());
    expect(row).toMatchObject({ status: "failed", attempts: 1 });
  });
});

describe("usernames and business-scoped user ids", () => {
  const BSUID = "US.13491208655302741918";

  it("a customer who shares only a BSUID is stored, can be answered with userId, and appears on contacts and conversations", async () => {
    const t = await createMessagingTenant();
    await emulateInbound({ phoneNumberId: t.defaultPhone, userId: BSUID, username: "@sheena", name: "Sheena Nelson", hidePhone: true, type: "text", text: "Hi!" });
    let contact: any;
    await vi.waitFor(async () => {
      contact = (await jsonOf(await api("/v1/contacts", { key: t.secret }))).data.find((c: { userId: string | null }) => c.userId === BSUID);
      expect(contact).toBeDefined();
    });
    expect(contact).toMatchObject({ phone: null, userId: BSUID, username: "@sheena", name: "Sheena Nelson" });
    // the reply goes to Meta's `recipient`, inside the window the message opened
    const res = await api("/v1/messages/text", { key: t.secret, method: "POST", json: { userId: BSUID, body: "Yes, in blue." } });
    expect(res.status).toBe(200);
    const [sent] = await emulatorSends(t.defaultPhone);
    expect(sent!.body).toMatchObject({ recipient: BSUID, text: { body: "Yes, in blue." } });
    expect((sent!.body as { to?: string }).to).toBeUndefined();
    const conversations = (await jsonOf(await api("/v1/conversations", { key: t.secret }))).data;
    expect(conversations).toHaveLength(1);
    expect(conversations[0].contact).toEqual({ phone: null, userId: BSUID, name: "Sheena Nelson" });
    // a text to a userId nobody wrote from is outside any window
    const stranger = await api("/v1/messages/text", { key: t.secret, method: "POST", json: { userId: "US.999", body: "hello" } });
    expect((await jsonOf(stranger)).error.code).toBe("OUTSIDE_24H_WINDOW");
  });

  it("a customer whose number Meta shares too is one contact, found by either", async () => {
    const t = await createMessagingTenant();
    await emulateInbound({ phoneNumberId: t.defaultPhone, from: "919812345678", name: "Aarav", type: "text", text: "Hi" });
    let contact: any;
    await vi.waitFor(async () => {
      contact = (await jsonOf(await api("/v1/contacts", { key: t.secret }))).data[0];
      expect(contact?.userId).toMatch(/^IN\./);
    });
    expect(contact.phone).toBe(TO);
    expect((await api("/v1/messages/text", { key: t.secret, method: "POST", json: { userId: contact.userId, body: "by BSUID" } })).status).toBe(200);
    expect((await api("/v1/messages/text", { key: t.secret, method: "POST", json: { to: TO, body: "by phone" } })).status).toBe(200);
    expect((await jsonOf(await api("/v1/conversations", { key: t.secret }))).data).toHaveLength(1);
  });

  it("userId and to are exclusive, a userId must look like a BSUID, and authentication templates need a phone number", async () => {
    const t = await createMessagingTenant();
    const text = (json: unknown) => api("/v1/messages/text", { key: t.secret, method: "POST", json });
    const field = async (res: Response) => (await jsonOf(res)).error.details[0].field;
    expect(await field(await text({ to: TO, userId: BSUID, body: "x" }))).toBe("userId");
    expect(await field(await text({ body: "x" }))).toBe("to");
    expect(await field(await text({ userId: "not a bsuid", body: "x" }))).toBe("userId");
    const auth = await api("/v1/messages/template", { key: t.secret, method: "POST", json: { userId: BSUID, template: "login_code", language: "en_US", variables: ["123456"] } });
    expect(auth.status).toBe(400);
    expect((await jsonOf(auth)).error).toMatchObject({ code: "VALIDATION_FAILED", details: [expect.objectContaining({ field: "userId" })] });
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(0);
  });
});

describe("wa_ids that are not the customer's E.164 number", () => {
  it("a Mexican customer (wa_id 521…) is one contact under +52…: replies in either spelling reach them, and STOP holds for both", async () => {
    const t = await createMessagingTenant();
    await emulateInbound({ phoneNumberId: t.defaultPhone, from: "5215512343852", name: "Lucía", type: "text", text: "Hola" });
    let contact: any;
    await vi.waitFor(async () => {
      contact = (await jsonOf(await api("/v1/contacts", { key: t.secret }))).data[0];
      expect(contact).toBeDefined();
    });
    expect(contact.phone).toBe("+525512343852");
    for (const to of ["+525512343852", "+5215512343852", "+52 1 55 1234 3852"]) {
      const res = await api("/v1/messages/text", { key: t.secret, method: "POST", json: { to, body: "¡Hola!" } });
      expect(res.status, to).toBe(200);
    }
    expect((await jsonOf(await api("/v1/conversations", { key: t.secret }))).data).toHaveLength(1);
    await emulateInbound({ phoneNumberId: t.defaultPhone, from: "5215512343852", type: "text", text: "STOP" });
    await vi.waitFor(async () => expect((await jsonOf(await api(`/v1/contacts/${contact.id}`, { key: t.secret }))).optedIn).toBe(false));
    for (const to of ["+525512343852", "+5215512343852"]) {
      const res = await api("/v1/messages/template", { key: t.secret, method: "POST", json: { to, template: "spring_sale", language: "en_US", variables: ["20%"] } });
      expect((await jsonOf(res)).error.code, to).toBe("CONTACT_OPTED_OUT");
    }
  });

  it("a Brazilian customer with a legacy 8-digit wa_id is the 9-digit mobile", async () => {
    const t = await createMessagingTenant();
    await emulateInbound({ phoneNumberId: t.defaultPhone, from: "551187654321", type: "text", text: "Oi" });
    await vi.waitFor(async () => expect((await jsonOf(await api("/v1/contacts", { key: t.secret }))).data[0]?.phone).toBe("+5511987654321"));
    expect((await api("/v1/messages/text", { key: t.secret, method: "POST", json: { to: "+5511987654321", body: "Olá" } })).status).toBe(200);
  });
});

describe("contact changes Meta reports", () => {
  it("user_preferences stop and resume set optedIn and announce contact.updated", async () => {
    const t = await createMessagingTenant();
    const path = await subscribe(t, ["contact.updated"]);
    const prefs = (value: string) =>
      postMetaWebhook({
        object: "whatsapp_business_account",
        entry: [{ id: t.metaWabaId, changes: [{ field: "user_preferences", value: { messaging_product: "whatsapp", metadata: { display_phone_number: "1", phone_number_id: t.defaultPhone }, contacts: [{ wa_id: "919812345678" }], user_preferences: [{ wa_id: "919812345678", detail: "", category: "marketing_messages", value, timestamp: 1731705721 }] } }] }],
      });
    await prefs("stop");
    await vi.waitFor(async () => expect((await jsonOf(await api("/v1/contacts", { key: t.secret }))).data[0]?.optedIn).toBe(false));
    expect((await jsonOf(await sendTemplate(t, { template: "spring_sale", variables: ["20%"] }))).error.code).toBe("CONTACT_OPTED_OUT");
    await prefs("resume");
    await vi.waitFor(async () => expect((await jsonOf(await api("/v1/contacts", { key: t.secret }))).data[0]?.optedIn).toBe(true));
    await prefs("resume"); // a re-delivery changes nothing
    await vi.waitFor(async () => expect(await eventsOf(path, "contact.updated")).toHaveLength(2));
    expect((await eventsOf(path, "contact.updated")).map((e) => e.data.change)).toEqual(["marketing_stopped", "marketing_resumed"]);
  });

  it("a number change moves the contact and announces it; it opens no window and is no message", async () => {
    const t = await createMessagingTenant();
    const path = await subscribe(t, ["contact.updated", "message.received"]);
    await inboundFrom(t, TO, 60 * 30); // 30 hours ago: window closed
    await postMetaWebhook(
      messagesChange(t.metaWabaId, t.defaultPhone, {
        messages: [{ from: "919812345678", id: "wamid.system-1", timestamp: String(Math.floor(Date.now() / 1000)), type: "system", system: { body: "User changed", wa_id: "919876500000", type: "user_changed_number" } }],
      }),
    );
    await vi.waitFor(async () => expect(await eventsOf(path, "contact.updated")).toHaveLength(1));
    const [event] = await eventsOf(path, "contact.updated");
    expect(event.data).toMatchObject({ change: "number_changed", contact: { phone: "+919876500000", waId: "919876500000" }, previous: { phone: TO } });
    expect(await eventsOf(path, "message.received")).toHaveLength(0);
    const res = await api("/v1/messages/text", { key: t.secret, method: "POST", json: { to: "+919876500000", body: "hi" } });
    expect((await jsonOf(res)).error.code).toBe("OUTSIDE_24H_WINDOW");
  });

  it("edits and deletions change the stored message and are announced, not received", async () => {
    const t = await createMessagingTenant();
    const path = await subscribe(t, ["message.edited", "message.deleted", "message.received"]);
    const { wamid } = await emulateInbound({ phoneNumberId: t.defaultPhone, from: "919812345678", type: "text", text: "See you at 5" });
    await vi.waitFor(async () => expect(await eventsOf(path, "message.received")).toHaveLength(1));
    const coexist = (type: "edit" | "revoke", extra: object) =>
      postMetaWebhook(messagesChange(t.metaWabaId, t.defaultPhone, { messages: [{ from: "919812345678", id: `wamid.${type}-${wamid}`, timestamp: String(Math.floor(Date.now() / 1000)), type, [type]: { original_message_id: wamid, ...extra } }] }));
    await coexist("edit", { message: { type: "text", text: { body: "See you at 6" } } });
    await vi.waitFor(async () => expect(await eventsOf(path, "message.edited")).toHaveLength(1));
    expect((await eventsOf(path, "message.edited"))[0].data.message).toMatchObject({ wamid, body: "See you at 6", editedAt: expect.any(String) });
    await coexist("revoke", {});
    await vi.waitFor(async () => expect(await eventsOf(path, "message.deleted")).toHaveLength(1));
    expect((await eventsOf(path, "message.deleted"))[0].data.message).toMatchObject({ wamid, body: null, deletedAt: expect.any(String) });
    expect(await eventsOf(path, "message.received")).toHaveLength(1);
  });
});

describe("statuses", () => {
  async function sentMessage(t: MessagingTenant) {
    await inboundFrom(t, TO);
    const res = await api("/v1/messages/text", { key: t.secret, method: "POST", json: { to: TO, body: "hello" } });
    expect(res.status).toBe(200);
    const { wamid } = await jsonOf(res);
    return (await messageByWamid(t, wamid))!;
  }

  it("played (a voice note's first play) is stored after read and announced", async () => {
    const t = await createMessagingTenant();
    const path = await subscribe(t, ["message.played"]);
    const m = await sentMessage(t);
    await postMetaWebhook(messagesChange(t.metaWabaId, t.defaultPhone, { statuses: [statusItem(m.wamid!, "read"), statusItem(m.wamid!, "played")] }));
    await vi.waitFor(async () => expect((await messageRow(t, m.id))?.status).toBe("played"));
    await vi.waitFor(async () => expect(await eventsOf(path, "message.played")).toHaveLength(1));
    // read arriving late does not move it back
    await postMetaWebhook(messagesChange(t.metaWabaId, t.defaultPhone, { statuses: [statusItem(m.wamid!, "read")] }));
    expect((await messageRow(t, m.id))?.status).toBe("played");
  });

  it("a failed status whose error code is a string is applied", async () => {
    const t = await createMessagingTenant();
    const m = await sentMessage(t);
    const errors = [{ code: "132015", title: "Template is Paused", message: "Template is Paused", error_data: { details: "Template is paused due to low quality" } }];
    await postMetaWebhook(messagesChange(t.metaWabaId, t.defaultPhone, { statuses: [statusItem(m.wamid!, "failed", { errors })] }));
    await vi.waitFor(async () => expect((await messageRow(t, m.id))?.status).toBe("failed"));
    expect(JSON.parse((await messageRow(t, m.id))!.error!)).toMatchObject({ code: 132015, details: "Template is paused due to low quality" });
  });

  it("a template Meta holds for quality assessment is recorded as held (200 with its wamid), never sent again, and later released", async () => {
    const t = await createMessagingTenant({ statusWebhooks: true });
    const path = await subscribe(t, ["message.held", "message.sent"]);
    await addFault({ phoneNumberId: t.defaultPhone, action: "hold", times: "always" });
    const res = await sendTemplate(t, { template: "spring_sale", variables: ["20%"] });
    expect(res.status).toBe(200);
    const { wamid } = await jsonOf(res);
    const row = (await messageByWamid(t, wamid))!;
    expect(row.status).toBe("held");
    await vi.waitFor(async () => expect(await eventsOf(path, "message.held")).toHaveLength(1));
    // a redelivered job (a timeout retry) finds the wamid and does not send again
    await runQueue<SendJob>("wbiz-sends", [{ wabaId: t.waba.id, messageId: row.id }]);
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(1);
    await resolveHeld(wamid, "release");
    await vi.waitFor(async () => expect(["sent", "delivered", "read"]).toContain((await messageRow(t, row.id))?.status));
    await vi.waitFor(async () => expect(await eventsOf(path, "message.sent")).toHaveLength(1));
  });

  it("a held message Meta drops ends failed with 132015 (sent as a string code)", async () => {
    const t = await createMessagingTenant({ statusWebhooks: true });
    await addFault({ phoneNumberId: t.defaultPhone, action: "hold", times: 1 });
    const { wamid } = await jsonOf(await sendTemplate(t, { template: "spring_sale", variables: ["20%"] }));
    await resolveHeld(wamid, "drop");
    const row = (await messageByWamid(t, wamid))!;
    await vi.waitFor(async () => expect((await messageRow(t, row.id))?.status).toBe("failed"));
    expect(JSON.parse((await messageRow(t, row.id))!.error!)).toMatchObject({ source: "meta", code: 132015 });
  });

  it("the emulator's played status for a voice note reaches the message", async () => {
    const t = await createMessagingTenant({ statusWebhooks: true });
    await inboundFrom(t, TO);
    const res = await api("/v1/messages/media", { key: t.secret, method: "POST", json: { to: TO, type: "audio", mediaId: "1234567890" } });
    expect(res.status).toBe(200);
    const { wamid } = await jsonOf(res);
    const row = (await messageByWamid(t, wamid))!;
    await vi.waitFor(async () => expect((await messageRow(t, row.id))?.status).toBe("read"));
    await postStatus({ wamid, status: "played" });
    await vi.waitFor(async () => expect((await messageRow(t, row.id))?.status).toBe("played"));
  });
});
