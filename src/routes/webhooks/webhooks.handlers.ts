import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import { ApiError } from "../../errors";
import { iso, isResourceId } from "../../schemas/common";
import { MAX_ENDPOINTS_PER_WABA, type DeliveryView, type EndpointView } from "../../data-plane/webhooks";
import type { EventType } from "../../data-plane/schema";
import { checkDestination } from "../../webhooks/destination";
import type * as routes from "./webhooks.routes";

const notFound = () => new ApiError("NOT_FOUND", "Webhook endpoint not found");

/**
 * The URL policy, and where the name resolves now. A resolver outage or a name not in DNS yet does not
 * block the endpoint: every delivery checks again before it connects.
 */
async function checkUrl(c: { env: AppEnv["Bindings"] }, url: string) {
  const destination = await checkDestination(c.env, url);
  if (destination.kind !== "refused") return;
  const problem = destination.final ? destination.reason : `must be a public address: ${destination.reason}`;
  throw new ApiError("VALIDATION_FAILED", `url: ${problem}`, { details: [{ field: "url", message: problem }] });
}

const out = (e: EndpointView) => ({ ...e, createdAt: iso(e.createdAt), updatedAt: iso(e.updatedAt) });
const deliveryOut = (d: DeliveryView) => ({
  ...d,
  eventType: d.eventType as EventType,
  nextAttemptAt: d.nextAttemptAt === null ? null : iso(d.nextAttemptAt),
  deliveredAt: d.deliveredAt === null ? null : iso(d.deliveredAt),
  createdAt: iso(d.createdAt),
  updatedAt: iso(d.updatedAt),
});

export const createWebhook: RouteHandler<typeof routes.createWebhook, AppEnv> = async (c) => {
  const input = c.req.valid("json");
  await checkUrl(c, input.url);
  const result = await c.var.store.createEndpoint(c.var.key.wabaId, input);
  if (result === "limit") throw new ApiError("VALIDATION_FAILED", `A WABA can have at most ${MAX_ENDPOINTS_PER_WABA} webhook endpoints`);
  return c.json({ ...out(result.endpoint), secret: result.secret }, 201);
};

export const listWebhooks: RouteHandler<typeof routes.listWebhooks, AppEnv> = async (c) => {
  const { items, nextCursor } = await c.var.store.listEndpoints(c.var.key.wabaId, c.req.valid("query"));
  return c.json({ data: items.map(out), nextCursor }, 200);
};

export const getWebhook: RouteHandler<typeof routes.getWebhook, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const e = isResourceId(id) ? await c.var.store.getEndpoint(c.var.key.wabaId, id) : null;
  if (!e) throw notFound();
  return c.json(out(e), 200);
};

export const updateWebhook: RouteHandler<typeof routes.updateWebhook, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const patch = c.req.valid("json");
  if (!isResourceId(id)) throw notFound();
  if (patch.url !== undefined) await checkUrl(c, patch.url);
  const e = await c.var.store.updateEndpoint(c.var.key.wabaId, id, patch);
  if (!e) throw notFound();
  return c.json(out(e), 200);
};

export const deleteWebhook: RouteHandler<typeof routes.deleteWebhook, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  if (!isResourceId(id) || !(await c.var.store.deleteEndpoint(c.var.key.wabaId, id))) throw notFound();
  return c.body(null, 204);
};

export const rotateWebhookSecret: RouteHandler<typeof routes.rotateWebhookSecret, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const secret = isResourceId(id) ? await c.var.store.rotateEndpointSecret(c.var.key.wabaId, id) : null;
  if (!secret) throw notFound();
  return c.json({ id, secret }, 200);
};

export const listDeliveries: RouteHandler<typeof routes.listDeliveries, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const page = isResourceId(id) ? await c.var.store.listDeliveries(c.var.key.wabaId, id, c.req.valid("query")) : null;
  if (!page) throw notFound();
  return c.json({ data: page.items.map(deliveryOut), nextCursor: page.nextCursor }, 200);
};

export const replayDelivery: RouteHandler<typeof routes.replayDelivery, AppEnv> = async (c) => {
  const { id, deliveryId } = c.req.valid("param");
  const d = isResourceId(id) && isResourceId(deliveryId) ? await c.var.store.replayDelivery(c.var.key.wabaId, id, deliveryId) : null;
  if (!d) throw new ApiError("NOT_FOUND", "Delivery not found");
  return c.json(deliveryOut(d), 202);
};
