import { openSecret } from "../crypto/secret-box";
import type { GraphAccess } from "../durable-objects/waba-store";
import type { Env } from "../env";
import { graphErrorOf, graphRaw, graphRequest, type GraphError, type GraphTarget } from "../meta/graph";
import { verdictFor } from "../meta/error-policy";
import { settings } from "../settings";

// Meta's Media API, through the one door to Meta (src/meta/graph.ts). Shapes from Meta's OpenAPI
// (github.com/facebook/openapi, business-messaging-api_v23.0.yaml): `POST /{Phone-Number-ID}/media`
// (multipart: file, messaging_product[, type]) → {id}; `GET /{Media-ID}` → {url, mime_type, sha256,
// file_size, id, messaging_product} with a URL "only valid for 5 minutes"; `GET {Media-URL}` with the
// token → the bytes.

/** Why a media call failed. `unknown_media`: Meta has no such media (never, or no longer). */
export type MediaCallError = { kind: "unknown_media" | "upstream"; message: string; status?: number; upstream?: GraphError; transient: boolean };

export type MetaMediaInfo = { id: string; url: string; mimeType: string; sha256: string | null; fileSize: number | null };

/** The GraphTarget of an object's access (the token opened here, right before the call). */
export async function targetOf(env: Env, access: GraphAccess): Promise<GraphTarget> {
  return access.mode === "test" ? { mode: "test", metaWabaId: access.metaWabaId } : { mode: "live", token: await openSecret(env.TOKEN_ENCRYPTION_KEY, access.accessTokenEnc) };
}

function graphFailure(status: number, error: GraphError): MediaCallError {
  // Graph's "Object with ID … does not exist" (100/33), and 404s: the media is gone
  const unknown = status === 404 || (error.code === 100 && (error.error_subcode === 33 || /does not exist/i.test(error.message)));
  return {
    kind: unknown ? "unknown_media" : "upstream",
    message: error.error_data?.details ?? error.message,
    status,
    upstream: error,
    // the relay's verdict on Meta's error (is_transient, then Meta's code, then the status)
    transient: !unknown && verdictFor({ ok: false, kind: "graph", status, error }, 1) === "retry",
  };
}

const failure = (message: string): MediaCallError => ({ kind: "upstream", message, transient: true });

/** GET /{media-id}: where the media can be downloaded (for 5 minutes), its type, size and sha256. */
export async function mediaInfo(env: Env, target: GraphTarget, metaMediaId: string): Promise<{ ok: true; info: MetaMediaInfo } | { ok: false; error: MediaCallError }> {
  if (!/^[0-9A-Za-z_.-]{1,128}$/.test(metaMediaId)) return { ok: false, error: { kind: "unknown_media", message: "not a media id", transient: false } };
  const res = await graphRequest<{ id?: string; url?: string; mime_type?: string; sha256?: string; file_size?: number | string }>(env, metaMediaId, {
    target,
    timeoutMs: settings(env).metaTimeoutMs,
  });
  if (!res.ok) return { ok: false, error: res.kind === "graph" ? graphFailure(res.status, res.error) : failure(res.kind === "timeout" ? `Meta did not answer within ${res.timeoutMs} ms` : res.message) };
  const d = res.data;
  if (typeof d.url !== "string" || typeof d.mime_type !== "string") return { ok: false, error: failure("Meta's media answer has no url or mime_type") };
  const size = d.file_size === undefined ? null : Number(d.file_size);
  return {
    ok: true,
    info: { id: d.id ?? metaMediaId, url: d.url, mimeType: d.mime_type, sha256: typeof d.sha256 === "string" ? d.sha256 : null, fileSize: size !== null && Number.isSafeInteger(size) && size >= 0 ? size : null },
  };
}

