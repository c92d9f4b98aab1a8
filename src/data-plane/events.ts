import { newId } from "../db/ids";
import { isInboundMedia, mediaView } from "./media";
import type { EventType } from "./schema";
import { all, one, type Store } from "./store";

// Integrator events, written in the same transaction as the change they announce (the caller's), so an
// event exists exactly when its change happened — never lost, never doubled — with one delivery per
// enabled endpoint subscribed to its type. Nothing is written when no endpoint subscribes. The
// deliveries are queued once the transaction has committed (Store.effects).

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

function subscribers(s: Store, type: EventType): string[] {
  return all<{ id: string; events: string }>(s, `SELECT id, events FROM webhook_endpoints WHERE enabled = 1`)
    .filter((e) => (JSON.parse(e.events) as string[]).includes(type))
    .map((e) => e.id);
}

/** `event`: what the event says, built only when an endpoint subscribes to it (null: nothing to announce). */
function write(s: Store, type: EventType, event: () => { wamid: string | null; sequence: number | null; data: Record<string, unknown> } | null): void {
  const endpoints = subscribers(s, type);
  if (endpoints.length === 0) return;
  const built = event();
  if (!built) return;
  const { wamid, sequence, data } = built;
  const eventId = newId(s.now);
  const body = JSON.stringify({ id: eventId, type, createdAt: iso(s.now), wabaId: s.wabaId, wamid, sequence, data });
  s.sql.exec(`INSERT INTO webhook_events (id, type, wamid, sequence, body, created_at) VALUES (?, ?, ?, ?, ?, ?)`, eventId, type, wamid, sequence ?? 0, body, s.now);
  for (const endpointId of endpoints) {
    const deliveryId = newId(s.now);
    s.sql.exec(
      `INSERT INTO webhook_deliveries (id, endpoint_id, event_id, status, attempts, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, 'pending', 0, ?, ?, ?)`,
      deliveryId, endpointId, eventId, s.now, s.now, s.now,
    );
    s.effects.deliveries.push(deliveryId);
  }
}

/** The message as events carry it: one shape for every message event. */
export function messageView(s: Store, messageId: string) {
  const m = one<{
    id: string; wamid: string | null; conversationId: string; direction: string; kind: string; status: string; phone: string | null; userId: string | null;
    phoneNumberId: string; body: string | null; error: string | null; editedAt: number | null; deletedAt: number | null; createdAt: number; updatedAt: number; eventSeq: number;
  }>(
    s,
    `SELECT m.id, m.wamid, m.conversation_id AS conversationId, m.direction, m.kind, m.status, c.phone, c.user_id AS userId,
            m.meta_phone_number_id AS phoneNumberId, m.body, m.error, m.edited_at AS editedAt, m.deleted_at AS deletedAt,
            m.created_at AS createdAt, m.updated_at AS updatedAt, m.event_seq AS eventSeq
       FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE m.id = ?`,
    messageId,
  );
  if (!m) return null;
  const { eventSeq, ...rest } = m;
  // an inbound media message also says where its media is and whether our copy is there yet
  const media = isInboundMedia(m.direction, m.kind) ? mediaView(s, messageId) : null;
  return {
    eventSeq,
    message: {
      ...rest,
      ...(media ? { media } : {}),
      error: m.error === null ? null : JSON.parse(m.error),
      editedAt: isoOrNull(m.editedAt),
      deletedAt: isoOrNull(m.deletedAt),
      createdAt: iso(m.createdAt),
      updatedAt: iso(m.updatedAt),
    },
  };
}

/** A campaign as events and the API show it (times as ISO strings). */
export function campaignJson(c: import("./campaigns").CampaignView) {
  return { ...c, sendAt: isoOrNull(c.sendAt), createdAt: iso(c.createdAt), startedAt: isoOrNull(c.startedAt), finishedAt: isoOrNull(c.finishedAt) };
}

/** campaign.started, campaign.completed (with the final counts). */
export function emitCampaignEvent(s: Store, type: "campaign.started" | "campaign.completed", campaign: import("./campaigns").CampaignView): void {
  write(s, type, () => ({ wamid: null, sequence: null, data: { campaign: campaignJson(campaign) } }));
}

/** An event about a message, numbered by the message's event sequence (already bumped by the change). */
export function emitMessageEvent(s: Store, type: EventType, messageId: string): void {
  write(s, type, () => {
    const view = messageView(s, messageId);
    return view && { wamid: view.message.wamid, sequence: view.eventSeq, data: { message: view.message } };
  });
}

export function emitTemplateEvent(
  s: Store,
  type: "template.status_updated" | "template.category_updated",
  templateId: string,
  change: { previousStatus: string; previousCategory: string; event: string },
): void {
  write(s, type, () => {
    const t = one<{ id: string; name: string; language: string; category: string; status: string; flaggedAt: number | null; reason: string | null }>(
      s,
      `SELECT id, name, language, category, status, flagged_at AS flaggedAt, rejected_reason AS reason FROM templates WHERE id = ?`,
      templateId,
    );
    if (!t) return null;
    const { flaggedAt, ...template } = t;
    return { wamid: null, sequence: null, data: { template: { ...template, ...change, flagged: flaggedAt !== null } } };
  });
}

/** Why a contact changed, in contact.updated events. */
export type ContactChange = "number_changed" | "user_id_changed" | "marketing_stopped" | "marketing_resumed";

export function emitContactEvent(s: Store, contactId: string, change: ContactChange, previous: Record<string, unknown>): void {
  write(s, "contact.updated", () => {
    const c = one<{ id: string; phone: string | null; userId: string | null; waId: string | null; username: string | null; name: string | null; optedIn: number }>(
      s,
      `SELECT id, phone, user_id AS userId, wa_id AS waId, username, name, opted_in AS optedIn FROM contacts WHERE id = ?`,
      contactId,
    );
    return c && { wamid: null, sequence: null, data: { contact: { ...c, optedIn: c.optedIn === 1 }, change, previous } };
  });
}
