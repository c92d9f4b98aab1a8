import { createRoute, z } from "@hono/zod-openapi";
import { SCOPES } from "../../auth/scopes";
import { PLANS } from "../../db/schema";
import { errorResponses } from "../../errors";
import { requireAdmin } from "../../middleware/admin-auth";

// Operator-only provisioning. Hidden from the public /v1/openapi.json; used by `npm run admin`.

const IdParam = z.object({ id: z.string().regex(/^[0-9a-f]{24}$/, "must be a 24-character hex id") });
const json = <T extends z.ZodTypeAny>(schema: T) => ({ content: { "application/json": { schema } }, required: true as const });
const ok = <T extends z.ZodTypeAny>(schema: T, description = "OK") => ({ description, content: { "application/json": { schema } } });
const ADMIN_ERRORS = errorResponses("VALIDATION_FAILED", "INVALID_ADMIN_TOKEN", "NOT_FOUND", "ALREADY_EXISTS", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", "INTERNAL");
const base = { hide: true, tags: ["Admin"], middleware: requireAdmin };

const Iso = z.string();
export const WorkspaceSchema = z.object({ id: z.string(), name: z.string(), plan: z.enum(PLANS), createdAt: Iso });
export const WabaSchema = z.object({ id: z.string(), workspaceId: z.string(), metaWabaId: z.string(), name: z.string(), createdAt: Iso });
export const PhoneNumberSchema = z.object({
  id: z.string(), wabaId: z.string(), metaPhoneNumberId: z.string(), displayPhoneNumber: z.string(), isDefault: z.boolean(),
  /** the throughput the relay paces this number at (messages/s); null: Meta's default, 80 */
  throughputMps: z.number().int().nullable(),
  /** admin: set with phone:add --mps (kept); meta: Meta's reported level, read on each template sync */
  throughputSource: z.enum(["admin", "meta"]).nullable(),
  createdAt: Iso,
});
/** Meta's levels: 80 messages/s by default, 1,000 after an upgrade, 20 for numbers shared with the WhatsApp Business app. */
const ThroughputMps = z.number().int().min(1).max(1000);
export const KeySchema = z.object({
  id: z.string(), name: z.string(), prefix: z.string(), mode: z.enum(["live", "test"]), workspaceId: z.string(), wabaId: z.string(),
  scopes: z.array(z.enum(SCOPES)), planOverride: z.enum(PLANS).nullable(), createdAt: Iso, revokedAt: Iso.nullable(),
});
export const CreatedKeySchema = KeySchema.extend({ secret: z.string().openapi({ description: "Shown once. Store it now." }) });

const metaId = z.string().regex(/^\d{5,20}$/, "must be Meta's numeric id");

export const createWorkspace = createRoute({
  ...base, method: "post", path: "/admin/workspaces",
  request: { body: json(z.object({ name: z.string().min(1).max(120), plan: z.enum(PLANS).default("starter") }).strict()) },
  responses: { 201: ok(WorkspaceSchema, "Created"), ...ADMIN_ERRORS },
});

export const listWorkspaces = createRoute({
  ...base, method: "get", path: "/admin/workspaces",
  responses: { 200: ok(z.object({ data: z.array(WorkspaceSchema) })), ...ADMIN_ERRORS },
});

export const updateWorkspace = createRoute({
  ...base, method: "patch", path: "/admin/workspaces/{id}",
  request: {
    params: IdParam,
    body: json(z.object({ name: z.string().min(1).max(120).optional(), plan: z.enum(PLANS).optional() }).strict()),
  },
  responses: { 200: ok(WorkspaceSchema), ...ADMIN_ERRORS },
});

export const createWaba = createRoute({
  ...base, method: "post", path: "/admin/wabas",
  request: {
    body: json(z.object({
      workspaceId: IdParam.shape.id,
      metaWabaId: metaId,
      name: z.string().min(1).max(120),
      accessToken: z.string().min(10).max(1024).openapi({ description: "Meta system-user token; stored encrypted, never returned" }),
    }).strict()),
  },
  responses: { 201: ok(WabaSchema, "Created"), ...ADMIN_ERRORS },
});

export const listWabas = createRoute({
  ...base, method: "get", path: "/admin/wabas",
  request: { query: z.object({ workspaceId: IdParam.shape.id.optional() }) },
  responses: { 200: ok(z.object({ data: z.array(WabaSchema) })), ...ADMIN_ERRORS },
});

export const updateWaba = createRoute({
  ...base, method: "patch", path: "/admin/wabas/{id}",
  request: {
    params: IdParam,
    body: json(z.object({ name: z.string().min(1).max(120).optional(), accessToken: z.string().min(10).max(1024).optional() }).strict()),
  },
  responses: { 200: ok(WabaSchema), ...ADMIN_ERRORS },
});

export const addPhoneNumber = createRoute({
  ...base, method: "post", path: "/admin/wabas/{id}/phone-numbers",
  request: {
    params: IdParam,
    body: json(z.object({ metaPhoneNumberId: metaId, displayPhoneNumber: z.string().min(3).max(32), isDefault: z.boolean().optional(), throughputMps: ThroughputMps.optional() }).strict()),
  },
  responses: { 201: ok(PhoneNumberSchema, "Created"), ...ADMIN_ERRORS },
});

export const listPhoneNumbers = createRoute({
  ...base, method: "get", path: "/admin/wabas/{id}/phone-numbers",
  request: { params: IdParam },
  responses: { 200: ok(z.object({ data: z.array(PhoneNumberSchema) })), ...ADMIN_ERRORS },
});

export const createKey = createRoute({
  ...base, method: "post", path: "/admin/keys",
  request: {
    body: json(z.object({
      wabaId: IdParam.shape.id,
      name: z.string().min(1).max(120),
      scopes: z.array(z.enum(SCOPES)).min(1),
      mode: z.enum(["live", "test"]).default("live"),
      planOverride: z.enum(PLANS).optional(),
    }).strict()),
  },
  responses: { 201: ok(CreatedKeySchema, "Created; the secret is shown only here"), ...ADMIN_ERRORS },
});

export const listKeys = createRoute({
  ...base, method: "get", path: "/admin/keys",
  request: {
    query: z.object({
      workspaceId: IdParam.shape.id.optional(),
      wabaId: IdParam.shape.id.optional(),
      cursor: IdParam.shape.id.optional(),
      limit: z.coerce.number().int().min(1).max(100).default(100),
    }),
  },
  responses: { 200: ok(z.object({ data: z.array(KeySchema), nextCursor: z.string().nullable() })), ...ADMIN_ERRORS },
});

export const revokeKey = createRoute({
  ...base, method: "post", path: "/admin/keys/{id}/revoke",
  request: { params: IdParam },
  responses: { 200: ok(KeySchema), ...ADMIN_ERRORS },
});

/** Which of the WABA's two data planes: live (Meta) or test mode (the sandbox). */
const ModeQuery = z.object({
  mode: z.enum(["live", "test"]).default("live").openapi({ description: "The WABA's live data (default) or its test-mode data (test keys, the sandbox)" }),
});

export const TemplateSyncSchema = z.object({
  wabaId: z.string(),
  mode: z.enum(["live", "test"]),
  fetched: z.number().int().openapi({ description: "Templates Meta listed (all pages)" }),
  created: z.number().int(),
  updated: z.number().int().openapi({ description: "Changed upstream, or back after being removed" }),
  unchanged: z.number().int(),
  removed: z.number().int().openapi({ description: "No longer listed by Meta: marked removed and hidden from GET /v1/templates" }),
  syncedAt: Iso,
});

export const syncTemplates = createRoute({
  ...base, method: "post", path: "/admin/wabas/{id}/templates/sync",
  description: "Mirror the WABA's templates from Meta now (the cron does this every 30 minutes); `?mode=test`: its test-mode templates, from the sandbox.",
  request: { params: IdParam, query: ModeQuery },
  responses: { 200: ok(TemplateSyncSchema), ...ADMIN_ERRORS, ...errorResponses("META_UPSTREAM_ERROR") },
});

export const MetaAlertSchema = z.object({
  id: z.string(),
  metaPhoneNumberId: z.string().nullable(),
  code: z.number().int().nullable(),
  title: z.string().nullable(),
  message: z.string().nullable(),
  details: z.string().nullable(),
  createdAt: Iso,
});

export const listAlerts = createRoute({
  ...base, method: "get", path: "/admin/wabas/{id}/alerts",
  description: "Meta's system-level errors for this WABA (`value.errors` of its webhooks), newest first (the latest 100).",
  request: { params: IdParam, query: ModeQuery },
  responses: { 200: ok(z.object({ data: z.array(MetaAlertSchema) })), ...ADMIN_ERRORS },
});

export const exportWaba = createRoute({
  ...base, method: "get", path: "/admin/wabas/{id}/export",
  description: "Every row of the WABA's data plane as JSON lines ({\"table\", \"row\"} per line), streamed: offboarding and data-protection requests.",
  request: { params: IdParam, query: ModeQuery },
  responses: { 200: { description: "JSON lines", content: { "application/x-ndjson": { schema: z.string() } } }, ...ADMIN_ERRORS },
});

export const importWaba = createRoute({
  ...base, method: "post", path: "/admin/wabas/{id}/import",
  description: "Upserts rows given as export lines (by primary key): the local demo seed, or restoring a small export. Unknown tables or columns refuse the whole body.",
  request: { params: IdParam, query: ModeQuery, body: { content: { "application/x-ndjson": { schema: z.string() } }, required: true } },
  responses: {
    200: ok(z.object({ wabaId: z.string(), mode: z.enum(["live", "test"]), rows: z.number().int(), byTable: z.record(z.string(), z.number().int()) })),
    ...ADMIN_ERRORS,
  },
});

export const eraseWaba = createRoute({
  ...base, method: "delete", path: "/admin/wabas/{id}",
  description: "Deletes the WABA's data plane (its live and test-mode objects' storage) and its control-plane rows (keys, phone numbers, the WABA). Its keys stop working at once.",
  request: { params: IdParam },
  responses: { 200: ok(z.object({ wabaId: z.string(), metaWabaId: z.string(), keysDeleted: z.number().int() })), ...ADMIN_ERRORS },
});
