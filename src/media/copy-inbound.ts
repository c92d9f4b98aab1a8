import { wabaStore } from "../data-plane/stub";
import type { Env } from "../env";
import type { MediaCopyJob } from "../queues/media-copy-job";
import { measure, sameSha256 } from "./digest";
import { bareMime, MAX_MEDIA_BYTES } from "./limits";
import { openMetaMedia, targetOf } from "./meta-media";

// An inbound message's media, copied from Meta into R2 (the MEDIA bucket) by a media-copy job. The
// message is already stored and announced (media.status "pending"); this only ever adds its copy:
//   GET /{media-id} (url, mime_type, sha256, file_size) → GET url with the WABA's token → R2, streamed:
// the bytes pass through a hashing, counting stream into a FixedLengthStream of Meta's file_size (R2
// needs the length up front), never held whole. Size and sha256 must match Meta's; a mismatch deletes
// the object and counts as a failed attempt. The WABA object records the outcome (it alone writes rows).

export type CopyResult = { kind: "stored"; bytes: number } | { kind: "done" } | { kind: "failed"; retry: boolean; message: string };

const EXT: Record<string, string> = {
  "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "video/mp4": "mp4", "video/3gpp": "3gp", "audio/aac": "aac", "audio/amr": "amr",
  "audio/mpeg": "mp3", "audio/mp4": "m4a", "audio/ogg": "ogg", "application/pdf": "pdf", "text/plain": "txt",
};

/** The file name a download carries: the customer's for a document, else made from the kind and id. */
export function downloadName(kind: string, messageId: string, mimeType: string | null, filename: string | null): string {
  if (filename) return filename;
  const ext = mimeType ? EXT[bareMime(mimeType)] : undefined;
  return `${kind}-${messageId}${ext ? `.${ext}` : ""}`;
}

/** RFC 6266 Content-Disposition with an ASCII fallback and the UTF-8 name. */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export async function copyInboundMedia(env: Env, job: MediaCopyJob): Promise<CopyResult> {
  const store = wabaStore(env, job.wabaId, job.mode ?? "live");
  const t = await store.mediaCopyTarget(job.wabaId, job.messageId);
  if (t.kind === "done") return { kind: "done" };
  const failed = async (message: string, permanent = false): Promise<CopyResult> => {
    const { retry } = await store.mediaCopyFailed(job.wabaId, job.messageId, message, permanent);
    return { kind: "failed", retry, message };
  };

  const target = await targetOf(env, t.access);
  const opened = await openMetaMedia(env, target, t.media.metaMediaId);
  if (!opened.ok) return failed(opened.error.message, opened.error.kind === "unknown_media");
  const { info, response, length } = opened;
  if (length === null || length > MAX_MEDIA_BYTES) {
    await response.body?.cancel();
    return failed(length === null ? "Meta gave no file_size and no Content-Length" : `media of ${length} bytes is over Meta's 100 MB limit`, length !== null);
  }

  const name = downloadName(t.media.kind, job.messageId, info.mimeType, t.media.filename);
  const measured = measure(response.body!);
  const fixed = new FixedLengthStream(length);
  try {
    await Promise.all([
      measured.stream.pipeTo(fixed.writable),
      env.MEDIA.put(t.r2Key, fixed.readable, {
        httpMetadata: { contentType: info.mimeType, contentDisposition: contentDisposition(name) },
        customMetadata: { filename: name, metaMediaId: t.media.metaMediaId, wabaId: job.wabaId, messageId: job.messageId },
      }),
    ]);
  } catch (err) {
    await env.MEDIA.delete(t.r2Key).catch(() => {});
    return failed(`copy to R2 failed: ${String((err as Error)?.message ?? err)}`);
  }
  const got = await measured.result;
  const expected = [info.sha256, t.media.metaSha256].filter((x): x is string => !!x);
  const mismatch =
    got.bytes !== length ? `size ${got.bytes} ≠ Meta's ${length}` : expected.some((sha) => !sameSha256(sha, got.sha256Hex)) ? `sha256 ${got.sha256Hex} ≠ Meta's ${expected.join(" / ")}` : null;
  if (mismatch) {
    await env.MEDIA.delete(t.r2Key);
    return failed(`copy does not match Meta's media: ${mismatch}`);
  }
  await store.mediaStored(job.wabaId, job.messageId, { r2Key: t.r2Key, mimeType: info.mimeType, fileSize: got.bytes, sha256: got.sha256Hex });
  return { kind: "stored", bytes: got.bytes };
}
