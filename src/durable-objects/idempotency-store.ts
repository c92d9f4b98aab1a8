// Idempotency-Key records of one API key, in its Durable Object's storage (IETF
// draft-ietf-httpapi-idempotency-key-header): the first response to a key is replayed for 24 hours to
// requests with the same fingerprint; a different fingerprint is refused; a key still in flight is busy.

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000;

export type StoredResponse = { status: number; body: string; headers: Record<string, string> };

type Entry =
  | { state: "in_flight"; fingerprint: string; leaseUntil: number; createdAt: number }
  | { state: "done"; fingerprint: string; response: StoredResponse; createdAt: number };

export type IdempotencyClaim =
  | { kind: "claimed" }
  | { kind: "replay"; response: StoredResponse }
  | { kind: "mismatch" }
  | { kind: "in_flight" };

const keyOf = (key: string) => `idem:${key}`;

export function claimIdempotencyKey(kv: SyncKvStorage, key: string, fingerprint: string, now: number, leaseMs: number): IdempotencyClaim {
  const entry = kv.get<Entry>(keyOf(key));
  const live = entry && now - entry.createdAt < IDEMPOTENCY_TTL_MS && !(entry.state === "in_flight" && entry.leaseUntil < now);
  if (live) {
    if (entry.fingerprint !== fingerprint) return { kind: "mismatch" };
    return entry.state === "done" ? { kind: "replay", response: entry.response } : { kind: "in_flight" };
  }
  kv.put<Entry>(keyOf(key), { state: "in_flight", fingerprint, leaseUntil: now + leaseMs, createdAt: now });
  return { kind: "claimed" };
}

export function completeIdempotencyKey(kv: SyncKvStorage, key: string, fingerprint: string, response: StoredResponse, now: number) {
  const entry = kv.get<Entry>(keyOf(key));
  if (entry?.fingerprint !== fingerprint) return;
  kv.put<Entry>(keyOf(key), { state: "done", fingerprint, response, createdAt: entry?.createdAt ?? now });
}

/** Forget an in-flight claim (the request failed in a way the client should retry). */
export function releaseIdempotencyKey(kv: SyncKvStorage, key: string, fingerprint: string) {
  const entry = kv.get<Entry>(keyOf(key));
  if (entry?.state === "in_flight" && entry.fingerprint === fingerprint) kv.delete(keyOf(key));
}

/** Deletes expired records; returns how many remain. */
export function purgeExpiredIdempotencyKeys(kv: SyncKvStorage, now: number): number {
  let remaining = 0;
  for (const [name, entry] of kv.list<Entry>({ prefix: "idem:" })) {
    if (now - entry.createdAt >= IDEMPOTENCY_TTL_MS) kv.delete(name);
    else remaining++;
  }
  return remaining;
}
