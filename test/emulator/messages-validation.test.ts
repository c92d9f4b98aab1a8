import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { emulatorSends } from "../helpers/emulator";
import { freshWaba, graphError, USER } from "./fixtures";

const buttons = (...titles: string[]) => titles.map((title, i) => ({ type: "reply", reply: { id: `b${i}`, title } }));
const buttonMessage = (interactive: Record<string, unknown>) => ({
  to: USER,
  type: "interactive",
  interactive: { type: "button", body: { text: "Pick one" }, action: { buttons: buttons("Yes", "No") }, ...interactive },
});
const row = (id: string, extra: Record<string, unknown> = {}) => ({ id, title: `Row ${id}`, ...extra });
const listMessage = (interactive: Record<string, unknown>, action: Record<string, unknown> = {}) => ({
  to: USER,
  type: "interactive",
  interactive: {
    type: "list",
    body: { text: "Which option?" },
    ...interactive,
    action: { button: "Options", sections: [{ title: "All", rows: [row("a"), row("b")] }], ...action },
  },
});

async function expect131009(res: Response, details: string) {
  const error = await graphError(res, 400, 131009);
  expect(error).toMatchObject({
    message: "(#131009) Parameter value is not valid",
    type: "OAuthException",
    error_data: { messaging_product: "whatsapp", details },
  });
}

