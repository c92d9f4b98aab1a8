import { createMiddleware } from "hono/factory";
import { countingD1, database, lazyDatabase } from "../db/client";
import { newId } from "../db/ids";
import type { AppEnv } from "../env";
import { settings } from "../settings";

/**
 * First middleware: a request id on every response, the request's Drizzle handle and, when
 * EXPOSE_TIMINGS is on (local dev, benchmarks), Server-Timing with the D1 queries and Durable Object
 * calls this request cost — counted here, at the edge: D1 through a counting wrapper, Durable Object
 * calls through `counted` stubs (the only stubs handlers get).
 */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const requestId = `req_${newId()}`;
  c.set("requestId", requestId);
  const counters = { d1: 0, durableObject: 0 };
  c.set("counters", counters);
  const expose = settings(c.env).exposeTimings;
  c.set("db", lazyDatabase(() => database(expose ? countingD1(c.env.DB, counters) : c.env.DB)));
  await next();
  c.res.headers.set("X-Request-Id", requestId);
  if (expose) {
    c.res.headers.append("Server-Timing", `d1;desc="D1 queries";dur=${counters.d1}, do;desc="Durable Object calls";dur=${counters.durableObject}`);
  }
});

/** A Durable Object stub whose every method call counts as one Durable Object call of this request. */
export function counted<T extends object>(stub: T, counters: { durableObject: number }): T {
  return new Proxy(stub, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (typeof value !== "function") return value;
      // called as a method of the stub itself: an RPC property applied to another `this` is not a call
      return (...args: unknown[]) => {
        counters.durableObject++;
        return (target as Record<PropertyKey, (...a: unknown[]) => unknown>)[prop]!(...args);
      };
    },
  });
}
