import { createRouter } from "../router";
import * as h from "./meta-webhook.handlers";
import * as r from "./meta-webhook.routes";

export const metaWebhookRouter = createRouter().openapi(r.verifyMetaWebhook, h.verifyMetaWebhook).openapi(r.receiveMetaWebhook, h.receiveMetaWebhook)
  .openapi(r.receiveSandboxWebhook, h.receiveSandboxWebhook);
