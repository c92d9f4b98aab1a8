export type QueueKind = "sends" | "sends-bulk" | "sends-dlq" | "meta-events" | "meta-events-dlq" | "webhooks" | "webhooks-dlq";

const KINDS: QueueKind[] = ["sends-dlq", "meta-events-dlq", "webhooks-dlq", "sends-bulk", "sends", "meta-events", "webhooks"];

/** Queue names are `wbiz-<kind>` with an optional environment suffix (`wbiz-sends-staging`). */
export function queueKind(queueName: string): QueueKind | null {
  const base = queueName.replace(/^wbiz-/, "").replace(/-(staging|production)$/, "");
  return KINDS.find((k) => k === base) ?? null;
}
