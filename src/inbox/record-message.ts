import type { Database } from "../db/client";
import { newId } from "../db/ids";
import type { MessageStatus } from "../db/schema";

export type NewMessage = {
  wabaId: string;
  /** E.164 */
  phone: string;
  metaPhoneNumberId: string;
  direction: "inbound" | "outbound";
  kind: string;
  body: string | null;
  payload: unknown;
  status: MessageStatus;
  wamid?: string;
  apiKeyId?: string;
  /** inbound: the contact's WhatsApp profile name, kept if the contact has none */
  profileName?: string;
  /** when it happened (inbound: Meta's timestamp); defaults to now */
  at?: number;
  /** the new message's id (to build follow-up statements that refer to it); generated if absent */
  id?: string;
};

export type RecordedMessage = { messageId: string; conversationId: string; contactId: string; lastMessageAt: number };

/**
 * Stores one message and keeps its contact and conversation in step, in one D1 batch (a transaction):
 * the contact is found or created by phone, the conversation is found or created and its
 * lastMessageAt bumped (an inbound message also reopens it, counts it unread and opens the contact's
 * 24-hour window). lastMessageAt is kept unique per WABA (ties move forward by 1 ms) so the spec's
 * lastMessageAt cursor is unambiguous.
 *
 * A message whose wamid is already stored changes nothing and returns null: Meta delivers at least once.
 * `after` statements run in the same transaction right after the message insert (e.g. its webhook
 * event, guarded by changes()); their results come back in `afterResults`.
 */
export async function recordMessage(
  db: Database,
  m: NewMessage,
  after: D1PreparedStatement[] = [],
): Promise<(RecordedMessage & { afterResults: D1Result[] }) | null> {
  const now = Date.now();
  const at = m.at ?? now;
  const inbound = m.direction === "inbound" ? 1 : 0;
  const wamid = m.wamid ?? null;
  const messageId = m.id ?? newId();
  // each statement only acts if no message with this wamid is stored yet (a null wamid is always new)
  const FRESH = "(?1 IS NULL OR NOT EXISTS (SELECT 1 FROM messages WHERE wamid = ?1))";
  const CONTACT = "(SELECT id FROM contacts WHERE waba_id = ?2 AND phone = ?3)";
  const CONVERSATION = `(SELECT id FROM conversations WHERE waba_id = ?2 AND contact_id = ${CONTACT} AND channel = 'whatsapp')`;
  const d1 = db.$client;

  const [, , inserted, ...afterResults] = await d1.batch([
    d1.prepare(
      `INSERT INTO contacts (id, waba_id, phone, name, custom_fields, opted_in, last_inbound_at, created_at, updated_at)
       SELECT ?4, ?2, ?3, ?5, '{}', 1, CASE WHEN ?6 = 1 THEN ?7 END, ?8, ?8 WHERE ${FRESH}
       ON CONFLICT (waba_id, phone) DO UPDATE SET
         name = COALESCE(contacts.name, excluded.name),
         last_inbound_at = CASE WHEN ?6 = 1 THEN MAX(COALESCE(contacts.last_inbound_at, 0), ?7) ELSE contacts.last_inbound_at END,
         updated_at = CASE WHEN ?6 = 1 THEN ?8 ELSE contacts.updated_at END`,
    ).bind(wamid, m.wabaId, m.phone, newId(), m.profileName ?? null, inbound, at, now),
    d1.prepare(
      `INSERT INTO conversations (id, waba_id, contact_id, channel, status, last_message_at, unread_count, created_at)
       SELECT ?4, ?2, ${CONTACT}, 'whatsapp', 'open',
              (SELECT MAX(?5, COALESCE(MAX(last_message_at), 0) + 1) FROM conversations WHERE waba_id = ?2), ?6, ?5
       WHERE ${FRESH}
       ON CONFLICT (waba_id, contact_id, channel) DO UPDATE SET
         last_message_at = excluded.last_message_at,
         status = CASE WHEN ?6 = 1 THEN 'open' ELSE conversations.status END,
         unread_count = conversations.unread_count + ?6`,
    ).bind(wamid, m.wabaId, m.phone, newId(), now, inbound),
    d1.prepare(
      `INSERT INTO messages (id, waba_id, conversation_id, contact_id, meta_phone_number_id, direction, kind, body, payload, wamid, status, attempts, event_seq, api_key_id, created_at, updated_at)
       SELECT ?4, ?2, ${CONVERSATION}, ${CONTACT}, ?5, ?6, ?7, ?8, ?9, ?1, ?10, 0, 0, ?11, ?12, ?13 WHERE ${FRESH}
       RETURNING conversation_id AS conversationId, contact_id AS contactId,
                 (SELECT last_message_at FROM conversations WHERE id = messages.conversation_id) AS lastMessageAt`,
    ).bind(wamid, m.wabaId, m.phone, messageId, m.metaPhoneNumberId, m.direction, m.kind, m.body, JSON.stringify(m.payload), m.status, m.apiKeyId ?? null, at, now),
    ...after,
  ]);
  const row = (inserted as D1Result<{ conversationId: string; contactId: string; lastMessageAt: number }>).results?.[0];
  if (!row) return null;
  return { messageId, ...row, afterResults };
}
