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
    // stored as Meta sent them: parsed as records, documented as TemplateComponent (registered by the document)
    components: z
      .array(z.record(z.string(), z.unknown()))
      .openapi({ description: "Meta-shaped components, as Meta lists them", items: { $ref: "#/components/schemas/TemplateComponent" } }),
  })
  .openapi("Template", {
    example: {
      id: "65fc2e1b9a8b1c0d2e3f4a5b",
      name: "order_shipped_v2",
      language: "en_US",
      category: "UTILITY",
      status: "APPROVED",
      components: [{ type: "BODY", text: "Hi {{1}}! Order #{{2}} ships {{3}}." }],
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
