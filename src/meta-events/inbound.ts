import type { MetaInbound } from "./meta-payload";

// Reading inbound WhatsApp messages from Meta's webhook (src/data-plane/meta-changes.ts stores them):
// what history shows of each type, the STOP/START keywords, and the time a message happened.

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
