import { createRouter } from "../router";
import * as h from "./webhooks.handlers";
import * as r from "./webhooks.routes";

export const webhooksRouter = createRouter()
  .openapi(r.createWebhook, h.createWebhook)
  .openapi(r.listWebhooks, h.listWebhooks)
  .openapi(r.getWebhook, h.getWebhook)
  .openapi(r.updateWebhook, h.updateWebhook)
  .openapi(r.deleteWebhook, h.deleteWebhook)
  .openapi(r.rotateWebhookSecret, h.rotateWebhookSecret)
  .openapi(r.listDeliveries, h.listDeliveries)
  .openapi(r.replayDelivery, h.replayDelivery);
