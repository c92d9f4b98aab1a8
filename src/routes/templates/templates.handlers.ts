import type { RouteHandler } from "@hono/zod-openapi";
import type { ManagedTemplate, TemplateItem } from "../../data-plane/templates";
import type { AppEnv } from "../../env";
import { ApiError } from "../../errors";
import { createTemplate as create, deleteTemplates, editTemplate, type TemplateFailure } from "../../templates/manage-templates";
import type * as routes from "./templates.routes";

/** A stored template as the API shows it (the list's items, GET, POST and PATCH answers). */
const templateOf = (t: TemplateItem | ManagedTemplate) => ({
  id: t.id,
  name: t.name,
  language: t.language,
  category: t.category,
  status: t.status,
  parameterFormat: t.parameterFormat,
  components: JSON.parse(t.components) as Array<Record<string, unknown>>,
  rejectedReason: t.rejectedReason,
});

export const listTemplates: RouteHandler<typeof routes.listTemplates, AppEnv> = async (c) => {
  const q = c.req.valid("query");
  const page = await c.var.store.listTemplates(c.var.key.wabaId, {
    status: q.status?.toUpperCase(),
    category: q.category,
    language: q.language,
    after: q.cursor,
    limit: q.limit,
  });
  return c.json({ data: page.items.map(templateOf), nextCursor: page.nextCursor }, 200);
};

/** A refused template operation at the HTTP edge. `notFound`: the code of a 404 (ids: NOT_FOUND; names: TEMPLATE_NOT_FOUND). */
function refusal(f: TemplateFailure, notFound: "NOT_FOUND" | "TEMPLATE_NOT_FOUND" = "NOT_FOUND"): ApiError {
  switch (f.kind) {
    case "invalid": {
      const said = f.problems.slice(0, 3).map((p) => `${p.field}: ${p.message}`).join("; ");
      const more = f.problems.length > 3 ? ` (and ${f.problems.length - 3} more in details)` : "";
      return new ApiError("VALIDATION_FAILED", said + more, { details: f.problems });
    }
    case "not_found":
      return new ApiError(notFound, f.message, { upstream: f.upstream });
    case "exists":
      return new ApiError("ALREADY_EXISTS", f.message, { upstream: f.upstream });
    case "invalid_state":
      return new ApiError("INVALID_STATE", f.message, { upstream: f.upstream });
    case "meta_refused":
      return new ApiError("VALIDATION_FAILED", f.message, { upstream: f.upstream, details: [{ message: f.message }] });
    case "upstream":
      return new ApiError("META_UPSTREAM_ERROR", f.message, { upstream: f.upstream });
  }
}

const keyOf = (c: { var: AppEnv["Variables"] }) => ({ wabaId: c.var.key.wabaId });

export const createTemplate: RouteHandler<typeof routes.createTemplate, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  const result = await create(c.env, c.var.store, keyOf(c), body);
  if (!result.ok) throw refusal(result);
  return c.json(templateOf(result.value), 201);
};

export const getTemplate: RouteHandler<typeof routes.getTemplate, AppEnv> = async (c) => {
  const { template } = c.req.valid("param");
  const found = await c.var.store.getTemplate(c.var.key.wabaId, template);
  if (!found) throw new ApiError("NOT_FOUND", `No template with id ${template}`);
  return c.json(templateOf(found), 200);
};

export const updateTemplate: RouteHandler<typeof routes.updateTemplate, AppEnv> = async (c) => {
  const { template } = c.req.valid("param");
  const result = await editTemplate(c.env, c.var.store, keyOf(c), template, c.req.valid("json"));
  if (!result.ok) throw refusal(result);
  return c.json(templateOf(result.value), 200);
};

export const deleteTemplate: RouteHandler<typeof routes.deleteTemplate, AppEnv> = async (c) => {
  const { template } = c.req.valid("param");
  const { language } = c.req.valid("query");
  const result = await deleteTemplates(c.env, c.var.store, keyOf(c), template, language);
  if (!result.ok) throw refusal(result, "TEMPLATE_NOT_FOUND");
  return c.json({ deleted: result.value }, 200);
};
