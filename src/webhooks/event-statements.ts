import type { WEBHOOK_EVENT_TYPES } from "../db/schema";

export type EventType = (typeof WEBHOOK_EVENT_TYPES)[number];

// Webhook events are written in the same D1 batch (one transaction) as the change they announce: the
// statements below go right after the UPDATE/INSERT that makes the change and only act when it changed
// a row (SQLite's changes()). So an event exists exactly when its change happened — never lost, never
// doubled — and one delivery row is created per subscribed endpoint. Nothing is written when no
// enabled endpoint of the WABA subscribes to the type.

const ISO = (col: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${col} / 1000.0, 'unixepoch')`;

const SUBSCRIBED = (wabaCol: string) =>
  `EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.waba_id = ${wabaCol} AND e.enabled = 1 AND EXISTS (SELECT 1 FROM json_each(e.events) WHERE value = ?2))`;

/** The message as events carry it (also the shape of message history items). */
const MESSAGE_JSON = `json_object(
  'id', m.id, 'wamid', m.wamid, 'conversationId', m.conversation_id, 'direction', m.direction, 'kind', m.kind,
  'status', m.status, 'phone', c.phone, 'phoneNumberId', m.meta_phone_number_id, 'body', m.body,
  'error', json(m.error), 'createdAt', ${ISO("m.created_at")}, 'updatedAt', ${ISO("m.updated_at")})`;

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

/** Event + deliveries for a template status change; `?4` is the template id. */
export function templateEventStatements(d1: D1Database, e: { eventId: string; now: number; templateId: string; previousStatus: string }): D1PreparedStatement[] {
  const type: EventType = "template.status_updated";
  const insertEvent = d1
    .prepare(
      `INSERT INTO webhook_events (id, waba_id, type, wamid, sequence, body, created_at)
       SELECT ?1, t.waba_id, ?2, NULL, NULL,
              json_object('id', ?1, 'type', ?2, 'createdAt', ${ISO("?3")}, 'wabaId', t.waba_id, 'wamid', NULL, 'sequence', NULL,
                          'data', json_object('template', json_object('id', t.id, 'name', t.name, 'language', t.language, 'category', t.category,
                                                                      'status', t.status, 'previousStatus', ?5, 'reason', t.rejected_reason))),
              ?3
         FROM templates t
        WHERE t.id = ?4 AND changes() > 0 AND ${SUBSCRIBED("t.waba_id")}`,
    )
    .bind(e.eventId, type, e.now, e.templateId, e.previousStatus);
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
