import type { Database } from "../db/client";
import { newId } from "../db/ids";
import type { Env } from "../env";
import { recordMessage, type Party } from "../inbox/record-message";
import { eventWritten, messageEventStatements } from "../webhooks/event-statements";
import { queueDeliveries } from "../webhooks/queue-deliveries";
import type { MetaInbound } from "./meta-payload";

// Inbound WhatsApp messages from Meta's webhook: stored once per wamid with their contact and
// conversation (opening the 24-hour window), announced as message.received, and STOP/START honoured.
// Messages that are not a customer writing — a number change (`system`), an edit or a deletion
// (coexistence `edit`, `revoke`) — change what they are about instead, and open no window.

/** What history shows for each inbound type; unknown types keep their raw payload and no body. */
export function describeInbound(m: Record<string, any>): { kind: string; body: string | null } {
  const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v : null);
  switch (m.type) {
    case "text":
      return { kind: "text", body: str(m.text?.body) };
    case "image":
    case "video":
    case "audio":
    case "sticker":
      return { kind: m.type, body: str(m[m.type]?.caption) };
    case "document":
      return { kind: "document", body: str(m.document?.caption) ?? str(m.document?.filename) };
    case "interactive": {
      const reply = m.interactive?.button_reply ?? m.interactive?.list_reply;
      return { kind: "interactive", body: str(reply?.title) };
    }
    case "button":
      return { kind: "button", body: str(m.button?.text) ?? str(m.button?.payload) };
    case "location": {
      const l = m.location ?? {};
      return { kind: "location", body: [l.name, l.address].filter((x: unknown) => typeof x === "string" && x).join(", ") || `${l.latitude},${l.longitude}` };
    }
    case "reaction":
      return { kind: "reaction", body: str(m.reaction?.emoji) };
    default:
      return { kind: typeof m.type === "string" && m.type ? m.type : "unknown", body: null };
  }
}

/** STOP / UNSUBSCRIBE (whole message, any case) opt the contact out of marketing; START opts back in. */
export function optChange(m: MetaInbound, body: string | null): boolean | null {
  if (m.type !== "text" && m.type !== "button") return null;
  const word = (body ?? "").trim().toUpperCase();
  if (word === "STOP" || word === "UNSUBSCRIBE") return false;
  if (word === "START") return true;
  return null;
}

/** How far from its arrival Meta's timestamp for a message is believed: Meta retries webhooks for up to 7 days. */
export const MESSAGE_TIME_PAST_MS = 30 * 24 * 60 * 60_000;
export const MESSAGE_TIME_FUTURE_MS = 5 * 60_000;

/**
 * The time a message happened: Meta's `timestamp` (unix seconds) when it is plausible — not in the
 * future beyond clock skew, not older than Meta keeps retrying — else the time it reached us. The raw
 * value stays in the stored payload; a stored time can never be one a read cannot render.
 */
export function messageTime(timestamp: string, receivedAt: number): number {
  const ms = Number(timestamp) * 1000;
  if (!Number.isSafeInteger(ms) || ms > receivedAt + MESSAGE_TIME_FUTURE_MS || ms < receivedAt - MESSAGE_TIME_PAST_MS) return receivedAt;
  return ms;
}

export async function recordInbound(
  env: Env,
  db: Database,
  waba: { id: string },
  phoneNumberId: string,
  m: MetaInbound,
  party: Party,
  receivedAt: number,
): Promise<"recorded" | "duplicate"> {
  const { kind, body } = describeInbound(m);
  const messageId = newId();
  const now = Date.now();
  const eventId = newId(now);
  const optIn = optChange(m, body);
  const after = [
    // guarded by changes() of the message insert just before them
    ...messageEventStatements(env.DB, { eventId, type: "message.received", now, messageWhere: "m.id = ?5", param: messageId }),
    ...(optIn === null
      ? []
      : [env.DB.prepare(`UPDATE contacts SET opted_in = ?1, updated_at = ?2 WHERE id = (SELECT contact_id FROM messages WHERE id = ?3)`).bind(optIn ? 1 : 0, now, messageId)]),
  ];
  const recorded = await recordMessage(
    db,
    { id: messageId, wabaId: waba.id, party, metaPhoneNumberId: phoneNumberId, direction: "inbound", kind, body, payload: m, status: "delivered", wamid: m.id, at: messageTime(m.timestamp, receivedAt) },
    after,
  );
  if (!recorded) return "duplicate";
  if (eventWritten(recorded.afterResults, 0)) await queueDeliveries(env, [eventId]);
  return "recorded";
}

/** A coexistence edit: the stored message takes the edited text, once (a re-delivered edit changes nothing). */
export async function applyEdit(env: Env, waba: { id: string }, originalWamid: string, edited: Record<string, unknown>): Promise<boolean> {
  const { body } = describeInbound(edited);
  return changeMessage(env, waba, originalWamid, "message.edited", `body = ?4, edited_at = ?3, updated_at = ?3`, `(body IS NOT ?4 OR edited_at IS NULL)`, [body]);
}

/** A coexistence revoke: the customer deleted the message; its text is not kept. */
export async function applyRevoke(env: Env, waba: { id: string }, originalWamid: string): Promise<boolean> {
  return changeMessage(env, waba, originalWamid, "message.deleted", `body = NULL, deleted_at = ?3, updated_at = ?3`, `deleted_at IS NULL`, []);
}

async function changeMessage(env: Env, waba: { id: string }, wamid: string, type: "message.edited" | "message.deleted", set: string, unlessDone: string, extra: unknown[]) {
  const now = Date.now();
  const eventId = newId(now);
  const results = await env.DB.batch([
    env.DB.prepare(
      `UPDATE messages SET ${set}, event_seq = event_seq + 1 WHERE wamid = ?1 AND waba_id = ?2 AND direction = 'inbound' AND ${unlessDone}`,
    ).bind(wamid, waba.id, now, ...extra),
    ...messageEventStatements(env.DB, { eventId, type, now, messageWhere: "m.wamid = ?5", param: wamid }),
  ]);
  if (eventWritten(results, 1)) await queueDeliveries(env, [eventId]);
  return (results[0]?.meta.changes ?? 0) > 0;
}
