import { database } from "../db/client";
import type { Env } from "../env";
import { applyMetaStatus, type MetaStatus } from "../messages/status-transitions";
import { backoffSeconds } from "../meta/error-policy";
import { MetaEventJobSchema, type MetaEventJob } from "../queues/meta-event-job";
import { recordInbound } from "./inbound";
import { MetaInboundSchema, MetaMessagesContextSchema, MetaStatusSchema, TemplateStatusUpdateSchema } from "./meta-payload";
import { applyTemplateStatus } from "./template-status";

const STATUSES = new Set<string>(["sent", "delivered", "read", "failed"]);

/**
 * The meta-events queue's consumer. Every step is idempotent (statuses only move forward, inbound
 * messages are keyed by wamid, template updates compare the old status), so Meta's duplicate and
 * out-of-order deliveries, and our own retries of a half-processed job, change nothing twice.
 */
export async function processMetaEvents(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const msg of batch.messages) {
    const parsed = MetaEventJobSchema.safeParse(msg.body);
    if (!parsed.success) {
      console.error(JSON.stringify({ level: "error", msg: "malformed meta event job dropped" }));
      msg.ack();
      continue;
    }
    try {
      await processChange(env, parsed.data);
      msg.ack();
    } catch (err) {
      console.error(JSON.stringify({ level: "error", msg: "meta event processing failed", error: String(err), stack: (err as Error).stack }));
      msg.retry({ delaySeconds: backoffSeconds(msg.attempts, Number(env.RELAY_BACKOFF_BASE_SECONDS ?? 2)) });
    }
  }
}

async function processChange(env: Env, job: MetaEventJob): Promise<void> {
  const waba = await env.DB.prepare(`SELECT id FROM wabas WHERE meta_waba_id = ?1`).bind(job.metaWabaId).first<{ id: string }>();
  if (!waba) {
    console.warn(JSON.stringify({ level: "warn", msg: "webhook for an unknown WABA ignored", metaWabaId: job.metaWabaId }));
    return;
  }
  if (job.field === "messages") return processMessagesChange(env, waba, job.value);
  if (job.field === "message_template_status_update") {
    const u = TemplateStatusUpdateSchema.safeParse(job.value);
    if (!u.success) return;
    await applyTemplateStatus(env, waba.id, {
      status: u.data.event,
      metaTemplateId: u.data.message_template_id === undefined ? undefined : String(u.data.message_template_id),
      name: u.data.message_template_name,
      language: u.data.message_template_language,
      reason: u.data.reason,
    });
  }
  // other fields (quality updates, account alerts, …) are not used yet
}

async function processMessagesChange(env: Env, waba: { id: string }, value: Record<string, unknown>) {
  for (const raw of Array.isArray(value.statuses) ? value.statuses : []) {
    const s = MetaStatusSchema.safeParse(raw);
    if (!s.success || !STATUSES.has(s.data.status)) continue;
    const e = s.data.errors?.[0];
    await applyMetaStatus(env, {
      wamid: s.data.id,
      status: s.data.status as MetaStatus,
      error: e ? { source: "meta", code: e.code, ...(e.title ? { title: e.title } : {}), message: e.message ?? e.title ?? `Meta error ${e.code}`, ...(e.error_data?.details ? { details: e.error_data.details } : {}) } : null,
      callbackData: s.data.biz_opaque_callback_data,
      raw,
    });
  }
  const { metadata, contacts = [] } = MetaMessagesContextSchema.parse(value);
  const db = database(env.DB);
  for (const raw of Array.isArray(value.messages) ? value.messages : []) {
    const m = MetaInboundSchema.safeParse(raw);
    if (!m.success || !metadata?.phone_number_id) continue;
    const profile = contacts.find((c) => c?.wa_id === m.data.from)?.profile?.name;
    await recordInbound(env, db, waba, metadata.phone_number_id, m.data, profile);
  }
}

/** The meta-events dead-letter queue: a change that kept failing. Logged loudly for an operator. */
export async function logDeadMetaEvents(batch: MessageBatch<unknown>): Promise<void> {
  for (const msg of batch.messages) {
    console.error(JSON.stringify({ level: "error", msg: "meta webhook change dead-lettered", body: msg.body }));
    msg.ack();
  }
}
