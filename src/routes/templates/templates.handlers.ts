import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import { listTemplates as listTemplatePage } from "../../templates/list-templates";
import type * as routes from "./templates.routes";

export const listTemplates: RouteHandler<typeof routes.listTemplates, AppEnv> = async (c) => {
  const q = c.req.valid("query");
  const page = await listTemplatePage(c.var.db, c.var.key.wabaId, {
    status: q.status?.toUpperCase(),
    category: q.category,
    language: q.language,
    after: q.cursor,
    limit: q.limit,
  });
  return c.json({ data: page.items, nextCursor: page.nextCursor }, 200);
};
