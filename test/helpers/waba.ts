import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { drizzle, type DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { recordMessage, type NewMessage } from "../../src/data-plane/messages";
import * as schema from "../../src/data-plane/schema";
import { noEffects, type Store } from "../../src/data-plane/store";
import { wabaStore, type DataMode } from "../../src/data-plane/stub";

// Reaching a tenant's data plane from tests: its WABA object's storage, read and seeded inside the
// object itself (vitest-pool-workers' runInDurableObject), through the same schema the object uses.

export type WabaDb = DrizzleSqliteDODatabase<typeof schema>;

/** A tenant as these helpers need it: its WABA, and its key's mode (live when there is no key). */
type Of = { waba: { id: string }; key?: { mode: DataMode } };

/** The WABA's object in the mode of the tenant's key (its RPC stub). */
export const storeOf = (t: Of) => wabaStore(env, t.waba.id, t.key?.mode ?? "live");

/** Runs `fn` on the WABA object's storage (Drizzle, the data-plane schema), inside the object. */
export function wabaDb<T>(t: Of, fn: (db: WabaDb) => T): Promise<T> {
  return runInDurableObject(storeOf(t), (_instance, state) => fn(drizzle(state.storage, { schema })));
}

/** Raw SQL on the WABA object's storage; rows as SQLite returns them (snake_case columns). */
export function wabaSql<T = Record<string, unknown>>(t: Of, query: string, ...params: unknown[]): Promise<T[]> {
  return runInDurableObject(storeOf(t), (_instance, state) => state.storage.sql.exec(query, ...(params as SqlStorageValue[])).toArray() as T[]);
}

/**
 * Runs a data-plane function in one transaction inside the WABA's object, as its RPC methods do —
 * for seeding state a test starts from. What it would queue afterwards (deliveries, sends) is not queued.
 */
export function inWaba<T>(t: Of, fn: (s: Store) => T, now = Date.now()): Promise<T> {
  return runInDurableObject(storeOf(t), (_instance, state) => {
    state.storage.kv.put("wabaId", t.waba.id);
    return state.storage.transactionSync(() => fn({ sql: state.storage.sql, wabaId: t.waba.id, now, effects: noEffects() }));
  });
}

/** Stores a message as the data plane does (contact and conversation included). */
export function seedMessage(t: Of, m: NewMessage) {
  return inWaba(t, (s) => recordMessage(s, m));
}

export { schema };

/** The WABA's outbound messages (Drizzle rows), in id (creation) order. */
export function outboundMessages(t: Of) {
  return wabaDb(t, (db) => db.select().from(schema.messages).orderBy(schema.messages.id).all().filter((m) => m.direction === "outbound"));
}
