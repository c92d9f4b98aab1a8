import { describe, expect, it, vi } from "vitest";
import { emulateInbound, emulatorSends, emulatorSettings, emulatorWebhooks, listUsers, setTemplateStatus } from "../helpers/emulator";
import { body, freshWaba, graphError, USER, USER_WA_ID } from "./fixtures";
import { APP_SECRET, hmacSha256Hex, parsed, statusOf, waitForWebhooks } from "./webhook-helpers";

const FAST = [0, 30, 60];

async function sendText(t: Awaited<ReturnType<typeof freshWaba>>, extra: Record<string, unknown> = {}, version = "v24.0") {
  const res = await t.send({ to: USER, type: "text", text: { body: "hello" }, ...extra }, version);
  const json = await body(res);
  expect(res.status, JSON.stringify(json)).toBe(200);
  return json.messages[0].id as string;
}

const orderUpdate = {
  to: USER,
  type: "template",
  template: { name: "order_update", language: { code: "en_US" }, components: [{ type: "body", parameters: [{ type: "text", text: "A" }, { type: "text", text: "1" }] }] },
};

describe("status webhooks", () => {
  it("posts sent → delivered → read in Meta's envelope, pricing on sent and delivered, contacts with the BSUID, no conversation from v24", async () => {
    const t = await freshWaba({ settings: { statusDelaysMs: FAST } });
    const wamid = await sendText(t, { biz_opaque_callback_data: "order-42" });
    const hooks = await waitForWebhooks(t.wabaId, 3, { wamid });
    const [user] = await listUsers(t.wabaId);
    expect(user).toMatchObject({ waId: USER_WA_ID, userId: expect.stringMatching(/^US\.\d{20}$/), name: "Test User", hidePhone: false });
    expect(hooks.map((h) => h.status)).toEqual(["sent", "delivered", "read"]);
    for (const hook of hooks) {
      expect(hook).toMatchObject({ kind: "statuses", wabaId: t.wabaId, phoneNumberId: t.phoneNumberId });
      const payload = parsed(hook);
      expect(payload.object).toBe("whatsapp_business_account");
      expect(payload.entry).toHaveLength(1);
      expect(payload.entry[0].id).toBe(t.wabaId);
      expect(payload.entry[0].changes[0].field).toBe("messages");
      const value = payload.entry[0].changes[0].value;
      expect(value.messaging_product).toBe("whatsapp");
      expect(value.metadata).toEqual({ display_phone_number: t.displayPhoneNumber.replace(/\D/g, ""), phone_number_id: t.phoneNumberId });
      expect(value.contacts).toEqual([{ profile: { name: "Test User" }, wa_id: USER_WA_ID, user_id: user!.userId }]);
      expect(value.statuses).toHaveLength(1);
    }
    const [sent, delivered, read] = hooks.map(statusOf);
    const pricing = { billable: false, pricing_model: "PMP", type: "free_customer_service", category: "service" };
    expect(sent).toEqual({
      id: wamid,
      status: "sent",
      timestamp: expect.stringMatching(/^\d{10}$/),
      recipient_id: USER_WA_ID,
      recipient_user_id: user!.userId,
      biz_opaque_callback_data: "order-42",
      pricing,
    });
    expect(delivered).toEqual({
      id: wamid,
      status: "delivered",
      timestamp: expect.stringMatching(/^\d{10}$/),
      recipient_id: USER_WA_ID,
      recipient_user_id: user!.userId,
      biz_opaque_callback_data: "order-42",
      pricing,
    });
    expect(read.pricing).toBeUndefined();
    expect(read.biz_opaque_callback_data).toBe("order-42");
  });

  it("every logged webhook carries X-Hub-Signature-256 = HMAC-SHA256(app secret, exact body)", async () => {
    const t = await freshWaba({ settings: { statusDelaysMs: FAST } });
    const wamid = await sendText(t);
    // A webhook is logged before its first attempt ends: wait for the attempts too.
    const hooks = await vi.waitFor(
      async () => {
        const logged = await waitForWebhooks(t.wabaId, 3, { wamid });
        expect(logged.every((h) => h.attempts.length > 0)).toBe(true);
        return logged;
      },
      { timeout: 8000, interval: 25 },
    );
    for (const hook of hooks) {
      expect(hook.signature).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(hook.signature).toBe(`sha256=${await hmacSha256Hex(APP_SECRET, hook.body)}`);
      expect(hook.signature).not.toBe(`sha256=${await hmacSha256Hex("another-secret", hook.body)}`);
      expect(hook.attempts).toHaveLength(1);
      expect(hook.httpStatus).toBe(hook.attempts[0]?.status);
    }
  });

  it("escapes non-ASCII as lower-case \\uXXXX (emoji as surrogate pairs) and / as \\/, and signs those bytes", async () => {
    const t = await freshWaba({ settings: { statusDelaysMs: [0] } });
    const opaque = "नमस्ते 😀 café/€";
    const wamid = await sendText(t, { biz_opaque_callback_data: opaque });
    const [hook] = await waitForWebhooks(t.wabaId, 1, { wamid });
    expect(hook).toBeDefined();
    const raw = hook!.body;
    expect(/[^\x00-\x7f]/.test(raw)).toBe(false);
    expect(raw).toContain("\\u0928\\u092e\\u0938\\u094d\\u0924\\u0947 \\ud83d\\ude00 caf\\u00e9\\/\\u20ac");
    expect(statusOf(hook!).biz_opaque_callback_data).toBe(opaque);
    expect(hook!.signature).toBe(`sha256=${await hmacSha256Hex(APP_SECRET, raw)}`);
    // a receiver that re-serialises the parsed body computes a different signature
    expect(hook!.signature).not.toBe(`sha256=${await hmacSha256Hex(APP_SECRET, JSON.stringify(JSON.parse(raw)))}`);
  });

  it("before v24, sent carries a conversation with expiration_timestamp and the billed status one without", async () => {
    const t = await freshWaba({ settings: { statusDelaysMs: FAST } });
    const res = await t.send(orderUpdate, "v23.0");
    const wamid = (await body(res)).messages[0].id;
    const [sent, delivered, read] = (await waitForWebhooks(t.wabaId, 3, { wamid })).map(statusOf);
    expect(sent.conversation).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), expiration_timestamp: expect.stringMatching(/^\d{10}$/), origin: { type: "utility" } });
    expect(delivered.conversation).toEqual({ id: sent.conversation.id, origin: { type: "utility" } });
    expect(delivered.pricing).toEqual({ billable: true, pricing_model: "PMP", type: "regular", category: "utility" });
    expect(read.conversation).toBeUndefined();
  });

  it("a utility template inside an open window is priced as free_customer_service", async () => {
    const t = await freshWaba({ settings: { statusDelaysMs: [0, 0] } });
    await emulateInbound({ phoneNumberId: t.phoneNumberId, from: USER_WA_ID, type: "text", text: "hi" });
    const wamid = (await body(await t.send(orderUpdate))).messages[0].id;
    const hooks = await waitForWebhooks(t.wabaId, 2, { wamid });
    expect(statusOf(hooks[1]!).pricing).toEqual({ billable: false, pricing_model: "PMP", type: "free_customer_service", category: "utility" });
  });

  it("skipDelivered: sent then read, pricing moves to read", async () => {
    const t = await freshWaba({ settings: { statusDelaysMs: FAST, skipDelivered: true } });
    const wamid = await sendText(t);
    const hooks = await waitForWebhooks(t.wabaId, 2, { wamid });
    expect(hooks.map((h) => h.status)).toEqual(["sent", "read"]);
    expect(statusOf(hooks[1]!).pricing).toBeDefined();
  });

  it("outOfOrder: read, delivered, sent", async () => {
    const t = await freshWaba({ settings: { statusDelaysMs: FAST, outOfOrder: true } });
    const wamid = await sendText(t);
    const hooks = await waitForWebhooks(t.wabaId, 3, { wamid });
    expect(hooks.map((h) => h.status)).toEqual(["read", "delivered", "sent"]);
    expect(statusOf(hooks[1]!).pricing).toBeDefined();
  });

  it("duplicates: every status is posted twice with identical bytes", async () => {
    const t = await freshWaba({ settings: { statusDelaysMs: FAST, duplicates: true } });
    const wamid = await sendText(t);
    const hooks = await waitForWebhooks(t.wabaId, 6, { wamid });
    expect(hooks.map((h) => h.status)).toEqual(["sent", "sent", "delivered", "delivered", "read", "read"]);
    expect(hooks[0]!.body).toBe(hooks[1]!.body);
    expect(hooks[0]!.signature).toBe(hooks[1]!.signature);
  });

  it("a reaction only ever gets sent; a reaction to something that is not a wamid fails with 131009", async () => {
    const t = await freshWaba({ settings: { statusDelaysMs: [0, 0, 0] } });
    const target = await sendText(t);
    const reaction = (await body(await t.send({ to: USER, type: "reaction", reaction: { message_id: target, emoji: "👍" } }))).messages[0].id;
    const bad = (await body(await t.send({ to: USER, type: "reaction", reaction: { message_id: "not-a-wamid", emoji: "👍" } }))).messages[0].id;
    await waitForWebhooks(t.wabaId, 3, { wamid: target });
    expect((await waitForWebhooks(t.wabaId, 1, { wamid: reaction })).map((h) => h.status)).toEqual(["sent"]);
    const failed = await waitForWebhooks(t.wabaId, 1, { wamid: bad });
    expect(statusOf(failed[0]!).errors[0].code).toBe(131009);
  });

  it("statusDelaysMs [0] stops after sent", async () => {
    const t = await freshWaba({ settings: { statusDelaysMs: [0] } });
    const wamid = await sendText(t);
    const second = await sendText(t);
    await waitForWebhooks(t.wabaId, 1, { wamid: second });
    expect((await emulatorWebhooks(t.wabaId, { wamid })).map((h) => h.status)).toEqual(["sent"]);
  });

  it("an undeliverable recipient: 200, then a failed status with 131026 in Meta's errors[] shape", async () => {
    const t = await freshWaba({ settings: { statusDelaysMs: FAST, undeliverable: [USER] } });
    const wamid = await sendText(t);
    const [hook] = await waitForWebhooks(t.wabaId, 1, { wamid });
    expect(statusOf(hook!)).toEqual({
      id: wamid,
      status: "failed",
      timestamp: expect.stringMatching(/^\d{10}$/),
      recipient_id: USER_WA_ID,
      errors: [
        {
          code: 131026,
          title: "Message undeliverable",
          message: "Message undeliverable",
          error_data: { details: "Message Undeliverable." },
          href: "/documentation/business-messaging/whatsapp/support/error-codes",
        },
      ],
    });
    expect((await emulatorSends(t.phoneNumberId))[0]?.asyncFailure).toEqual({ code: 131026, details: "" });
  });

  it("window enforcement: free-form outside the window fails with 131047, templates pass, an inbound message opens the window", async () => {
    const t = await freshWaba({ settings: { statusDelaysMs: [0], enforceWindow: true } });
    const closed = await sendText(t);
    const [failed] = await waitForWebhooks(t.wabaId, 1, { wamid: closed });
    expect(statusOf(failed!).errors[0]).toMatchObject({
      code: 131047,
      title: "Re-engagement message",
      error_data: { details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number." },
    });
    const template = (await body(await t.send(orderUpdate))).messages[0].id;
    expect((await waitForWebhooks(t.wabaId, 1, { wamid: template }))[0]?.status).toBe("sent");

    await emulateInbound({ phoneNumberId: t.phoneNumberId, from: USER_WA_ID, type: "text", text: "hi" });
    const open = await sendText(t);
    expect((await waitForWebhooks(t.wabaId, 1, { wamid: open }))[0]?.status).toBe("sent");
  });

  it("window enforcement in sync mode answers 400 131047", async () => {
    const t = await freshWaba({ settings: { enforceWindow: true, windowErrorMode: "sync" } });
    const error = await graphError(await t.send({ to: USER, text: { body: "late" } }), 400, 131047);
    expect(error.message).toBe("(#131047) Re-engagement message");
  });

  it("retries a webhook the API answers with non-2xx", async () => {
    const t = await freshWaba({ settings: { statusDelaysMs: [0], webhookRetries: 2, webhookPath: "/__no-such-route-for-emulator-tests" } });
    const wamid = await sendText(t);
    const hook = await vi.waitFor(
      async () => {
        const [h] = await emulatorWebhooks(t.wabaId, { wamid });
        expect(h?.attempts).toHaveLength(3);
        return h!;
      },
      { timeout: 8000, interval: 50 },
    );
    expect(hook.attempts.every((a) => a.status !== undefined && (a.status < 200 || a.status > 299))).toBe(true);
  });
});

