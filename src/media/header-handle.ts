import type { Env } from "../env";
import { graphErrorOf, graphRaw, graphRequest, type GraphTarget } from "../meta/graph";
import { messageErrorOf } from "../meta/error-policy";
import { settings } from "../settings";
import { openMetaMedia } from "./meta-media";

// A media header of a template being created (POST /v1/templates) may name a media id from
// POST /v1/media instead of a Resumable-Upload handle: Meta's template creation takes only a handle
// (`example.header_handle`), so the media is read back from Meta and uploaded through Meta's
// Resumable Upload API, whose handle goes into the template. Owned by the media work (issue 14).
//
// Resumable Upload API (developers.facebook.com/docs/graph-api/guides/upload):
//   1. POST /{app-id}/uploads?file_name=&file_length=&file_type=  → {"id": "upload:<session>"}
//   2. POST /upload:<session>, headers `Authorization: OAuth <token>` and `file_offset: 0`, the bytes as
//      the body → {"h": "<handle>"}
// The bytes stream from Meta's media URL into step 2 (a FixedLengthStream of Meta's file_size, so the
// upload carries a Content-Length), never held whole.

export type HeaderHandleResult =
  | { ok: true; handle: string }
  /** the media id is unknown to Meta or expired: the integrator's mistake (400 naming the field) */
  | { ok: false; kind: "unknown_media"; message: string }
  /** Meta refused or could not be reached */
  | { ok: false; kind: "upstream"; message: string; status?: number };

export async function headerHandleForMedia(env: Env, target: GraphTarget, metaMediaId: string): Promise<HeaderHandleResult> {
  const appId = settings(env).metaAppId;
  if (!appId) return { ok: false, kind: "upstream", message: "META_APP_ID is not set: Resumable Uploads (template header media) need the Meta app id" };
  const opened = await openMetaMedia(env, target, metaMediaId);
  if (!opened.ok) {
    if (opened.error.kind === "unknown_media") return { ok: false, kind: "unknown_media", message: `Meta has no media ${metaMediaId} (unknown or expired): upload it again with POST /v1/media` };
    return { ok: false, kind: "upstream", message: opened.error.message, status: opened.error.status };
  }
  const { info, response, length } = opened;
  if (length === null) {
    await response.body?.cancel();
    return { ok: false, kind: "upstream", message: "Meta gave no size for the media" };
  }
  const query = new URLSearchParams({ file_name: `header-${metaMediaId}`, file_length: String(length), file_type: info.mimeType });
  const session = await graphRequest<{ id?: string }>(env, `${appId}/uploads?${query}`, { method: "POST", target, timeoutMs: settings(env).metaTimeoutMs });
  if (!session.ok || typeof session.data.id !== "string" || !session.data.id.startsWith("upload:")) {
    await response.body?.cancel();
    const message = session.ok ? "Meta's upload session has no id" : messageErrorOf(session).message;
    return { ok: false, kind: "upstream", message: `Resumable Upload session failed: ${message}`, ...(!session.ok && session.kind === "graph" ? { status: session.status } : {}) };
  }
  const fixed = new FixedLengthStream(length);
  const piping = response.body!.pipeTo(fixed.writable).catch(() => {});
  const sent = await graphRaw(env, {
    target,
    path: session.data.id,
    method: "POST",
    authScheme: "OAuth",
    headers: { file_offset: "0", "Content-Type": info.mimeType },
    body: fixed.readable,
    timeoutMs: 5 * 60_000,
  });
  await piping;
  if (!sent.ok) return { ok: false, kind: "upstream", message: `Resumable Upload failed: ${sent.kind === "timeout" ? "Meta did not answer in time" : sent.message}` };
  if (!sent.response.ok) {
    const e = await graphErrorOf(sent.response);
    return { ok: false, kind: "upstream", message: `Resumable Upload failed: ${e.error_data?.details ?? e.message}`, status: sent.response.status };
  }
  const body = (await sent.response.json().catch(() => null)) as { h?: unknown } | null;
  if (typeof body?.h !== "string" || !body.h) return { ok: false, kind: "upstream", message: "Meta's Resumable Upload answer has no handle (h)" };
  return { ok: true, handle: body.h };
}
