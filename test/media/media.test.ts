import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { recordInboundMedia } from "../../src/data-plane/media";
import { headerHandleForMedia } from "../../src/media/header-handle";
import { api, jsonOf } from "../helpers/api";
import { emulateInbound, emulatorSends, emulatorTemplates, GRAPH_ORIGIN } from "../helpers/emulator";
import { createMessagingTenant, inboundFrom, messageByWamid, type MessagingTenant } from "../helpers/messaging";
import { received, receiverUrl } from "../helpers/receiver";
import { createTenant } from "../helpers/tenant";
import { inWaba, seedMessage, storeOf, wabaSql } from "../helpers/waba";

// Media: inbound media kept in R2 (src/media/copy-inbound.ts), GET /v1/messages/{id}/media, POST
// /v1/media (streamed to Meta), and template header handles (src/media/header-handle.ts), against the
// emulator's Media API.

const CUSTOMER = "+16505551234";
const CUSTOMER_WA_ID = "16505551234";
const MB = 1024 * 1024;

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const emulatorMedia = async (path: string, json?: unknown) => {
  const res = await env.META!.fetch(`${GRAPH_ORIGIN}/__emulator/media${path}`, {
    method: json === undefined ? "GET" : "POST",
    headers: { "Content-Type": "application/json" },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  if (!res.ok) throw new Error(`emulator media ${path} → ${res.status}: ${await res.text()}`);
  return (await res.json()) as { media: { id: string; sha256: string; sha256Base64: string; fileSize: number; mimeType: string } };
};

type MediaRow = { status: string; attempts: number; sha256: string | null; file_size: number | null; r2_key: string | null; last_error: string | null };
const mediaRow = async (t: MessagingTenant, messageId: string) => (await wabaSql<MediaRow>(t, `SELECT * FROM media WHERE message_id = ?`, messageId))[0];

/** A customer's media message through the emulator (Meta's signed webhook, the queue, the WABA object); its stored message. */
async function inboundMedia(t: MessagingTenant, type: "image" | "document" | "video", media: Record<string, unknown>) {
  const { wamid } = await emulateInbound({ phoneNumberId: t.defaultPhone, from: CUSTOMER_WA_ID, type, [type]: media });
  let message: Awaited<ReturnType<typeof messageByWamid>>;
  await vi.waitFor(async () => expect((message = await messageByWamid(t, wamid))).toBeDefined());
  return message!;
}

async function waitStored(t: MessagingTenant, messageId: string, timeout = 10_000) {
  await vi.waitFor(async () => expect((await mediaRow(t, messageId))?.status).toBe("stored"), { timeout, interval: 50 });
  return (await mediaRow(t, messageId))!;
}

const download = (t: MessagingTenant, messageId: string, key = t.secret) => api(`/v1/messages/${messageId}/media`, { key });

/** A multipart/form-data body as a stream (no Content-Length), the file sent in 64 KB chunks. */
function streamedForm(fields: Record<string, string>, file: { bytes: Uint8Array; filename: string; contentType?: string }) {
  const boundary = `----test${crypto.randomUUID()}`;
  const enc = new TextEncoder();
  const head =
    Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join("") +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.filename}"\r\n${file.contentType ? `Content-Type: ${file.contentType}\r\n` : ""}\r\n`;
  const chunks = [enc.encode(head)];
  for (let i = 0; i < file.bytes.byteLength; i += 65536) chunks.push(file.bytes.subarray(i, i + 65536));
  chunks.push(enc.encode(`\r\n--${boundary}--\r\n`));
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

function uploadForm(t: MessagingTenant, form: FormData) {
  return api("/v1/media", { key: t.secret, method: "POST", body: form });
}

describe("inbound media kept in R2", () => {
  it("an inbound image is announced as pending, copied into R2 with Meta's bytes and sha256, and stays downloadable after Meta's id expired", async () => {
    const t = await createMessagingTenant();
    const { url, path } = receiverUrl("media-received");
    expect((await api("/v1/webhooks", { key: t.secret, method: "POST", json: { url, events: ["message.received"] } })).status).toBe(201);
    const meta = await emulatorMedia("", { phoneNumberId: t.defaultPhone, mimeType: "image/jpeg", size: 40_000 });
    const message = await inboundMedia(t, "image", { id: meta.media.id, caption: "the crack" });

    // the message is stored and announced first: its media is pending in the event
    await vi.waitFor(async () => expect((await received(path)).length).toBeGreaterThan(0));
    const event = JSON.parse((await received(path))[0]!.body);
    expect(event.data.message).toMatchObject({ id: message.id, kind: "image", body: "the crack", media: { status: "pending", url: `/v1/messages/${message.id}/media` } });

    const row = await waitStored(t, message.id);
    expect(row).toMatchObject({ attempts: 0, sha256: meta.media.sha256, file_size: 40_000, r2_key: `live/${t.waba.id}/${message.id}` });
    const object = await env.MEDIA.get(row.r2_key!);
    expect(await sha256Hex(new Uint8Array(await object!.arrayBuffer()))).toBe(meta.media.sha256);

    await emulatorMedia(`/${meta.media.id}/expire`, {});
    const res = await download(t, message.id);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("image/jpeg");
    expect(res.headers.get("Content-Length")).toBe("40000");
    expect(res.headers.get("Content-Disposition")).toBe(`attachment; filename="image-${message.id}.jpg"; filename*=UTF-8''image-${message.id}.jpg`);
    expect(res.headers.get("X-Media-Source")).toBe("stored");
    expect(res.headers.get("X-Content-SHA256")).toBe(meta.media.sha256);
    expect(await sha256Hex(new Uint8Array(await res.arrayBuffer()))).toBe(meta.media.sha256);

    // history carries the path
    const conversations = await jsonOf(await api("/v1/conversations", { key: t.secret }));
    const history = await jsonOf(await api(`/v1/conversations/${conversations.data[0].id}/messages`, { key: t.secret }));
    expect(history.data.find((m: { id: string }) => m.id === message.id).mediaUrl).toBe(`/v1/messages/${message.id}/media`);
  });

  it("a failed copy (bytes that do not match Meta's sha256) is retried; the message was never lost", async () => {
    const t = await createMessagingTenant();
    const meta = await emulatorMedia("", { phoneNumberId: t.defaultPhone, mimeType: "application/pdf", size: 10_000, filename: "invoice.pdf" });
    await emulatorMedia(`/${meta.media.id}/faults`, { corruptDownloads: 1, failDownloads: 0 });
    const message = await inboundMedia(t, "document", { id: meta.media.id, filename: "invoice.pdf" });
    expect(message.kind).toBe("document");
    const row = await waitStored(t, message.id);
    expect(row.attempts).toBe(1);
    expect(row.sha256).toBe(meta.media.sha256);
    const res = await download(t, message.id);
    expect(res.headers.get("Content-Disposition")).toContain('filename="invoice.pdf"');
    expect(await sha256Hex(new Uint8Array(await res.arrayBuffer()))).toBe(meta.media.sha256);
  });

  it("while the copy is pending, the download streams from Meta", async () => {
    const t = await createMessagingTenant();
    const meta = await emulatorMedia("", { phoneNumberId: t.defaultPhone, mimeType: "image/png", size: 5000 });
    // stored as the data plane stores it, its copy job not queued (inWaba does not flush effects)
    const seeded = await seedMessage(t, {
      party: { phone: CUSTOMER, waId: CUSTOMER_WA_ID }, metaPhoneNumberId: t.defaultPhone, direction: "inbound", kind: "image", body: null,
      payload: { type: "image", image: { id: meta.media.id } }, status: "delivered", wamid: `wamid.media-${crypto.randomUUID()}`,
    });
    await inWaba(t, (s) => recordInboundMedia(s, seeded!.messageId, { type: "image", image: { id: meta.media.id, mime_type: "image/png" } }));
    const res = await download(t, seeded!.messageId);
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Media-Source")).toBe("meta");
    expect(res.headers.get("Content-Type")).toBe("image/png");
    expect(await sha256Hex(new Uint8Array(await res.arrayBuffer()))).toBe(meta.media.sha256);
  });

  it("404 for another WABA's message, an unknown or malformed id, and a message without media; 410 past retention", async () => {
    const t = await createMessagingTenant();
    const other = await createMessagingTenant();
    const message = await inboundMedia(t, "image", {});
    await waitStored(t, message.id);
    const text = await inboundFrom(t, CUSTOMER);
    for (const [key, id] of [[other.secret, message.id], [t.secret, "65fc2e1b9a8b1c0d2e3f4a5b"], [t.secret, "nope"], [t.secret, text!.messageId]] as const) {
      const res = await api(`/v1/messages/${id}/media`, { key });
      expect(res.status, id).toBe(404);
      expect((await jsonOf(res)).error.code).toBe("NOT_FOUND");
    }
    // the alarm's retention, on a pinned clock 91 days on: the R2 object goes, the media answers 410
    const row = (await mediaRow(t, message.id))!;
    expect(await storeOf(t).pruneMediaNow(t.waba.id, Date.now() + 91 * 24 * 3600_000)).toMatchObject({ expired: 1 });
    expect(await env.MEDIA.head(row.r2_key!)).toBeNull();
    const res = await download(t, message.id);
    expect(res.status).toBe(410);
    expect((await jsonOf(res)).error.code).toBe("MEDIA_EXPIRED");
  });

  it("test mode: a sandbox customer's image is copied through the sandbox (never Meta) and served to the test key", async () => {
    const t = await createTenant({ mode: "test" });
    const phoneNumberId = t.phones[0]!.metaPhoneNumberId;
    const sandbox = (path: string, json: unknown) =>
      env.SANDBOX!.fetch(`${GRAPH_ORIGIN}/__emulator${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(json) });
    expect((await sandbox("/wabas", { metaWabaId: t.waba.metaWabaId, accessToken: `sandbox-only-${t.waba.id}`, phoneNumbers: [{ metaPhoneNumberId: phoneNumberId, displayPhoneNumber: "+1 555 000 1000" }] })).status).toBe(201);
    const { wamid } = await (await sandbox("/inbound", { phoneNumberId, from: CUSTOMER_WA_ID, type: "image", image: { caption: "sandbox" } })).json<{ wamid: string }>();
    let messageId = "";
    await vi.waitFor(async () => {
      const [row] = await wabaSql<{ id: string }>(t, `SELECT id FROM messages WHERE wamid = ?`, wamid);
      expect(row).toBeDefined();
      messageId = row!.id;
    });
    const row = await waitStored(t as unknown as MessagingTenant, messageId);
    expect(row.r2_key).toBe(`test/${t.waba.id}/${messageId}`);
    const res = await api(`/v1/messages/${messageId}/media`, { key: t.secret });
    expect(res.status).toBe(200);
    expect(await sha256Hex(new Uint8Array(await res.arrayBuffer()))).toBe(row.sha256);
  });

  it("a 20 MB inbound document is copied and downloaded whole", async () => {
    const t = await createMessagingTenant();
    const meta = await emulatorMedia("", { phoneNumberId: t.defaultPhone, mimeType: "application/pdf", size: 20 * MB, filename: "big.pdf" });
    const message = await inboundMedia(t, "document", { id: meta.media.id, filename: "big.pdf" });
    await waitStored(t, message.id, 30_000);
    const res = await download(t, message.id);
    expect(res.headers.get("Content-Length")).toBe(String(20 * MB));
    expect(await sha256Hex(new Uint8Array(await res.arrayBuffer()))).toBe(meta.media.sha256);
  }, 60_000);
});

describe("POST /v1/media", () => {
  it("uploads to Meta and answers the id, which sends as mediaId", async () => {
    const t = await createMessagingTenant();
    const bytes = crypto.getRandomValues(new Uint8Array(30_000));
    const form = new FormData();
    form.set("type", "image/jpeg");
    form.set("file", new Blob([bytes], { type: "image/jpeg" }), "photo.jpg");
    const res = await uploadForm(t, form);
    expect(res.status).toBe(200);
    const uploaded = await jsonOf(res);
    expect(uploaded).toEqual({ id: expect.stringMatching(/^\d+$/), phoneNumberId: t.defaultPhone, mimeType: "image/jpeg", fileSize: 30_000 });
    expect((await emulatorMedia(`/${uploaded.id}`)).media).toMatchObject({ sha256: await sha256Hex(bytes), mimeType: "image/jpeg", phoneNumberId: t.defaultPhone });

    await inboundFrom(t, CUSTOMER);
    const sent = await api("/v1/messages/media", { key: t.secret, method: "POST", json: { to: CUSTOMER, type: "image", mediaId: uploaded.id, caption: "here" } });
    expect(sent.status).toBe(200);
    const [record] = await emulatorSends(t.defaultPhone, CUSTOMER);
    expect(record!.body).toMatchObject({ type: "image", image: { id: uploaded.id } });
  });

  it("the id becomes a template header handle through the Resumable Upload API", async () => {
    const t = await createMessagingTenant();
    const bytes = crypto.getRandomValues(new Uint8Array(12_345));
    const form = new FormData();
    form.set("type", "image/png");
    form.set("file", new Blob([bytes]), "header.png");
    const { id } = await jsonOf(await uploadForm(t, form));
    const result = await headerHandleForMedia(env, { mode: "live", token: t.accessToken }, id);
    expect(result).toEqual({ ok: true, handle: expect.stringMatching(/^4:/) });
    const handle = await (await env.META!.fetch(`${GRAPH_ORIGIN}/__emulator/media/handles/${encodeURIComponent((result as { handle: string }).handle)}`)).json<any>();
    expect(handle.handle).toMatchObject({ size: 12_345, fileType: "image/png", sha256Hex: await sha256Hex(bytes) });
    expect(await headerHandleForMedia(env, { mode: "live", token: t.accessToken }, "999999999999")).toMatchObject({ ok: false, kind: "unknown_media" });
  });

  it("POST /v1/templates with example.header_media_id: the uploaded media reaches Meta as a Resumable Upload handle", async () => {
    const t = await createMessagingTenant();
    const bytes = crypto.getRandomValues(new Uint8Array(20_000));
    const form = new FormData();
    form.set("type", "image/jpeg");
    form.set("file", new Blob([bytes]), "banner.jpg");
    const { id } = await jsonOf(await uploadForm(t, form));
    const name = `media_header_${Date.now() % 1_000_000}`;
    const template = (mediaId: string) => ({
      name, language: "en_US", category: "marketing",
      components: [{ type: "header", format: "image", example: { header_media_id: mediaId } }, { type: "body", text: "New arrivals are in." }],
    });
    const created = await api("/v1/templates", { key: t.secret, method: "POST", json: template(id) });
    expect(created.status).toBe(201);
    const [atMeta] = (await emulatorTemplates(t.metaWabaId)).filter((x) => x.name === name);
    const handle = (atMeta!.components as Array<{ type: string; example?: { header_handle?: string[] } }>).find((c) => c.type === "HEADER")!.example!.header_handle![0]!;
    const held = await (await env.META!.fetch(`${GRAPH_ORIGIN}/__emulator/media/handles/${encodeURIComponent(handle)}`)).json<any>();
    expect(held.handle).toMatchObject({ size: 20_000, fileType: "image/jpeg", sha256Hex: await sha256Hex(bytes) });

    const unknown = await api("/v1/templates", { key: t.secret, method: "POST", json: { ...template("999999999999"), name: `${name}_x` } });
    expect(unknown.status).toBe(400);
    expect((await jsonOf(unknown)).error.details[0].field).toMatch(/header_media_id$/);
  });

  it("checks Meta's limits before anything goes upstream: 415 for a type Meta refuses or a non-multipart body, 413 over the kind's size, 400 without a file or type", async () => {
    const t = await createMessagingTenant();
    const json = await api("/v1/media", { key: t.secret, method: "POST", json: { file: "x" } });
    expect(json.status).toBe(415);

    const gif = new FormData();
    gif.set("type", "image/gif");
    gif.set("file", new Blob([new Uint8Array(10)]), "a.gif");
    const refused = await uploadForm(t, gif);
    expect(refused.status).toBe(415);
    expect((await jsonOf(refused)).error).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE", details: [{ field: "type", accepted: expect.stringContaining("image/jpeg") }] });

    // a stream without Content-Length: cut off on the way once over 5 MB
    const big = streamedForm({ type: "image/jpeg" }, { bytes: new Uint8Array(5 * MB + 1), filename: "big.jpg" });
    const over = await api("/v1/media", { key: t.secret, method: "POST", body: big.body, headers: { "Content-Type": big.contentType } });
    expect(over.status).toBe(413);
    expect((await jsonOf(over)).error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", message: expect.stringContaining("5 MB"), details: [{ field: "file", limitBytes: 5 * MB }] });

    // with a Content-Length, refused before the file is read
    const sticker = new FormData();
    sticker.set("type", "image/webp");
    sticker.set("file", new Blob([new Uint8Array(600 * 1024)]), "s.webp");
    const encoded = new Response(sticker);
    const contentType = encoded.headers.get("Content-Type")!;
    const bytes = new Uint8Array(await encoded.arrayBuffer());
    const early = await api("/v1/media", { key: t.secret, method: "POST", body: bytes, headers: { "Content-Type": contentType } });
    expect(early.status).toBe(413);
    expect((await jsonOf(early)).error.message).toContain("500 KB");

    const noFile = new FormData();
    noFile.set("type", "image/jpeg");
    const missing = await uploadForm(t, noFile);
    expect(missing.status).toBe(400);
    expect((await jsonOf(missing)).error.details).toEqual([{ field: "file", message: "Required field is missing" }]);

    const untyped = streamedForm({}, { bytes: new Uint8Array(10), filename: "x" });
    const noType = await api("/v1/media", { key: t.secret, method: "POST", body: untyped.body, headers: { "Content-Type": untyped.contentType } });
    expect(noType.status).toBe(400);
    expect((await jsonOf(noType)).error.details[0].field).toBe("type");

    const phone = new FormData();
    phone.set("type", "image/jpeg");
    phone.set("phoneNumberId", "123");
    phone.set("file", new Blob([new Uint8Array(10)]), "a.jpg");
    expect((await jsonOf(await uploadForm(t, phone))).error.code).toBe("PHONE_NOT_FOUND");
  });

  it("a 20 MB document streams through (a stream body, no Content-Length)", async () => {
    const t = await createMessagingTenant();
    const bytes = new Uint8Array(20 * MB);
    for (let i = 0; i < bytes.byteLength; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
    const form = streamedForm({ type: "application/pdf", phoneNumberId: t.phones[1]!.metaPhoneNumberId }, { bytes, filename: "report.pdf", contentType: "application/pdf" });
    const res = await api("/v1/media", { key: t.secret, method: "POST", body: form.body, headers: { "Content-Type": form.contentType } });
    expect(res.status).toBe(200);
    const uploaded = await jsonOf(res);
    expect(uploaded).toMatchObject({ fileSize: 20 * MB, phoneNumberId: t.phones[1]!.metaPhoneNumberId });
    expect((await emulatorMedia(`/${uploaded.id}`)).media.sha256).toBe(await sha256Hex(bytes));
  }, 60_000);
});
