import { newId } from "../db/ids";
import { META_STATUSES, SEND_LEASE_MS, TRANSITIONS, type MetaStatus } from "../messages/lifecycle";
import type { MessageError } from "../messages/outcome";
import { contactForMessage, learnUserId, type IdentityRow, type Party } from "./contacts";
import { emitMessageEvent } from "./events";
import type { MessageStatus } from "./schema";
import { all, one, run, type Store } from "./store";

// The one owner of messages: recording them (with their contact and conversation) and every change of
// their status, each through the transition table (src/messages/lifecycle.ts) and announced by its
// event in the same transaction. Nothing else writes message rows.

export type NewMessage = {
  party: Party;
  metaPhoneNumberId: string;
  direction: "inbound" | "outbound";
  kind: string;
  body: string | null;
  payload: unknown;
  status: "queued" | "delivered" | "scheduled";
  wamid?: string;
  apiKeyId?: string;
  /** a scheduled send: when it falls due */
  sendAt?: number;
  /** the campaign it is sent for */
  campaignId?: string;
  /** when it happened (inbound: Meta's timestamp, already bounded); defaults to now */
  at?: number;
  /** the party's contact as findContact found it earlier in this transaction (null: none), to skip looking again */
  contact?: IdentityRow | null;
};

export type RecordedMessage = { messageId: string; conversationId: string; contactId: string; lastMessageAt: number };

/**
 * Stores one message and keeps its contact and conversation in step: the contact is found or created
 * (contacts.contactForMessage), the conversation found or created and its lastMessageAt bumped (an
 * inbound message also reopens it, counts it unread and opens the contact's 24-hour window).
 * lastMessageAt stays unique in the WABA (always past the latest), so the spec's cursor is unambiguous.
 * A message whose wamid is already stored changes nothing and returns null: Meta delivers at least once.
 */
export function recordMessage(s: Store, m: NewMessage): RecordedMessage | null {
  if (m.wamid !== undefined && one(s, `SELECT 1 AS x FROM messages WHERE wamid = ?`, m.wamid)) return null;
  const inbound = m.direction === "inbound";
  const at = m.at ?? s.now;
  const contactId = contactForMessage(s, m.party, inbound ? at : null, m.contact);
  const latest = one<{ last: number | null }>(s, `SELECT MAX(last_message_at) AS last FROM conversations`)?.last ?? 0;
  const lastMessageAt = Math.max(s.now, latest + 1);
  const existing = one<{ id: string }>(s, `SELECT id FROM conversations WHERE contact_id = ? AND channel = 'whatsapp'`, contactId);
  const conversationId = existing?.id ?? newId(s.now);
  if (existing) {
    s.sql.exec(
      `UPDATE conversations SET last_message_at = ?, status = CASE WHEN ? THEN 'open' ELSE status END, unread_count = unread_count + ? WHERE id = ?`,
      lastMessageAt, inbound ? 1 : 0, inbound ? 1 : 0, conversationId,
    );
  } else {
    s.sql.exec(
      `INSERT INTO conversations (id, contact_id, channel, status, last_message_at, unread_count, created_at) VALUES (?, ?, 'whatsapp', 'open', ?, ?, ?)`,
      conversationId, contactId, lastMessageAt, inbound ? 1 : 0, s.now,
    );
  }
  const messageId = newId(s.now);
  s.sql.exec(
    `INSERT INTO messages (id, conversation_id, contact_id, meta_phone_number_id, direction, kind, body, payload, wamid, status, attempts, event_seq, api_key_id, send_at, campaign_id, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?, ?)`,
    messageId, conversationId, contactId, m.metaPhoneNumberId, m.direction, m.kind, m.body, JSON.stringify(m.payload), m.wamid ?? null, m.status, m.apiKeyId ?? null,
    m.sendAt ?? null, m.campaignId ?? null, at, s.now,
  );
  return { messageId, conversationId, contactId, lastMessageAt };
}

/** Announces a stored message (message.received) as the first event of its sequence. */
export function announceReceived(s: Store, messageId: string): void {
  s.sql.exec(`UPDATE messages SET event_seq = event_seq + 1 WHERE id = ?`, messageId);
  emitMessageEvent(s, "message.received", messageId);
}

type Target = { id: string } | { wamid: string };

/**
 * The one way a message's status changes: allowed only by the transition table, with the change's
 * event in the same transaction. `wamid` is stored if the message has none yet (and must match if it
 * has one). Returns the message id when the status changed.
 */