describe("template status webhooks", () => {
  it("posts message_template_status_update and the new status applies to sends", async () => {
    const t = await freshWaba();
    const template = t.waba.templates.find((x) => x.name === "order_update" && x.language === "en_US")!;
    const result = await setTemplateStatus({ wabaId: t.wabaId, name: "order_update", language: "en_US", status: "PAUSED" });
    expect(result.template.status).toBe("PAUSED");
    const [hook] = await waitForWebhooks(t.wabaId, 1, { kind: "message_template_status_update" });
    const payload = parsed(hook!);
    expect(payload.object).toBe("whatsapp_business_account");
    expect(payload.entry[0]).toMatchObject({ id: t.wabaId, time: expect.any(Number) });
    expect(payload.entry[0].changes[0].field).toBe("message_template_status_update");
    expect(payload.entry[0].changes[0].value).toEqual({
      event: "PAUSED",
      message_template_id: Number(template.metaId),
      message_template_name: "order_update",
      message_template_language: "en-US",
      reason: "NONE",
      message_template_category: "UTILITY",
      other_info: { title: "FIRST_PAUSE", description: expect.stringContaining("paused for 3 hours") },
    });
    expect(hook!.signature).toBe(`sha256=${await hmacSha256Hex(APP_SECRET, hook!.body)}`);
    await graphError(await t.send(orderUpdate), 400, 132015);

    await setTemplateStatus({ wabaId: t.wabaId, templateId: template.metaId, status: "REJECTED", reason: "INCORRECT_CATEGORY" });
    const hooks = await waitForWebhooks(t.wabaId, 2, { kind: "message_template_status_update" });
    expect(parsed(hooks[1]!).entry[0].changes[0].value).toMatchObject({ event: "REJECTED", reason: "INCORRECT_CATEGORY" });
    await graphError(await t.send(orderUpdate), 404, 132001);

    await setTemplateStatus({ wabaId: t.wabaId, templateId: template.metaId, status: "APPROVED", webhook: false });
    expect((await t.send(orderUpdate)).status).toBe(200);
    expect(await emulatorWebhooks(t.wabaId, { kind: "message_template_status_update" })).toHaveLength(2);
  });

  it("settings are per WABA and echo back the effective values", async () => {
    const t = await freshWaba();
    const settings = await emulatorSettings(t.wabaId, { mpsLimit: 5, statusDelaysMs: null });
    expect(settings).toMatchObject({
      mpsLimit: 5,
      statusDelaysMs: [],
      duplicates: false,
      pairRateLimit: false,
      pairIntervalMs: 6000,
      webhookPath: "/meta/webhook",
      brazilLegacyWaIds: true,
      playVoiceNotes: false,
    });
    expect((await emulatorSettings(t.wabaId, { statusDelaysMs: [0, 1, 2, 3] })).statusDelaysMs).toEqual([0, 1, 2, 3]);
    await expect(emulatorSettings(t.wabaId, { statusDelaysMs: [0, 1, 2, 3, 4] })).rejects.toThrow(/→ 400/);
  });
});
