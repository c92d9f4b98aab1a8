import type { Database } from "../db/client";
import { newId } from "../db/ids";
import type { MessageStatus } from "../db/schema";
import { foldCase } from "../domain/fold";

/**
 * Who is on the other side of a message, as far as Meta or the integrator told us: the customer's real
 * E.164 number, Meta's wa_id, and Meta's business-scoped user id (BSUID). At least one of phone and
 * userId is known: a username user may share only a BSUID.
 */
export type Party = {
  phone: string | null;
  waId?: string | null;
  userId?: string | null;
  username?: string | null;
  /** inbound: the WhatsApp profile name, kept if the contact has no name */
  profileName?: string | null;
};

export type NewMessage = {
  wabaId: string;
  party: Party;
  metaPhoneNumberId: string;
  direction: "inbound" | "outbound";
  kind: string;
  body: string | null;
  payload: unknown;
  status: MessageStatus;
  wamid?: string;
  apiKeyId?: string;
  /** when it happened (inbound: Meta's timestamp, already bounded); defaults to now */
  at?: number;
  /** the new message's id (to build follow-up statements that refer to it); generated if absent */
  id?: string;
};

export type RecordedMessage = { messageId: string; conversationId: string; contactId: string; lastMessageAt: number };

// Parameters shared by every statement of the batch below.
const P = {
  wamid: "?1", waba: "?2", phone: "?3", userId: "?4", waId: "?5", username: "?6", profileName: "?7", newContactId: "?8", inbound: "?9", at: "?10", now: "?11",
  nameFolded: "?12", newConversationId: "?13",
};

/** The contact of this party: by BSUID first, then by phone (each unique within the WABA). */
const CONTACT = `(SELECT id FROM contacts WHERE waba_id = ${P.waba} AND (user_id = ${P.userId} OR phone = ${P.phone}) ORDER BY user_id IS ${P.userId} DESC LIMIT 1)`;
/** Each statement only acts if no message with this wamid is stored yet (a null wamid is always new). */
const FRESH = `(${P.wamid} IS NULL OR NOT EXISTS (SELECT 1 FROM messages WHERE wamid = ${P.wamid}))`;

/**
 * Stores one message and keeps its contact and conversation in step, in one D1 batch (a transaction):
 * the contact is found by BSUID or phone, or created, and learns what it lacked (a phone Meta now
 * shares, the BSUID, the latest wa_id and username — never taking an identifier another contact holds);
 * the conversation is found or created and its lastMessageAt bumped (an inbound message also reopens
 * it, counts it unread and opens the contact's 24-hour window). lastMessageAt is kept unique per WABA
 * (ties move forward by 1 ms) so the spec's lastMessageAt cursor is unambiguous.
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
  const messageId = m.id ?? newId();
  const party = m.party;
  const profileName = party.profileName ?? null;
  const params = [
    m.wamid ?? null, m.wabaId, party.phone, party.userId ?? null, party.waId ?? null, party.username ?? null, profileName, newId(), inbound, at, now,
    profileName === null ? null : foldCase(profileName), newId(),
  ];
  const d1 = db.$client;
  // D1 wants exactly as many values as the statement's highest ?N
  const prepare = (sql: string, values: unknown[] = params) => {
    const highest = Math.max(...[...sql.matchAll(/\?(\d+)/g)].map((x) => Number(x[1])));
    return d1.prepare(sql).bind(...values.slice(0, highest));
  };
  const claimFree = (column: "phone" | "user_id", param: string) =>
    `CASE WHEN ${column} IS NULL AND ${param} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM contacts o WHERE o.waba_id = ${P.waba} AND o.${column} = ${param}) THEN ${param} ELSE ${column} END`;

  const [, , , inserted, ...afterResults] = await d1.batch([
    prepare(
      `INSERT INTO contacts (id, waba_id, phone, wa_id, user_id, username, name, name_folded, custom_fields, opted_in, last_inbound_at, created_at, updated_at)
       SELECT ${P.newContactId}, ${P.waba}, ${P.phone}, ${P.waId}, ${P.userId}, ${P.username}, ${P.profileName}, ${P.nameFolded}, '{}', 1,
              CASE WHEN ${P.inbound} = 1 THEN ${P.at} END, ${P.now}, ${P.now}
       WHERE ${FRESH} AND ${CONTACT} IS NULL
       ON CONFLICT DO NOTHING`,
    ),
    prepare(
      `UPDATE contacts SET
         phone = ${claimFree("phone", P.phone)},
         user_id = ${claimFree("user_id", P.userId)},
         wa_id = COALESCE(${P.waId}, wa_id),
         username = COALESCE(${P.username}, username),
         name_folded = CASE WHEN name IS NULL THEN ${P.nameFolded} ELSE name_folded END,
         name = COALESCE(name, ${P.profileName}),
         last_inbound_at = CASE WHEN ${P.inbound} = 1 THEN MAX(COALESCE(last_inbound_at, 0), ${P.at}) ELSE last_inbound_at END,
         updated_at = CASE WHEN ${P.inbound} = 1 THEN ${P.now} ELSE updated_at END
       WHERE id = ${CONTACT} AND ${FRESH}`,
    ),
    prepare(
      `INSERT INTO conversations (id, waba_id, contact_id, channel, status, last_message_at, unread_count, created_at)
       SELECT ${P.newConversationId}, ${P.waba}, ${CONTACT}, 'whatsapp', 'open',
              (SELECT MAX(${P.now}, COALESCE(MAX(last_message_at), 0) + 1) FROM conversations WHERE waba_id = ${P.waba}), ${P.inbound}, ${P.now}
       WHERE ${FRESH}
       ON CONFLICT (waba_id, contact_id, channel) DO UPDATE SET
         last_message_at = excluded.last_message_at,
         status = CASE WHEN ${P.inbound} = 1 THEN 'open' ELSE conversations.status END,
         unread_count = conversations.unread_count + ${P.inbound}`,
    ),
    prepare(
      `INSERT INTO messages (id, waba_id, conversation_id, contact_id, meta_phone_number_id, direction, kind, body, payload, wamid, status, attempts, event_seq, api_key_id, created_at, updated_at)
       SELECT ?14, ${P.waba}, (SELECT id FROM conversations WHERE waba_id = ${P.waba} AND contact_id = ${CONTACT} AND channel = 'whatsapp'), ${CONTACT},
              ?15, ?16, ?17, ?18, ?19, ${P.wamid}, ?20, 0, 0, ?21, ${P.at}, ${P.now}
       WHERE ${FRESH}
       RETURNING conversation_id AS conversationId, contact_id AS contactId,
                 (SELECT last_message_at FROM conversations WHERE id = messages.conversation_id) AS lastMessageAt`,
      [...params, messageId, m.metaPhoneNumberId, m.direction, m.kind, m.body, JSON.stringify(m.payload), m.status, m.apiKeyId ?? null],
    ),
    ...after,
  ]);
  const row = (inserted as D1Result<{ conversationId: string; contactId: string; lastMessageAt: number }>).results?.[0];
  if (!row) return null;
  return { messageId, ...row, afterResults };
}