function transition(s: Store, target: Target, next: MessageStatus, opts: { error?: MessageError | null; wamid?: string; onlyWithoutWamid?: boolean } = {}): string | null {
  const rule = TRANSITIONS[next];
  const where = "id" in target ? "id = ?" : "wamid = ?";
  const key = "id" in target ? target.id : target.wamid;
  const guard = opts.onlyWithoutWamid ? " AND wamid IS NULL" : opts.wamid !== undefined ? " AND (wamid IS NULL OR wamid = ?)" : "";
  const [changed] = run<{ id: string }>(
    s,
    `UPDATE messages SET status = ?, updated_at = ?, wamid = COALESCE(wamid, ?),
            error = CASE WHEN ? IN ('failed', 'queued') THEN ? WHEN ? = 'sent' THEN NULL ELSE error END,
            event_seq = event_seq + ?
      WHERE ${where}${guard} AND status IN (${rule.from.map(() => "?").join(", ")})
      RETURNING id`,
    next, s.now, opts.wamid ?? null, next, opts.error ? JSON.stringify(opts.error) : null, next, rule.event ? 1 : 0,
    key, ...(opts.wamid !== undefined && !opts.onlyWithoutWamid ? [opts.wamid] : []), ...rule.from,
  );
  if (!changed) return null;
  if (rule.event) emitMessageEvent(s, rule.event, changed.id);
  return changed.id;
}

export type Claimed = { payload: string; metaPhoneNumberId: string; attempts: number };
export type Unclaimed = { kind: "done" } | { kind: "busy"; retryAfterSeconds: number };

/**
 * The relay's claim (queued → sending, or a claim whose lease lapsed), once sendLanes found the message
 * claimable in the same transaction: it alone talks to Meta for this message until it reports back. The
 * WHERE clause is the guard that a message with a wamid, a terminal one or one claimed right now is never
 * claimed again: never send twice. Null when it does not hold.
 */
export function claimSend(s: Store, messageId: string): Claimed | null {
  const [claimed] = run<Claimed>(
    s,
    `UPDATE messages SET status = 'sending', attempts = attempts + 1, updated_at = ?
      WHERE id = ? AND wamid IS NULL AND direction = 'outbound' AND (status = 'queued' OR (status = 'sending' AND updated_at < ?))
      RETURNING payload, meta_phone_number_id AS metaPhoneNumberId, attempts`,
    s.now, messageId, s.now - SEND_LEASE_MS,
  );
  return claimed ?? null;
}

/**
 * Meta accepted the send: store its wamid and mark it sent — or held, when Meta holds a template for
 * quality assessment (it is not sent yet, but has a wamid, so it is never sent again) — wake the route
 * waiting for it, and apply any statuses that came first.
 */
export function markAccepted(s: Store, messageId: string, wamid: string, held: boolean): void {
  transition(s, { id: messageId }, held ? "held" : "sent", { wamid });
  s.effects.outcomes.push({ messageId, outcome: { status: "sent", wamid } });
  applyPendingStatuses(s, wamid);
}

/** A retryable failure: the claim is released (sending → queued) with the reason, for the next attempt. */
export function releaseClaim(s: Store, messageId: string, error: MessageError): void {
  transition(s, { id: messageId }, "queued", { error });
}

/**
 * Meta refused the send for pace alone (130429, 131056): the claim is released like a retryable failure,
 * and the attempt is given back — waiting for its turn is not a failed attempt, so it never brings the
 * message closer to failing.
 */
export function releaseThrottled(s: Store, messageId: string, error: MessageError): void {
  if (transition(s, { id: messageId }, "queued", { error }) !== null) run(s, `UPDATE messages SET attempts = MAX(0, attempts - 1) WHERE id = ?`, messageId);
}

/** How many scheduled sends one pass releases; a full pass means more are due at once. */
export const SCHEDULED_BATCH = 500;

/** Scheduled sends that have fallen due become queued and go to the relay. Returns how many (at most SCHEDULED_BATCH). */
export function releaseDueScheduled(s: Store, limit = SCHEDULED_BATCH): number {
  const due = all<{ id: string }>(s, `SELECT id FROM messages WHERE status = 'scheduled' AND send_at <= ? ORDER BY send_at, id LIMIT ?`, s.now, limit);
  for (const { id } of due) {
    if (transition(s, { id }, "queued") !== null) s.effects.sends.push({ wabaId: s.wabaId, messageId: id });
  }
  return due.length;
}

