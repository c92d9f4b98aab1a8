import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import type * as routes from "./templates.routes";

export const listTemplates: RouteHandler<typeof routes.listTemplates, AppEnv> = async (c) => {
  const q = c.req.valid("query");
  const page = await c.var.store.listTemplates(c.var.key.wabaId, {
    status: q.status?.toUpperCase(),
    category: q.category,
    language: q.language,
    after: q.cursor,
    limit: q.limit,
  });
  return c.json({ data: page.items.map((t) => ({ ...t, components: JSON.parse(t.components) as Array<Record<string, unknown>> })), nextCursor: page.nextCursor }, 200);
};
