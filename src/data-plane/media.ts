import { MEDIA_KINDS } from "../media/limits";
import type { MediaStatus } from "./schema";
import { all, one, run, type Store } from "./store";

// Inbound media: one row per media message (table `media`), owned by the WABA object like the message it
// belongs to. The message is stored and announced first (message.received says `media.status: pending`);
// the copy into R2 is a job on the meta-events queue (src/media/copy-inbound.ts), retried with backoff,
// and queued again by the alarm's sweep if its job went missing. Nothing here touches message rows.

/** Copies give up after this many failed attempts (the queue's own retries, then the sweep's). */
export const MEDIA_COPY_MAX_ATTEMPTS = 10;
/** A pending copy untouched this long is queued again by the sweep. */
export const MEDIA_COPY_STALE_MS = 30 * 60_000;

export type MediaRow = {
  messageId: string;
  metaMediaId: string;
  kind: string;
  mimeType: string | null;
  filename: string | null;
  metaSha256: string | null;
  sha256: string | null;
  fileSize: number | null;
  status: MediaStatus;
  r2Key: string | null;
  attempts: number;
  createdAt: number;
};

const COLUMNS = `message_id AS messageId, meta_media_id AS metaMediaId, kind, mime_type AS mimeType, filename, meta_sha256 AS metaSha256, sha256,
  file_size AS fileSize, status, r2_key AS r2Key, attempts, created_at AS createdAt`;

/** Whether a message of this direction and kind carries media kept by us (history's mediaUrl). */
export function isInboundMedia(direction: string, kind: string): boolean {
  return direction === "inbound" && (MEDIA_KINDS as readonly string[]).includes(kind);
}

/** The R2 key of a message's media: by mode, WABA and message, so one WABA's (or mode's) objects share a prefix. */
export function mediaObjectKey(mode: "live" | "test", wabaId: string, messageId: string): string {
  return `${mode}/${wabaId}/${messageId}`;
}

/** The route that serves a message's media (relative to the API's base URL). */
export function mediaPath(messageId: string): string {
  return `/v1/messages/${messageId}/media`;
}

/**
 * A new inbound message's media (Meta's `image|video|audio|document|sticker` object): recorded as
 * pending and its copy queued once the transaction commits. Without a media id there is nothing to copy.
 */
export function recordInboundMedia(s: Store, messageId: string, m: Record<string, unknown>): boolean {
  const kind = typeof m.type === "string" ? m.type : "";
  if (!(MEDIA_KINDS as readonly string[]).includes(kind)) return false;
  const obj = (m[kind] ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v : null);
  const metaMediaId = str(obj.id);
  if (!metaMediaId) return false;
  s.sql.exec(
    `INSERT INTO media (message_id, meta_media_id, kind, mime_type, filename, meta_sha256, status, attempts, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (message_id) DO NOTHING`,
    messageId, metaMediaId, kind, str(obj.mime_type), str(obj.filename), str(obj.sha256), s.now, s.now,
  );
  s.effects.mediaCopies.push(messageId);
  return true;
}

export function mediaOf(s: Pick<Store, "sql">, messageId: string): MediaRow | null {
  return one<MediaRow>(s, `SELECT ${COLUMNS} FROM media WHERE message_id = ?`, messageId);
}

/** What events show of a message's media (null: the message has none). */
export function mediaView(s: Pick<Store, "sql">, messageId: string) {
  const m = mediaOf(s, messageId);
  if (!m) return null;
  return { status: m.status, mimeType: m.mimeType, fileSize: m.fileSize, filename: m.filename, sha256: m.sha256, url: mediaPath(messageId) };
}

/** The copy landed in R2 with Meta's size and sha256. False if the media is no longer pending. */
export function markMediaStored(s: Store, messageId: string, stored: { r2Key: string; mimeType: string; fileSize: number; sha256: string }): boolean {
  return run(
    s,
    `UPDATE media SET status = 'stored', r2_key = ?, mime_type = ?, file_size = ?, sha256 = ?, stored_at = ?, updated_at = ?, last_error = NULL
      WHERE message_id = ? AND status = 'pending' RETURNING message_id`,
    stored.r2Key, stored.mimeType, stored.fileSize, stored.sha256, s.now, s.now, messageId,
  ).length > 0;
}

/**
 * A copy attempt failed: counted, with the reason. `permanent` (Meta no longer has the media) or too many
 * attempts: failed for good. Answers whether another attempt should follow.
 */
export function markMediaCopyFailed(s: Store, messageId: string, error: string, opts: { permanent: boolean }): { retry: boolean } {
  const [row] = run<{ status: MediaStatus }>(
    s,
    `UPDATE media SET attempts = attempts + 1, last_error = ?, updated_at = ?,
            status = CASE WHEN ? OR attempts + 1 >= ? THEN 'failed' ELSE status END
      WHERE message_id = ? AND status = 'pending' RETURNING status`,
    error, s.now, opts.permanent ? 1 : 0, MEDIA_COPY_MAX_ATTEMPTS, messageId,
  );
  return { retry: row?.status === "pending" };
}

/** Pending copies whose job went missing (the sweep queues them again). */
export function staleMediaCopies(s: Store, limit: number): string[] {
  return all<{ id: string }>(s, `SELECT message_id AS id FROM media WHERE status = 'pending' AND updated_at < ? LIMIT ?`, s.now - MEDIA_COPY_STALE_MS, limit).map((r) => r.id);
}

/** Media past its retention age that still has (or may have) an R2 object: the alarm deletes those objects. */
export function mediaPastRetention(s: Pick<Store, "sql">, cutoff: number, limit: number): Array<{ messageId: string; r2Key: string | null }> {
  return all(s, `SELECT message_id AS messageId, r2_key AS r2Key FROM media WHERE created_at < ? AND status != 'expired' LIMIT ?`, cutoff, limit);
}

/** Their R2 objects are deleted: expired (GET /v1/messages/{id}/media answers 410). */
export function markMediaExpired(s: Store, messageIds: string[]): void {
  for (const id of messageIds) s.sql.exec(`UPDATE media SET status = 'expired', r2_key = NULL, updated_at = ? WHERE message_id = ?`, s.now, id);
}

/** An inbound media message of this WABA, for GET /v1/messages/{id}/media (only inbound media has a row); null for any other id. */
export const mediaForDownload = mediaOf;
