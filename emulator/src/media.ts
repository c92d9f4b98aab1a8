// Meta's Media API and Resumable Upload API, emulated (sources: github.com/facebook/openapi,
// business-messaging-api_v23.0.yaml — "Upload Image" POST /{Phone-Number-ID}/media, "Retrieve Media URL"
// GET /{Media-ID} ("The URL is only valid for 5 minutes"), "Delete Media", "Download Media" ("Media URLs
// expire after 5 minutes"; needs the access token); Graph's Resumable Upload API,
// developers.facebook.com/docs/graph-api/guides/upload: POST /{app-id}/uploads → {id: "upload:…"},
// POST /upload:… with `file_offset: 0` and `Authorization: OAuth …` → {h}). Supported types and sizes:
// Meta's "Supported media types" (the gateway's src/media/limits.ts has the same table; the emulator
// never imports src/).
//
// Bytes live in module memory, bounded: past MAX_TOTAL_BYTES the oldest media are dropped (as if Meta
// had expired them). Resumable uploads keep only what they hashed, never the bytes.
import { Hono, type Context, type Next } from "hono";
import { z } from "zod";
import type { EmulatorEnv } from "./env";
import { registerOnFirstUse, grantsAccess } from "./first-use";
import { accessToken, checkAccess, GRAPH_VERSION } from "./graph-auth";
import { graphErrorResponse, GraphError, invalidParam, invalidToken, unknownObject, unknownPath, whatsappError } from "./graph-errors";
import { randomDigits, randomHex } from "./ids";
import { emulatorMode } from "./settings";
import { findPhone, state, type PhoneNumber } from "./store";

const KB = 1024;
const MB = 1024 * KB;
const LIMITS: Record<string, { maxBytes: number; types: string[] }> = {
  image: { maxBytes: 5 * MB, types: ["image/jpeg", "image/png"] },
  video: { maxBytes: 16 * MB, types: ["video/mp4", "video/3gpp"] },
  audio: { maxBytes: 16 * MB, types: ["audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"] },
  document: {
    maxBytes: 100 * MB,
    types: [
      "text/plain", "application/pdf", "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ],
  },
  sticker: { maxBytes: 500 * KB, types: ["image/webp"] },
};
const ALL_TYPES = Object.values(LIMITS).flatMap((l) => l.types);
/** Resumable Upload's file types (Graph's guide): pdf, jpeg/jpg, png, mp4. */
const RESUMABLE_TYPES = ["application/pdf", "image/jpeg", "image/jpg", "image/png", "video/mp4"];

const bare = (mime: string) => mime.split(";")[0]!.trim().toLowerCase();
const kindOf = (mime: string) => Object.entries(LIMITS).find(([, l]) => l.types.includes(bare(mime)))?.[0];

export const MEDIA_URL_TTL_MS = 5 * 60_000;
const MAX_TOTAL_BYTES = 512 * MB;
const MAX_HANDLES = 1000;

export type StoredMedia = {
  id: string;
  wabaId: string;
  phoneNumberId: string;
  mimeType: string;
  bytes: Uint8Array;
  sha256Hex: string;
  filename?: string;
  createdAt: number;
  /** Meta no longer has it (an uploaded id after 30 days, a webhook's after 7; or the control API said so) */
  expired: boolean;
  /** the next downloads answer 500 / serve altered bytes (control: POST /__emulator/media/:id/faults) */
  failDownloads: number;
  corruptDownloads: number;
  downloads: number;
};

const media = new Map<string, StoredMedia>();
/** download URL hash → media id and when the URL stops working */
const urls = new Map<string, { mediaId: string; expiresAt: number }>();
const sessions = new Map<string, { fileLength: number; fileType: string; fileName?: string; wabaId: string }>();
export const handles = new Map<string, { sha256Hex: string; size: number; fileType: string; fileName?: string; wabaId: string }>();
let totalBytes = 0;

export function resetMedia(): void {
  media.clear();
  urls.clear();
  sessions.clear();
  handles.clear();
  totalBytes = 0;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export const hexToBase64 = (hex: string) => btoa(String.fromCharCode(...hex.match(/../g)!.map((h) => parseInt(h, 16))));

function evict(): void {
  for (const [id, m] of media) {
    if (totalBytes <= MAX_TOTAL_BYTES) break;
    media.delete(id);
    totalBytes -= m.bytes.byteLength;
  }
  const now = Date.now();
  for (const [hash, u] of urls) if (u.expiresAt < now || !media.has(u.mediaId)) urls.delete(hash);
}

export async function storeMedia(input: { id?: string; phone: PhoneNumber; wabaId: string; mimeType: string; bytes: Uint8Array; filename?: string }): Promise<StoredMedia> {
  const previous = input.id ? media.get(input.id) : undefined;
  if (previous) totalBytes -= previous.bytes.byteLength;
  const m: StoredMedia = {
    id: input.id ?? randomDigits(16),
    wabaId: input.wabaId,
    phoneNumberId: input.phone.metaPhoneNumberId,
    mimeType: input.mimeType,
    bytes: input.bytes,
    sha256Hex: await sha256Hex(input.bytes),
    ...(input.filename ? { filename: input.filename } : {}),
    createdAt: Date.now(),
    expired: false,
    failDownloads: 0,
    corruptDownloads: 0,
    downloads: 0,
  };
  media.delete(m.id);
  media.set(m.id, m);
  totalBytes += m.bytes.byteLength;
  evict();
  return m;
}

/** Pseudo-random bytes (crypto.getRandomValues gives at most 64 KB a call). */
export function generatedBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)));
  return bytes;
}

