import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import type { KeyRecord } from "../auth/key-record";
import { loadKeyRecord } from "../auth/load-key-record";
import type { Scope } from "../auth/scopes";
import { claimIdempotencyKey, completeIdempotencyKey, purgeExpiredIdempotencyKeys, releaseIdempotencyKey, type IdempotencyClaim, type StoredResponse } from "./idempotency-store";
import { PLAN_LIMITS } from "../rate-limit/plans";
import { decide, EMPTY_WINDOWS, type RateDecision, type Windows } from "../rate-limit/windows";

/**
 * `d1`: the D1 queries this call made (1 when it had to read the key record), so the caller can count them.
 * `idempotency`: the claim on the request's Idempotency-Key, made when one was asked for and the request
 * was admitted with the scope it needs.
 */
export type Admission = { kind: "invalid"; d1: number } | { kind: "ok"; key: KeyRecord; rate: RateDecision; now: number; d1: number; idempotency?: IdempotencyClaim };

/** What admit() may do besides admitting: claim the request's Idempotency-Key once it is admitted with `scope`. */
export type AdmitOptions = { scope?: Scope | null; idempotency?: { key: string; fingerprint: string; leaseMs: number } };

/** Re-read the key from D1 at least this often even without an explicit invalidate(). */
const KEY_CACHE_TTL_MS = 60_000;
/** How often at most the rate-limit windows are written to storage. */
const CHECKPOINT_MS = 1_000;

/**
 * One object per API key (named by the key's hash). It is the single writer of the key's rate-limit
 * windows, so admission is exact under any concurrency, and it caches the key record so a warm key
 * costs one call here, no D1 query and no storage write. Admin changes (revoke, plan, create) call invalidate().
 *
 * It is also where the key's Idempotency-Key records live.
 */
export class KeyGate extends DurableObject<Env> {
  #record?: { value: KeyRecord | null; loadedAt: number };
  #loading?: Promise<KeyRecord | null>;
  #generation = 0;
  /** The rate-limit windows: memory is the truth, storage a checkpoint (see #checkpointSoon). */
  #windows?: Windows;
  #checkpoint?: ReturnType<typeof setTimeout>;

  /**
   * Authenticates the key and, if valid, takes one request from both rate-limit windows; then, for an
   * admitted request with the scope it needs, claims its Idempotency-Key — one call for all of it.
   */
  async admit(keyHash: string, opts: AdmitOptions = {}): Promise<Admission> {
    const { value: key, d1 } = await this.#key(keyHash);
    if (!key || key.revoked) return { kind: "invalid", d1 };
    const now = Date.now();
    // synchronous read-decide-write on the object's own copy: no other request can interleave, so
    // admission is exact under any concurrency
    this.#windows ??= this.ctx.storage.kv.get<Windows>("windows") ?? EMPTY_WINDOWS;
    const { decision, next } = decide(this.#windows, PLAN_LIMITS[key.plan], now);
    if (decision.admitted) {
      this.#windows = next;
      this.#checkpointSoon();
    }
    const idem = opts.idempotency;
    if (!idem || !decision.admitted || (opts.scope && !key.scopes.includes(opts.scope))) return { kind: "ok", key, rate: decision, now, d1 };
    return { kind: "ok", key, rate: decision, now, d1, idempotency: await this.#claimIdempotencyKey(idem.key, idem.fingerprint, idem.leaseMs) };
  }

  /**
   * Writes the windows to storage at most once per CHECKPOINT_MS, not on every request: a write per
   * request would be a storage commit on the hot path (it cut local throughput by a third). The object
   * cannot hibernate while the timer is pending, and once it has run storage holds exactly what memory
   * does, so an idle object that is evicted resumes its counts; only a crash inside that second loses
   * the requests admitted since the last checkpoint.
   */
  #checkpointSoon() {
    if (this.#checkpoint) return;
    this.#checkpoint = setTimeout(() => {
      this.#checkpoint = undefined;
      if (this.#windows) void this.ctx.storage.put("windows", this.#windows, { allowUnconfirmed: true });
    }, CHECKPOINT_MS);
  }

  /** Forget the cached key record: the next request re-reads it from D1. */
  async invalidate(): Promise<void> {
    this.#record = undefined;
    this.#loading = undefined;
    this.#generation++;
  }

  async #claimIdempotencyKey(key: string, fingerprint: string, leaseMs: number): Promise<IdempotencyClaim> {
    const claim = claimIdempotencyKey(this.ctx.storage.kv, key, fingerprint, Date.now(), leaseMs);
    if (claim.kind === "claimed" && (await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now() + 60 * 60_000);
    }
    return claim;
  }

  async completeIdempotencyKey(key: string, fingerprint: string, response: StoredResponse): Promise<void> {
    completeIdempotencyKey(this.ctx.storage.kv, key, fingerprint, response, Date.now());
  }

  async releaseIdempotencyKey(key: string, fingerprint: string): Promise<void> {
    releaseIdempotencyKey(this.ctx.storage.kv, key, fingerprint);
  }

  override async alarm(): Promise<void> {
    const remaining = purgeExpiredIdempotencyKeys(this.ctx.storage.kv, Date.now());
    if (remaining > 0) await this.ctx.storage.setAlarm(Date.now() + 60 * 60_000);
  }

  /** The key record ("no such key" is cached like a key: a flood of one unknown key reads D1 once a minute). */
  async #key(keyHash: string): Promise<{ value: KeyRecord | null; d1: number }> {
    const cached = this.#record;
    if (cached && Date.now() - cached.loadedAt < KEY_CACHE_TTL_MS) return { value: cached.value, d1: 0 };
    if (!this.#loading) {
      const generation = this.#generation;
      const loading = loadKeyRecord(this.env.DB, keyHash).finally(() => {
        if (this.#loading === loading) this.#loading = undefined;
      });
      this.#loading = loading;
      const value = await loading;
      // an invalidate() during the read means the value may predate the change: don't keep it
      if (generation === this.#generation) this.#record = { value, loadedAt: Date.now() };
      return { value, d1: 1 };
    }
    // another request's read is under way: share it (the query is counted once, by that request)
    return { value: await this.#loading, d1: 0 };
  }
}
