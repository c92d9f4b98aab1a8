import { storeName, wabaStore, type DataMode } from "../data-plane/stub";
import type { Env } from "../env";
import { errorFields, log } from "../log";
import { backoffSeconds } from "../meta/error-policy";
import { copyInboundMedia } from "../media/copy-inbound";
import { MediaCopyJobSchema } from "../queues/media-copy-job";
import { MetaEventJobSchema, type MetaEventJob } from "../queues/meta-event-job";
import { settings } from "../settings";
import { wabaIdOf } from "./waba-lookup";

/**
 * The meta-events queue's consumer: a batch's changes go to their WABAs' objects, one call per WABA
 * with that WABA's changes in order, which applies them idempotently (src/data-plane/meta-changes.ts)
 * in one transaction. If that call fails, the changes are tried one by one, so one change that keeps
 * failing never holds back its batch-mates. A change for a WABA we do not serve is dropped.
 */
export async function processMetaEvents(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const groups = new Map<string, ChangeGroup>();
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
      if (!wabaId) {
        log.warn("webhook for an unknown WABA ignored", { metaWabaId: job.metaWabaId });
        msg.ack();
        continue;
      }
      const mode = job.mode ?? "live";
      const name = storeName(wabaId, mode);
      let group = groups.get(name);
      if (!group) groups.set(name, (group = { wabaId, mode, changes: [] }));
      group.changes.push({ msg, job });
    } catch (err) {
      retryChange(env, msg, job, err);
    }
  }
  await Promise.all([...groups.values()].map((group) => applyGroup(env, group)));
}

type ChangeGroup = { wabaId: string; mode: DataMode; changes: Array<{ msg: Message<unknown>; job: MetaEventJob }> };

async function applyGroup(env: Env, group: ChangeGroup): Promise<void> {
  try {
    await wabaStore(env, group.wabaId, group.mode).applyMetaChanges(group.wabaId, group.changes.map((c) => c.job));
    for (const { msg } of group.changes) msg.ack();
  } catch (err) {
    if (group.changes.length === 1) return retryChange(env, group.changes[0]!.msg, group.changes[0]!.job, err);
    for (const change of group.changes) await applyGroup(env, { ...group, changes: [change] });
  }
}

function retryChange(env: Env, msg: Message<unknown>, job: MetaEventJob, err: unknown): void {
  log.error("meta event processing failed", { metaWabaId: job.metaWabaId, field: job.field, ...errorFields(err) });
  msg.retry({ delaySeconds: backoffSeconds(msg.attempts, settings(env).relayBackoffBaseSeconds) });
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
