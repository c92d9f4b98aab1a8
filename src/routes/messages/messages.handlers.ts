import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../env";
import { ApiError } from "../../errors";
import type { SendResult } from "../../durable-objects/waba-store";
import type { SendContent } from "../../messages/inputs";
import { idempotentOutcome } from "../../middleware/idempotency";
import { failedSendError, phoneNotFoundError, refusalError } from "../../messages/outcome";
import { iso, isResourceId } from "../../schemas/common";
import { settings } from "../../settings";
import type * as routes from "./messages.routes";


/** RFC 7240 Prefer: `respond-async`, and `wait=<seconds>` to shorten the wait for Meta. */
function preferences(header: string | undefined): { async: boolean; waitMs?: number } {
  const prefs = (header ?? "").toLowerCase().split(",").map((p) => p.trim());
  const wait = prefs.map((p) => /^wait\s*=\s*(\d+)$/.exec(p)?.[1]).find(Boolean);
  return { async: prefs.includes("respond-async"), ...(wait ? { waitMs: Number(wait) * 1000 } : {}) };
}

/**
 * The shared path of the five send routes: one call to the key's WABA object, which resolves the phone
 * number, runs the checks, stores and queues the message, and (unless the client prefers not to wait)
 * waits — a push, no polling — for the relay to report Meta's answer.
 */
async function send(c: Context<AppEnv>, content: SendContent) {
  const key = c.var.key;
  const prefer = preferences(c.req.header("Prefer"));
  const answer = await c.var.store.send(key.wabaId, content, key.id, {
    wait: !prefer.async,
    waitMs: Math.min(prefer.waitMs ?? Infinity, settings(c.env).sendWaitBudgetMs),
    dryRun: c.req.query("dryRun") === "true",
    idempotency: c.var.idempotency,
  });
  // a replay answers as the first request was answered (its Prefer included)
  const result = idempotentOutcome<SendResult>(c, answer);
  c.var.counters.d1 += result.d1;
  switch (result.kind) {
    case "no_phone":
      throw phoneNotFoundError(content.input.phoneNumberId);
    case "refused":
      throw refusalError(result.refusal);
    case "sent":
      return c.json({ wamid: result.wamid }, 200);
    case "failed":
      throw failedSendError(result.error, result.draftKind);
    case "queued":
      if (result.respondAsync) c.header("Preference-Applied", "respond-async");
      return c.json({ id: result.messageId, status: "queued" as "queued" | "scheduled" }, 202);
    case "scheduled":
      return c.json({ id: result.messageId, status: "scheduled" as "queued" | "scheduled" }, 202);
    case "dry_run":
      return c.json(
        { dryRun: true as const, status: "would_send" as const, kind: result.draftKind, phoneNumberId: result.phoneNumberId, sendAt: result.sendAt === null ? null : iso(result.sendAt), estimatedWaitMs: result.estimatedWaitMs },
        200,
      );
  }
}

type Sent = Awaited<ReturnType<typeof send>>;
// each route's handler type, narrowed to the responses send() produces (errors are thrown)
type SendHandler<R extends typeof routes.sendText | typeof routes.sendTemplate | typeof routes.sendMedia | typeof routes.sendInteractive | typeof routes.sendLocation> =
  (c: Parameters<RouteHandler<R, AppEnv>>[0]) => Promise<Sent>;

export const sendText: SendHandler<typeof routes.sendText> = (c) => send(c, { route: "text", input: c.req.valid("json") });
export const sendTemplate: SendHandler<typeof routes.sendTemplate> = (c) => send(c, { route: "template", input: c.req.valid("json") });
export const sendMedia: SendHandler<typeof routes.sendMedia> = (c) => send(c, { route: "media", input: c.req.valid("json") });
export const sendInteractive: SendHandler<typeof routes.sendInteractive> = (c) => send(c, { route: "interactive", input: c.req.valid("json") });
export const sendLocation: SendHandler<typeof routes.sendLocation> = (c) => send(c, { route: "location", input: c.req.valid("json") });

export const getMessage: RouteHandler<typeof routes.getMessage, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const m = isResourceId(id) ? await c.var.store.getSentMessage(c.var.key.wabaId, id) : null;
  if (!m) throw new ApiError("NOT_FOUND", "Message not found");
  return c.json({ ...m, createdAt: iso(m.createdAt), updatedAt: iso(m.updatedAt) }, 200);
};

export const cancelMessage: RouteHandler<typeof routes.cancelMessage, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const result = isResourceId(id) ? await c.var.store.cancelScheduled(c.var.key.wabaId, id) : ({ kind: "not_found" } as const);
  if (result.kind === "not_found") throw new ApiError("NOT_FOUND", "Message not found");
  if (result.kind === "not_cancellable") throw new ApiError("INVALID_STATE", `Only a scheduled send can be cancelled; this message is ${result.status}`);
  return c.json({ id, status: "cancelled" as const }, 200);
};