export function findMedia(id: string): StoredMedia | undefined {
  return media.get(id);
}

/**
 * The media object of an inbound webhook: an id the emulator stores with real bytes, so the gateway can
 * download it (a given id that is already stored keeps its bytes; an unknown one gets 2 KB of bytes).
 */
export async function inboundMedia(phone: PhoneNumber, wabaId: string, type: string, given: Record<string, unknown>, defaultMime: string): Promise<{ id: string; mime_type: string; sha256: string }> {
  const id = typeof given.id === "string" ? given.id : undefined;
  let m = id ? media.get(id) : undefined;
  if (!m || m.expired) {
    const mimeType = typeof given.mime_type === "string" ? given.mime_type : defaultMime;
    m = await storeMedia({ id, phone, wabaId, mimeType, bytes: generatedBytes(2048), filename: typeof given.filename === "string" ? given.filename : undefined });
  }
  // webhooks carry sha256 in base64 (Meta's inbound examples); GET /{media-id} in hex
  return { id: m.id, mime_type: m.mimeType, sha256: hexToBase64(m.sha256Hex) };

}

// ---- Graph routes ---------------------------------------------------------------------------------

const versionOk = (c: Context) => GRAPH_VERSION.test(c.req.param("version") ?? "");

/** POST /{version}/{phone-number-id}/media (multipart: messaging_product, file, type) → {id} */
export async function uploadMedia(c: Context<EmulatorEnv>): Promise<Response> {
  const phoneNumberId = c.req.param("phoneNumberId") ?? "";
  if (!versionOk(c)) return graphErrorResponse(c, unknownPath(c.req.path));
  const token = accessToken(c);
  registerOnFirstUse(c.env, token, { phoneNumberId });
  const found = findPhone(phoneNumberId);
  const denied = checkAccess(token, found?.waba, phoneNumberId, "post", emulatorMode(c.env));
  if (denied || !found) return graphErrorResponse(c, denied ?? whatsappError(1));
  const form = await c.req.formData().catch(() => null);
  if (!form) return graphErrorResponse(c, invalidParam("The parameter file is required.", "Send multipart/form-data with messaging_product, file and type."));
  if (form.get("messaging_product") !== "whatsapp") return graphErrorResponse(c, invalidParam("The parameter messaging_product is required.", "messaging_product must be whatsapp"));
  const file = form.get("file") as unknown as File | string | null;
  if (!file || typeof file === "string") return graphErrorResponse(c, invalidParam("The parameter file is required."));
  const given = form.get("type");
  const mimeType = bare(typeof given === "string" && given ? given : file.type || "application/octet-stream");
  const kind = kindOf(mimeType);
  if (!kind) {
    return graphErrorResponse(c, invalidParam(`Param file must be a file with one of the following types: ${ALL_TYPES.join(", ")}. Received file of type '${mimeType}'.`));
  }
  const max = LIMITS[kind]!.maxBytes;
  if (file.size > max) return graphErrorResponse(c, whatsappError(131053, { details: `Media file size ${file.size} bytes is over the ${max / MB >= 1 ? `${max / MB} MB` : `${max / KB} KB`} limit for ${kind}.` }));
  if (file.size === 0) return graphErrorResponse(c, whatsappError(131053, { details: "The media file is empty." }));
  const m = await storeMedia({ phone: found.phone, wabaId: found.waba.metaWabaId, mimeType, bytes: new Uint8Array(await file.arrayBuffer()), filename: file.name || undefined });
  return c.json({ id: m.id });
}

