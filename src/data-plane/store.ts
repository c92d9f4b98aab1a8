import type { SendJob } from "../queues/send-job";

// What every data-plane module works on: the WABA object's SQLite storage, the time of the change,
// and what must happen once the change is committed (queue messages, a waiting route to wake).
// Modules are synchronous: a Durable Object's SQL calls run in-process, and one call's statements run
// in one transaction (WabaStore.#write), so a change and the event that announces it commit together.

export type Row = Record<string, SqlStorageValue>;

/** A send route waiting in this object for Meta's answer; resolved once the relay reports it. */
export type Outcome = import("../messages/outcome").SendOutcome;

export type Effects = {
  /** webhook deliveries to put on the webhook queue */
  deliveries: string[];
  /** send jobs to put on the send queue */
  sends: SendJob[];
  /** outcomes to hand to routes waiting in this object */
  outcomes: Array<{ messageId: string; outcome: Outcome }>;
  /** inbound messages whose media is to be copied into R2 (media-copy jobs on the meta-events queue) */
  mediaCopies: string[];
};

export type Store = {
  sql: SqlStorage;
  /** the WABA this object serves (our id) */
  wabaId: string;
  now: number;
  effects: Effects;
};

export const noEffects = (): Effects => ({ deliveries: [], sends: [], outcomes: [], mediaCopies: [] });

export function all<T = Row>(s: Pick<Store, "sql">, query: string, ...params: unknown[]): T[] {
  return s.sql.exec(query, ...(params as SqlStorageValue[])).toArray() as T[];
}

export function one<T = Row>(s: Pick<Store, "sql">, query: string, ...params: unknown[]): T | null {
  return (all<T>(s, query, ...params)[0] ?? null) as T | null;
}

/** Runs a statement; returns the rows it RETURNING-ed (use RETURNING to learn whether it changed anything). */
export function run<T = Row>(s: Pick<Store, "sql">, query: string, ...params: unknown[]): T[] {
  return all<T>(s, query, ...params);
}
