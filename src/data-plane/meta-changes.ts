import { newId } from "../db/ids";
import { e164OfWaId } from "../domain/phone";
import { log } from "../log";
import { isMetaStatus } from "../messages/lifecycle";
import type { MessageError } from "../messages/outcome";
import { describeInbound, messageTime, optChange } from "../meta-events/inbound";
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
} from "../meta-events/meta-payload";
import type { MetaEventJob } from "../queues/meta-event-job";
import { marketingPreference, numberChanged, setOptIn, userIdChanged, type Party } from "./contacts";
import { recordInboundMedia } from "./media";
import { announceReceived, applyMetaStatus, editInbound, recordMessage, revokeInbound } from "./messages";
import type { Store } from "./store";
import { applyTemplateCategory, applyTemplateStatus } from "./templates";

// One change of a verified Meta webhook, applied to the WABA it concerns. Every step is idempotent
// (statuses only move forward, inbound messages are keyed by wamid, template and contact updates compare
// the old state), so Meta's duplicate and out-of-order deliveries, and our own retries of a
// half-processed job, change nothing twice.

const templateRef = (v: { message_template_id?: string | number; message_template_name?: string; message_template_language?: string }) => ({
  metaTemplateId: v.message_template_id === undefined ? undefined : String(v.message_template_id),
  name: v.message_template_name,
  language: v.message_template_language,
});

export function applyMetaChange(s: Store, job: MetaEventJob): void {
  switch (job.field) {
    case "messages":
      return applyMessagesChange(s, job.value, job.receivedAt);
    case "message_template_status_update": {
      // Meta's own reference shows quality updates (new_quality_score, no event) under this field too
      const u = TemplateStatusUpdateSchema.safeParse(job.value);
      if (u.success) applyTemplateStatus(s, { ...templateRef(u.data), event: u.data.event, reason: u.data.reason });
      return;
    }
    case "template_category_update": {
      const u = TemplateCategoryUpdateSchema.safeParse(job.value);
      if (u.success) applyTemplateCategory(s, { ...templateRef(u.data), newCategory: u.data.new_category, correctCategory: u.data.correct_category });
      return;
    }
    case "user_preferences":
      for (const raw of Array.isArray(job.value.user_preferences) ? job.value.user_preferences : []) {
        const p = UserPreferenceSchema.safeParse(raw);
        if (!p.success || (p.data.category !== undefined && p.data.category !== "marketing_messages")) continue;
        if ((p.data.value !== "stop" && p.data.value !== "resume") || (!p.data.wa_id && !p.data.user_id)) continue;
        marketingPreference(s, { waId: p.data.wa_id, userId: p.data.user_id, optedIn: p.data.value === "resume" });
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

function applyMessagesChange(s: Store, value: Record<string, unknown>, receivedAt: number): void {
  for (const raw of Array.isArray(value.statuses) ? value.statuses : []) {
    const st = MetaStatusSchema.safeParse(raw);
    if (!st.success || !isMetaStatus(st.data.status)) continue;
    applyMetaStatus(s, {
      wamid: st.data.id,
      status: st.data.status,
      error: statusError(st.data.errors?.[0]),
      callbackData: st.data.biz_opaque_callback_data,
      recipientUserId: st.data.recipient_user_id,
    });
  }
  const { metadata, contacts = [], errors = [] } = MetaMessagesContextSchema.parse(value);
  const phoneNumberId = metadata?.phone_number_id || null;
  recordAlerts(s, phoneNumberId, errors.filter((e) => e !== null), receivedAt);

  for (const raw of Array.isArray(value.messages) ? value.messages : []) {
    const parsed = MetaInboundSchema.safeParse(raw);
    if (!parsed.success) continue;
    const m = parsed.data as MetaInbound;
    if (m.type === "system") {
      const sys = MetaSystemSchema.safeParse(m.system);
      if (!sys.success) continue;
      if (sys.data.type === "user_changed_number") {
        numberChanged(s, { oldWaId: m.from, newWaId: sys.data.wa_id, userId: sys.data.user_id, previousUserId: sys.data.previous_user_id ?? m.from_user_id });
      } else if (sys.data.type === "user_changed_user_id") {
        userIdChanged(s, { previousUserId: sys.data.previous_user_id ?? m.from_user_id, userId: sys.data.user_id, waId: m.from });
      }
      continue;
    }
    if (m.type === "edit") {
      const edit = MetaEditSchema.safeParse(m.edit);
      if (edit.success) editInbound(s, edit.data.original_message_id, describeInbound(edit.data.message).body);
      continue;
    }
    if (m.type === "revoke") {
      const revoke = MetaRevokeSchema.safeParse(m.revoke);
      if (revoke.success) revokeInbound(s, revoke.data.original_message_id);
      continue;
    }
    if (!phoneNumberId) continue;
    const contact = contacts.find((c) => c !== null && ((m.from !== undefined && c.wa_id === m.from) || (m.from_user_id !== undefined && c.user_id === m.from_user_id)));
    const waId = m.from ?? contact?.wa_id;
    const party: Party = {
      phone: waId ? e164OfWaId(waId) : null,
      waId: waId ?? null,
      userId: m.from_user_id ?? contact?.user_id ?? null,
      username: contact?.profile?.username ?? null,
      profileName: contact?.profile?.name ?? null,
    };
    recordInbound(s, phoneNumberId, m, party, receivedAt);
  }
}

/** An inbound message: stored once per wamid, announced as message.received; STOP/START honoured. */
function recordInbound(s: Store, phoneNumberId: string, m: MetaInbound, party: Party, receivedAt: number): void {
  const { kind, body } = describeInbound(m);
  const recorded = recordMessage(s, {
    party, metaPhoneNumberId: phoneNumberId, direction: "inbound", kind, body, payload: m, status: "delivered", wamid: m.id, at: messageTime(m.timestamp, receivedAt),
  });
  if (!recorded) return; // Meta delivered it before
  // its media is recorded pending (its copy queued) before the announcement, which says so
  recordInboundMedia(s, recorded.messageId, m);
  announceReceived(s, recorded.messageId);
  const optIn = optChange(m, body);
  if (optIn !== null) setOptIn(s, recorded.contactId, optIn);
}

/**
 * Meta's system-level errors (`value.errors`: "unable to process a request due to a system level
 * problem", an app or account problem) concern the WABA, not one message: logged loudly and kept for
 * operators (GET /admin/wabas/{id}/alerts, `npm run admin -- waba:alerts`).
 */
function recordAlerts(s: Store, phoneNumberId: string | null, errors: Array<{ code: number; title?: string; message?: string; error_data?: { details?: string } }>, receivedAt: number): void {
  for (const e of errors) {
    log.error("Meta reported a system-level error", { wabaId: s.wabaId, metaPhoneNumberId: phoneNumberId, code: e.code, title: e.title, details: e.error_data?.details });
    s.sql.exec(
      `INSERT INTO meta_alerts (id, meta_phone_number_id, code, title, message, details, raw, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      newId(receivedAt), phoneNumberId, e.code, e.title ?? null, e.message ?? null, e.error_data?.details ?? null, JSON.stringify(e), receivedAt,
    );
  }
}

export type MetaAlert = { id: string; metaPhoneNumberId: string | null; code: number | null; title: string | null; message: string | null; details: string | null; createdAt: number };
