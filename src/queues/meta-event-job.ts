/** A verified Meta webhook body, queued for idempotent processing. */
export type MetaEventJob = { body: string; receivedAt: number };
