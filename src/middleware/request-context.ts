import { createMiddleware } from "hono/factory";
import { countingD1, database } from "../db/client";
import { newId } from "../db/ids";
import type { AppEnv } from "../env";

/**
 * First middleware: a request id on every response, the request's Drizzle handle and, when
 * EXPOSE_TIMINGS is on (local dev, benchmarks), Server-Timing with the D1 queries and Durable Object
 * calls this request cost.
 */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const requestId = `req_${newId()}`;
  c.set("requestId", requestId);
  const counters = { d1: 0, durableObject: 0 };
  c.set("counters", counters);
  const expose = c.env.EXPOSE_TIMINGS === "true";
  c.set("db", database(expose ? countingD1(c.env.DB, counters) : c.env.DB));
  await next();
  c.res.headers.set("X-Request-Id", requestId);
  if (expose) {
    c.res.headers.append("Server-Timing", `d1;desc="D1 queries";dur=${counters.d1}, do;desc="Durable Object calls";dur=${counters.durableObject}`);
  }
});
