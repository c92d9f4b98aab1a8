import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { emulateInbound, GRAPH_ORIGIN } from "../helpers/emulator";
import { body, freshWaba, USER_WA_ID } from "./fixtures";
import { parsed, waitForWebhooks } from "./webhook-helpers";

// The emulator's Media API and Resumable Upload API (emulator/src/media.ts): Meta's shapes, token
// checks, limits and error codes, and the control calls tests use to expire and fault media.

const meta = () => env.META!;

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function upload(phoneNumberId: string, token: string | undefined, parts: { file?: Blob; filename?: string; type?: string; product?: string | null }) {
  const form = new FormData();
  if (parts.product !== null) form.set("messaging_product", parts.product ?? "whatsapp");
  if (parts.type !== undefined) form.set("type", parts.type);
  if (parts.file) form.set("file", parts.file, parts.filename ?? "file.bin");
  return meta().fetch(`${GRAPH_ORIGIN}/v24.0/${phoneNumberId}/media`, { method: "POST", headers: token ? { Authorization: `Bearer ${token}` } : {}, body: form });
}

const get = (path: string, token?: string, init: RequestInit = {}) =>
  meta().fetch(path.startsWith("http") ? path : `${GRAPH_ORIGIN}${path}`, { ...init, headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string>) } });

const control = (path: string, json?: unknown) =>
  meta().fetch(`${GRAPH_ORIGIN}/__emulator/media${path}`, { method: json === undefined ? "GET" : "POST", headers: { "Content-Type": "application/json" }, body: json === undefined ? undefined : JSON.stringify(json) });

