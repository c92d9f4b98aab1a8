import { wabaStore } from "../data-plane/stub";
import type { Env } from "../env";
import { errorFields, log } from "../log";
import { backoffSeconds } from "../meta/error-policy";
import { copyInboundMedia } from "../media/copy-inbound";
import { MediaCopyJobSchema } from "../queues/media-copy-job";
import { MetaEventJobSchema } from "../queues/meta-event-job";
import { settings } from "../settings";
import { wabaIdOf } from "./waba-lookup";

/**
 * The meta-events queue's consumer: each change goes to its WABA's object (one call), which applies it
 * idempotently (src/data-plane/meta-changes.ts). A change for a WABA we do not serve is dropped.
 */
export async function processMetaEvents(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const msg of batch.messages) {
    if ((msg.body as { kind?: unknown } | null)?.kind === "media_copy") {
      await copyMedia(msg, env);
      continue;
    }
    const parsed = MetaEventJobSchema.safeParse(msg.body);
    if (!parsed.success) {
      log.error("malformed meta event job dropped");
      msg.ack();
      continue;
    }
    const job = parsed.data;
    try {
      const { wabaId } = await wabaIdOf(env, job.metaWabaId);
      if (!wabaId) log.warn("webhook for an unknown WABA ignored", { metaWabaId: job.metaWabaId });
      else await wabaStore(env, wabaId, job.mode ?? "live").applyMetaChange(wabaId, job);
      msg.ack();
    } catch (err) {
      log.error("meta event processing failed", { metaWabaId: job.metaWabaId, field: job.field, ...errorFields(err) });
      msg.retry({ delaySeconds: backoffSeconds(msg.attempts, settings(env).relayBackoffBaseSeconds) });
    }
  }
}

/**
 * A media-copy job (src/media/copy-inbound.ts): retried with the queue's backoff while the WABA object
 * says another attempt should follow; given up (media.status "failed") after that. The message itself
 * was stored before the job was queued and is never touched here.
 */
async function copyMedia(msg: Message<unknown>, env: Env): Promise<void> {
  const parsed = MediaCopyJobSchema.safeParse(msg.body);
  if (!parsed.success) {
    log.error("malformed media copy job dropped");
    return msg.ack();
  }
  const job = parsed.data;
  try {
    const result = await copyInboundMedia(env, job);
    if (result.kind === "failed") {
      log.warn("inbound media copy failed", { wabaId: job.wabaId, messageId: job.messageId, retry: result.retry, reason: result.message });
      if (result.retry) return msg.retry({ delaySeconds: backoffSeconds(msg.attempts, settings(env).relayBackoffBaseSeconds) });
    }
    msg.ack();
  } catch (err) {
    log.error("inbound media copy threw", { wabaId: job.wabaId, messageId: job.messageId, ...errorFields(err) });
    msg.retry({ delaySeconds: backoffSeconds(msg.attempts, settings(env).relayBackoffBaseSeconds) });
  }
}

/** The meta-events dead-letter queue: a change that kept failing. Logged loudly for an operator. */
export async function logDeadMetaEvents(batch: MessageBatch<unknown>): Promise<void> {
  for (const msg of batch.messages) {
    log.error("meta webhook change dead-lettered", { body: msg.body });
    msg.ack();
  }
}
