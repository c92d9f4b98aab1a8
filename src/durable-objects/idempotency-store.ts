// Idempotency-Key records (IETF draft-ietf-httpapi-idempotency-key-header), in the storage of the WABA
// object that does the request's work, so claiming a key, doing the work and keeping its outcome are one
// call: the first outcome for a key is replayed for 24 hours to requests with the same fingerprint; a
// different fingerprint is refused; a key still in flight is busy. Keys are per API key (the caller
// scopes them).

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000;

type Entry<R> =
  | { state: "in_flight"; fingerprint: string; leaseUntil: number; createdAt: number }
  | { state: "done"; fingerprint: string; response: R; createdAt: number };

export type IdempotencyClaim<R = unknown> =
  | { kind: "claimed" }
  | { kind: "replay"; response: R }
  | { kind: "mismatch" }
  | { kind: "in_flight" };

/** An Idempotency-Key to claim: the key, the request's fingerprint (method, path, body bytes), the claim's lease. */
export type IdempotencyRequest = { key: string; fingerprint: string; leaseMs: number };

/** What work under an Idempotency-Key answers: its outcome, the first outcome for the key (a replay), or a conflict (busy, or another body). */
export type Idempotent<R> = R | { kind: "replay"; outcome: R } | { kind: "idempotency_conflict"; claim: "in_flight" | "mismatch" };

const keyOf = (key: string) => `idem:${key}`;

export function claimIdempotencyKey<R = unknown>(kv: SyncKvStorage, key: string, fingerprint: string, now: number, leaseMs: number): IdempotencyClaim<R> {
  const entry = kv.get<Entry<R>>(keyOf(key));
  const live = entry && now - entry.createdAt < IDEMPOTENCY_TTL_MS && !(entry.state === "in_flight" && entry.leaseUntil < now);
  if (live) {
    if (entry.fingerprint !== fingerprint) return { kind: "mismatch" };
    return entry.state === "done" ? { kind: "replay", response: entry.response } : { kind: "in_flight" };
  }
  kv.put<Entry<R>>(keyOf(key), { state: "in_flight", fingerprint, leaseUntil: now + leaseMs, createdAt: now });
  return { kind: "claimed" };
}

export function completeIdempotencyKey<R>(kv: SyncKvStorage, key: string, fingerprint: string, response: R, now: number) {
  const entry = kv.get<Entry<R>>(keyOf(key));
  if (entry?.fingerprint !== fingerprint) return;
  kv.put<Entry<R>>(keyOf(key), { state: "done", fingerprint, response, createdAt: entry?.createdAt ?? now });
}

/** Forget an in-flight claim (the request failed in a way the client should retry). */
export function releaseIdempotencyKey(kv: SyncKvStorage, key: string, fingerprint: string) {
  const entry = kv.get<Entry<unknown>>(keyOf(key));
  if (entry?.state === "in_flight" && entry.fingerprint === fingerprint) kv.delete(keyOf(key));
}

/** Deletes expired records; returns how many remain. */
export function purgeExpiredIdempotencyKeys(kv: SyncKvStorage, now: number): number {
  let remaining = 0;
  for (const [name, entry] of kv.list<Entry<unknown>>({ prefix: "idem:" })) {
    if (now - entry.createdAt >= IDEMPOTENCY_TTL_MS) kv.delete(name);
    else remaining++;
  }
  return remaining;
}
