import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import type { KeyRecord } from "../auth/key-record";
import { loadKeyRecord } from "../auth/load-key-record";
import { PLAN_LIMITS } from "../rate-limit/plans";
import { decide, EMPTY_WINDOWS, type RateDecision, type Windows } from "../rate-limit/windows";

/** `d1`: the D1 queries this call made (1 when it had to read the key record), so the caller can count them. */
export type Admission = { kind: "invalid"; d1: number } | { kind: "ok"; key: KeyRecord; rate: RateDecision; now: number; d1: number };

/** Re-read the key from D1 at least this often even without an explicit invalidate(). */
const KEY_CACHE_TTL_MS = 60_000;
/** How often at most the rate-limit windows are written to storage. */
const CHECKPOINT_MS = 1_000;

/**
 * One object per API key (named by the key's hash). It is the single writer of the key's rate-limit
 * windows, so admission is exact under any concurrency, and it caches the key record so a warm key
 * costs one call here, no D1 query and no storage write. Admin changes (revoke, plan, create) call invalidate().
 */
export class KeyGate extends DurableObject<Env> {
  #record?: { value: KeyRecord | null; loadedAt: number };
  #loading?: Promise<KeyRecord | null>;
  #generation = 0;
  /** The rate-limit windows: memory is the truth, storage a checkpoint (see #checkpointSoon). */
  #windows?: Windows;
  #checkpoint?: ReturnType<typeof setTimeout>;

  /** Authenticates the key and, if valid, takes one request from both rate-limit windows. */
  async admit(keyHash: string): Promise<Admission> {
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
    return { kind: "ok", key, rate: decision, now, d1 };
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
