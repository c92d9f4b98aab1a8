import { createMiddleware } from "hono/factory";
import { checkApiKeyShape, hashApiKey } from "../auth/api-key";
import { blockedFor, clientKey, recordFailure, recordSuccess } from "../auth/failure-throttle";
import type { Scope } from "../auth/scopes";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { wabaStore } from "../data-plane/stub";
import { counted } from "./request-context";
import { rateLimitHeaders } from "../rate-limit/windows";

const BEARER = /^Bearer[ ]+(\S+)[ ]*$/i;

/**
 * Authenticates the Bearer API key and admits the request against its rate limits in one call to
 * the key's Durable Object, then checks the route's scope. Every authenticated response carries the
 * rate-limit headers, errors included.
 *
 * A client whose well-formed keys keep failing is throttled by address (src/auth/failure-throttle.ts):
 * over the limit it gets 429 before any Durable Object or D1 work.
 */
export function requireScope(scope: Scope | null) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header("Authorization");
    if (!header) throw new ApiError("INVALID_API_KEY", "Missing Authorization header: send `Authorization: Bearer wbiz_live_…`");
    const bearer = BEARER.exec(header);
    if (!bearer) throw new ApiError("INVALID_API_KEY", "Authorization header must use the Bearer scheme: `Bearer wbiz_live_…`");
    const token = bearer[1]!;
    const shape = checkApiKeyShape(token);
    if (!shape.ok) {
      throw new ApiError(
        "INVALID_API_KEY",
        shape.problem === "bad_checksum" ? "API key checksum does not match: the key was mistyped or truncated" : "Malformed API key: expected wbiz_live_… or wbiz_test_…",
      );
    }
    const keyHash = await hashApiKey(token);
    const client = clientKey(c.req.header("CF-Connecting-IP"));
    const wait = blockedFor(client, keyHash, Date.now());
    if (wait > 0) throw tooManyFailures(wait);
    const gate = counted(c.env.KEY_GATE.get(c.env.KEY_GATE.idFromName(keyHash)), c.var.counters);
    const admission = await gate.admit(keyHash);
    c.var.counters.d1 += admission.d1;
    if (admission.kind === "invalid") {
      const over = await recordFailure(c.env.AUTH_FAILURE_LIMITER, client, keyHash, Date.now());
      if (over > 0) throw tooManyFailures(over);
      throw new ApiError("INVALID_API_KEY", "API key is unknown or has been revoked");
    }
    recordSuccess(keyHash, Date.now());

    const headers = rateLimitHeaders(admission.rate, admission.now);
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    if (!admission.rate.admitted) {
      throw new ApiError("RATE_LIMITED", `Rate limit exceeded for the ${admission.key.plan} plan. Retry after ${admission.rate.retryAfter} s.`, { headers });
    }
    if (scope && !admission.key.scopes.includes(scope)) {
      throw new ApiError("INSUFFICIENT_SCOPE", `API key lacks the ${scope} scope`, { details: [{ message: `required scope: ${scope}`, scope }] });
    }
    c.set("key", admission.key);
    // the data plane of the key's WABA, in the key's mode: both come from the key record, never from the request
    c.set("store", counted(wabaStore(c.env, admission.key.wabaId, admission.key.mode), c.var.counters));
    await next();
  });
}

const tooManyFailures = (retryAfter: number) =>
  new ApiError("RATE_LIMITED", `Too many failed authentications from your address. Retry after ${retryAfter} s.`, { headers: { "Retry-After": String(retryAfter) } });
