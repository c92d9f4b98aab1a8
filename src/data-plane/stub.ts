import type { KeyMode } from "../db/schema";
import type { Env } from "../env";

/**
 * Live keys reach Meta; test keys reach the sandbox and never Meta. Each mode of a WABA has its own
 * data plane object, so test data (contacts, conversations, messages, webhooks) never mixes with live.
 */
export type DataMode = KeyMode;

const TEST_PREFIX = "test:";

/** The object's name: our WABA id (live), or `test:` + our WABA id (test mode). */
export function storeName(wabaId: string, mode: DataMode): string {
  return mode === "test" ? `${TEST_PREFIX}${wabaId}` : wabaId;
}

/** The mode and WABA of an object's name (see storeName). */
export function parseStoreName(name: string): { wabaId: string; mode: DataMode } {
  return name.startsWith(TEST_PREFIX) ? { wabaId: name.slice(TEST_PREFIX.length), mode: "test" } : { wabaId: name, mode: "live" };
}

/** The data plane of one WABA in one mode: its Durable Object. */
export function wabaStore(env: Pick<Env, "WABA_STORE">, wabaId: string, mode: DataMode = "live") {
  return env.WABA_STORE.getByName(storeName(wabaId, mode));
}

/** Both of the WABA's objects (live and test mode) cache its control record: they read it again. */
export async function invalidateWabaControl(env: Pick<Env, "WABA_STORE">, wabaId: string): Promise<void> {
  await Promise.all([wabaStore(env, wabaId, "live").invalidate(), wabaStore(env, wabaId, "test").invalidate()]);
}
