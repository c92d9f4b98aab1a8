import { createRoute, z } from "@hono/zod-openapi";
import { AUTH_ERRORS, errorResponses, rateLimitHeaders } from "../../errors";
import { pageLimit, ResourceId } from "../../schemas/common";
import { Page } from "../../schemas/page";
import { withScope } from "../../schemas/operation";
import { authenticated } from "../router";

export const TEMPLATE_STATUS_FILTERS = ["approved", "pending", "rejected"] as const;

export const ListTemplatesQuery = z.object({
  status: z
    .string()
    .transform((s) => s.toLowerCase())
    .pipe(z.enum(TEMPLATE_STATUS_FILTERS, { error: "must be approved, pending or rejected" }))
    .optional()
    .openapi({ type: "string", enum: [...TEMPLATE_STATUS_FILTERS], description: "Filter by Meta-approval state. Default returns all.", example: "approved" }),
  category: z
    .string()
    .regex(/^[A-Za-z_]{1,32}$/, "must be a template category: utility, marketing or authentication")
    .transform((s) => s.toUpperCase())
    .optional()
    .openapi({ type: "string", description: "Filter by template category (utility, marketing, authentication); case-insensitive.", example: "utility" }),
  language: z.string().min(1).max(16).optional().openapi({ description: "Locale code filter — exact match on Meta-approved language.", example: "en_US" }),
  limit: pageLimit(25, 100),
  cursor: ResourceId.optional().openapi({ description: "Cursor returned by the previous page (template id)." }),
});

// A template's components as Meta lists them (upper-case types), for the document: typed for the fields
// Meta documents, and open, since Meta adds component and button types and fields, passed through as given.

const TemplateButtonSchema = z
  .object({
    type: z.string().openapi({ description: "QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE, OTP, FLOW, MPM, CATALOG, … (Meta adds types: keep a default branch)", example: "URL" }),
    text: z.string().optional().openapi({ description: "The button's label", example: "See deals" }),
    url: z.string().optional().openapi({ description: "URL buttons: the target, with at most one trailing {{1}}", example: "https://x.example/deals/{{1}}" }),
    phone_number: z.string().optional().openapi({ description: "PHONE_NUMBER buttons", example: "+16467043595" }),
    example: z.unknown().optional().openapi({ description: "Meta's sample values for the button's variable" }),
  })
  .passthrough()
  .openapi("TemplateButton");

export const TemplateComponentSchema = z
  .object({
    type: z.string().openapi({ description: "HEADER, BODY, FOOTER, BUTTONS; CAROUSEL, LIMITED_TIME_OFFER, … (Meta adds types: keep a default branch)", example: "BODY" }),
    format: z.string().optional().openapi({ description: "HEADER only: TEXT, IMAGE, VIDEO, DOCUMENT or LOCATION", example: "TEXT" }),
    text: z.string().optional().openapi({ description: "HEADER (format TEXT), BODY and FOOTER: the text, with {{1}}… or {{name}} placeholders", example: "Hi {{1}}! Order #{{2}} ships {{3}}." }),
    example: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: "Meta's sample values: header_text, header_handle, body_text, body_text_named_params", example: { body_text: [["Aarav", "4827", "tomorrow"]] } }),
    buttons: z.array(TemplateButtonSchema).optional().openapi({ description: "BUTTONS only: up to 10 buttons" }),
  })
  .passthrough()
  .openapi("TemplateComponent");

export const TemplateSchema = z
  .object({
    id: z.string().openapi({ description: "Our template id; the list's cursor", example: "65fc2e1b9a8b1c0d2e3f4a5b" }),
    name: z.string().openapi({ example: "order_shipped_v2" }),
    language: z.string().openapi({ example: "en_US" }),
    category: z.string().openapi({ description: "Meta's category, upper case: UTILITY, MARKETING, AUTHENTICATION", example: "UTILITY" }),
    status: z.string().openapi({ description: "Meta's status, upper case: APPROVED, PENDING, REJECTED, PAUSED, DISABLED, …", example: "APPROVED" }),
    parameterFormat: z.string().openapi({ description: "Meta's parameter format: POSITIONAL ({{1}}, {{2}}, …) or NAMED ({{first_name}})", example: "POSITIONAL" }),
    // stored as Meta sent them: parsed as records, documented as TemplateComponent (registered by the document)
    components: z
      .array(z.record(z.string(), z.unknown()))
      .openapi({ description: "Meta-shaped components, as Meta lists them", items: { $ref: "#/components/schemas/TemplateComponent" } }),
    rejectedReason: z
      .string()
      .nullable()
      .openapi({ description: "Meta's reason while the template is REJECTED (INVALID_FORMAT, TAG_CONTENT_MISMATCH, …); null otherwise", example: null }),
  })
  .openapi("Template", {
    example: {
      id: "65fc2e1b9a8b1c0d2e3f4a5b",
      name: "order_shipped_v2",
      language: "en_US",
      category: "UTILITY",
      status: "APPROVED",
      parameterFormat: "POSITIONAL",
      components: [{ type: "BODY", text: "Hi {{1}}! Order #{{2}} ships {{3}}." }],
      rejectedReason: null,
    },
  });

