import { describe, expect, it } from "vitest";
import { addFault, emulateInbound, emulatorSends, listUsers, registerUser, setWindow, type WebhookRecord } from "../helpers/emulator";
import { body, controlError, controlRequest, freshWaba, graphError, USER, USER_WA_ID } from "./fixtures";
import { parsed, statusOf, waitForWebhooks } from "./webhook-helpers";

const FAST = [0, 20, 40];
const text = { type: "text", text: { body: "hi" } };
const authTemplate = { name: "login_code", language: "en_US", category: "AUTHENTICATION" as const, status: "APPROVED", components: [{ type: "BODY", text: "{{1}} is your code." }] };
const loginCode = { type: "template", template: { name: "login_code", language: { code: "en_US" }, components: [{ type: "body", parameters: [{ type: "text", text: "123456" }] }] } };

function valueOf(hook: WebhookRecord) {
  return parsed(hook).entry[0].changes[0].value;
}

describe("POST/GET /__emulator/users", () => {
  it("registers a phone user with a deterministic BSUID, a username-only user, and updates them", async () => {
    const t = await freshWaba();
    const phoneUser = await registerUser({ wabaId: t.wabaId, waId: USER, name: "Sheena Nelson" });
    expect(phoneUser).toEqual({
      wabaId: t.wabaId,
      userId: expect.stringMatching(/^US\.\d{20}$/),
      waId: USER_WA_ID,
      name: "Sheena Nelson",
      hidePhone: false,
      previousUserIds: [],
    });
    // the same WABA and number always give the same BSUID; another WABA another one
    expect((await registerUser({ wabaId: t.wabaId, waId: USER_WA_ID })).userId).toBe(phoneUser.userId);
    const other = await freshWaba();
    expect((await registerUser({ wabaId: other.wabaId, waId: USER_WA_ID })).userId).not.toBe(phoneUser.userId);

    const updated = await registerUser({ wabaId: t.wabaId, userId: phoneUser.userId, username: "realsheenanelson", hidePhone: true });
    expect(updated).toMatchObject({ userId: phoneUser.userId, waId: USER_WA_ID, username: "@realsheenanelson", hidePhone: true, name: "Sheena Nelson" });

    const pablo = await registerUser({ wabaId: t.wabaId, username: "@pablomorales", name: "Pablo M." });
    expect(pablo.waId).toBeUndefined();
    expect(pablo.userId).toMatch(/^US\.\d{20}$/); // the business number's country stands in
    const chosen = await registerUser({ wabaId: t.wabaId, userId: "US.13491208655302741918", username: "ana" });
    expect(chosen).toMatchObject({ userId: "US.13491208655302741918", username: "@ana" });
    expect((await registerUser({ wabaId: t.wabaId, userId: "US.13491208655302741918", username: null })).username).toBeUndefined();

    expect((await listUsers(t.wabaId)).map((u) => u.userId)).toEqual([phoneUser.userId, pablo.userId, "US.13491208655302741918"]);
  });

  it("answers 201 when created, 200 when updated; 400, 404 and 409 in the emulator's error shape", async () => {
    const t = await freshWaba();
    expect((await controlRequest("/users", { wabaId: t.wabaId, waId: "+919812345678" })).status).toBe(201);
    expect((await controlRequest("/users", { wabaId: t.wabaId, waId: "919812345678", name: "A" })).status).toBe(200);
    for (const bad of [{ wabaId: t.wabaId }, { wabaId: t.wabaId, userId: "13491208655302741918" }, { wabaId: t.wabaId, username: "no spaces" }, { wabaId: t.wabaId, waId: "12ab" }]) {
      const res = await controlRequest("/users", bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(await res.json()).toEqual({ error: { message: expect.any(String), issues: expect.any(Array) } });
    }
    await controlError(await controlRequest("/users", { wabaId: "1", waId: USER }), 404);
    await registerUser({ wabaId: t.wabaId, waId: USER, username: "taken" });
    expect(await controlError(await controlRequest("/users", { wabaId: t.wabaId, waId: "+14155550123", username: "@taken" }), 409)).toMatch(/username @taken belongs to/);
    const other = await registerUser({ wabaId: t.wabaId, waId: "+14155550123" });
    await controlError(await controlRequest("/users", { wabaId: t.wabaId, waId: USER, userId: other.userId }), 409);
    await controlError(await controlRequest("/users"), 404);
    await controlError(await controlRequest(`/users?wabaId=1`), 404);
  });
});

describe("inbound with BSUIDs and usernames", () => {
  it("a user with a username: contacts[].profile.username with @, contacts[].user_id and messages[].from_user_id", async () => {
    const t = await freshWaba();
    const result = await emulateInbound({ phoneNumberId: t.phoneNumberId, from: USER_WA_ID, name: "Sheena Nelson", username: "realsheenanelson", type: "text", text: "hi" });
    const value = valueOf((await waitForWebhooks(t.wabaId, 1, { wamid: result.wamid }))[0]!);
    expect(value.contacts).toEqual([{ profile: { name: "Sheena Nelson", username: "@realsheenanelson" }, wa_id: USER_WA_ID, user_id: result.userId }]);
    expect(value.messages[0]).toMatchObject({ from: USER_WA_ID, from_user_id: result.userId, type: "text" });
    // the registry keeps what the inbound said
    expect(await listUsers(t.wabaId)).toMatchObject([{ userId: result.userId, username: "@realsheenanelson", name: "Sheena Nelson" }]);
  });

  it("hidePhone: from and contacts[].wa_id are omitted, not empty (Meta's example)", async () => {
    const t = await freshWaba();
    const result = await emulateInbound({
      phoneNumberId: t.phoneNumberId, from: USER_WA_ID, hidePhone: true, name: "Sheena Nelson", username: "@realsheenanelson", type: "text", text: "Does it come in another color?",
    });
    const value = valueOf((await waitForWebhooks(t.wabaId, 1, { wamid: result.wamid }))[0]!);
    expect(value.contacts).toEqual([{ profile: { name: "Sheena Nelson", username: "@realsheenanelson" }, user_id: result.userId }]);
    expect(value.messages).toEqual([
      { from_user_id: result.userId, id: result.wamid, timestamp: expect.stringMatching(/^\d{10}$/), type: "text", text: { body: "Does it come in another color?" } },
    ]);
    // a later message from the same user, found by from, stays hidden
    const again = await emulateInbound({ phoneNumberId: t.phoneNumberId, from: USER, type: "text", text: "?" });
    expect(again.userId).toBe(result.userId);
    expect(valueOf((await waitForWebhooks(t.wabaId, 1, { wamid: again.wamid }))[0]!).messages[0].from).toBeUndefined();
  });

  it("a username-only user (no number) writes by userId or by username", async () => {
    const t = await freshWaba();
    const byId = await emulateInbound({ phoneNumberId: t.phoneNumberId, userId: "US.13491208655302741918", username: "pablomorales", name: "Pablo M.", type: "text", text: "hola" });
    expect(byId.userId).toBe("US.13491208655302741918");
    const first = valueOf((await waitForWebhooks(t.wabaId, 1, { wamid: byId.wamid }))[0]!);
    expect(first.contacts).toEqual([{ profile: { name: "Pablo M.", username: "@pablomorales" }, user_id: "US.13491208655302741918" }]);
    expect(first.messages[0].from).toBeUndefined();
    const byName = await emulateInbound({ phoneNumberId: t.phoneNumberId, username: "@pablomorales", type: "text", text: "again" });
    expect(byName.userId).toBe("US.13491208655302741918");
    // a user without a username has none in contacts
    const plain = await emulateInbound({ phoneNumberId: t.phoneNumberId, from: "+14155550123", type: "text", text: "x" });
    expect(valueOf((await waitForWebhooks(t.wabaId, 1, { wamid: plain.wamid }))[0]!).contacts[0].profile).toEqual({ name: "Test User" });
  });

  it("400 without from, userId or username; 409 when from and userId name different users", async () => {
    const t = await freshWaba();
    await controlError(await controlRequest("/inbound", { phoneNumberId: t.phoneNumberId, type: "text", text: "x" }), 400);
    const other = await registerUser({ wabaId: t.wabaId, waId: "+14155550123" });
    await controlError(await controlRequest("/inbound", { phoneNumberId: t.phoneNumberId, from: USER_WA_ID, userId: other.userId, type: "text", text: "x" }), 409);
  });
});

describe("sends to a BSUID (recipient)", () => {
  it("recipient: contacts [{input, user_id}] without wa_id; to takes precedence when both are given", async () => {
    const t = await freshWaba();
    const user = await registerUser({ wabaId: t.wabaId, userId: "US.13491208655302741918", waId: USER });
    const res = await t.send({ recipient: user.userId, ...text });
    expect(res.status).toBe(200);
    expect(await body(res)).toEqual({
      messaging_product: "whatsapp",
      contacts: [{ input: "US.13491208655302741918", user_id: "US.13491208655302741918" }],
      messages: [{ id: expect.stringMatching(/^wamid\./) }],
    });
    const both = await body(await t.send({ to: "+1 650 555 1234", recipient: user.userId, ...text }));
    expect(both.contacts).toEqual([{ input: "+1 650 555 1234", wa_id: USER_WA_ID }]);
    const [first, second] = await emulatorSends(t.phoneNumberId, user.userId);
    expect(first).toMatchObject({ recipient: user.userId, waId: USER_WA_ID, userId: user.userId });
    expect(first!.to).toBeUndefined();
    expect(second).toMatchObject({ to: "+1 650 555 1234", userId: user.userId });
    expect(await emulatorSends(t.phoneNumberId, USER)).toHaveLength(2);
  });

  it("an unregistered BSUID is 400 131009; a malformed one (#100); neither to nor recipient (#100) to is required", async () => {
    const t = await freshWaba();
    const unknown = await graphError(await t.send({ recipient: "US.99999999999999999999", ...text }), 400, 131009);
    expect(unknown).toMatchObject({
      message: "(#131009) Parameter value is not valid",
      error_data: { messaging_product: "whatsapp", details: "Param recipient: no WhatsApp user has the business-scoped user ID US.99999999999999999999" },
    });
    const malformed = await graphError(await t.send({ recipient: "16505551234", ...text }), 400, 100);
    expect(malformed.error_data.details).toBe('Param recipient is not a valid business-scoped user ID: "16505551234"');
    expect((await graphError(await t.send(text), 400, 100)).message).toBe("(#100) The parameter to is required.");
  });

  it("an authentication template to a BSUID is 131062; to the number it goes", async () => {
    const t = await freshWaba({ templates: [authTemplate] });
    const user = await registerUser({ wabaId: t.wabaId, waId: USER });
    const error = await graphError(await t.send({ recipient: user.userId, ...loginCode }), 400, 131062);
    expect(error).toEqual({
      message: "(#131062) Business-scoped User ID (BSUID) recipients are not supported",
      type: "OAuthException",
      code: 131062,
      error_data: { messaging_product: "whatsapp", details: "Business-scoped User ID (BSUID) recipients are not supported for this message." },
      fbtrace_id: expect.any(String),
    });
    expect((await t.send({ to: USER, ...loginCode })).status).toBe(200);
  });

  it("the 24 h window is the user's, whether they are named by number or BSUID", async () => {
    const t = await freshWaba({ settings: { enforceWindow: true, windowErrorMode: "sync" } });
    const user = await registerUser({ wabaId: t.wabaId, waId: USER });
    await graphError(await t.send({ recipient: user.userId, ...text }), 400, 131047);
    await emulateInbound({ phoneNumberId: t.phoneNumberId, from: USER_WA_ID, type: "text", text: "hi" });
    expect((await t.send({ recipient: user.userId, ...text })).status).toBe(200);
    // a username-only user's window, opened and closed by BSUID
    const solo = await registerUser({ wabaId: t.wabaId, username: "solo" });
    await setWindow(t.phoneNumberId, solo.userId, true);
    expect((await t.send({ recipient: solo.userId, ...text })).status).toBe(200);
    await setWindow(t.phoneNumberId, solo.userId, false);
    await graphError(await t.send({ recipient: solo.userId, ...text }), 400, 131047);
    await controlError(await controlRequest("/windows", { phoneNumberId: t.phoneNumberId, userId: "US.1", open: true }), 404);
    await controlError(await controlRequest("/windows", { phoneNumberId: t.phoneNumberId, open: true }), 400);
  });

  it("a fault's to may name a BSUID", async () => {
    const t = await freshWaba();
    const user = await registerUser({ wabaId: t.wabaId, waId: USER });
    await addFault({ phoneNumberId: t.phoneNumberId, to: user.userId, action: "error", code: 131026 });
    expect((await t.send({ to: "+14155550123", ...text })).status).toBe(200);
    await graphError(await t.send({ to: USER, ...text }), 400, 131026);
  });
});

describe("status webhooks with BSUIDs", () => {
  it("sent to a BSUID of a user whose phone is hidden: no recipient_id, no wa_id; username on delivered and read only", async () => {
    const t = await freshWaba({ settings: { statusDelaysMs: FAST } });
    const user = await registerUser({ wabaId: t.wabaId, waId: USER, name: "Pablo M.", username: "pablomorales", hidePhone: true });
    const wamid = (await body(await t.send({ recipient: user.userId, ...text }))).messages[0].id;
    const hooks = await waitForWebhooks(t.wabaId, 3, { wamid });
    const [sent, delivered, read] = hooks.map(valueOf);
    expect(sent.contacts).toEqual([{ profile: { name: "Pablo M." }, user_id: user.userId }]);
    expect(delivered.contacts).toEqual([{ profile: { name: "Pablo M.", username: "@pablomorales" }, user_id: user.userId }]);
    expect(read.contacts).toEqual(delivered.contacts);
    expect(delivered.statuses[0]).toEqual({
      id: wamid,
      status: "delivered",
      timestamp: expect.stringMatching(/^\d{10}$/),
      recipient_user_id: user.userId,
      pricing: { billable: false, pricing_model: "PMP", type: "free_customer_service", category: "service" },
    });
    for (const value of [sent, delivered, read]) expect(value.statuses[0].recipient_id).toBeUndefined();
  });

  it("sent to the number of a user whose phone is hidden: recipient_id and wa_id are there all the same", async () => {
    const t = await freshWaba({ settings: { statusDelaysMs: [0] } });
    const user = await registerUser({ wabaId: t.wabaId, waId: USER, hidePhone: true });
    const wamid = (await body(await t.send({ to: USER, ...text }))).messages[0].id;
    const value = valueOf((await waitForWebhooks(t.wabaId, 1, { wamid }))[0]!);
    expect(value.contacts).toEqual([{ profile: { name: "Test User" }, wa_id: USER_WA_ID, user_id: user.userId }]);
    expect(value.statuses[0]).toMatchObject({ recipient_id: USER_WA_ID, recipient_user_id: user.userId });
  });

  it("failed: no contacts; recipient_user_id only when the send went to a BSUID", async () => {
    const t = await freshWaba({ settings: { statusDelaysMs: [0], undeliverable: [USER] } });
    const user = await registerUser({ wabaId: t.wabaId, waId: USER });
    const byPhone = (await body(await t.send({ to: USER, ...text }))).messages[0].id;
    const byBsuid = (await body(await t.send({ recipient: user.userId, ...text }))).messages[0].id;
    const phoneFailed = valueOf((await waitForWebhooks(t.wabaId, 1, { wamid: byPhone }))[0]!);
    const bsuidFailed = valueOf((await waitForWebhooks(t.wabaId, 1, { wamid: byBsuid }))[0]!);
    expect(phoneFailed.contacts).toBeUndefined();
    expect(bsuidFailed.contacts).toBeUndefined();
    expect(Object.keys(phoneFailed.statuses[0])).toEqual(["id", "status", "timestamp", "recipient_id", "errors"]);
    expect(bsuidFailed.statuses[0]).toMatchObject({ status: "failed", recipient_id: USER_WA_ID, recipient_user_id: user.userId, errors: [{ code: 131026 }] });
  });

  it("a username-only user: sends by BSUID, statuses without any number", async () => {
    const t = await freshWaba({ settings: { statusDelaysMs: [0] } });
    const user = await registerUser({ wabaId: t.wabaId, username: "@solo" });
    const wamid = (await body(await t.send({ recipient: user.userId, ...text }))).messages[0].id;
    const status = statusOf((await waitForWebhooks(t.wabaId, 1, { wamid }))[0]!);
    expect(status).toMatchObject({ status: "sent", recipient_user_id: user.userId });
    expect(status.recipient_id).toBeUndefined();
  });
});
