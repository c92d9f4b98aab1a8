import { createRoute, z } from "@hono/zod-openapi";
import { AUTH_ERRORS, errorResponses, rateLimitHeaders } from "../../errors";
import { PathId, pageLimit } from "../../schemas/common";
import { withScope } from "../../schemas/operation";
import { authenticated } from "../router";
import { CreateWebhookBody, DeliverySchema, UpdateWebhookBody, WebhookSchema, WebhookSecretSchema, WebhookWithSecretSchema } from "./webhooks.schemas";

const base = { tags: ["Webhooks"], ...authenticated("webhooks:manage") };
const described = (text: string) => withScope("webhooks:manage", text);
const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({ description, headers: rateLimitHeaders, content: { "application/json": { schema } } });
const body = <T extends z.ZodTypeAny>(schema: T) => ({ content: { "application/json": { schema } }, required: true as const });
const Cursor = z.string().regex(/^[0-9a-f]{24}$/, "must be an id from a previous page").optional();

export const createWebhook = createRoute({
  ...base,
  method: "post",
  path: "/v1/webhooks",
  operationId: "createWebhook",
  summary: "Create a webhook endpoint",
  description: described(
    "Events for the key's WABA are POSTed to `url`, signed with the returned secret (shown once): see “Webhooks: verifying signatures” above for `WBIZ-Signature`, " +
      "and the Webhook events section for each event's body. At most 10 endpoints per WABA.",
  ),
  request: { body: body(CreateWebhookBody) },
  responses: { 201: json(WebhookWithSecretSchema, "Created"), ...errorResponses(...AUTH_ERRORS, "VALIDATION_FAILED", "UNSUPPORTED_MEDIA_TYPE") },
});

export const listWebhooks = createRoute({
  ...base,
  method: "get",
  path: "/v1/webhooks",
  operationId: "listWebhooks",
  summary: "List webhook endpoints",
  description: described("Cursor-paginated, oldest first. Secrets are never listed."),
  request: { query: z.object({ limit: pageLimit(25, 100), cursor: Cursor }) },
  responses: { 200: json(z.object({ data: z.array(WebhookSchema), nextCursor: z.string().nullable() }), "Endpoints, oldest first"), ...errorResponses(...AUTH_ERRORS, "VALIDATION_FAILED") },
});

export const getWebhook = createRoute({
  ...base,
  method: "get",
  path: "/v1/webhooks/{id}",
  operationId: "getWebhook",
  summary: "Get a webhook endpoint",
  description: described("One endpoint by id; another WABA's id answers 404."),
  request: { params: PathId },
  responses: { 200: json(WebhookSchema, "The endpoint"), ...errorResponses(...AUTH_ERRORS, "NOT_FOUND") },
});

export const updateWebhook = createRoute({
  ...base,
  method: "patch",
  path: "/v1/webhooks/{id}",
  operationId: "updateWebhook",
  summary: "Update a webhook endpoint",
  description: described("Change its URL, events, description, or enable/disable it."),
  request: { params: PathId, body: body(UpdateWebhookBody) },
  responses: { 200: json(WebhookSchema, "The endpoint"), ...errorResponses(...AUTH_ERRORS, "VALIDATION_FAILED", "NOT_FOUND", "UNSUPPORTED_MEDIA_TYPE") },
});

export const deleteWebhook = createRoute({
  ...base,
  method: "delete",
  path: "/v1/webhooks/{id}",
  operationId: "deleteWebhook",
  summary: "Delete a webhook endpoint",
  description: described("Its pending deliveries are dropped."),
  request: { params: PathId },
  responses: { 204: { description: "Deleted", headers: rateLimitHeaders }, ...errorResponses(...AUTH_ERRORS, "NOT_FOUND") },
});

export const rotateWebhookSecret = createRoute({
  ...base,
  method: "post",
  path: "/v1/webhooks/{id}/rotate-secret",
  operationId: "rotateWebhookSecret",
  summary: "Rotate the signing secret",
  description: described("Returns a new secret (shown once); the old one stops signing at once."),
  request: { params: PathId },
  responses: { 200: json(WebhookSecretSchema, "The new secret"), ...errorResponses(...AUTH_ERRORS, "NOT_FOUND") },
});

export const listDeliveries = createRoute({
  ...base,
  method: "get",
  path: "/v1/webhooks/{id}/deliveries",
  operationId: "listWebhookDeliveries",
  summary: "List recent deliveries",
  description: described("Newest first, with each delivery's status, attempts and last error."),
  request: {
    params: PathId,
    query: z.object({ status: z.enum(["pending", "succeeded", "failed"]).optional(), limit: pageLimit(25, 100), cursor: Cursor }),
  },
  responses: { 200: json(z.object({ data: z.array(DeliverySchema), nextCursor: z.string().nullable() }), "Deliveries"), ...errorResponses(...AUTH_ERRORS, "VALIDATION_FAILED", "NOT_FOUND") },
});

export const replayDelivery = createRoute({
  ...base,
  method: "post",
  path: "/v1/webhooks/{id}/deliveries/{deliveryId}/replay",
  operationId: "replayWebhookDelivery",
  summary: "Replay a delivery",
  description: described("Sends the delivery's event again (same event id and body, new signature), with a fresh retry budget."),
  request: { params: PathId.extend({ deliveryId: z.string().openapi({ param: { name: "deliveryId", in: "path" } }) }) },
  responses: { 202: json(DeliverySchema, "Queued again"), ...errorResponses(...AUTH_ERRORS, "NOT_FOUND") },
});
