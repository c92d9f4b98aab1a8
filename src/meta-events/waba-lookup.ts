import type { Env } from "../env";

// Meta's webhooks name a WABA by Meta's id; the data plane is addressed by ours. The mapping never
// changes once a WABA exists, so it is kept in the isolate: a warm consumer reads no D1 per change.
// An unknown Meta id is remembered briefly too, so a flood for a WABA we do not serve costs one query.

const known = new Map<string, string>();
const unknown = new Map<string, number>();
const UNKNOWN_TTL_MS = 60_000;
const MAX_ENTRIES = 50_000;

/** Our WABA id for Meta's, or null when no WABA here has it. `d1`: queries made (0 when cached). */
export async function wabaIdOf(env: Pick<Env, "DB">, metaWabaId: string, now = Date.now()): Promise<{ wabaId: string | null; d1: number }> {
  const hit = known.get(metaWabaId);
  if (hit) return { wabaId: hit, d1: 0 };
  const miss = unknown.get(metaWabaId);
  if (miss !== undefined && now - miss < UNKNOWN_TTL_MS) return { wabaId: null, d1: 0 };
  const row = await env.DB.prepare(`SELECT id FROM wabas WHERE meta_waba_id = ?1`).bind(metaWabaId).first<{ id: string }>();
  if (known.size + unknown.size > MAX_ENTRIES) (known.clear(), unknown.clear());
  if (row) {
    known.set(metaWabaId, row.id);
    unknown.delete(metaWabaId);
  } else unknown.set(metaWabaId, now);
  return { wabaId: row?.id ?? null, d1: 1 };
}

/** A WABA was created with this Meta id: forget a cached "unknown". */
export function forgetUnknownWaba(metaWabaId: string): void {
  unknown.delete(metaWabaId);
}
