import { database } from "../db/client";
import { e164OfWaId } from "../domain/phone";
import type { Env } from "../env";
import type { Party } from "../inbox/record-message";
import { isMetaStatus } from "../messages/lifecycle";
import type { MessageError } from "../messages/outcome";
import { applyMetaStatus } from "../messages/status-transitions";
import { backoffSeconds } from "../meta/error-policy";
import { MetaEventJobSchema, type MetaEventJob } from "../queues/meta-event-job";
import { recordAlerts } from "./alerts";
import { marketingPreference, numberChanged, userIdChanged } from "./contact-changes";
import { applyEdit, applyRevoke, recordInbound } from "./inbound";
import {
  MetaEditSchema,
  MetaInboundSchema,
  MetaMessagesContextSchema,
  MetaRevokeSchema,
  MetaStatusSchema,
  MetaSystemSchema,
  TemplateCategoryUpdateSchema,
  TemplateStatusUpdateSchema,
  UserPreferenceSchema,
  type MetaInbound,
} from "./meta-payload";
import { applyTemplateCategory, applyTemplateStatus } from "./template-status";

/**
 * The meta-events queue's consumer. Every step is idempotent (statuses only move forward, inbound
 * messages are keyed by wamid, template and contact updates compare the old state), so Meta's
 * duplicate and out-of-order deliveries, and our own retries of a half-processed job, change nothing twice.
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

const templateRef = (v: { message_template_id?: string | number; message_template_name?: string; message_template_language?: string }) => ({
  metaTemplateId: v.message_template_id === undefined ? undefined : String(v.message_template_id),
  name: v.message_template_name,
  language: v.message_template_language,
});

async function processChange(env: Env, job: MetaEventJob): Promise<void> {
  const waba = await env.DB.prepare(`SELECT id FROM wabas WHERE meta_waba_id = ?1`).bind(job.metaWabaId).first<{ id: string }>();
  if (!waba) {
    console.warn(JSON.stringify({ level: "warn", msg: "webhook for an unknown WABA ignored", metaWabaId: job.metaWabaId }));
    return;
  }
  switch (job.field) {
    case "messages":
      return processMessagesChange(env, waba, job.value, job.receivedAt);
    case "message_template_status_update": {
      // Meta's own reference shows quality updates (new_quality_score, no event) under this field too
      const u = TemplateStatusUpdateSchema.safeParse(job.value);
      if (u.success) await applyTemplateStatus(env, waba.id, { ...templateRef(u.data), event: u.data.event, reason: u.data.reason });
      return;
    }
    case "template_category_update": {
      const u = TemplateCategoryUpdateSchema.safeParse(job.value);
      if (u.success) await applyTemplateCategory(env, waba.id, { ...templateRef(u.data), newCategory: u.data.new_category, correctCategory: u.data.correct_category });
      return;
    }
    case "user_preferences":
      for (const raw of Array.isArray(job.value.user_preferences) ? job.value.user_preferences : []) {
        const p = UserPreferenceSchema.safeParse(raw);
        if (!p.success || (p.data.category !== undefined && p.data.category !== "marketing_messages")) continue;
        if (p.data.value !== "stop" && p.data.value !== "resume") continue;
        if (!p.data.wa_id && !p.data.user_id) continue;
        await marketingPreference(env, waba.id, { waId: p.data.wa_id, userId: p.data.user_id, optedIn: p.data.value === "resume" });
      }
      return;
    default:
    // other fields (quality updates, account alerts, …) are not used yet
  }
}

function statusError(e: { code: number; title?: string; message?: string; error_data?: { details?: string } } | undefined): MessageError | null {
  if (!e) return null;
  return {
    source: "meta",
    code: e.code,
    ...(e.title ? { title: e.title } : {}),
    message: e.message ?? e.title ?? `Meta error ${e.code}`,
    ...(e.error_data?.details ? { details: e.error_data.details } : {}),
  };
}

async function processMessagesChange(env: Env, waba: { id: string }, value: Record<string, unknown>, receivedAt: number) {
  for (const raw of Array.isArray(value.statuses) ? value.statuses : []) {
    const s = MetaStatusSchema.safeParse(raw);
    if (!s.success || !isMetaStatus(s.data.status)) continue;
    await applyMetaStatus(env, {
      wamid: s.data.id,
      status: s.data.status,
      error: statusError(s.data.errors?.[0]),
      callbackData: s.data.biz_opaque_callback_data,
      recipientUserId: s.data.recipient_user_id,
      raw,
    });
  }
  const { metadata, contacts = [], errors = [] } = MetaMessagesContextSchema.parse(value);
  const phoneNumberId = metadata?.phone_number_id || null;
  await recordAlerts(env, waba.id, phoneNumberId, errors.filter((e) => e !== null), receivedAt);

  const db = database(env.DB);
  for (const raw of Array.isArray(value.messages) ? value.messages : []) {
    const m = MetaInboundSchema.safeParse(raw);
    if (!m.success) continue;
    const message = m.data as MetaInbound;
    if (message.type === "system") {
      const sys = MetaSystemSchema.safeParse(message.system);
      if (!sys.success) continue;
      if (sys.data.type === "user_changed_number") {
        await numberChanged(env, waba.id, { oldWaId: message.from, newWaId: sys.data.wa_id, userId: sys.data.user_id, previousUserId: sys.data.previous_user_id ?? message.from_user_id });
      } else if (sys.data.type === "user_changed_user_id") {
        await userIdChanged(env, waba.id, { previousUserId: sys.data.previous_user_id ?? message.from_user_id, userId: sys.data.user_id, waId: message.from });
      }
      continue;
    }
    if (message.type === "edit") {
      const edit = MetaEditSchema.safeParse(message.edit);
      if (edit.success) await applyEdit(env, waba, edit.data.original_message_id, edit.data.message);
      continue;
    }
    if (message.type === "revoke") {
      const revoke = MetaRevokeSchema.safeParse(message.revoke);
      if (revoke.success) await applyRevoke(env, waba, revoke.data.original_message_id);
      continue;
    }
    if (!phoneNumberId) continue;
    const contact = contacts.find((c) => c !== null && ((message.from !== undefined && c.wa_id === message.from) || (message.from_user_id !== undefined && c.user_id === message.from_user_id)));
    const waId = message.from ?? contact?.wa_id;
    const party: Party = {
      phone: waId ? e164OfWaId(waId) : null,
      waId: waId ?? null,
      userId: message.from_user_id ?? contact?.user_id ?? null,
      username: contact?.profile?.username ?? null,
      profileName: contact?.profile?.name ?? null,
    };
    await recordInbound(env, db, waba, phoneNumberId, message, party, receivedAt);
  }
}

/** The meta-events dead-letter queue: a change that kept failing. Logged loudly for an operator. */
export async function logDeadMetaEvents(batch: MessageBatch<unknown>): Promise<void> {
  for (const msg of batch.messages) {
    console.error(JSON.stringify({ level: "error", msg: "meta webhook change dead-lettered", body: msg.body }));
    msg.ack();
  }
}
