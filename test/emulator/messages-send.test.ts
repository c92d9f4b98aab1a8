import { describe, expect, it } from "vitest";
import { decodeWamid } from "../../emulator/src/wamid";
import { emulatorReads, emulatorSends } from "../helpers/emulator";
import { body, freshWaba, USER, USER_WA_ID } from "./fixtures";

async function expectAccepted(res: Response, input = USER, waId = USER_WA_ID, template = false) {
  const json = await body(res);
  expect(res.status, JSON.stringify(json)).toBe(200);
  expect(json).toEqual({
    messaging_product: "whatsapp",
    contacts: [{ input, wa_id: waId }],
    messages: [template ? { id: expect.any(String), message_status: "accepted" } : { id: expect.any(String) }],
  });
  return json.messages[0].id as string;
}

describe("POST /{version}/{phone-number-id}/messages: accepted sends", () => {
  it("text: contacts echo the input, the wamid is Meta's business-sent struct", async () => {
    const t = await freshWaba();
    const wamid = await expectAccepted(await t.send({ recipient_type: "individual", to: USER, type: "text", text: { preview_url: false, body: "Hi" } }));
    expect(wamid).toMatch(/^wamid\.[A-Za-z0-9+/]+=*$/);
    expect(wamid.length).toBeGreaterThanOrEqual(56);
    const decoded = decodeWamid(wamid);
    expect(decoded).toMatchObject({ waId: USER_WA_ID, fromBusiness: true });
    expect(decoded?.id).toMatch(/^[0-9A-F]{18}$/);
    const raw = atob(wamid.slice(6));
    expect(raw.charCodeAt(0)).toBe(0x1c);
    expect(raw.charCodeAt(3 + USER_WA_ID.length + 3)).toBe(0x11);

    const sends = await emulatorSends(t.phoneNumberId);
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({ wamid, phoneNumberId: t.phoneNumberId, wabaId: t.wabaId, to: USER, waId: USER_WA_ID, type: "text", graphVersion: "v24.0" });
    expect(sends[0]?.body).toMatchObject({ text: { body: "Hi" } });
  });

  it("type defaults to text, body of exactly 4096 characters is fine", async () => {
    const t = await freshWaba();
    await expectAccepted(await t.send({ to: USER, text: { body: "x".repeat(4096) } }));
  });

  it("to may carry + - ( ) and spaces, or omit the +", async () => {
    const t = await freshWaba();
    await expectAccepted(await t.send({ to: "+1 (650) 555-1234", type: "text", text: { body: "a" } }), "+1 (650) 555-1234");
    await expectAccepted(await t.send({ to: "16505551234", type: "text", text: { body: "a" } }), "16505551234");
    // a national number without + gets the business number's country code (+1)
    await expectAccepted(await t.send({ to: "650-555-1234", type: "text", text: { body: "a" } }), "650-555-1234");
  });

  it.each([
    ["image", { id: "1479537139650973", caption: "Look" }],
    ["image", { link: "https://x.example/a.jpg" }],
    ["video", { link: "https://x.example/a.mp4", caption: "Watch" }],
    ["document", { link: "https://x.example/inv.pdf", filename: "inv.pdf", caption: "Invoice" }],
    ["audio", { id: "123", voice: true }],
    ["sticker", { id: "456" }],
  ])("%s %j", async (type, media) => {
    const t = await freshWaba();
    await expectAccepted(await t.send({ to: USER, type, [type]: media }));
  });

  it("interactive reply buttons", async () => {
    const t = await freshWaba();
    await expectAccepted(
      await t.send({
        to: USER,
        type: "interactive",
        interactive: {
          type: "button",
          header: { type: "text", text: "Workshop" },
          body: { text: "Keep 9am tomorrow?" },
          footer: { text: "Lucky Shrub" },
          action: {
            buttons: [
              { type: "reply", reply: { id: "change-button", title: "Change" } },
              { type: "reply", reply: { id: "cancel-button", title: "x".repeat(20) } },
              { type: "reply", reply: { id: "i".repeat(256), title: "Third" } },
            ],
          },
        },
      }),
    );
  });

  it("interactive reply buttons with an image header", async () => {
    const t = await freshWaba();
    await expectAccepted(
      await t.send({
        to: USER,
        type: "interactive",
        interactive: {
          type: "button",
          header: { type: "image", image: { link: "https://x.example/a.png" } },
          body: { text: "Pick" },
          action: { buttons: [{ type: "reply", reply: { id: "a", title: "A" } }] },
        },
      }),
    );
  });

  it("interactive list: 10 rows across sections, limits at their maximum, body of 4096", async () => {
    const t = await freshWaba();
    const rows = (n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`.padEnd(200, "i"), title: "t".repeat(24), description: "d".repeat(72) }));
    await expectAccepted(
      await t.send({
        to: USER,
        type: "interactive",
        interactive: {
          type: "list",
          header: { type: "text", text: "h".repeat(60) },
          body: { text: "b".repeat(4096) },
          footer: { text: "f".repeat(60) },
          action: { button: "b".repeat(20), sections: [{ title: "s".repeat(24), rows: rows(4, "a") }, { title: "Later", rows: rows(6, "b") }] },
        },
      }),
    );
  });

  it("location with numeric strings and with numbers", async () => {
    const t = await freshWaba();
    await expectAccepted(await t.send({ to: USER, type: "location", location: { latitude: "37.4421", longitude: "-122.1615", name: "Philz", address: "101 Forest Ave" } }));
    await expectAccepted(await t.send({ to: USER, type: "location", location: { latitude: -90, longitude: 180 } }));
  });

  it("reaction (and removing one with an empty emoji)", async () => {
    const t = await freshWaba();
    const target = await expectAccepted(await t.send({ to: USER, text: { body: "hi" } }));
    await expectAccepted(await t.send({ to: USER, type: "reaction", reaction: { message_id: target, emoji: "😀" } }));
    await expectAccepted(await t.send({ to: USER, type: "reaction", reaction: { message_id: target, emoji: "" } }));
  });

  it("contacts", async () => {
    const t = await freshWaba();
    await expectAccepted(await t.send({ to: USER, type: "contacts", contacts: [{ name: { formatted_name: "Ada Lovelace", first_name: "Ada" } }] }));
  });

  it("template: message_status accepted appears only on templates", async () => {
    const t = await freshWaba();
    await expectAccepted(
      await t.send({
        to: USER,
        type: "template",
        template: { name: "order_update", language: { code: "en_US" }, components: [{ type: "body", parameters: [{ type: "text", text: "Jessica" }, { type: "text", text: "SKB-1" }] }] },
      }),
      USER,
      USER_WA_ID,
      true,
    );
  });

  it("quote replies carry context.message_id", async () => {
    const t = await freshWaba();
    await expectAccepted(await t.send({ to: USER, context: { message_id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=" }, text: { body: "re" } }));
  });

  it("mark as read answers {success:true} and is logged apart from sends", async () => {
    const t = await freshWaba();
    const res = await t.send({ status: "read", message_id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", typing_indicator: { type: "text" } });
    expect(res.status).toBe(200);
    expect(await body(res)).toEqual({ success: true });
    expect(await emulatorSends(t.phoneNumberId)).toEqual([]);
    expect(await emulatorReads(t.phoneNumberId)).toMatchObject([{ typingIndicator: true, wabaId: t.wabaId }]);
  });

  it("any v<major>.<minor> version is accepted and echoed in facebook-api-version", async () => {
    const t = await freshWaba();
    const res = await t.send({ to: USER, text: { body: "old" } }, "v13.0");
    expect(res.status).toBe(200);
    expect(res.headers.get("facebook-api-version")).toBe("v13.0");
  });
});