function mediaAccess(c: Context<EmulatorEnv>, m: StoredMedia | undefined, id: string, method: "get" | "post"): GraphError | undefined {
  const denied = checkAccess(accessToken(c), m ? state.wabas.get(m.wabaId) : undefined, id, method, emulatorMode(c.env));
  if (denied) return denied;
  if (!m || m.expired) return unknownObject(id, method);
  const phone = c.req.query("phone_number_id");
  if (phone !== undefined && phone !== m.phoneNumberId) return unknownObject(id, method);
  return undefined;
}

/** GET /{version}/{media-id}; anything that is not a media id goes on to the next route (a phone number). */
export async function readMedia(c: Context<EmulatorEnv>, next: Next): Promise<Response | void> {
  const id = c.req.param("mediaId") ?? "";
  if (id.startsWith("upload:")) return readUploadSession(c);
  const m = media.get(id);
  if (!m || !versionOk(c)) return next();
  c.header("facebook-api-version", c.req.param("version")!);
  const denied = mediaAccess(c, m, id, "get");
  if (denied) return graphErrorResponse(c, denied);
  const expiresAt = Date.now() + MEDIA_URL_TTL_MS;
  const hash = randomHex(32);
  urls.set(hash, { mediaId: id, expiresAt });
  evict();
  return c.json({
    messaging_product: "whatsapp",
    url: `https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=${id}&ext=${Math.floor(expiresAt / 1000)}&hash=${hash}`,
    mime_type: m.mimeType,
    sha256: m.sha256Hex,
    file_size: m.bytes.byteLength,
    id,
  });
}

/** DELETE /{version}/{media-id} → {success: true} */
export function deleteMedia(c: Context<EmulatorEnv>): Response {
  const id = c.req.param("mediaId") ?? "";
  if (!versionOk(c)) return graphErrorResponse(c, unknownPath(c.req.path));
  const m = media.get(id);
  const denied = mediaAccess(c, m, id, "post");
  if (denied) return graphErrorResponse(c, denied);
  media.delete(id);
  totalBytes -= m!.bytes.byteLength;
  return c.json({ success: true });
}

/** GET {media url}: the bytes, with the token of the media's WABA, while the URL lasts (5 minutes). */
export function downloadMedia(c: Context<EmulatorEnv>): Response {
  const token = accessToken(c);
  const hash = c.req.query("hash") ?? "";
  const link = urls.get(hash);
  const m = link && link.mediaId === c.req.query("mid") ? media.get(link.mediaId) : undefined;
  if (!token) return graphErrorResponse(c, invalidToken("An access token is required to request this resource."));
  const waba = m ? state.wabas.get(m.wabaId) : undefined;
  if (waba && !grantsAccess(waba, token, emulatorMode(c.env).sandbox)) return graphErrorResponse(c, invalidToken("Invalid OAuth access token - Cannot parse access token"));
  if (!link || !m || m.expired || link.expiresAt < Date.now()) {
    if (link && link.expiresAt < Date.now()) urls.delete(hash);
    return c.text("Not Found", 404);
  }
  m.downloads += 1;
  if (m.failDownloads > 0) {
    m.failDownloads -= 1;
    return c.text("Internal Server Error", 500);
  }
  let bytes = m.bytes;
  if (m.corruptDownloads > 0) {
    m.corruptDownloads -= 1;
    bytes = bytes.slice();
    bytes[0] = (bytes[0]! + 1) % 256;
  }
  return new Response(bytes, { headers: { "Content-Type": m.mimeType, "Content-Length": String(bytes.byteLength) } });
}