/** When the next scheduled send falls due (null: none). */
export function nextScheduledAt(s: Store): number | null {
  return one<{ at: number | null }>(s, `SELECT MIN(send_at) AS at FROM messages WHERE status = 'scheduled'`)?.at ?? null;
}

/**
 * DELETE /v1/messages/{id}: a scheduled send is cancelled. `not_found` for an id the WABA does not have
 * (or an inbound message); `not_cancellable` with the status it has once it is no longer scheduled.
 */
export function cancelScheduled(s: Store, messageId: string): { kind: "cancelled" } | { kind: "not_found" } | { kind: "not_cancellable"; status: string } {
  const row = one<{ status: string; direction: string }>(s, `SELECT status, direction FROM messages WHERE id = ?`, messageId);
  if (!row || row.direction !== "outbound") return { kind: "not_found" };
  if (row.status !== "scheduled") return { kind: "not_cancellable", status: row.status };
  transition(s, { id: messageId }, "cancelled");
  return { kind: "cancelled" };
}

/** A cancelled campaign's messages that the relay has not claimed yet: cancelled, never handed to Meta. Returns their ids. */
export function cancelCampaignMessages(s: Store, campaignId: string): string[] {
  const open = all<{ id: string }>(s, `SELECT id FROM messages WHERE campaign_id = ? AND status IN ('scheduled', 'queued')`, campaignId);
  return open.map((m) => m.id).filter((id) => transition(s, { id }, "cancelled") !== null);
}

/** Earlier sends to the same customer from the same number are looked for this far back (ms). */
export const SEND_ORDER_WINDOW_MS = 15 * 60_000;

/** `pair`: the lane of this number and this customer (their conversation) for pair-rate pacing */
export type SendLanes = { kind: "ready"; phone: string; pair: string; behind: boolean; campaignId: string | null } | Unclaimed;

/**
 * Whether the relay may claim the message (else why not: done, or busy with another delivery's live
 * claim), and what pacing needs to know first: the message's number and customer (its conversation), and whether an earlier send to that customer from that number, made in the last
 * SEND_ORDER_WINDOW_MS, is still waiting for Meta (then this one waits too: messages to one customer keep
 * their order; `order: false`, with pair pacing off, skips that).
 */
export function sendLanes(s: Store, messageId: string, opts: { order: boolean } = { order: true }): SendLanes {
  const row = one<{ status: string; wamid: string | null; updatedAt: number; phone: string; conversationId: string; createdAt: number; direction: string; campaignId: string | null }>(
    s,
    `SELECT status, wamid, updated_at AS updatedAt, meta_phone_number_id AS phone, conversation_id AS conversationId, created_at AS createdAt, direction,
            campaign_id AS campaignId FROM messages WHERE id = ?`,
    messageId,
  );
  const claimable = row && row.wamid === null && row.direction === "outbound" && (row.status === "queued" || (row.status === "sending" && row.updatedAt < s.now - SEND_LEASE_MS));
  if (!claimable) {
    if (row?.status === "sending" && row.wamid === null) return { kind: "busy", retryAfterSeconds: Math.max(1, Math.ceil((row.updatedAt + SEND_LEASE_MS - s.now) / 1000)) };
    return { kind: "done" };
  }
  const earlier = opts.order && one(
    s,
    `SELECT 1 AS x FROM messages
      WHERE conversation_id = ? AND created_at >= ? AND (created_at < ? OR (created_at = ? AND id < ?))
        AND direction = 'outbound' AND wamid IS NULL AND status IN ('queued', 'sending') AND meta_phone_number_id = ?
      LIMIT 1`,
    row.conversationId, row.createdAt - SEND_ORDER_WINDOW_MS, row.createdAt, row.createdAt, messageId, row.phone,
  );
  return { kind: "ready", phone: row.phone, pair: `${row.phone}|${row.conversationId}`, behind: Boolean(earlier), campaignId: row.campaignId };
}

/** The send will not happen: terminal, with the reason. False if it had already moved on. */
export function markFailed(s: Store, messageId: string, error: MessageError): boolean {
  const changed = transition(s, { id: messageId }, "failed", { error, onlyWithoutWamid: true }) !== null;
  if (changed) s.effects.outcomes.push({ messageId, outcome: { status: "failed", error } });
  return changed;
}

