import type { Env } from "../env";
import type { WebhookDeliveryJob } from "../queues/webhook-delivery-job";

/**
 * Puts an event's pending deliveries on the webhook queue. If this fails the rows stay pending and the
 * scheduled sweep queues them again, so an event is never lost between D1 and the queue.
 */
export async function queueDeliveries(env: Env, eventIds: string[]): Promise<void> {
  if (eventIds.length === 0) return;
  const placeholders = eventIds.map((_, i) => `?${i + 1}`).join(", ");
  const { results } = await env.DB.prepare(`SELECT id FROM webhook_deliveries WHERE event_id IN (${placeholders}) AND status = 'pending'`)
    .bind(...eventIds)
    .all<{ id: string }>();
  if (results.length === 0) return;
  try {
    await env.WEBHOOK_QUEUE.sendBatch(results.map((r) => ({ body: { deliveryId: r.id } satisfies WebhookDeliveryJob, contentType: "json" as const })));
  } catch (err) {
    console.error(JSON.stringify({ level: "error", msg: "queueing webhook deliveries failed; the sweep will retry", eventIds, error: String(err) }));
  }
}