/** POST /{version}/{app-id}/uploads?file_length&file_type[&file_name] → {id: "upload:<session>"} */
export function createUploadSession(c: Context<EmulatorEnv>): Response {
  if (!versionOk(c) || !/^\d+$/.test(c.req.param("appId") ?? "")) return graphErrorResponse(c, unknownPath(c.req.path));
  const token = accessToken(c);
  const sandbox = emulatorMode(c.env).sandbox;
  const waba = token ? [...state.wabas.values()].find((w) => grantsAccess(w, token, sandbox)) : undefined;
  if (!waba) return graphErrorResponse(c, invalidToken("Invalid OAuth access token - Cannot parse access token"));
  const length = Number(c.req.query("file_length"));
  if (!Number.isSafeInteger(length) || length <= 0) return graphErrorResponse(c, invalidParam("The parameter file_length is required."));
  const fileType = (c.req.query("file_type") ?? "").toLowerCase();
  if (!RESUMABLE_TYPES.includes(fileType)) return graphErrorResponse(c, invalidParam(`Param file_type must be one of {${RESUMABLE_TYPES.join(", ")}}`));
  const sessionId = btoa(`1:attachment:${crypto.randomUUID()}`).replace(/=+$/, "");
  sessions.set(sessionId, { fileLength: length, fileType, fileName: c.req.query("file_name") || undefined, wabaId: waba.metaWabaId });
  if (sessions.size > MAX_HANDLES) sessions.delete(sessions.keys().next().value!);
  return c.json({ id: `upload:${sessionId}` });
}

function sessionOf(c: Context<EmulatorEnv>): { id: string; session: ReturnType<typeof sessions.get> } {
  const id = (c.req.param("mediaId") ?? c.req.param("uploadId") ?? "").replace(/^upload:/, "");
  return { id, session: sessions.get(id) };
}

/** POST /{version}/upload:<session> with `file_offset: 0` and the bytes → {h} */
export async function uploadToSession(c: Context<EmulatorEnv>, next: Next): Promise<Response | void> {
  const raw = c.req.param("uploadId") ?? "";
  if (!raw.startsWith("upload:")) return next();
  if (!versionOk(c)) return graphErrorResponse(c, unknownPath(c.req.path));
  const { id, session } = sessionOf(c);
  // Meta: the token must be in the Authorization header (OAuth), not the query
  const header = c.req.header("Authorization");
  const token = header ? /^(?:OAuth|Bearer)\s+(\S+)\s*$/i.exec(header.trim())?.[1] : undefined;
  if (!token) return graphErrorResponse(c, invalidToken("An access token is required to request this resource."));
  const waba = session ? state.wabas.get(session.wabaId) : undefined;
  if (!session || !waba) return graphErrorResponse(c, unknownObject(`upload:${id}`, "post"));
  if (!grantsAccess(waba, token, emulatorMode(c.env).sandbox)) return graphErrorResponse(c, invalidToken("Invalid OAuth access token - Cannot parse access token"));
  if (c.req.header("file_offset") !== "0") return graphErrorResponse(c, invalidParam("The parameter file_offset is required.", "file_offset must be sent as an HTTP header, 0 for a new upload."));
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.byteLength !== session.fileLength) return graphErrorResponse(c, invalidParam(`File length mismatch: the session expects ${session.fileLength} bytes, got ${bytes.byteLength}.`));
  const h = `4:${btoa(session.fileName ?? "file")}:${session.fileType}:${randomHex(32)}:e:${Math.floor(Date.now() / 1000) + 30 * 86400}:${randomHex(16)}`;
  handles.set(h, { sha256Hex: await sha256Hex(bytes), size: bytes.byteLength, fileType: session.fileType, ...(session.fileName ? { fileName: session.fileName } : {}), wabaId: session.wabaId });
  if (handles.size > MAX_HANDLES) handles.delete(handles.keys().next().value!);
  sessions.delete(id);
  return c.json({ h });
}

/** GET /{version}/upload:<session> → {id, file_offset} (how much of a session arrived: none, or it is done). */
function readUploadSession(c: Context<EmulatorEnv>): Response {
  const { id, session } = sessionOf(c);
  if (!session) return graphErrorResponse(c, unknownObject(`upload:${id}`, "get"));
  return c.json({ id: `upload:${id}`, file_offset: 0 });
}

