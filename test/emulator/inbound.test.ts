import { describe, expect, it } from "vitest";
import { decodeWamid } from "../../emulator/src/wamid";
import { emulateInbound, emulatorSettings, type InboundInput } from "../helpers/emulator";
import { freshWaba, USER_WA_ID } from "./fixtures";
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
      contacts: [{ profile: { name: "Sheena Nelson" }, wa_id: USER_WA_ID }],
      messages: [{ from: USER_WA_ID, id: result.wamid, timestamp: expect.stringMatching(/^\d{10}$/), type: "text", text: { body: "Does it come in another color?" } }],
    });
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
