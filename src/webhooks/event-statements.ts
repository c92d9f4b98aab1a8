import type { WEBHOOK_EVENT_TYPES } from "../db/schema";

export type EventType = (typeof WEBHOOK_EVENT_TYPES)[number];

// Webhook events are written in the same D1 batch (one transaction) as the change they announce: the
// statements below go right after the UPDATE/INSERT that makes the change and only act when it changed
// a row (SQLite's changes()). So an event exists exactly when its change happened — never lost, never
// doubled — and one delivery row is created per subscribed endpoint. Nothing is written when no
// enabled endpoint of the WABA subscribes to the type.

const ISO = (col: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${col} / 1000.0, 'unixepoch')`;
const ISO_OR_NULL = (col: string) => `CASE WHEN ${col} IS NULL THEN NULL ELSE ${ISO(col)} END`;

const SUBSCRIBED = (wabaCol: string) =>
  `EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.waba_id = ${wabaCol} AND e.enabled = 1 AND EXISTS (SELECT 1 FROM json_each(e.events) WHERE value = ?2))`;

/** The message as events carry it (also the shape of message history items). */
const MESSAGE_JSON = `json_object(
  'id', m.id, 'wamid', m.wamid, 'conversationId', m.conversation_id, 'direction', m.direction, 'kind', m.kind,
  'status', m.status, 'phone', c.phone, 'userId', c.user_id, 'phoneNumberId', m.meta_phone_number_id, 'body', m.body,
  'error', json(m.error), 'editedAt', ${ISO_OR_NULL("m.edited_at")}, 'deletedAt', ${ISO_OR_NULL("m.deleted_at")},
  'createdAt', ${ISO("m.created_at")}, 'updatedAt', ${ISO("m.updated_at")})`;

/** The contact as contact events carry it. */
const CONTACT_JSON = `json_object(
  'id', c.id, 'phone', c.phone, 'userId', c.user_id, 'waId', c.wa_id, 'username', c.username, 'name', c.name,
  'optedIn', json(CASE WHEN c.opted_in = 1 THEN 'true' ELSE 'false' END))`;

/**
 * Event + deliveries for a message event. `messageWhere` selects the message (a SQL condition on `m`,
 * using ?5 as its parameter); the event's sequence is the message's event_seq after the change.
 */
export function messageEventStatements(d1: D1Database, e: { eventId: string; type: EventType; now: number; messageWhere: string; param: string }): D1PreparedStatement[] {
  const insertEvent = d1
    .prepare(
      `INSERT INTO webhook_events (id, waba_id, type, wamid, sequence, body, created_at)
       SELECT ?1, m.waba_id, ?2, m.wamid, m.event_seq,
              json_object('id', ?1, 'type', ?2, 'createdAt', ${ISO("?3")}, 'wabaId', m.waba_id, 'wamid', m.wamid, 'sequence', m.event_seq,
                          'data', json_object('message', ${MESSAGE_JSON})),
              ?3
         FROM messages m JOIN contacts c ON c.id = m.contact_id
        WHERE ${e.messageWhere} AND changes() > 0 AND ${SUBSCRIBED("m.waba_id")}`,
    )
    .bind(e.eventId, e.type, e.now, null, e.param);
  return [insertEvent, deliveriesStatement(d1, e.eventId, e.type, e.now)];
}

/**
 * Event + deliveries for a template change (status or category). `?4` is the template id. Template
 * events belong to no message: their `sequence` is null in the body (0 in the column, which is NOT NULL).
 */
export function templateEventStatements(
  d1: D1Database,
  e: { eventId: string; now: number; templateId: string; type: "template.status_updated" | "template.category_updated"; previousStatus: string; previousCategory: string; event: string },
): D1PreparedStatement[] {
  const insertEvent = d1
    .prepare(
      `INSERT INTO webhook_events (id, waba_id, type, wamid, sequence, body, created_at)
       SELECT ?1, t.waba_id, ?2, NULL, 0,
              json_object('id', ?1, 'type', ?2, 'createdAt', ${ISO("?3")}, 'wabaId', t.waba_id, 'wamid', NULL, 'sequence', NULL,
                          'data', json_object('template', json_object('id', t.id, 'name', t.name, 'language', t.language, 'category', t.category,
                                                                      'status', t.status, 'previousStatus', ?5, 'previousCategory', ?6, 'event', ?7,
                                                                      'flagged', json(CASE WHEN t.flagged_at IS NULL THEN 'false' ELSE 'true' END),
                                                                      'reason', t.rejected_reason))),
              ?3
         FROM templates t
        WHERE t.id = ?4 AND changes() > 0 AND ${SUBSCRIBED("t.waba_id")}`,
    )
    .bind(e.eventId, e.type, e.now, e.templateId, e.previousStatus, e.previousCategory, e.event);
  return [insertEvent, deliveriesStatement(d1, e.eventId, e.type, e.now)];
}

/** Why a contact changed, in contact.updated events. */
export type ContactChange = "number_changed" | "user_id_changed" | "marketing_stopped" | "marketing_resumed";

/**
 * Event + deliveries for a contact change Meta reported (a new number or BSUID, a marketing preference).
 * `?4` is the contact id; `previous` is what the change replaced. Not a message event: sequence null.
 */
export function contactEventStatements(d1: D1Database, e: { eventId: string; now: number; contactId: string; change: ContactChange; previous: Record<string, unknown> }): D1PreparedStatement[] {
  const type: EventType = "contact.updated";
  const insertEvent = d1
    .prepare(
      `INSERT INTO webhook_events (id, waba_id, type, wamid, sequence, body, created_at)
       SELECT ?1, c.waba_id, ?2, NULL, 0,
              json_object('id', ?1, 'type', ?2, 'createdAt', ${ISO("?3")}, 'wabaId', c.waba_id, 'wamid', NULL, 'sequence', NULL,
                          'data', json_object('contact', ${CONTACT_JSON}, 'change', ?5, 'previous', json(?6))),
              ?3
         FROM contacts c
        WHERE c.id = ?4 AND changes() > 0 AND ${SUBSCRIBED("c.waba_id")}`,
    )
    .bind(e.eventId, type, e.now, e.contactId, e.change, JSON.stringify(e.previous));
  return [insertEvent, deliveriesStatement(d1, e.eventId, type, e.now)];
}

function deliveriesStatement(d1: D1Database, eventId: string, type: EventType, now: number): D1PreparedStatement {
  return d1
    .prepare(
      `INSERT INTO webhook_deliveries (id, endpoint_id, event_id, status, attempts, next_attempt_at, created_at, updated_at)
       SELECT printf('%012x', ?3) || lower(hex(randomblob(6))), e.id, ?1, 'pending', 0, ?3, ?3, ?3
         FROM webhook_events ev JOIN webhook_endpoints e ON e.waba_id = ev.waba_id
        WHERE ev.id = ?1 AND e.enabled = 1 AND EXISTS (SELECT 1 FROM json_each(e.events) WHERE value = ?2)`,
    )
    .bind(eventId, type, now);
}

/** After the batch: true when its event was written (deliveries then need queueing). */
export function eventWritten(results: D1Result[], eventStatementIndex: number): boolean {
  return (results[eventStatementIndex]?.meta.changes ?? 0) > 0;
}