describe("messages: Graph-style validation errors", () => {
  it("(#100) when messaging_product is missing or not whatsapp", async () => {
    const t = await freshWaba();
    const { send } = t;
    const missing = await graphError(await send({ messaging_product: undefined, to: USER, text: { body: "a" } }), 400, 100);
    expect(missing.message).toBe("(#100) The parameter messaging_product is required.");
    expect(missing.error_data).toEqual({ messaging_product: "whatsapp", details: "The parameter messaging_product is required." });
    const wrong = await graphError(await send({ messaging_product: "sms", to: USER, text: { body: "a" } }), 400, 100);
    expect(wrong.message).toBe('(#100) Param messaging_product must be one of {WHATSAPP} - got "sms".');
    expect(await emulatorSends(t.phoneNumberId)).toEqual([]);
  });

  it("(#100) for a body that is not JSON", async () => {
    const t = await freshWaba();
    const res = await env.META!.fetch(`https://graph.facebook.com/v24.0/${t.phoneNumberId}/messages`, {
      method: "POST",
      headers: { Authorization: `Bearer ${t.token}`, "Content-Type": "application/json" },
      body: "to=16505551234&text=hi",
    });
    expect((await graphError(res, 400, 100)).message).toBe("(#100) The parameter messaging_product is required.");
  });

  it("(#100) text body too long, missing, or not a string", async () => {
    const { send } = await freshWaba();
    const long = await graphError(await send({ to: USER, type: "text", text: { body: "x".repeat(4097) } }), 400, 100);
    expect(long.message).toBe("(#100) Param text['body'] must be at most 4096 characters long.");
    const missing = await graphError(await send({ to: USER, type: "text", text: {} }), 400, 100);
    expect(missing.message).toBe("(#100) The parameter text['body'] is required.");
    expect((await graphError(await send({ to: USER, type: "text", text: { body: 5 } }), 400, 100)).message).toBe("(#100) Param text['body'] must be a string.");
  });

  it("(#100) missing or malformed to; biz_opaque_callback_data over 512", async () => {
    const { send } = await freshWaba();
    expect((await graphError(await send({ text: { body: "a" } }), 400, 100)).message).toBe("(#100) The parameter to is required.");
    expect((await graphError(await send({ to: "+1 650 CALL ME", text: { body: "a" } }), 400, 100)).error_data.details).toMatch(/not a valid phone number/);
    const opaque = await graphError(await send({ to: USER, text: { body: "a" }, biz_opaque_callback_data: "o".repeat(513) }), 400, 100);
    expect(opaque.message).toBe("(#100) Param biz_opaque_callback_data must be at most 512 characters long.");
  });

  it("131021 when the recipient is the sending number itself", async () => {
    const t = await freshWaba();
    const error = await graphError(await t.send({ to: t.displayPhoneNumber, text: { body: "me" } }), 400, 131021);
    expect(error.message).toBe("(#131021) Recipient cannot be sender");
  });

  it("(#100) for an unknown type, 131051 for an inbound-only type", async () => {
    const { send } = await freshWaba();
    const unknown = await graphError(await send({ to: USER, type: "hologram", hologram: {} }), 400, 100);
    expect(unknown.message).toBe(
      '(#100) Param type must be one of {AUDIO, CONTACTS, DOCUMENT, IMAGE, INTERACTIVE, LOCATION, REACTION, STICKER, TEMPLATE, TEXT, VIDEO} - got "hologram".',
    );
    const unsupported = await graphError(await send({ to: USER, type: "order", order: {} }), 400, 131051);
    expect(unsupported).toMatchObject({ message: "(#131051) Unsupported message type", error_data: { details: "Message type is not currently supported." } });
  });

  describe("media", () => {
    it("exactly one of id or link", async () => {
      const { send } = await freshWaba();
      const neither = await graphError(await send({ to: USER, type: "image", image: { caption: "c" } }), 400, 131008);
      expect(neither.message).toBe("(#131008) Required parameter is missing");
      await expect131009(await send({ to: USER, type: "image", image: { id: "1", link: "https://x.example/a.jpg" } }), "Param image must contain either 'id' or 'link', not both");
      expect((await graphError(await send({ to: USER, type: "video" }), 400, 100)).message).toBe("(#100) The parameter video is required.");
    });

    it("link must be https", async () => {
      const { send } = await freshWaba();
      await expect131009(await send({ to: USER, type: "document", document: { link: "http://x.example/a.pdf" } }), "Param document['link'] must be a valid https URL");
      await expect131009(await send({ to: USER, type: "document", document: { link: "not a url" } }), "Param document['link'] must be a valid https URL");
    });

    it("caption only on image/video/document and at most 1024; filename only on document", async () => {
      const { send } = await freshWaba();
      const long = await graphError(await send({ to: USER, type: "image", image: { id: "1", caption: "c".repeat(1025) } }), 400, 100);
      expect(long.message).toBe("(#100) Param image['caption'] must be at most 1024 characters long.");
      const audio = await graphError(await send({ to: USER, type: "audio", audio: { id: "1", caption: "no" } }), 400, 100);
      expect(audio.message).toBe('(#100) Unexpected key "caption" on param "audio".');
      const sticker = await graphError(await send({ to: USER, type: "sticker", sticker: { id: "1", caption: "no" } }), 400, 100);
      expect(sticker.message).toBe('(#100) Unexpected key "caption" on param "sticker".');
      const filename = await graphError(await send({ to: USER, type: "image", image: { id: "1", filename: "a.jpg" } }), 400, 100);
      expect(filename.message).toBe('(#100) Unexpected key "filename" on param "image".');
    });
  });

  describe("interactive reply buttons (131009)", () => {
    it("title length 1–20", async () => {
      const { send } = await freshWaba();
      await expect131009(await send(buttonMessage({ action: { buttons: buttons("x".repeat(21)) } })), "Button title length invalid. Min length: 1, Max length: 20");
      await expect131009(await send(buttonMessage({ action: { buttons: buttons("") } })), "Button title length invalid. Min length: 1, Max length: 20");
    });

    it("1–3 buttons, unique titles, id up to 256", async () => {
      const { send } = await freshWaba();
      const count = "Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: 3";
      await expect131009(await send(buttonMessage({ action: { buttons: [] } })), count);
      await expect131009(await send(buttonMessage({ action: { buttons: buttons("a", "b", "c", "d") } })), count);
      await expect131009(await send(buttonMessage({ action: { buttons: buttons("Same", "Same") } })), "Button titles must be unique. Duplicate title: Same");
      await expect131009(
        await send(buttonMessage({ action: { buttons: [{ type: "reply", reply: { id: "i".repeat(257), title: "ok" } }] } })),
        "Button id length invalid. Min length: 1, Max length: 256",
      );
    });

    it("body ≤1024, header text ≤60, footer ≤60", async () => {
      const { send } = await freshWaba();
      await expect131009(await send(buttonMessage({ body: { text: "b".repeat(1025) } })), "Body text length invalid. Min length: 1, Max length: 1024");
      await expect131009(await send(buttonMessage({ header: { type: "text", text: "h".repeat(61) } })), "Header text length invalid. Min length: 1, Max length: 60");
      await expect131009(await send(buttonMessage({ footer: { text: "f".repeat(61) } })), "Footer text length invalid. Min length: 1, Max length: 60");
      const noBody = await graphError(await send(buttonMessage({ body: undefined })), 400, 100);
      expect(noBody.message).toBe("(#100) The parameter interactive['body'] is required.");
    });

    it("counts characters, not UTF-16 units (20 emoji are a valid title)", async () => {
      const { send } = await freshWaba();
      const res = await send(buttonMessage({ action: { buttons: buttons("😀".repeat(20)) } }));
      expect(res.status).toBe(200);
    });
  });

  describe("interactive list (131009)", () => {
    it("button label ≤20, header text only and ≤60, footer ≤60, body ≤4096", async () => {
      const { send } = await freshWaba();
      await expect131009(await send(listMessage({}, { button: "l".repeat(21) })), "Button label length invalid. Min length: 1, Max length: 20");
      await expect131009(await send(listMessage({ header: { type: "text", text: "h".repeat(61) } })), "Header text length invalid. Min length: 1, Max length: 60");
      await expect131009(
        await send(listMessage({ header: { type: "image", image: { id: "1" } } })),
        "Header type image is not supported for list messages. Only text headers are allowed",
      );
      await expect131009(await send(listMessage({ footer: { text: "f".repeat(61) } })), "Footer text length invalid. Min length: 1, Max length: 60");
      await expect131009(await send(listMessage({ body: { text: "b".repeat(4097) } })), "Body text length invalid. Min length: 1, Max length: 4096");
    });

    it("≤10 sections and ≤10 rows in total across sections", async () => {
      const { send } = await freshWaba();
      const sections = (n: number, rowsEach: number) =>
        Array.from({ length: n }, (_, s) => ({ title: `S${s}`, rows: Array.from({ length: rowsEach }, (_, r) => row(`${s}-${r}`)) }));
      await expect131009(await send(listMessage({}, { sections: sections(11, 0) })), "Invalid sections count. Min allowed sections: 1, Max allowed sections: 10");
      await expect131009(await send(listMessage({}, { sections: sections(2, 6) })), "Total row count exceed max allowed count: 10");
      expect((await send(listMessage({}, { sections: sections(2, 5) }))).status).toBe(200);
    });

    it("row title ≤24, description ≤72, id ≤200 and unique; section title ≤24", async () => {
      const { send } = await freshWaba();
      const one = (r: Record<string, unknown>, title = "All") => ({ sections: [{ title, rows: [r] }] });
      await expect131009(await send(listMessage({}, one({ id: "a", title: "t".repeat(25) }))), "Row title length invalid. Min length: 1, Max length: 24");
      await expect131009(await send(listMessage({}, one(row("a", { description: "d".repeat(73) })))), "Row description length invalid. Min length: 0, Max length: 72");
      await expect131009(await send(listMessage({}, one(row("i".repeat(201))))), "Row id length invalid. Min length: 1, Max length: 200");
      await expect131009(await send(listMessage({}, one(row("a"), "s".repeat(25)))), "Section title length invalid. Min length: 1, Max length: 24");
      await expect131009(
        await send(listMessage({}, { sections: [{ title: "One", rows: [row("dup")] }, { title: "Two", rows: [row("dup")] }] })),
        "Row ids must be unique. Duplicate id: dup",
      );
    });

    it("131008 when several sections lack titles", async () => {
      const { send } = await freshWaba();
      const error = await graphError(await send(listMessage({}, { sections: [{ rows: [row("a")] }, { rows: [row("b")] }] })), 400, 131008);
      expect(error.error_data.details).toBe("Section title is required when there is more than one section");
    });
  });

  describe("location and reaction", () => {
    it("latitude and longitude are required, numeric and in range", async () => {
      const { send } = await freshWaba();
      expect((await graphError(await send({ to: USER, type: "location", location: { longitude: 1 } }), 400, 100)).message).toBe(
        "(#100) The parameter location['latitude'] is required.",
      );
      expect((await graphError(await send({ to: USER, type: "location", location: { latitude: "north", longitude: 1 } }), 400, 100)).message).toBe(
        "(#100) Param location['latitude'] must be a valid number.",
      );
      await expect131009(await send({ to: USER, type: "location", location: { latitude: 10, longitude: "181" } }), "Param location['longitude'] must be between -180 and 180");
    });

    it("a reaction needs message_id and emoji and may not quote", async () => {
      const { send } = await freshWaba();
      expect((await graphError(await send({ to: USER, type: "reaction", reaction: { emoji: "👍" } }), 400, 100)).message).toBe(
        "(#100) The parameter reaction['message_id'] is required.",
      );
      await expect131009(
        await send({ to: USER, type: "reaction", context: { message_id: "wamid.x" }, reaction: { message_id: "wamid.x", emoji: "👍" } }),
        "Param context is not allowed for reaction messages",
      );
    });
  });

  it("mark as read needs message_id", async () => {
    const { send } = await freshWaba();
    expect((await graphError(await send({ status: "read" }), 400, 100)).message).toBe("(#100) The parameter message_id is required.");
  });
});