describe("emulator: Media API", () => {
  it("upload → GET /{media-id} (url, mime_type, sha256, file_size) → download with the token → DELETE", async () => {
    const t = await freshWaba();
    const bytes = crypto.getRandomValues(new Uint8Array(5000));
    const up = await upload(t.phoneNumberId, t.token, { file: new Blob([bytes], { type: "image/jpeg" }), filename: "a.jpg", type: "image/jpeg" });
    expect(up.status).toBe(200);
    const { id } = await body(up);
    expect(id).toMatch(/^\d{16}$/);

    const info = await body(await get(`/v24.0/${id}`, t.token));
    expect(info).toEqual({ messaging_product: "whatsapp", url: expect.stringMatching(/^https:\/\/lookaside\.fbsbx\.com\/whatsapp_business\/attachments\/\?mid=/), mime_type: "image/jpeg", sha256: await sha256Hex(bytes), file_size: 5000, id });

    // the URL needs the token
    expect((await get(info.url)).status).toBe(401);
    expect((await get(info.url, "EAAGwrong")).status).toBe(401);
    const dl = await get(info.url, t.token);
    expect(dl.status).toBe(200);
    expect(dl.headers.get("Content-Type")).toBe("image/jpeg");
    expect(new Uint8Array(await dl.arrayBuffer())).toEqual(bytes);

    // the phone-number route still answers other ids on the same path shape
    expect(await body(await get(`/v24.0/${t.phoneNumberId}?fields=display_phone_number`, t.token))).toMatchObject({ id: t.phoneNumberId });

    expect(await body(await get(`/v24.0/${id}`, t.token, { method: "DELETE" }))).toEqual({ success: true });
    const gone = await get(`/v24.0/${id}`, t.token);
    expect(gone.status).toBe(400);
    expect((await body(gone)).error).toMatchObject({ code: 100, error_subcode: 33 });
    expect((await get(info.url, t.token)).status).toBe(404);
  });

  it("refuses uploads as Meta does: token (190), messaging_product and file (100), type (100), size (131053)", async () => {
    const t = await freshWaba();
    const small = new Blob([new Uint8Array(10)]);
    expect((await body(await upload(t.phoneNumberId, undefined, { file: small, type: "image/png" }))).error.code).toBe(190);
    expect((await body(await upload(t.phoneNumberId, "EAAGnope", { file: small, type: "image/png" }))).error.code).toBe(190);
    expect((await body(await upload(t.phoneNumberId, t.token, { file: small, type: "image/png", product: null }))).error.message).toMatch(/messaging_product/);
    expect((await body(await upload(t.phoneNumberId, t.token, { type: "image/png" }))).error.message).toMatch(/file is required/);
    const gif = await upload(t.phoneNumberId, t.token, { file: small, type: "image/gif" });
    expect(gif.status).toBe(400);
    expect((await body(gif)).error).toMatchObject({ code: 100, message: expect.stringContaining("Received file of type 'image/gif'") });
    const big = await upload(t.phoneNumberId, t.token, { file: new Blob([new Uint8Array(5 * 1024 * 1024 + 1)]), type: "image/jpeg" });
    expect((await body(big)).error).toMatchObject({ code: 131053, error_data: { details: expect.stringContaining("5 MB") } });
    // another WABA's token does not open this number's media
    const other = await freshWaba();
    const { id } = await body(await upload(t.phoneNumberId, t.token, { file: small, type: "image/png" }));
    expect((await get(`/v24.0/${id}`, other.token)).status).toBe(401);
  });

  it("a download URL stops working when Meta's id expires (control: expire)", async () => {
    const t = await freshWaba();
    const created = await body(await control("", { phoneNumberId: t.phoneNumberId, mimeType: "application/pdf", size: 3000, filename: "inv.pdf" }));
    const info = await body(await get(`/v24.0/${created.media.id}`, t.token));
    expect(info.sha256).toBe(created.media.sha256);
    expect((await control(`/${created.media.id}/expire`, {})).status).toBe(200);
    expect((await get(info.url, t.token)).status).toBe(404);
    expect((await get(`/v24.0/${created.media.id}`, t.token)).status).toBe(400);
  });

  it("inbound media messages name stored media with real bytes (sha256 base64 in the webhook, hex from GET)", async () => {
    const t = await freshWaba();
    const result = await emulateInbound({ phoneNumberId: t.phoneNumberId, from: USER_WA_ID, type: "image", image: { caption: "look" } });
    const [hook] = await waitForWebhooks(t.wabaId, 1, { wamid: result.wamid });
    const image = parsed(hook!).entry[0].changes[0].value.messages[0].image;
    expect(image).toMatchObject({ caption: "look", mime_type: "image/jpeg", id: expect.stringMatching(/^\d+$/) });
    const info = await body(await get(`/v24.0/${image.id}`, t.token));
    const bytes = new Uint8Array(await (await get(info.url, t.token)).arrayBuffer());
    expect(await sha256Hex(bytes)).toBe(info.sha256);
    expect(btoa(String.fromCharCode(...info.sha256.match(/../g).map((h: string) => parseInt(h, 16))))).toBe(image.sha256);
  });

  it("Resumable Upload: session, then the bytes with file_offset 0 → a handle", async () => {
    const t = await freshWaba();
    const bytes = crypto.getRandomValues(new Uint8Array(1234));
    const session = await get(`/v24.0/1234567890/uploads?file_name=x.png&file_length=1234&file_type=image/png`, t.token, { method: "POST" });
    const { id } = await body(session);
    expect(id).toMatch(/^upload:/);
    const noOffset = await meta().fetch(`${GRAPH_ORIGIN}/v24.0/${id}`, { method: "POST", headers: { Authorization: `OAuth ${t.token}` }, body: bytes });
    expect((await body(noOffset)).error.code).toBe(100);
    const up = await meta().fetch(`${GRAPH_ORIGIN}/v24.0/${id}`, { method: "POST", headers: { Authorization: `OAuth ${t.token}`, file_offset: "0" }, body: bytes });
    const { h } = await body(up);
    expect(h).toMatch(/^4:/);
    const handle = await body(await control(`/handles/${encodeURIComponent(h)}`));
    expect(handle.handle).toMatchObject({ size: 1234, fileType: "image/png", sha256Hex: await sha256Hex(bytes) });
    const badType = await get(`/v24.0/1234567890/uploads?file_length=10&file_type=image/gif`, t.token, { method: "POST" });
    expect((await body(badType)).error.code).toBe(100);
  });

  it("a 20 MB document uploads and downloads whole", async () => {
    const t = await freshWaba();
    const size = 20 * 1024 * 1024;
    const created = await body(await control("", { phoneNumberId: t.phoneNumberId, mimeType: "application/pdf", size }));
    const info = await body(await get(`/v24.0/${created.media.id}`, t.token));
    expect(info.file_size).toBe(size);
    expect((await control(`/${created.media.id}/bytes`)).headers.get("Content-Length")).toBe(String(size));
    const bytes = new Uint8Array(await (await get(info.url, t.token)).arrayBuffer());
    expect(bytes.byteLength).toBe(size);
    expect(await sha256Hex(bytes)).toBe(info.sha256);
    const up = await upload(t.phoneNumberId, t.token, { file: new Blob([bytes], { type: "application/pdf" }), type: "application/pdf", filename: "big.pdf" });
    expect(up.status).toBe(200);
  });
});
