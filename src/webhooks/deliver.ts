import type { Env } from "../env";
import { backoffSeconds } from "../meta/error-policy";
import { WebhookDeliveryJobSchema } from "../queues/webhook-delivery-job";
import { checkDestination } from "./destination";
import { endpointSecret } from "./endpoints";
import { SIGNATURE_HEADER, signatureHeader } from "./signing";

// The webhook queue's consumer: POSTs each event to its endpoint, signed. At least once: network
// errors, timeouts and non-2xx answers are retried with exponential backoff and jitter (capped at an
// hour) for at least 24 hours, then the delivery is marked failed. Receivers dedupe on the event id and
// order a wamid's events by `sequence`.
//
// Before each attempt the URL is checked again (src/webhooks/destination.ts): a URL the policy refuses
// (stored before a rule existed) fails at once; a name that now resolves to a private address, or that
// cannot be resolved, fails this attempt without connecting and is retried like a network error.

const DEFAULT_RETRY_WINDOW_MS = 24 * 60 * 60_000;
const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_DELAY_SECONDS = 3600;

type Row = { status: string; attempts: number; createdAt: number; url: string; secretEnc: string; enabled: number; body: string; eventId: string; type: string };

export async function deliverWebhooks(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  await Promise.all(batch.messages.map((msg) => deliverOne(msg, env)));
}

async function deliverOne(msg: Message<unknown>, env: Env): Promise<void> {
  const job = WebhookDeliveryJobSchema.safeParse(msg.body);
  if (!job.success) return msg.ack();
  const id = job.data.deliveryId;
  try {
    const row = await env.DB.prepare(
      `SELECT d.status, d.attempts, d.created_at AS createdAt, e.url, e.secret_enc AS secretEnc, e.enabled, ev.body, ev.id AS eventId, ev.type
         FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id JOIN webhook_events ev ON ev.id = d.event_id
        WHERE d.id = ?1`,
    )
      .bind(id)
      .first<Row>();
    if (!row || row.status !== "pending") return msg.ack(); // delivered already, given up, or endpoint deleted
    if (!row.enabled) {
      await finish(env, id, "failed", row.attempts, null, "endpoint is disabled");
      return msg.ack();
    }

    const attempt = row.attempts + 1;
    const destination = await checkDestination(env, row.url);
    if (destination.kind === "refused" && destination.final) {
      await finish(env, id, "failed", attempt, null, `refused: url ${destination.reason}`);
      return msg.ack();
    }
    const { statusCode, error } =
      destination.kind === "ok" ? await post(env, row, id)
      : destination.kind === "refused" ? { statusCode: null, error: `refused: ${destination.reason}` }
      : { statusCode: null, error: `network error: ${destination.reason}` };
    if (statusCode !== null && statusCode >= 200 && statusCode < 300) {
      await finish(env, id, "succeeded", attempt, statusCode, null);
      return msg.ack();
    }
    const windowMs = Number(env.WEBHOOK_RETRY_WINDOW_MS) || DEFAULT_RETRY_WINDOW_MS;
    if (Date.now() - row.createdAt >= windowMs) {
      await finish(env, id, "failed", attempt, statusCode, error);
      return msg.ack();
    }
    const base = Number(env.WEBHOOK_BACKOFF_BASE_SECONDS ?? 30);
    const delay = backoffSeconds(attempt, base, MAX_DELAY_SECONDS);
    await env.DB.prepare(`UPDATE webhook_deliveries SET attempts = ?2, last_status_code = ?3, last_error = ?4, next_attempt_at = ?5, updated_at = ?6 WHERE id = ?1 AND status = 'pending'`)
      .bind(id, attempt, statusCode, error, Date.now() + delay * 1000, Date.now())
      .run();
    msg.retry({ delaySeconds: delay });
  } catch (err) {
    console.error(JSON.stringify({ level: "error", msg: "webhook delivery crashed", deliveryId: id, error: String(err) }));
    msg.retry({ delaySeconds: backoffSeconds(msg.attempts, Number(env.WEBHOOK_BACKOFF_BASE_SECONDS ?? 30), MAX_DELAY_SECONDS) });
  }
}

async function post(env: Env, row: Row, deliveryId: string): Promise<{ statusCode: number | null; error: string | null }> {
  const secret = await endpointSecret(env, row.secretEnc);
  const timestamp = Math.floor(Date.now() / 1000);
  try {
    const res = await fetch(row.url, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(Number(env.WEBHOOK_TIMEOUT_MS) || DEFAULT_TIMEOUT_MS),
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "WBIZ-Webhooks/1.0",
        [SIGNATURE_HEADER]: await signatureHeader(secret, row.body, timestamp),
        "WBIZ-Event-Id": row.eventId,
        "WBIZ-Event-Type": row.type,
        "WBIZ-Delivery-Id": deliveryId,
      },
      body: row.body,
    });
    await res.body?.cancel();
    return { statusCode: res.status, error: res.ok ? null : `HTTP ${res.status}` };
  } catch (err) {
    const name = (err as Error)?.name;
    return { statusCode: null, error: name === "TimeoutError" || name === "AbortError" ? "timed out" : `network error: ${(err as Error)?.message ?? err}` };
  }
}

async function finish(env: Env, id: string, status: "succeeded" | "failed", attempts: number, statusCode: number | null, error: string | null) {
  const now = Date.now();
  await env.DB.prepare(
    `UPDATE webhook_deliveries SET status = ?2, attempts = ?3, last_status_code = ?4, last_error = ?5, next_attempt_at = NULL,
            delivered_at = CASE WHEN ?2 = 'succeeded' THEN ?6 ELSE delivered_at END, updated_at = ?6
      WHERE id = ?1 AND status = 'pending'`,
  )
    .bind(id, status, attempts, statusCode, error, now)
    .run();
}

/** The webhook dead-letter queue: the queue gave up on a delivery, so mark it failed. */
export async function failDeadDeliveries(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const msg of batch.messages) {
    const job = WebhookDeliveryJobSchema.safeParse(msg.body);
    if (job.success) await finish(env, job.data.deliveryId, "failed", msg.attempts, null, "gave up: dead-lettered");
    msg.ack();
  }
}
