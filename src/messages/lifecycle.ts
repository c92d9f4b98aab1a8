import type { MessageStatus } from "../db/schema";

// The message lifecycle as one table: which status may replace which. Statuses only move forward, so
// Meta's duplicate, late and out-of-order statuses change nothing:
//
//   queued → sending → (held →) sent → delivered → read → played        failed: terminal, from any
//                                                                       status before read
//
// `held`: Meta accepted a template but holds it for quality assessment (template pacing); it is later
// released (sent) or dropped (failed, 132015). `played`: a voice note was first played, after read.
// `delivered` may be skipped (Meta: not sent when the message is read at once).

/** The statuses a change to `next` may replace. */
export const MAY_REPLACE: Record<Exclude<MessageStatus, "queued">, readonly MessageStatus[]> = {
  sending: ["queued", "sending"],
  held: ["queued", "sending"],
  sent: ["queued", "sending", "held"],
  delivered: ["queued", "sending", "held", "sent"],
  read: ["queued", "sending", "held", "sent", "delivered"],
  played: ["queued", "sending", "held", "sent", "delivered", "read"],
  failed: ["queued", "sending", "held", "sent", "delivered"],
};

export function mayReplace(current: MessageStatus, next: Exclude<MessageStatus, "queued">): boolean {
  return MAY_REPLACE[next].includes(current);
}

/** Statuses Meta's webhooks report, in the order to apply several that arrived for one message at once. */
export const META_STATUSES = ["sent", "delivered", "read", "played", "failed"] as const;
export type MetaStatus = (typeof META_STATUSES)[number];

export const isMetaStatus = (s: string): s is MetaStatus => (META_STATUSES as readonly string[]).includes(s);
