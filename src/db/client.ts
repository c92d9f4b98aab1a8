import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export function database(d1: D1Database) {
  return drizzle(d1, { schema });
}

export type Database = ReturnType<typeof database>;

/**
 * A Database made on first use. Building Drizzle's handle (its relational config of the whole schema)
 * costs every request that makes one, and the hot routes (sends, reads, lists) never touch D1.
 */
export function lazyDatabase(make: () => Database): Database {
  let db: Database | undefined;
  return new Proxy({} as Database, {
    get(_target, prop) {
      db ??= make();
      const value = Reflect.get(db, prop, db);
      return typeof value === "function" ? value.bind(db) : value;
    },
  });
}

/**
 * Wraps a D1 binding so every statement it runs is counted (a batch counts each of its statements).
 * Used for the Server-Timing figures in local dev and the benchmarks; costs nothing measurable.
 */
export function countingD1(d1: D1Database, counters: { d1: number }): D1Database {
  const real = new WeakMap<object, D1PreparedStatement>();
  const wrap = (stmt: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        if (prop === "bind") return (...args: unknown[]) => wrap(target.bind(...args));
        const value = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        if (prop === "first" || prop === "all" || prop === "run" || prop === "raw") {
          return (...args: unknown[]) => {
            counters.d1++;
            return value.apply(target, args);
          };
        }
        return value.bind(target);
      },
    });
    real.set(proxy, stmt);
    return proxy;
  };
  return new Proxy(d1, {
    get(target, prop) {
      if (prop === "prepare") return (query: string) => wrap(target.prepare(query));
      if (prop === "batch") {
        return (stmts: D1PreparedStatement[]) => {
          counters.d1 += stmts.length;
          return target.batch(stmts.map((s) => real.get(s) ?? s));
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
