import type { RouteHandler } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import { messages, contacts } from "../../db/schema";
import type { AppEnv } from "../../env";
import { ApiError } from "../../errors";
import { composeInteractive, composeLocation, composeMedia, composeTemplate, composeText, isRefusal, type Draft } from "../../messages/compose";
import { failedSendError } from "../../messages/outcome";
import type { Recipient } from "../../messages/recipient";
import { loadSendContext, queueSend, sendWaitBudgetMs, windowRefusal, type Refusal, type SendContext } from "../../messages/send";
import { iso, isResourceId } from "../../schemas/common";
import type * as routes from "./messages.routes";

const refused = (r: Refusal) => new ApiError(r.code, r.message, r.details ? { details: r.details } : {});

/** RFC 7240 Prefer: `respond-async`, and `wait=<seconds>` to shorten the wait for Meta. */
function preferences(header: string | undefined): { async: boolean; waitMs?: number } {
  const prefs = (header ?? "").toLowerCase().split(",").map((p) => p.trim());
  const wait = prefs.map((p) => /^wait\s*=\s*(\d+)$/.exec(p)?.[1]).find(Boolean);
  return { async: prefs.includes("respond-async"), ...(wait ? { waitMs: Number(wait) * 1000 } : {}) };
}

/**
 * The shared path of the five send routes: resolve the phone number, run the checks that need storage,
 * store and queue the message, then wait (push, not poll) for the relay to report Meta's answer.
 */
async function send(
  c: Context<AppEnv>,
  req: Recipient & { phoneNumberId?: string; template?: string; needsWindow: boolean },
  compose: Draft | ((ctx: SendContext) => Draft | Refusal),
) {
  const key = c.var.key;
  const ctx = await loadSendContext(c.var.db, key.wabaId, req);
  if (!ctx.metaPhoneNumberId) {
    throw new ApiError(
      "PHONE_NOT_FOUND",
      req.phoneNumberId ? `phoneNumberId ${req.phoneNumberId} does not belong to the WABA tied to this API key` : "The WABA tied to this API key has no phone number",
      req.phoneNumberId ? { details: [{ field: "phoneNumberId", message: "not a phone number of this WABA" }] } : {},
    );
  }
  const draft = typeof compose === "function" ? compose(ctx) : compose;
  if (isRefusal(draft)) throw refused(draft);
  if (req.needsWindow) {
    const closed = windowRefusal(ctx);
    if (closed) throw refused(closed);
  }

  const prefer = preferences(c.req.header("Prefer"));
  const { messageId } = await queueSend(c.var.db, c.env, {
    wabaId: key.wabaId,
    apiKeyId: key.id,
    keyHash: key.keyHash,
    recipient: { to: req.to, userId: req.userId },
    metaPhoneNumberId: ctx.metaPhoneNumberId,
    kind: draft.kind,
    body: draft.body,
    payload: draft.payload,
    notify: !prefer.async,
  });
  const queued = () => c.json({ id: messageId, status: "queued" as const }, 202);
  if (prefer.async) {
    c.header("Preference-Applied", "respond-async");
    return queued();
  }
  c.var.counters.durableObject++;
  const outcome = await c.var.gate.awaitOutcome(messageId, Math.min(prefer.waitMs ?? Infinity, sendWaitBudgetMs(c.env)));
  if (!outcome) return queued();
  if (outcome.status === "sent") return c.json({ wamid: outcome.wamid }, 200);
  throw failedSendError(outcome.error, draft.kind);
}

type Sent = Awaited<ReturnType<typeof send>>;
// each route's handler type, narrowed to the responses send() produces (errors are thrown)
type SendHandler<R extends typeof routes.sendText | typeof routes.sendTemplate | typeof routes.sendMedia | typeof routes.sendInteractive | typeof routes.sendLocation> =
  (c: Parameters<RouteHandler<R, AppEnv>>[0]) => Promise<Sent>;

export const sendText: SendHandler<typeof routes.sendText> = (c) => {
  const input = c.req.valid("json");
  return send(c, { ...input, needsWindow: true }, composeText(input));
};

export const sendTemplate: SendHandler<typeof routes.sendTemplate> = (c) => {
  const input = c.req.valid("json");
  return send(c, { to: input.to, userId: input.userId, phoneNumberId: input.phoneNumberId, template: input.template, needsWindow: false }, (ctx) => composeTemplate(input, ctx));
};

export const sendMedia: SendHandler<typeof routes.sendMedia> = (c) => {
  const input = c.req.valid("json");
  const draft = composeMedia(input);
  if (isRefusal(draft)) throw refused(draft);
  return send(c, { ...input, needsWindow: true }, draft);
};

export const sendInteractive: SendHandler<typeof routes.sendInteractive> = (c) => {
  const input = c.req.valid("json");
  const draft = composeInteractive(input);
  if (isRefusal(draft)) throw refused(draft);
  return send(c, { ...input, needsWindow: true }, draft);
};

export const sendLocation: SendHandler<typeof routes.sendLocation> = (c) => {
  const input = c.req.valid("json");
  return send(c, { ...input, needsWindow: true }, composeLocation(input));
};

export const getMessage: RouteHandler<typeof routes.getMessage, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const row = isResourceId(id)
    ? await c.var.db
        .select({ m: messages, phone: contacts.phone, userId: contacts.userId })
        .from(messages)
        .innerJoin(contacts, eq(contacts.id, messages.contactId))
        .where(and(eq(messages.id, id), eq(messages.wabaId, c.var.key.wabaId), eq(messages.direction, "outbound")))
        .get()
    : undefined;
  if (!row) throw new ApiError("NOT_FOUND", "Message not found");
  const m = row.m;
  return c.json(
    {
      id: m.id,
      wamid: m.wamid,
      status: m.status,
      kind: m.kind,
      to: row.phone,
      userId: row.userId,
      phoneNumberId: m.metaPhoneNumberId,
      body: m.body,
      error: m.error ? JSON.parse(m.error) : null,
      createdAt: iso(m.createdAt),
      updatedAt: iso(m.updatedAt),
    },
    200,
  );
};
