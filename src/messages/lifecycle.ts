import type { EventType, MessageStatus } from "../data-plane/schema";

// The message lifecycle as one table: every change of a message's status, who makes it, and the
// integrator event it emits. Statuses only move forward, so Meta's duplicate, late and out-of-order
// statuses change nothing:
//
//   (scheduled →) queued ⇄ sending → (held →) sent → delivered → read → played
//                                                          failed: terminal, from any status before read
//   scheduled → cancelled, queued → cancelled              cancelled: terminal, never handed to Meta
//
// `sending` is the relay's claim on a queued message (a lease: a claim older than SEND_LEASE_MS may be
// taken again); `queued` again releases it after a retryable failure. `held`: Meta accepted a template
// but holds it for quality assessment (template pacing); it is later released (sent) or dropped
// (failed, 132015). `played`: a voice note was first played, after read. `delivered` may be skipped
// (Meta: not sent when the message is read at once). WabaStore is the only writer of message statuses,
// through src/data-plane/messages.ts, which applies this table.

export type Change = Exclude<MessageStatus, never>;

type Rule = { from: readonly MessageStatus[]; event: EventType | null };

export const TRANSITIONS: Record<MessageStatus, Rule> = {
  /** a send with `sendAt` is stored scheduled; nothing moves a message back to it */
  scheduled: { from: [], event: null },
  /** the relay releases its claim after a retryable failure; a scheduled send falls due */
  queued: { from: ["sending", "scheduled"], event: null },
  /** the relay claims a message (or takes over a claim whose lease lapsed) */
  sending: { from: ["queued", "sending"], event: null },
  held: { from: ["queued", "sending"], event: "message.held" },
  sent: { from: ["queued", "sending", "held"], event: "message.sent" },
  delivered: { from: ["queued", "sending", "held", "sent"], event: "message.delivered" },
  read: { from: ["queued", "sending", "held", "sent", "delivered"], event: "message.read" },
  played: { from: ["queued", "sending", "held", "sent", "delivered", "read"], event: "message.played" },
  failed: { from: ["scheduled", "queued", "sending", "held", "sent", "delivered"], event: "message.failed" },
  /** DELETE /v1/messages/{id} on a scheduled send; a cancelled campaign's messages not yet claimed by the relay */
  cancelled: { from: ["scheduled", "queued"], event: null },
};

/** The statuses a change to `next` may replace (kept for readers of the table). */
export const MAY_REPLACE: Record<MessageStatus, readonly MessageStatus[]> = Object.fromEntries(
  Object.entries(TRANSITIONS).map(([next, rule]) => [next, rule.from]),
) as Record<MessageStatus, readonly MessageStatus[]>;

export function mayReplace(current: MessageStatus, next: MessageStatus): boolean {
  return TRANSITIONS[next].from.includes(current);
}

/** A relay's claim is exclusive for this long; a redelivered job inside it waits instead of sending. */
export const SEND_LEASE_MS = 60_000;

/** Statuses Meta's webhooks report, in the order to apply several that arrived for one message at once. */
export const META_STATUSES = ["sent", "delivered", "read", "played", "failed"] as const;
export type MetaStatus = (typeof META_STATUSES)[number];

export const isMetaStatus = (s: string): s is MetaStatus => (META_STATUSES as readonly string[]).includes(s);
