import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import { ApiError } from "../../errors";
import { iso, isResourceId } from "../../schemas/common";
import type * as routes from "./conversations.routes";

export const listConversations: RouteHandler<typeof routes.listConversations, AppEnv> = async (c) => {
  const q = c.req.valid("query");
  const page = await c.var.store.listConversations(c.var.key.wabaId, { status: q.status, channel: q.channel, before: q.cursor, limit: q.limit });
  return c.json(
    {
      data: page.items.map((item) => ({ ...item, lastMessageAt: iso(item.lastMessageAt) })),
      nextCursor: page.nextCursor === null ? null : iso(page.nextCursor),
    },
    200,
  );
};

export const listMessages: RouteHandler<typeof routes.listMessages, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const q = c.req.valid("query");
  // malformed, unknown and other WABAs' conversation ids answer alike
  const page = isResourceId(id) ? await c.var.store.listMessages(c.var.key.wabaId, id, { beforeId: q.beforeId, limit: q.limit }) : { kind: "no_conversation" as const };
  if (page.kind === "no_conversation") throw new ApiError("NOT_FOUND", "Conversation not found");
  if (page.kind === "unknown_before_id") {
    const message = "is not a message of this conversation";
    throw new ApiError("VALIDATION_FAILED", `beforeId: ${message}`, { details: [{ field: "beforeId", message }] });
  }
  const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
  return c.json(
    { data: page.items.map((m) => ({ ...m, createdAt: iso(m.createdAt), editedAt: isoOrNull(m.editedAt), deletedAt: isoOrNull(m.deletedAt) })), nextCursor: page.nextCursor },
    200,
  );
};
