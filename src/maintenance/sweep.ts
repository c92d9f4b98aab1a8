import type { Env } from "../env";
import { applyPendingStatuses } from "../messages/status-transitions";
import type { SendJob } from "../queues/send-job";
import type { WebhookDeliveryJob } from "../queues/webhook-delivery-job";

// The safety net behind "nothing accepted is lost": work that should be on a queue but whose queue
// message went missing (a failed send() after a D1 write, a crash) is queued again. Every consumer is
// idempotent, so queueing something twice is harmless.

/** Longer than any queue retry delay the relay or the webhook sender uses for a live job. */
export const STALE_AFTER_MS = 75 * 60_000;
const PENDING_STATUS_TTL_MS = 7 * 24 * 60 * 60_000;
const LIMIT = 500;

export async function sweep(env: Env, now = Date.now()) {
  const stale = now - STALE_AFTER_MS;

  const sends = await env.DB.prepare(
    `SELECT m.id AS messageId, k.key_hash AS keyHash FROM messages m JOIN api_keys k ON k.id = m.api_key_id
      WHERE m.status IN ('queued', 'sending') AND m.updated_at < ?1 AND m.wamid IS NULL LIMIT ${LIMIT}`,
  )
    .bind(stale)
    .all<{ messageId: string; keyHash: string }>();
  for (let i = 0; i < sends.results.length; i += 100) {
    const jobs: SendJob[] = sends.results.slice(i, i + 100).map((r) => ({ messageId: r.messageId, keyHash: r.keyHash, notify: false }));
    await env.SEND_QUEUE.sendBatch(jobs.map((body) => ({ body, contentType: "json" as const })));
  }

  const deliveries = await env.DB.prepare(`SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at < ?1 LIMIT ${LIMIT}`)
    .bind(stale)
    .all<{ id: string }>();
  for (let i = 0; i < deliveries.results.length; i += 100) {
    const jobs: WebhookDeliveryJob[] = deliveries.results.slice(i, i + 100).map((r) => ({ deliveryId: r.id }));
    await env.WEBHOOK_QUEUE.sendBatch(jobs.map((body) => ({ body, contentType: "json" as const })));
  }

  const early = await env.DB.prepare(`SELECT DISTINCT p.wamid FROM pending_statuses p JOIN messages m ON m.wamid = p.wamid LIMIT ${LIMIT}`).all<{ wamid: string }>();
  for (const { wamid } of early.results) await applyPendingStatuses(env, wamid);
  await env.DB.prepare(`DELETE FROM pending_statuses WHERE received_at < ?1`).bind(now - PENDING_STATUS_TTL_MS).run();

  return { sends: sends.results.length, deliveries: deliveries.results.length, pendingStatuses: early.results.length };
}