/** The relay gave up (dead-letter queue): failed, with the last error seen. */
export function giveUp(s: Store, messageId: string, deliveries: number): boolean {
  const row = one<{ error: string | null; attempts: number }>(s, `SELECT error, attempts FROM messages WHERE id = ?`, messageId);
  if (!row) return false;
  const last = row.error ? (JSON.parse(row.error) as MessageError) : null;
  return markFailed(s, messageId, {
    source: "relay",
    code: last?.code ?? null,
    ...(last?.subcode !== undefined ? { subcode: last.subcode } : {}),
    message: `Gave up after ${row.attempts || deliveries} attempts${last ? `; last error: ${last.details ?? last.message}` : ""}`,
    ...(last?.details !== undefined ? { details: last.details } : {}),
    ...(last?.fbtraceId !== undefined ? { fbtraceId: last.fbtraceId } : {}),
  });
}

export type StatusResult = "applied" | "unchanged" | "pending";
export type MetaStatusUpdate = { wamid: string; status: MetaStatus; error: MessageError | null; callbackData?: string; recipientUserId?: string };

/**
 * A status from Meta's webhook, applied to the message with that wamid if it moves it forward. If no
 * message has the wamid yet, the send's `biz_opaque_callback_data` (our message id) links it; failing
 * that, the status is kept and applied once the relay stores the wamid.
 */
export function applyMetaStatus(s: Store, u: MetaStatusUpdate): StatusResult {
  const known = one<{ id: string; contactId: string }>(s, `SELECT id, contact_id AS contactId FROM messages WHERE wamid = ?`, u.wamid);
  if (known) {
    if (u.recipientUserId) learnUserId(s, known.contactId, u.recipientUserId);
    return transition(s, { wamid: u.wamid }, u.status, { error: u.error }) ? "applied" : "unchanged";
  }
  if (u.callbackData && /^[0-9a-f]{24}$/.test(u.callbackData)) {
    // Meta accepted it but our record of its answer was lost: link the wamid, then apply
    const linked = one<{ id: string }>(s, `SELECT id FROM messages WHERE id = ? AND wamid IS NULL AND direction = 'outbound'`, u.callbackData);
    if (linked && transition(s, { id: linked.id }, "sent", { wamid: u.wamid })) {
      s.effects.outcomes.push({ messageId: linked.id, outcome: { status: "sent", wamid: u.wamid } });
      if (u.status === "sent") return "applied";
      return transition(s, { wamid: u.wamid }, u.status, { error: u.error }) ? "applied" : "unchanged";
    }
  }
  s.sql.exec(
    `INSERT INTO pending_statuses (wamid, status, payload, received_at) VALUES (?, ?, ?, ?) ON CONFLICT (wamid, status) DO NOTHING`,
    u.wamid, u.status, JSON.stringify({ error: u.error, recipientUserId: u.recipientUserId ?? null }), s.now,
  );
  return "pending";
}

/** Applies (in status order) and clears the statuses that arrived before this wamid was stored. */
export function applyPendingStatuses(s: Store, wamid: string): void {
  const pending = all<{ status: MetaStatus; payload: string }>(s, `SELECT status, payload FROM pending_statuses WHERE wamid = ?`, wamid);
  for (const p of pending.sort((a, b) => META_STATUSES.indexOf(a.status) - META_STATUSES.indexOf(b.status))) {
    const { error } = JSON.parse(p.payload) as { error: MessageError | null };
    transition(s, { wamid }, p.status, { error });
  }
  if (pending.length) s.sql.exec(`DELETE FROM pending_statuses WHERE wamid = ?`, wamid);
}

/** A coexistence edit: the stored message takes the edited text, once (a re-delivered edit changes nothing). */
export function editInbound(s: Store, wamid: string, body: string | null): boolean {
  const [changed] = run<{ id: string }>(
    s,
    `UPDATE messages SET body = ?, edited_at = ?, updated_at = ?, event_seq = event_seq + 1
      WHERE wamid = ? AND direction = 'inbound' AND (body IS NOT ? OR edited_at IS NULL) RETURNING id`,
    body, s.now, s.now, wamid, body,
  );
  if (changed) emitMessageEvent(s, "message.edited", changed.id);
  return changed !== undefined;
}

/** A coexistence revoke: the customer deleted the message; its text is not kept. */
export function revokeInbound(s: Store, wamid: string): boolean {
  const [changed] = run<{ id: string }>(
    s,
    `UPDATE messages SET body = NULL, deleted_at = ?, updated_at = ?, event_seq = event_seq + 1 WHERE wamid = ? AND direction = 'inbound' AND deleted_at IS NULL RETURNING id`,
    s.now, s.now, wamid,
  );
  if (changed) emitMessageEvent(s, "message.deleted", changed.id);
  return changed !== undefined;
}