export const listTemplates = createRoute({
  method: "get",
  path: "/v1/templates",
  operationId: "listTemplates",
  tags: ["Templates"],
  summary: "List templates",
  description: withScope(
    "templates:read",
    "Cursor-paginated list of templates on the WABA bound to your API key, oldest first. Filter by approval status, category or language. " +
    "Templates are mirrored from Meta on a schedule; a template deleted at Meta is no longer listed.",
  ),
  ...authenticated("templates:read"),
  request: { query: ListTemplatesQuery },
  responses: {
    200: {
      description: "One page of templates; nextCursor is null on the last page",
      headers: rateLimitHeaders,
      content: { "application/json": { schema: Page(TemplateSchema, "65fc2e1b9a8b1c0d2e3f4a5c").openapi("TemplatePage") } },
    },
    ...errorResponses("VALIDATION_FAILED", ...AUTH_ERRORS),
  },
});

// ---- management: create, read one, edit, delete (scope templates:write; reading one: templates:read) ----

const json = <T>(schema: T) => ({ "application/json": { schema } });

/** Request components: Meta's shape (type, format and button types in either case), checked by Meta's rules in the handler. */
const ComponentsInput = z
  .array(TemplateComponentSchema)
  .openapi({
    description:
      "Meta's template components (HEADER, BODY, FOOTER, BUTTONS), as Meta's POST /{waba-id}/message_templates takes them. " +
      "Variables are {{1}}, {{2}}, … (positional) or {{first_name}} (named), each with the example Meta requires " +
      "(body_text / body_text_named_params, header_text / header_text_named_params). A media header (IMAGE, VIDEO, DOCUMENT) takes " +
      "Meta's upload handle in example.header_handle, or an id from POST /v1/media in example.header_media_id, which WBIZ turns into a handle.",
  });

