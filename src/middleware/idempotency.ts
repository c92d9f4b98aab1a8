import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { settings } from "../settings";

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** Refusals of a request's form: nothing was acted on, so a corrected retry under the same key must run. */
const NOT_ACTED_ON = new Set(["VALIDATION_FAILED", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE"]);
/** Headers of the first response that a replay repeats. */
const REPLAYED_HEADERS = ["content-type", "preference-applied", "location"];

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** An Idempotency-Key to claim: the key, the request's fingerprint (method, path, body bytes), the claim's lease. */
export type IdempotencyRequest = { key: string; fingerprint: string; leaseMs: number };

/**
 * The request's Idempotency-Key to claim, for authentication to hand to the key's KeyGate with the
 * admission (one call): none without the header, for a dry run (it stores and sends nothing, so the key
 * is not used up), or for a malformed key (the middleware below refuses it).
 */
export async function idempotencyRequest(c: Context<AppEnv>): Promise<IdempotencyRequest | undefined> {
  const key = c.req.header("Idempotency-Key");
  if (key === undefined || c.req.query("dryRun") === "true" || !KEY_PATTERN.test(key)) return undefined;
  const fingerprint = await sha256Hex(`${c.req.method} ${c.req.path}\n${await c.req.text()}`);
  return { key, fingerprint, leaseMs: settings(c.env).sendWaitBudgetMs + 30_000 };
}

/**
 * `Idempotency-Key` on sends (IETF draft-ietf-httpapi-idempotency-key-header): the first response for a
 * key is replayed for 24 hours to the same request (same route and body bytes); the same key with a
 * different body is 422 IDEMPOTENCY_KEY_REUSED, and while the first request is still running, 409
 * IDEMPOTENCY_KEY_IN_USE. Keys are per API key. 5xx responses and refusals of the request's form (400
 * VALIDATION_FAILED, 413, 415) are not kept, so the client may retry. The key was claimed by the KeyGate
 * call that admitted the request (src/middleware/authenticate.ts); this keeps or releases the claim.
 */
export const idempotency = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("Idempotency-Key");
  if (header === undefined || c.req.query("dryRun") === "true") return next();
  if (!KEY_PATTERN.test(header)) {
    throw new ApiError("VALIDATION_FAILED", "Idempotency-Key: must be 1–255 visible ASCII characters", {
      details: [{ field: "Idempotency-Key", message: "must be 1–255 visible ASCII characters" }],
    });
  }
  const claimed = c.var.idempotency;
  if (!claimed) throw new Error("idempotency: the route's authentication did not claim the Idempotency-Key");
  const { request: { key, fingerprint }, claim } = claimed;
  const gate = c.var.gate;
  if (claim.kind === "replay") {
    c.header("Idempotent-Replayed", "true");
    return c.body(claim.response.body, claim.response.status as 200, claim.response.headers);
  }
  if (claim.kind === "mismatch") {
    throw new ApiError(
      "IDEMPOTENCY_KEY_REUSED",
      "This Idempotency-Key was already used with a different request body: send a new, unique Idempotency-Key for each new request (or omit the header), and reuse a key only to retry the very same request",
    );
  }
  if (claim.kind === "in_flight") {
    throw new ApiError("IDEMPOTENCY_KEY_IN_USE", "A request with this Idempotency-Key is still being processed; retry shortly", { headers: { "Retry-After": "1" } });
  }

  await next();
  const body = await c.res.clone().text();
  if (c.res.status >= 500 || NOT_ACTED_ON.has(errorCodeOf(body))) {
    await gate.releaseIdempotencyKey(key, fingerprint);
    return;
  }
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = c.res.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  await gate.completeIdempotencyKey(key, fingerprint, { status: c.res.status, body, headers });
});

function errorCodeOf(body: string): string {
  try {
    return String((JSON.parse(body) as { error?: { code?: unknown } }).error?.code ?? "");
  } catch {
    return "";
  }
}
