import { describe, expect, it } from "vitest";
import { decodeWamid } from "../../emulator/src/wamid";
import { emulateInbound, emulatorSettings, listUsers, registerUser, type InboundInput } from "../helpers/emulator";
import { body, controlError, controlRequest, freshWaba, USER, USER_WA_ID } from "./fixtures";
import { APP_SECRET, hmacSha256Hex, parsed, waitForWebhooks } from "./webhook-helpers";

async function inbound(input: Omit<InboundInput, "phoneNumberId" | "from"> & { from?: string }) {
  const t = await freshWaba();
  const result = await emulateInbound({ phoneNumberId: t.phoneNumberId, from: USER_WA_ID, name: "Sheena Nelson", ...input });
  const [hook] = await waitForWebhooks(t.wabaId, 1, { wamid: result.wamid });
  const value = parsed(hook!).entry[0].changes[0].value;
  return { t, result, hook: hook!, value, message: value.messages[0] };
}

describe("POST /__emulator/inbound", () => {
  it("text: Meta's envelope with contacts, a user wamid, a unix-seconds timestamp, signed", async () => {
    const { t, result, hook, value } = await inbound({ type: "text", text: { body: "Does it come in another color?" } });
    expect(result.delivered === null || typeof result.delivered === "number").toBe(true);
    expect(result.delivered).toBe(hook.httpStatus);
    expect(parsed(hook)).toMatchObject({ object: "whatsapp_business_account", entry: [{ id: t.wabaId, changes: [{ field: "messages" }] }] });
    expect(value).toEqual({
      messaging_product: "whatsapp",
      metadata: { display_phone_number: t.displayPhoneNumber.replace(/\D/g, ""), phone_number_id: t.phoneNumberId },
      contacts: [{ profile: { name: "Sheena Nelson" }, wa_id: USER_WA_ID, user_id: result.userId }],
      messages: [
        {
          from: USER_WA_ID,
          from_user_id: result.userId,
          id: result.wamid,
          timestamp: expect.stringMatching(/^\d{10}$/),
          type: "text",
          text: { body: "Does it come in another color?" },
        },
      ],
    });
    expect(result.userId).toMatch(/^US\.\d{20}$/);
    const decoded = decodeWamid(result.wamid);
    expect(decoded).toMatchObject({ waId: USER_WA_ID, fromBusiness: false });
    expect(decoded?.id).toMatch(/^3A[0-9A-F]{18}$/);
    expect(hook.signature).toBe(`sha256=${await hmacSha256Hex(APP_SECRET, hook.body)}`);
    expect(hook.kind).toBe("messages");
  });

  it("text may be a plain string; non-ASCII is escaped in the body", async () => {
    const { hook, message } = await inbound({ type: "text", text: "¿Tienen envío? 🚚" });
    expect(message.text).toEqual({ body: "¿Tienen envío? 🚚" });
    expect(hook.body).toContain("\\u00bfTienen env\\u00edo? \\ud83d\\ude9a");
  });

  it("image: id, mime_type, sha256 and url are filled in", async () => {
    const { message } = await inbound({ type: "image", image: { caption: "hi" } });
    expect(message.image).toEqual({ caption: "hi", mime_type: "image/jpeg", sha256: expect.any(String), id: expect.stringMatching(/^\d{16}$/), url: expect.stringMatching(/^https:\/\//) });
  });

  it("interactive button_reply and list_reply carry the quoted context", async () => {
    const button = await inbound({
      type: "interactive",
      context: { id: "wamid.ours" },
      interactive: { type: "button_reply", button_reply: { id: "change-button", title: "Change" } },
    });
    expect(button.message.context).toEqual({ from: button.t.displayPhoneNumber.replace(/\D/g, ""), id: "wamid.ours" });
    expect(button.message.interactive).toEqual({ type: "button_reply", button_reply: { id: "change-button", title: "Change" } });
    const list = await inbound({
      type: "interactive",
      context: { id: "wamid.ours", from: "15550783881" },
      interactive: { type: "list_reply", list_reply: { id: "priority_express", title: "Priority Mail Express", description: "Next Day to 2 Days" } },
    });
    expect(list.message.context).toEqual({ from: "15550783881", id: "wamid.ours" });
    expect(list.message.interactive.list_reply.id).toBe("priority_express");
  });

  it("button (template quick reply): payload defaults to the label", async () => {
    const { message } = await inbound({ type: "button", context: { id: "wamid.tpl" }, button: { text: "Unsubscribe" } });
    expect(message.button).toEqual({ payload: "Unsubscribe", text: "Unsubscribe" });
  });

  it("location, reaction and unsupported", async () => {
    expect((await inbound({ type: "location", location: { latitude: 37.4421, longitude: -122.1615, name: "Philz" } })).message.location).toEqual({
      latitude: 37.4421,
      longitude: -122.1615,
      name: "Philz",
    });
    expect((await inbound({ type: "reaction", reaction: { message_id: "wamid.ours", emoji: "😀" } })).message.reaction).toEqual({ message_id: "wamid.ours", emoji: "😀" });
    const removed = await inbound({ type: "reaction", reaction: { message_id: "wamid.ours" } });
    expect(removed.message.reaction).toEqual({ message_id: "wamid.ours" });
    const unsupported = await inbound({ type: "unsupported", unsupported: { type: "poll" } });
    expect(unsupported.message).toMatchObject({
      type: "unsupported",
      errors: [{ code: 131051, title: "Message type unknown", message: "Message type unknown", error_data: { details: "Message type is currently not supported." } }],
      unsupported: { type: "poll" },
    });
  });

  it("an id can be reused to emulate a re-delivery; duplicates posts each inbound twice", async () => {
    const t = await freshWaba();
    await emulatorSettings(t.wabaId, { duplicates: true });
    const first = await emulateInbound({ phoneNumberId: t.phoneNumberId, from: USER_WA_ID, type: "text", text: "a" });
    const again = await emulateInbound({ phoneNumberId: t.phoneNumberId, from: USER_WA_ID, type: "text", text: "a", id: first.wamid });
    expect(again.wamid).toBe(first.wamid);
    expect(await waitForWebhooks(t.wabaId, 4, { wamid: first.wamid })).toHaveLength(4);
  });
});

describe("inbound system, edit and revoke messages", () => {
  it("user_changed_number: from is the old number, system.wa_id the new one, new and previous BSUIDs, no contacts; the registry follows", async () => {
    const t = await freshWaba();
    const before = await registerUser({ wabaId: t.wabaId, waId: USER, name: "Sheena Nelson" });
    const result = await emulateInbound({ phoneNumberId: t.phoneNumberId, from: USER_WA_ID, type: "system", system: { type: "user_changed_number", newWaId: "+12195555358" } });
    const [hook] = await waitForWebhooks(t.wabaId, 1, { wamid: result.wamid });
    const value = parsed(hook!).entry[0].changes[0].value;
    expect(value.contacts).toBeUndefined();
    const [after] = await listUsers(t.wabaId);
    expect(after).toMatchObject({ waId: "12195555358", previousUserIds: [before.userId], userId: expect.stringMatching(/^US\.\d{20}$/) });
    expect(after!.userId).not.toBe(before.userId);
    expect(result.userId).toBe(after!.userId);
    expect(value.messages).toEqual([
      {
        from: USER_WA_ID,
        from_user_id: before.userId,
        id: result.wamid,
        timestamp: expect.stringMatching(/^\d{10}$/),
        system: {
          body: "User Sheena Nelson changed from 16505551234 to 12195555358",
          wa_id: "12195555358",
          type: "user_changed_number",
          user_id: after!.userId,
          previous_user_id: before.userId,
        },
        type: "system",
      },
    ]);
    expect(decodeWamid(result.wamid)?.id).toMatch(/^\d{10}$/);
    // sends to the new number reach the same user; the old number is a new user
    expect((await body(await t.send({ to: "+12195555358", type: "text", text: { body: "hi" } }))).contacts[0].wa_id).toBe("12195555358");
    expect((await listUsers(t.wabaId)).filter((u) => u.waId === "12195555358")).toHaveLength(1);
  });

  it("user_changed_user_id: only the BSUID change, no number anywhere", async () => {
    const t = await freshWaba();
    const before = await registerUser({ wabaId: t.wabaId, waId: USER, name: "Pablo M.", hidePhone: true });
    const result = await emulateInbound({ phoneNumberId: t.phoneNumberId, userId: before.userId, type: "system", system: { type: "user_changed_user_id" } });
    const value = parsed((await waitForWebhooks(t.wabaId, 1, { wamid: result.wamid }))[0]!).entry[0].changes[0].value;
    expect(value.contacts).toBeUndefined();
    expect(value.messages).toEqual([
      {
        from_user_id: before.userId,
        id: result.wamid,
        timestamp: expect.stringMatching(/^\d{10}$/),
        system: {
          body: `User Pablo M. changed from ${before.userId} to ${result.userId}`,
          type: "user_changed_user_id",
          user_id: result.userId,
          previous_user_id: before.userId,
        },
        type: "system",
      },
    ]);
    expect(result.userId).toMatch(/^US\.\d{20}$/);
    expect(result.userId).not.toBe(before.userId);
    expect((await listUsers(t.wabaId))[0]).toMatchObject({ waId: USER_WA_ID, userId: result.userId, previousUserIds: [before.userId] });
  });

  it("a number change of a user whose number Meta cannot share is reported as user_changed_user_id", async () => {
    const t = await freshWaba();
    await registerUser({ wabaId: t.wabaId, waId: USER, hidePhone: true });
    const result = await emulateInbound({ phoneNumberId: t.phoneNumberId, from: USER, type: "system", system: { type: "user_changed_number", newWaId: "12195555358" } });
    const message = parsed((await waitForWebhooks(t.wabaId, 1, { wamid: result.wamid }))[0]!).entry[0].changes[0].value.messages[0];
    expect(message.system.type).toBe("user_changed_user_id");
    expect(message.from).toBeUndefined();
    expect(JSON.stringify(message)).not.toContain("12195555358");
    expect((await listUsers(t.wabaId))[0]!.waId).toBe("12195555358");
  });

  it("a system message needs a known number for a number change, and a free new number", async () => {
    const t = await freshWaba();
    await registerUser({ wabaId: t.wabaId, waId: "+14155550123" });
    const change = (from: Record<string, unknown>, newWaId: string) => controlRequest("/inbound", { phoneNumberId: t.phoneNumberId, ...from, type: "system", system: { type: "user_changed_number", newWaId } });
    await controlError(await change({ from: USER }, "14155550123"), 409);
    await controlError(await change({ username: "nophone" }, "12195555358"), 400);
    await controlError(await controlRequest("/inbound", { phoneNumberId: t.phoneNumberId, from: USER, type: "system", system: { type: "user_changed_number" } }), 400);
    await controlError(await controlRequest("/inbound", { phoneNumberId: t.phoneNumberId, from: USER, type: "system" }), 400);
  });

  it("edit: original_message_id and the new message (media filled in), with contacts", async () => {
    const { result, value, message } = await inbound({
      type: "edit",
      edit: { originalMessageId: "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=", message: { type: "image", image: { caption: "Updated image caption" } } },
    });
    expect(value.contacts).toEqual([{ profile: { name: "Sheena Nelson" }, wa_id: USER_WA_ID, user_id: result.userId }]);
    expect(message).toMatchObject({ from: USER_WA_ID, from_user_id: result.userId, type: "edit" });
    expect(message.edit).toEqual({
      original_message_id: "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=",
      message: {
        type: "image",
        image: { caption: "Updated image caption", mime_type: "image/jpeg", sha256: expect.any(String), id: expect.stringMatching(/^\d{16}$/), url: expect.stringMatching(/^https:\/\//) },
      },
    });
    const edited = await inbound({ type: "edit", edit: { originalMessageId: "wamid.x", message: { type: "text", text: "fixed typo" } } });
    expect(edited.message.edit).toEqual({ original_message_id: "wamid.x", message: { type: "text", text: { body: "fixed typo" } } });
  });

  it("revoke: original_message_id, with contacts", async () => {
    const { result, value, message } = await inbound({ type: "revoke", revoke: { originalMessageId: "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=" } });
    expect(value.contacts[0].user_id).toBe(result.userId);
    expect(message).toEqual({
      from: USER_WA_ID,
      from_user_id: result.userId,
      id: result.wamid,
      timestamp: expect.stringMatching(/^\d{10}$/),
      type: "revoke",
      revoke: { original_message_id: "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=" },
    });
  });

  it("an edit must carry text or captioned media, and the object of its type", async () => {
    const t = await freshWaba();
    const edit = (message: unknown) => controlRequest("/inbound", { phoneNumberId: t.phoneNumberId, from: USER, type: "edit", edit: { originalMessageId: "wamid.x", message } });
    await controlError(await edit({ type: "sticker", sticker: {} }), 400);
    await controlError(await edit({ type: "image" }), 400);
    await controlError(await controlRequest("/inbound", { phoneNumberId: t.phoneNumberId, from: USER, type: "revoke", revoke: {} }), 400);
  });
});
