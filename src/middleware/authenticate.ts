import { createMiddleware } from "hono/factory";
import { checkApiKeyShape, hashApiKey } from "../auth/api-key";
import type { Scope } from "../auth/scopes";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { rateLimitHeaders } from "../rate-limit/windows";

const BEARER = /^Bearer[ ]+(\S+)[ ]*$/i;

/**
 * Authenticates the Bearer API key and admits the request against its rate limits in one call to
 * the key's Durable Object, then checks the route's scope. Every authenticated response carries the
 * rate-limit headers, errors included.
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
    const gate = c.env.KEY_GATE.get(c.env.KEY_GATE.idFromName(keyHash));
    c.var.counters.durableObject++;
    const admission = await gate.admit(keyHash);
    if (admission.kind === "invalid") throw new ApiError("INVALID_API_KEY", "API key is unknown or has been revoked");

    const headers = rateLimitHeaders(admission.rate, admission.now);
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    if (!admission.rate.admitted) {
      throw new ApiError("RATE_LIMITED", `Rate limit exceeded for the ${admission.key.plan} plan. Retry after ${admission.rate.retryAfter} s.`, { headers });
    }
    if (scope && !admission.key.scopes.includes(scope)) {
      throw new ApiError("INSUFFICIENT_SCOPE", `API key lacks the ${scope} scope`, { details: [{ message: `required scope: ${scope}`, scope }] });
    }
    c.set("key", admission.key);
    c.set("gate", gate);
    await next();
  });
}
