import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { Idempotent, IdempotencyRequest } from "../durable-objects/idempotency-store";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { settings } from "../settings";

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * `Idempotency-Key` on sends and campaign creation (IETF draft-ietf-httpapi-idempotency-key-header):
 * the first outcome for a key is replayed for 24 hours to the same request (same route and body bytes);
 * the same key with a different body is 422 IDEMPOTENCY_KEY_REUSED, and while the first request is
 * still running, 409 IDEMPOTENCY_KEY_IN_USE. Keys are per API key. Outcomes answered 5xx and refusals
 * of the request's form (400 VALIDATION_FAILED, 413, 415: refused before the work) are not kept, so the
 * client may retry.
 *
 * This checks the header and takes the request's fingerprint; the handler hands both to its one call to
 * the WABA object, which claims the key, does the work and keeps the outcome in the same call
 * (WabaStore's #idempotent), so an Idempotency-Key adds no call to the request.
 */
export const idempotency = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.header("Idempotency-Key");
  // a dry run stores and sends nothing, so there is nothing to replay: the key is not used up
  if (key === undefined || c.req.query("dryRun") === "true") return next();
  if (!KEY_PATTERN.test(key)) {
    throw new ApiError("VALIDATION_FAILED", "Idempotency-Key: must be 1–255 visible ASCII characters", {
      details: [{ field: "Idempotency-Key", message: "must be 1–255 visible ASCII characters" }],
    });
  }
  const fingerprint = await sha256Hex(`${c.req.method} ${c.req.path}\n${await c.req.text()}`);
  c.set("idempotency", { key, fingerprint, leaseMs: settings(c.env).sendWaitBudgetMs + 30_000 });
  await next();
});

/**
 * The WABA object's answer to an idempotent call, for its handler: a conflict becomes its error; a replay
 * is marked (`Idempotent-Replayed: true`, on errors too) and yields the first outcome; anything else is
 * the outcome of this request.
 */
export function idempotentOutcome<R>(c: Context<AppEnv>, answer: Idempotent<R>): R {
  const a = answer as Exclude<Idempotent<R>, R>;
  if (a.kind === "idempotency_conflict") {
    if (a.claim === "mismatch") {
      throw new ApiError(
        "IDEMPOTENCY_KEY_REUSED",
        "This Idempotency-Key was already used with a different request body: send a new, unique Idempotency-Key for each new request (or omit the header), and reuse a key only to retry the very same request",
      );
    }
    throw new ApiError("IDEMPOTENCY_KEY_IN_USE", "A request with this Idempotency-Key is still being processed; retry shortly", { headers: { "Retry-After": "1" } });
  }
  if (a.kind === "replay") {
    c.header("Idempotent-Replayed", "true");
    return a.outcome;
  }
  return answer as R;
}
