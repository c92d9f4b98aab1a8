import type { Context } from "hono";
import type { AppEnv } from "../../env";
import { ApiError } from "../../errors";
import { contentDisposition, downloadName } from "../../media/copy-inbound";
import { ACCEPTED_MIME_TYPES, bareMime, formatBytes, MAX_MEDIA_BYTES, MEDIA_LIMITS, mediaKindOf } from "../../media/limits";
import { openMetaMedia, targetOf, uploadToMeta, type MediaCallError } from "../../media/meta-media";
import { formBoundary, MultipartError, MultipartReader } from "../../media/multipart";
import { phoneNotFoundError, upstreamOf } from "../../messages/outcome";
import { messageErrorOf } from "../../meta/error-policy";
import { isResourceId } from "../../schemas/common";

/** The form's framing around the file (boundaries, part headers, small fields) is allowed this much. */
const FORM_OVERHEAD_BYTES = 64 * 1024;
/** POST /v1/media's own body cap: Meta's largest media (documents, 100 MB) and the form around it. */
export const MAX_UPLOAD_BODY_BYTES = MAX_MEDIA_BYTES + FORM_OVERHEAD_BYTES;

const upstreamError = (e: MediaCallError, what: string) =>
  new ApiError("META_UPSTREAM_ERROR", `${what}: ${e.message}`, {
    ...(e.upstream ? { upstream: upstreamOf(messageErrorOf({ ok: false, kind: "graph", status: e.status ?? 502, error: e.upstream })) } : {}),
  });

class TooLarge extends Error {
  constructor() {
    super("the file is over its kind's size limit");
  }
}

/** Passes a stream on, failing it once more than `max` bytes went through; `size()` says how many did. */
function capped(source: ReadableStream<Uint8Array>, max: number) {
  let bytes = 0;
  const reader = source.getReader();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      bytes += value.byteLength;
      if (bytes <= max) return controller.enqueue(value);
      await reader.cancel().catch(() => {});
      controller.error(new TooLarge());
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return { stream, size: () => bytes };
}

const tooLarge = (kind: string, mime: string, max: number) =>
  new ApiError("PAYLOAD_TOO_LARGE", `The file is over Meta's ${formatBytes(max)} limit for ${kind} (${mime})`, { details: [{ field: "file", message: `over ${formatBytes(max)}`, limitBytes: max, mimeType: mime }] });

/**
 * POST /v1/media: the form is read as a stream. Fields before the file (`type`, `phoneNumberId`) are
 * read whole (they are small); at the `file` part, Meta's type and size rules are checked — the size
 * against the request's Content-Length when it has one — and only then does the file start for Meta,
 * passing through as it arrives. A file that turns out larger than its kind allows (no Content-Length)
 * is cut off on the way, and Meta never completes the upload.
 */
export async function uploadMedia(c: Context<AppEnv>) {
  const boundary = formBoundary(c.req.header("Content-Type"));
  if (!boundary) {
    throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Send the file as multipart/form-data (a `type` field, then a `file` part), e.g. curl -F type=image/jpeg -F file=@photo.jpg", {
      details: [{ message: "Content-Type must be multipart/form-data with a boundary" }],
    });
  }
  const declared = c.req.header("Content-Length");
  const contentLength = declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : null;
  if (contentLength !== null && contentLength > MAX_UPLOAD_BODY_BYTES) {
    throw new ApiError("PAYLOAD_TOO_LARGE", `Request body is over ${MAX_UPLOAD_BODY_BYTES} bytes: Meta's largest media (documents) is ${formatBytes(MAX_MEDIA_BYTES)}`, {
      details: [{ field: "file", message: `over ${formatBytes(MAX_MEDIA_BYTES)}`, limitBytes: MAX_MEDIA_BYTES }],
    });
  }
  const body = c.req.raw.body;
  if (!body) throw new ApiError("VALIDATION_FAILED", "file: Required field is missing", { details: [{ field: "file", message: "Required field is missing" }] });
  const form = new MultipartReader(body, boundary);
  const fields: Record<string, string> = {};
  let fieldCount = 0;
  try {
    for (;;) {
      const part = await form.next();
      if (!part) break;
      if (part.name !== "file") {
        if (++fieldCount > 10) throw new MultipartError("more than 10 fields before the file");
        fields[part.name] = (await form.text(1024)).trim();
        continue;
      }
      return await uploadFile(c, form, part, fields, contentLength);
    }
  } catch (err) {
    if (err instanceof MultipartError) throw new ApiError("VALIDATION_FAILED", `Malformed multipart/form-data: ${err.message}`, { details: [{ message: err.message }] });
    throw err;
  } finally {
    await form.release(MAX_UPLOAD_BODY_BYTES);
  }
  throw new ApiError("VALIDATION_FAILED", "file: Required field is missing (one part named `file`)", { details: [{ field: "file", message: "Required field is missing" }] });
}