export const CreateTemplateBody = z
  .object({
    name: z.string().openapi({ description: "Lower-case letters, digits and underscores, at most 512 characters", example: "order_shipped_v3" }),
    language: z.string().openapi({ description: "Meta's language code", example: "en_US" }),
    category: z.string().openapi({ description: "marketing, utility or authentication (case-insensitive)", example: "utility" }),
    parameterFormat: z
      .enum(["positional", "named", "POSITIONAL", "NAMED"])
      .optional()
      .openapi({ description: "How the variables are written: positional {{1}} (default) or named {{first_name}}" }),
    allowCategoryChange: z.boolean().optional().openapi({ description: "Let Meta assign the category it judges right instead of refusing the template (Meta's allow_category_change)" }),
    components: ComponentsInput,
  })
  .strict()
  .openapi("CreateTemplate", {
    example: {
      // no variables here: Spectral reads a nested `example` key in an example as a schema's keyword
      name: "order_shipped_notice",
      language: "en_US",
      category: "utility",
      components: [
        { type: "BODY", text: "Your order has shipped. Track it from your account." },
        { type: "FOOTER", text: "WBIZ Demo Store" },
        { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Stop updates" }] },
      ],
    },
  });

export const UpdateTemplateBody = z
  .object({
    category: z.string().optional().openapi({ description: "marketing, utility or authentication; not for an APPROVED template", example: "marketing" }),
    components: ComponentsInput.optional(),
  })
  .strict()
  .refine((b) => b.category !== undefined || b.components !== undefined, { message: "give components, category or both" })
  .openapi("UpdateTemplate", {
    example: { components: [{ type: "BODY", text: "Your order is on its way. Track it from your account." }] },
  });

/**
 * One path parameter for the three operations on /v1/templates/{template}: OpenAPI takes paths that differ
 * only in a parameter's name for the same path, so GET and PATCH (a template id) and DELETE (a template
 * name, as Meta deletes by name) share the name `template`.
 */
const TemplateParam = z.object({
  template: z.string().openapi({
    param: { name: "template", in: "path" },
    description: "GET and PATCH: the template's id; DELETE: the template's name (every language, or one with ?language=)",
    example: "65fc2e1b9a8b1c0d2e3f4a5b",
  }),
});

const DeleteTemplatesQuery = z.object({
  language: z.string().min(1).max(16).optional().openapi({ description: "Delete only this language of the template (Meta's hsm_id)", example: "en_US" }),
});

export const DeletedTemplatesSchema = z
  .object({
    deleted: z.array(z.object({ id: z.string(), name: z.string(), language: z.string() })).openapi({ description: "The templates deleted, one per language" }),
  })
  .openapi("DeletedTemplates", { example: { deleted: [{ id: "65fc2e1b9a8b1c0d2e3f4a5b", name: "order_shipped_v2", language: "en_US" }] } });

export const createTemplate = createRoute({
  method: "post",
  path: "/v1/templates",
  operationId: "createTemplate",
  tags: ["Templates"],
  summary: "Submit a template",
  description: withScope(
    "templates:write",
    "Submit a template to Meta for review. Meta's authoring rules are checked first (name, language, category, one BODY, lengths, " +
    "variables in order with their examples, button counts and lengths): each failure is a 400 naming the field. Meta's own refusal " +
    "is a 400 with Meta's error in `upstream`; the same name and language twice is 409. The template is stored PENDING; Meta's " +
    "review result arrives by webhook (`template.status_updated`) and shows in GET /v1/templates/{template}.",
  ),
  ...authenticated("templates:write"),
  request: { body: { content: json(CreateTemplateBody), required: true } },
  responses: {
    201: { description: "Meta accepted the template for review: it is PENDING", headers: rateLimitHeaders, content: json(TemplateSchema) },
    ...errorResponses("VALIDATION_FAILED", "UNSUPPORTED_MEDIA_TYPE", "ALREADY_EXISTS", "META_UPSTREAM_ERROR", ...AUTH_ERRORS),
  },
});

export const getTemplate = createRoute({
  method: "get",
  path: "/v1/templates/{template}",
  operationId: "getTemplate",
  tags: ["Templates"],
  summary: "Get a template",
  description: withScope("templates:read", "One template by id, with its status and, when Meta rejected it, Meta's reason. Unknown, malformed and other WABAs' ids answer 404."),
  ...authenticated("templates:read"),
  request: { params: TemplateParam },
  responses: {
    200: { description: "The template", headers: rateLimitHeaders, content: json(TemplateSchema) },
    ...errorResponses("NOT_FOUND", ...AUTH_ERRORS),
  },
});

export const updateTemplate = createRoute({
  method: "patch",
  path: "/v1/templates/{template}",
  operationId: "updateTemplate",
  tags: ["Templates"],
  summary: "Edit a template",
  description: withScope(
    "templates:write",
    "Replace a template's components and/or change its category, through Meta. Meta edits only APPROVED, REJECTED or PAUSED templates, " +
    "never an approved template's category (409 INVALID_STATE), and an approved template at most once a day and 10 times in 30 days " +
    "(Meta's refusal, in `upstream`). An edited template goes back to PENDING while Meta reviews it again.",
  ),
  ...authenticated("templates:write"),
  request: { params: TemplateParam, body: { content: json(UpdateTemplateBody), required: true } },
  responses: {
    200: { description: "The template as edited: PENDING", headers: rateLimitHeaders, content: json(TemplateSchema) },
    ...errorResponses("VALIDATION_FAILED", "UNSUPPORTED_MEDIA_TYPE", "NOT_FOUND", "INVALID_STATE", "META_UPSTREAM_ERROR", ...AUTH_ERRORS),
  },
});

export const deleteTemplate = createRoute({
  method: "delete",
  path: "/v1/templates/{template}",
  operationId: "deleteTemplate",
  tags: ["Templates"],
  summary: "Delete a template",
  description: withScope(
    "templates:write",
    "Delete a template by name at Meta: every language, or one with ?language=. Deleted templates leave the list and no longer send. " +
    "Meta does not delete DISABLED templates (409), and an approved template's name cannot be used again for 30 days.",
  ),
  ...authenticated("templates:write"),
  request: { params: TemplateParam, query: DeleteTemplatesQuery },
  responses: {
    200: { description: "What was deleted", headers: rateLimitHeaders, content: json(DeletedTemplatesSchema) },
    ...errorResponses("VALIDATION_FAILED", "TEMPLATE_NOT_FOUND", "INVALID_STATE", "META_UPSTREAM_ERROR", ...AUTH_ERRORS),
  },
});
