import type { Database } from "../db/client";
import { newId } from "../db/ids";
import { e164OfWaId, toE164 } from "../domain/phone";
import type { Env } from "../env";
import { recordMessage } from "../inbox/record-message";
import { eventWritten, messageEventStatements } from "../webhooks/event-statements";
import { queueDeliveries } from "../webhooks/queue-deliveries";
import type { MetaInbound } from "./meta-payload";

// Inbound WhatsApp messages from Meta's webhook: stored once per wamid with their contact and
// conversation (opening the 24-hour window), announced as message.received, and STOP/START honoured.

/** What history shows for each inbound type; unknown types keep their raw payload and no body. */
export function describeInbound(m: MetaInbound): { kind: string; body: string | null } {
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
      return { kind: m.type || "unknown", body: null };
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

export async function recordInbound(
  env: Env,
  db: Database,
  waba: { id: string },
  phoneNumberId: string,
  m: MetaInbound,
  profileName: string | undefined,
): Promise<"recorded" | "duplicate"> {
  const phone = toE164(`+${m.from}`) ?? e164OfWaId(m.from);
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
      : [
          env.DB.prepare(`UPDATE contacts SET opted_in = ?1, updated_at = ?2 WHERE waba_id = ?3 AND phone = ?4 AND EXISTS (SELECT 1 FROM messages WHERE id = ?5)`).bind(
            optIn ? 1 : 0,
            now,
            waba.id,
            phone,
            messageId,
          ),
        ]),
  ];
  const recorded = await recordMessage(
    db,
    {
      id: messageId,
      wabaId: waba.id,
      phone,
      metaPhoneNumberId: phoneNumberId,
      direction: "inbound",
      kind,
      body,
      payload: m,
      status: "delivered",
      wamid: m.id,
      profileName,
      at: Number(m.timestamp) * 1000,
    },
    after,
  );
  if (!recorded) return "duplicate";
  if (eventWritten(recorded.afterResults, 0)) await queueDeliveries(env, [eventId]);
  return "recorded";
}