// ---- control API: /__emulator/media ---------------------------------------------------------------

const createSchema = z.object({
  phoneNumberId: z.string(),
  mimeType: z.string().default("image/jpeg"),
  /** bytes to generate (pseudo-random); or give `base64` */
  size: z.number().int().min(1).max(100 * MB).optional(),
  base64: z.string().optional(),
  filename: z.string().optional(),
  id: z.string().regex(/^\d{1,20}$/).optional(),
});

export const mediaControl = new Hono<EmulatorEnv>();

const view = (m: StoredMedia) => ({
  id: m.id, wabaId: m.wabaId, phoneNumberId: m.phoneNumberId, mimeType: m.mimeType, fileSize: m.bytes.byteLength, sha256: m.sha256Hex, sha256Base64: hexToBase64(m.sha256Hex),
  ...(m.filename ? { filename: m.filename } : {}), expired: m.expired, downloads: m.downloads, failDownloads: m.failDownloads, corruptDownloads: m.corruptDownloads,
});

/** Stores media as if a user had sent it (for inbound webhooks of any size: the bench's 20 MB document). */
mediaControl.post("/", async (c) => {
  const parsed = createSchema.safeParse(await c.req.json().catch(() => undefined));
  if (!parsed.success) return c.json({ error: { message: z.prettifyError(parsed.error) } }, 400);
  const found = findPhone(parsed.data.phoneNumberId);
  if (!found) return c.json({ error: { message: `unknown phone number ${parsed.data.phoneNumberId}` } }, 404);
  const bytes = parsed.data.base64 !== undefined ? Uint8Array.from(atob(parsed.data.base64), (ch) => ch.charCodeAt(0)) : generatedBytes(parsed.data.size ?? 2048);
  const m = await storeMedia({ id: parsed.data.id, phone: found.phone, wabaId: found.waba.metaWabaId, mimeType: parsed.data.mimeType, bytes, filename: parsed.data.filename });
  return c.json({ media: view(m) });
});

mediaControl.get("/:id", (c) => {
  const m = media.get(c.req.param("id"));
  return m ? c.json({ media: view(m) }) : c.json({ error: { message: "unknown media id" } }, 404);
});

/** The bytes themselves, no token (benchmarks: the emulator's own download speed through the dev proxy). */
mediaControl.get("/:id/bytes", (c) => {
  const m = media.get(c.req.param("id"));
  if (!m || m.expired) return c.json({ error: { message: "unknown or expired media id" } }, 404);
  return new Response(m.bytes, { headers: { "Content-Type": m.mimeType, "Content-Length": String(m.bytes.byteLength) } });
});

/** Meta's id expires (uploaded ids after 30 days, webhook ids after 7): GET /{id} and its URLs stop working. */
mediaControl.post("/:id/expire", (c) => {
  const m = media.get(c.req.param("id"));
  if (!m) return c.json({ error: { message: "unknown media id" } }, 404);
  m.expired = true;
  totalBytes -= m.bytes.byteLength;
  m.bytes = new Uint8Array(0);
  return c.json({ media: view(m) });
});

/** The next downloads of the media fail (500) or serve altered bytes (a sha256 mismatch). */
mediaControl.post("/:id/faults", async (c) => {
  const m = media.get(c.req.param("id"));
  if (!m) return c.json({ error: { message: "unknown media id" } }, 404);
  const body = z.object({ failDownloads: z.number().int().min(0).optional(), corruptDownloads: z.number().int().min(0).optional() }).safeParse(await c.req.json().catch(() => ({})));
  if (!body.success) return c.json({ error: { message: z.prettifyError(body.error) } }, 400);
  m.failDownloads = body.data.failDownloads ?? m.failDownloads;
  m.corruptDownloads = body.data.corruptDownloads ?? m.corruptDownloads;
  return c.json({ media: view(m) });
});

/** What a Resumable Upload handle holds (its bytes' sha256 and size), for tests of template header media. */
mediaControl.get("/handles/:h", (c) => {
  const h = handles.get(decodeURIComponent(c.req.param("h")));
  return h ? c.json({ handle: h }) : c.json({ error: { message: "unknown handle" } }, 404);
});

export { unknownPath };