async function uploadFile(c: Context<AppEnv>, form: MultipartReader, part: { filename?: string; contentType?: string }, fields: Record<string, string>, contentLength: number | null) {
  const given = fields.type || part.contentType;
  if (!given) throw new ApiError("VALIDATION_FAILED", "type: Required field is missing (the file's MIME type, before the file)", { details: [{ field: "type", message: "Required field is missing" }] });
  const mime = bareMime(given);
  const kind = mediaKindOf(mime);
  if (!kind) {
    throw new ApiError("UNSUPPORTED_MEDIA_TYPE", `Meta does not accept ${mime} media; accepted: ${ACCEPTED_MIME_TYPES.join(", ")}`, {
      details: [{ field: "type", message: `unsupported media type ${mime}`, accepted: ACCEPTED_MIME_TYPES.join(", ") }],
    });
  }
  const max = MEDIA_LIMITS[kind].maxBytes;
  // the file is at most what is left of the request after what has been read, less the closing boundary
  if (contentLength !== null && contentLength - form.consumed > max + FORM_OVERHEAD_BYTES) throw tooLarge(kind, mime, max);
  const phoneNumberId = fields.phoneNumberId || undefined;
  const access = await c.var.store.mediaUploadAccess(c.var.key.wabaId, phoneNumberId);
  c.var.counters.d1 += access.d1;
  if (access.kind === "no_phone") throw phoneNotFoundError(phoneNumberId);

  const file = capped(form.body(), max);
  const target = await targetOf(c.env, access.access);
  let result: Awaited<ReturnType<typeof uploadToMeta>>;
  try {
    result = await uploadToMeta(c.env, target, access.phoneNumberId, { body: file.stream, mimeType: mime, filename: part.filename || `upload.${mime.split("/")[1]}` });
  } catch (err) {
    if (err instanceof TooLarge || file.size() > max) throw tooLarge(kind, mime, max);
    if (err instanceof MultipartError) throw err;
    throw err;
  }
  if (file.size() > max) throw tooLarge(kind, mime, max);
  if (!result.ok) throw upstreamError(result.error, "Meta refused the upload");
  if (file.size() === 0) throw new ApiError("VALIDATION_FAILED", "file: the file is empty", { details: [{ field: "file", message: "empty" }] });
  return c.json({ id: result.id, phoneNumberId: access.phoneNumberId, mimeType: mime, fileSize: file.size() }, 200);
}

/**
 * GET /v1/messages/{id}/media: our copy from R2, streamed, or — while the copy is pending (or it
 * failed) — Meta's bytes streamed through. One call to the WABA object; no D1 query for a warm key.
 */
export async function getMessageMedia(c: Context<AppEnv>) {
  const id = c.req.param("id") ?? "";
  const found = isResourceId(id) ? await c.var.store.mediaForDownload(c.var.key.wabaId, id) : ({ kind: "not_found" } as const);
  if (found.kind === "not_found") throw new ApiError("NOT_FOUND", "No media message with this id: it is not an inbound image, video, audio, document or sticker of this WABA");
  const expired = () => new ApiError("MEDIA_EXPIRED", "This media is past its retention age and was deleted");
  if (found.kind === "expired") throw expired();
  if (found.kind === "stored") {
    const object = await c.env.MEDIA.get(found.media.r2Key!);
    if (!object) throw expired(); // deleted by the bucket's lifecycle rule before the alarm marked it
    const headers = new Headers();
    object.writeHttpMetadata(headers);
    headers.set("Content-Length", String(object.size));
    headers.set("ETag", object.httpEtag);
    if (found.media.sha256) headers.set("X-Content-SHA256", found.media.sha256);
    headers.set("X-Media-Source", "stored");
    for (const [k, v] of headers) c.header(k, v);
    return c.body(object.body, 200);
  }
  c.var.counters.d1 += found.d1;
  const opened = await openMetaMedia(c.env, await targetOf(c.env, found.access), found.media.metaMediaId);
  if (!opened.ok) {
    if (opened.error.kind === "unknown_media") throw new ApiError("MEDIA_EXPIRED", "Meta no longer has this media and no copy of it was kept");
    throw upstreamError(opened.error, "Could not fetch the media from Meta");
  }
  const { info, response, length } = opened;
  c.header("Content-Type", info.mimeType);
  if (length !== null) c.header("Content-Length", String(length));
  c.header("Content-Disposition", contentDisposition(downloadName(found.media.kind, id, info.mimeType, found.media.filename)));
  c.header("X-Media-Source", "meta");
  return c.body(response.body!, 200);
}
