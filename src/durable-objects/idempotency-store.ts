// Idempotency-Key records (IETF draft-ietf-httpapi-idempotency-key-header), in the storage of the WABA
// object that does the request's work, so claiming a key, doing the work and keeping its outcome are one
// call: the first outcome for a key is replayed for 24 hours to requests with the same fingerprint; a
// different fingerprint is refused; a key still in flight is busy. Keys are per API key (the caller
// scopes them).

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000;

export type Entry<R> =
  | { state: "in_flight"; fingerprint: string; leaseUntil: number; createdAt: number }
  | { state: "done"; fingerprint: string; response: R; createdAt: number };

/** Where the records are kept: the object's idempotency_keys table (idempotencyRecords), a Map in unit tests. */
export type IdempotencyRecords = {
  get(key: string): Entry<unknown> | undefined;
  put(key: string, entry: Entry<unknown>): void;
  delete(key: string): void;
};

export type IdempotencyClaim<R = unknown> =
  | { kind: "claimed" }
  | { kind: "replay"; response: R }
  | { kind: "mismatch" }
  | { kind: "in_flight" };

/** An Idempotency-Key to claim: the key, the request's fingerprint (method, path, body bytes), the claim's lease. */
export type IdempotencyRequest = { key: string; fingerprint: string; leaseMs: number };

/** What work under an Idempotency-Key answers: its outcome, the first outcome for the key (a replay), or a conflict (busy, or another body). */
export type Idempotent<R> = R | { kind: "replay"; outcome: R } | { kind: "idempotency_conflict"; claim: "in_flight" | "mismatch" };

export function claimIdempotencyKey<R = unknown>(records: IdempotencyRecords, key: string, fingerprint: string, now: number, leaseMs: number): IdempotencyClaim<R> {
  const entry = records.get(key) as Entry<R> | undefined;
  const live = entry && now - entry.createdAt < IDEMPOTENCY_TTL_MS && !(entry.state === "in_flight" && entry.leaseUntil < now);
  if (live) {
    if (entry.fingerprint !== fingerprint) return { kind: "mismatch" };
    return entry.state === "done" ? { kind: "replay", response: entry.response } : { kind: "in_flight" };
  }
  records.put(key, { state: "in_flight", fingerprint, leaseUntil: now + leaseMs, createdAt: now });
  return { kind: "claimed" };
}

export function completeIdempotencyKey<R>(records: IdempotencyRecords, key: string, fingerprint: string, response: R, now: number) {
  const entry = records.get(key);
  if (entry?.fingerprint !== fingerprint) return;
  records.put(key, { state: "done", fingerprint, response, createdAt: entry?.createdAt ?? now });
}

/** Forget an in-flight claim (the request failed in a way the client should retry). */
export function releaseIdempotencyKey(records: IdempotencyRecords, key: string, fingerprint: string) {
  const entry = records.get(key);
  if (entry?.state === "in_flight" && entry.fingerprint === fingerprint) records.delete(key);
}

/** The records in the WABA object's idempotency_keys table (src/data-plane/schema.ts), each entry as JSON. */
export function idempotencyRecords(sql: SqlStorage): IdempotencyRecords {
  return {
    get: (key) => {
      const row = sql.exec<{ entry: string }>(`SELECT entry FROM idempotency_keys WHERE key = ?`, key).toArray()[0];
      return row ? (JSON.parse(row.entry) as Entry<unknown>) : undefined;
    },
    put: (key, entry) =>
      void sql.exec(
        `INSERT INTO idempotency_keys (key, entry, created_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET entry = excluded.entry, created_at = excluded.created_at`,
        key, JSON.stringify(entry), entry.createdAt,
      ),
    delete: (key) => void sql.exec(`DELETE FROM idempotency_keys WHERE key = ?`, key),
  };
}

/**
 * Deletes up to `limit` records past their 24 hours, oldest first, through the created_at index (no scan
 * of the live ones); answers whether more may be left.
 */
export function purgeExpiredIdempotencyKeys(sql: SqlStorage, now: number, limit = 500): boolean {
  const deleted = sql.exec(
    `DELETE FROM idempotency_keys WHERE key IN (SELECT key FROM idempotency_keys WHERE created_at <= ? ORDER BY created_at LIMIT ?) RETURNING key`,
    now - IDEMPOTENCY_TTL_MS, limit,
  ).toArray().length;
  return deleted === limit;
}
