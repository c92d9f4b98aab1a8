import type { PendingDelivery } from "../data-plane/webhooks";
import { wabaStore } from "../data-plane/stub";
import type { Env } from "../env";
import { errorFields, log } from "../log";
import { backoffSeconds } from "../meta/error-policy";
import { WebhookDeliveryJobSchema } from "../queues/webhook-delivery-job";
import { settings } from "../settings";
import { checkDestination } from "./destination";
import { SIGNATURE_HEADER, signatureHeader } from "./signing";

// The webhook queue's consumer: POSTs each event to its endpoint, signed. At least once: network
// errors, timeouts and non-2xx answers are retried with exponential backoff and jitter (capped at an
// hour) for at least 24 hours, then the delivery is marked failed. Receivers dedupe on the event id and
// order a wamid's events by `sequence`. Two calls to the WABA's object per attempt: what to deliver,
// and how it went.
//
// Before each attempt the URL is checked again (src/webhooks/destination.ts): a URL the policy refuses
// (stored before a rule existed) fails at once; a name that now resolves to a private address, or that
// cannot be resolved, fails this attempt without connecting and is retried like a network error.

const MAX_DELAY_SECONDS = 3600;

export async function deliverWebhooks(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  await Promise.all(batch.messages.map((msg) => deliverOne(msg, env)));
}

async function deliverOne(msg: Message<unknown>, env: Env): Promise<void> {
  const job = WebhookDeliveryJobSchema.safeParse(msg.body);
  if (!job.success) return msg.ack();
  const { wabaId, deliveryId, mode = "live" } = job.data;
  const store = wabaStore(env, wabaId, mode);
  const config = settings(env);
  try {
    const pending = await store.pendingDelivery(wabaId, deliveryId);
    if (!pending) return msg.ack(); // delivered already, given up, or endpoint deleted
    const attempts = pending.attempts + 1;
    if (!pending.enabled) {
      await store.recordDeliveryAttempt(wabaId, deliveryId, { kind: "failed", attempts: pending.attempts, statusCode: null, error: "endpoint is disabled" });
      return msg.ack();
    }
    const destination = await checkDestination(env, pending.url);
    if (destination.kind === "refused" && destination.final) {
      await store.recordDeliveryAttempt(wabaId, deliveryId, { kind: "failed", attempts, statusCode: null, error: `refused: url ${destination.reason}` });
      return msg.ack();
    }
    const { statusCode, error } =
      destination.kind === "ok" ? await post(env, pending, deliveryId)
      : destination.kind === "refused" ? { statusCode: null, error: `refused: ${destination.reason}` }
      : { statusCode: null, error: `network error: ${destination.reason}` };
    if (statusCode !== null && statusCode >= 200 && statusCode < 300) {
      await store.recordDeliveryAttempt(wabaId, deliveryId, { kind: "succeeded", attempts, statusCode });
      return msg.ack();
    }
    if (Date.now() - pending.createdAt >= config.webhookRetryWindowMs) {
      await store.recordDeliveryAttempt(wabaId, deliveryId, { kind: "failed", attempts, statusCode, error: error ?? `HTTP ${statusCode}` });
      return msg.ack();
    }
    const delay = backoffSeconds(attempts, config.webhookBackoffBaseSeconds, MAX_DELAY_SECONDS);
    await store.recordDeliveryAttempt(wabaId, deliveryId, { kind: "retry", attempts, statusCode, error: error ?? `HTTP ${statusCode}`, nextAttemptAt: Date.now() + delay * 1000 });
    msg.retry({ delaySeconds: delay });
  } catch (err) {
    log.error("webhook delivery crashed", { deliveryId, ...errorFields(err) });
    msg.retry({ delaySeconds: backoffSeconds(msg.attempts, config.webhookBackoffBaseSeconds, MAX_DELAY_SECONDS) });
  }
}

async function post(env: Env, d: Omit<PendingDelivery, "secretEnc"> & { secret: string }, deliveryId: string): Promise<{ statusCode: number | null; error: string | null }> {
  const timestamp = Math.floor(Date.now() / 1000);
  try {
    const res = await fetch(d.url, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(settings(env).webhookTimeoutMs),
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "WBIZ-Webhooks/1.0",
        [SIGNATURE_HEADER]: await signatureHeader(d.secret, d.body, timestamp),
        "WBIZ-Event-Id": d.eventId,
        "WBIZ-Event-Type": d.type,
        "WBIZ-Delivery-Id": deliveryId,
      },
      body: d.body,
    });
    await res.body?.cancel();
    return { statusCode: res.status, error: res.ok ? null : `HTTP ${res.status}` };
  } catch (err) {
    const name = (err as Error)?.name;
    return { statusCode: null, error: name === "TimeoutError" || name === "AbortError" ? "timed out" : `network error: ${(err as Error)?.message ?? err}` };
  }
}

/** The webhook dead-letter queue: the queue gave up on a delivery, so mark it failed. */
export async function failDeadDeliveries(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const msg of batch.messages) {
    const job = WebhookDeliveryJobSchema.safeParse(msg.body);
    if (job.success) {
      await wabaStore(env, job.data.wabaId, job.data.mode ?? "live").recordDeliveryAttempt(job.data.wabaId, job.data.deliveryId, {
        kind: "failed", attempts: msg.attempts, statusCode: null, error: "gave up: dead-lettered",
      });
    }
    msg.ack();
  }
}
