import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import { WEBHOOK_EVENT_TYPES } from "../../data-plane/schema";
import { WebhookEventSchema } from "./webhooks.schemas";

const DESCRIBE: Record<(typeof WEBHOOK_EVENT_TYPES)[number], string> = {
  "message.sent": "Meta accepted a send (the wamid is now known).",
  "message.delivered": "Meta reports the message delivered to the recipient's phone.",
  "message.read": "The recipient read the message.",
  "message.failed": "The message will not be delivered; `data.message.error` says why (Meta's code and details, or the relay's).",
  "message.received": "A contact wrote to the WABA (text, media, interactive reply, button, location, reaction, or an unknown type kept raw).",
  "template.status_updated":
    "Meta changed a template's state: its status (approved, rejected, paused, …) or its quality flag. `data.template.event` is Meta's event (FLAGGED keeps an approved template sendable, with `flagged: true`; REINSTATED clears it).",
  "message.held": "Meta accepted a template send but holds it for quality assessment (template pacing); it later becomes sent, or failed (132015).",
  "message.played": "The recipient first played a voice note.",
  "message.edited": "The customer edited a message they sent (WhatsApp Business app coexistence); `data.message.body` is the new text.",
  "message.deleted": "The customer deleted a message they sent (coexistence); its body is no longer kept.",
  "contact.updated":
    "Meta reported a change to a contact: `data.change` is number_changed (the customer moved to a new number; their BSUID changes too), user_id_changed, marketing_stopped or marketing_resumed (set in the WhatsApp app); `data.previous` holds the values it replaced.",
  "template.category_updated": "Meta re-categorised a template (`data.template.previousCategory` → `category`); the category decides the marketing opt-out check.",
  "campaign.started": "A campaign started sending (at once, or at its `sendAt`, or resumed); `data.campaign` is the campaign with its counts.",
  "campaign.completed": "Every recipient of a campaign was handed to Meta, skipped or failed; `data.campaign.counts` are the final counts (delivery and read statuses keep coming as message events).",
};

/** "message.sent" → "onMessageSent": the operationId of the event's webhook. */
const handlerName = (type: string) => `on${type.split(/[._]/).map((w) => w[0]!.toUpperCase() + w.slice(1)).join("")}`;

/**
 * The events WBIZ POSTs to integrators' endpoints, as OpenAPI 3.1 `webhooks`. WBIZ is the caller here:
 * no API key is involved (`security: []`); the request is signed with the endpoint's secret instead.
 */
export function registerWebhookEvents(registry: OpenAPIHono["openAPIRegistry"]) {
  for (const type of WEBHOOK_EVENT_TYPES) {
    registry.registerWebhook({
      method: "post",
      path: type,
      operationId: handlerName(type),
      tags: ["Webhook events"],
      security: [],
      summary: type,
      description:
        `${DESCRIBE[type]}\n\nSigned: \`WBIZ-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the endpoint secret>\`. ` +
        "Delivered at least once (retried with backoff for 24 hours): deduplicate on `id`, order a message's events by `sequence`, " +
        "refuse timestamps older than 5 minutes. Answer 2xx within 10 seconds. See “Webhooks: verifying signatures” above.",
      request: {
        headers: z.object({
          "wbiz-signature": z.string().openapi({
            description: 'HMAC-SHA256 of "<t>.<raw body>" keyed with the endpoint secret, hex, with its timestamp `t` (unix seconds)',
            example: "t=1777398132,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd",
          }),
          "wbiz-event-id": z.string().openapi({ description: "The event's id, as `id` in the body: deduplicate on it", example: "019b7726f3a55eed05000071" }),
          "wbiz-event-type": z.enum(WEBHOOK_EVENT_TYPES).openapi({ description: "The event type, as `type` in the body" }),
          "wbiz-delivery-id": z.string().openapi({ description: "The delivery, as `GET /v1/webhooks/{id}/deliveries` lists it", example: "019b7726f3a55eed05000072" }),
        }),
        body: { content: { "application/json": { schema: WebhookEventSchema } } },
      },
      responses: { 200: { description: "Any 2xx acknowledges the event; anything else (or no answer in 10 s) is retried." } },
    });
  }
}