/** GET {media url} with the token: the answer, its body unread (the caller streams it). */
export async function downloadFrom(env: Env, target: GraphTarget, url: string): Promise<{ ok: true; response: Response } | { ok: false; error: MediaCallError }> {
  const res = await graphRaw(env, { target, url, method: "GET", timeoutMs: settings(env).metaTimeoutMs });
  if (!res.ok) {
    if (res.kind === "refused") return { ok: false, error: { kind: "upstream", message: res.message, transient: false } };
    return { ok: false, error: failure(res.kind === "timeout" ? `Meta did not answer within ${res.timeoutMs} ms` : res.message) };
  }
  if (!res.response.ok || !res.response.body) return { ok: false, error: graphFailure(res.response.status, await graphErrorOf(res.response)) };
  return { ok: true, response: res.response };
}

/**
 * Both steps: the media's details and its bytes as a stream. `length`: the file's size as Meta gives it
 * (its file_size, else the download's Content-Length), null when it gives none.
 */
export async function openMetaMedia(
  env: Env,
  target: GraphTarget,
  metaMediaId: string,
): Promise<{ ok: true; info: MetaMediaInfo; response: Response; length: number | null } | { ok: false; error: MediaCallError }> {
  const info = await mediaInfo(env, target, metaMediaId);
  if (!info.ok) return info;
  const dl = await downloadFrom(env, target, info.info.url);
  if (!dl.ok) return dl;
  const declared = dl.response.headers.get("Content-Length");
  const length = info.info.fileSize ?? (declared !== null && /^\d+$/.test(declared) ? Number(declared) : null);
  return { ok: true, info: info.info, response: dl.response, length };
}

const quote = (v: string) => v.replace(/["\\\r\n]/g, "_");

/**
 * POST /{phone-number-id}/media: the file streamed to Meta inside a multipart body of our own framing
 * (messaging_product, type, then file), never held whole. Meta answers {id}.
 */
export async function uploadToMeta(
  env: Env,
  target: GraphTarget,
  phoneNumberId: string,
  file: { body: ReadableStream<Uint8Array>; mimeType: string; filename: string },
): Promise<{ ok: true; id: string } | { ok: false; error: MediaCallError }> {
  const boundary = `wbiz-${crypto.randomUUID()}`;
  const enc = new TextEncoder();
  const head = enc.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="messaging_product"\r\n\r\nwhatsapp\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="type"\r\n\r\n${file.mimeType}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quote(file.filename)}"\r\nContent-Type: ${file.mimeType}\r\n\r\n`,
  );
  const tail = enc.encode(`\r\n--${boundary}--\r\n`);
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  // the client's stream failing (too large, cut off) cancels the call to Meta before the body is torn down
  const giveUp = new AbortController();
  const framing = (async () => {
    const writer = writable.getWriter();
    try {
      await writer.write(head);
      const reader = file.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        await writer.write(value);
      }
      await writer.write(tail);
      await writer.close();
    } catch (err) {
      // the call to Meta is aborted, which cancels the body it was reading: erroring the body instead
      // surfaced in the runtime's body pump as an uncaught rejection
      giveUp.abort(err);
      writer.releaseLock();
      throw err;
    }
  })();
  const sent = graphRaw(env, {
    target,
    path: `${phoneNumberId}/media`,
    method: "POST",
    headers: { "Content-Type": `multipart/form-data; boundary=${boundary}` },
    body: readable,
    // a large file takes its time: the wait is for Meta's answer after the last byte
    timeoutMs: 10 * 60_000,
    signal: giveUp.signal,
  });
  const [framed, res] = await Promise.allSettled([framing, sent]);
  if (framed.status === "rejected") throw framed.reason; // the client's stream failed (too large, cut off): the caller's to answer
  if (res.status === "rejected") throw res.reason;
  const r = res.value;
  if (!r.ok) return { ok: false, error: failure(r.kind === "timeout" ? `Meta did not answer within ${r.timeoutMs} ms` : r.message) };
  if (!r.response.ok) return { ok: false, error: graphFailure(r.response.status, await graphErrorOf(r.response)) };
  const body = (await r.response.json().catch(() => null)) as { id?: unknown } | null;
  if (typeof body?.id !== "string" && typeof body?.id !== "number") return { ok: false, error: failure("Meta's upload answer has no id") };
  return { ok: true, id: String(body.id) };
}
