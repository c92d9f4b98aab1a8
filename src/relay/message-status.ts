import type { Env } from "../env";
import type { MessageError } from "../messages/outcome";

// Writes of a send's outcome. Kept in one place so webhook events for them are emitted in one place.

/** Meta accepted the send: store its wamid; the message is sent unless a status webhook already moved it on. */
export async function markSent(env: Env, messageId: string, wamid: string): Promise<void> {
  await env.DB.prepare(
    `UPDATE messages SET wamid = ?2, error = NULL, updated_at = ?3,
            status = CASE WHEN status IN ('queued', 'sending') THEN 'sent' ELSE status END
      WHERE id = ?1 AND (wamid IS NULL OR wamid = ?2)`,
  )
    .bind(messageId, wamid, Date.now())
    .run();
}

/** The send will not happen: terminal, with the reason. A message Meta already accepted is left alone. */
export async function markFailed(env: Env, messageId: string, error: MessageError): Promise<boolean> {
  const res = await env.DB.prepare(
    `UPDATE messages SET status = 'failed', error = ?2, updated_at = ?3
      WHERE id = ?1 AND wamid IS NULL AND status IN ('queued', 'sending')`,
  )
    .bind(messageId, JSON.stringify(error), Date.now())
    .run();
  return res.meta.changes > 0;
}
