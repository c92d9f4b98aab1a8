import type { Env } from "../env";

/** The data plane of one WABA: its Durable Object, named by our WABA id. */
export function wabaStore(env: Pick<Env, "WABA_STORE">, wabaId: string) {
  return env.WABA_STORE.get(env.WABA_STORE.idFromName(wabaId));
}
