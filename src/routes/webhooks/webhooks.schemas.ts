import { z } from "@hono/zod-openapi";
import { WEBHOOK_EVENT_TYPES } from "../../data-plane/schema";
import { CampaignSchema } from "../campaigns/campaigns.schemas";
import { IsoDateTime } from "../../schemas/common";

const EventTypes = z
  .array(z.enum(WEBHOOK_EVENT_TYPES))
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length)
  .openapi({ example: ["message.delivered", "message.read", "message.failed", "message.received"] });

const Url = z.string().max(2048).openapi({
  example: "https://example.com/hooks/wbiz",
  description: "HTTPS on port 443 to a public address; a host name must not resolve to a private, loopback, link-local or reserved address (checked now and before every delivery)",
});

export const CreateWebhookBody = z
  .object({
    url: Url,
    events: EventTypes,
    description: z.string().min(1).max(256).optional().openapi({ example: "CRM sync" }),
    enabled: z.boolean().optional().openapi({ description: "Default true" }),
  })
  .strict()
  .openapi("CreateWebhook");

export const UpdateWebhookBody = z
  .object({ url: Url.optional(), events: EventTypes.optional(), description: z.string().min(1).max(256).nullable().optional(), enabled: z.boolean().optional() })
  .strict()
  .openapi("UpdateWebhook");

export const WebhookSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
    enabled: z.boolean(),
    description: z.string().nullable(),
    createdAt: IsoDateTime,
    updatedAt: IsoDateTime,
  })
  .openapi("Webhook");

export const WebhookWithSecretSchema = WebhookSchema.extend({
  secret: z.string().openapi({ example: "whsec_pP0sJ3kq…", description: "Signing secret. Shown only in this response: store it now." }),
}).openapi("WebhookWithSecret");

export const WebhookSecretSchema = z.object({ id: z.string(), secret: z.string() }).openapi("WebhookSecret");

export const DeliverySchema = z
  .object({
    id: z.string(),
    eventId: z.string(),
    eventType: z.enum(WEBHOOK_EVENT_TYPES),
    wamid: z.string().nullable(),
    sequence: z.number().int().nullable(),
    status: z.enum(["pending", "succeeded", "failed"]),
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    nextAttemptAt: IsoDateTime.nullable(),
    deliveredAt: IsoDateTime.nullable(),
    createdAt: IsoDateTime,
    updatedAt: IsoDateTime,
  })
  .openapi("WebhookDelivery");

/** The JSON body POSTed to endpoints (see the `webhooks` section of this document). */
export const WebhookEventSchema = z
  .object({
    id: z.string().openapi({ description: "Unique event id: deduplicate on it" }),
    type: z.enum(WEBHOOK_EVENT_TYPES),
    createdAt: IsoDateTime,
    wabaId: z.string(),
    wamid: z.string().nullable(),
    sequence: z.number().int().nullable().openapi({ description: "Per-message order of events (1, 2, …); null for template events" }),
    data: z.object({
      message: z
        .object({
          id: z.string(),
          wamid: z.string().nullable(),
          conversationId: z.string(),
          direction: z.enum(["inbound", "outbound"]),
          kind: z.string(),
          status: z.string(),
          phone: z.string().nullable().openapi({ description: "E.164; null for a customer who shares no number (WhatsApp usernames)" }),
          userId: z.string().nullable().openapi({ description: "The customer's business-scoped user id (BSUID), once known" }),
          phoneNumberId: z.string(),
          body: z.string().nullable(),
          error: z.object({ source: z.string(), code: z.number().nullable(), message: z.string() }).passthrough().nullable(),
          editedAt: IsoDateTime.nullable(),
          deletedAt: IsoDateTime.nullable(),
          createdAt: IsoDateTime,
          updatedAt: IsoDateTime,
          media: z
            .object({
              status: z.enum(["pending", "stored", "failed", "expired"]).openapi({
                description: "`pending`: our copy is being made (the URL streams from Meta meanwhile); `stored`: kept by WBIZ; `failed`: could not be copied; `expired`: past retention",
              }),
              mimeType: z.string().nullable(),
              fileSize: z.number().int().nullable(),
              filename: z.string().nullable(),
              sha256: z.string().nullable().openapi({ description: "Hex SHA-256 of the stored bytes, once stored" }),
              url: z.string().openapi({ description: "GET it (scope inbox:read), relative to the API's base URL", example: "/v1/messages/65fc2e1b9a8b1c0d2e3f4a5b/media" }),
            })
            .optional()
            .openapi({ description: "Inbound image, video, audio, document or sticker only" }),
        })
        .optional(),
      template: z
        .object({
          id: z.string(),
          name: z.string(),
          language: z.string(),
          category: z.string(),
          status: z.string(),
          previousStatus: z.string(),
          previousCategory: z.string(),
          event: z.string().openapi({ description: "Meta's event: APPROVED, REJECTED, PAUSED, FLAGGED, REINSTATED, ARCHIVED, …, or CATEGORY_UPDATE" }),
          flagged: z.boolean().openapi({ description: "Meta flagged the template's quality (it still sends)" }),
          reason: z.string().nullable(),
        })
        .optional(),
      contact: z
        .object({
          id: z.string(),
          phone: z.string().nullable(),
          userId: z.string().nullable(),
          waId: z.string().nullable(),
          username: z.string().nullable(),
          name: z.string().nullable(),
          optedIn: z.boolean(),
        })
        .optional(),
      campaign: CampaignSchema.optional().openapi({ description: "campaign.started, campaign.completed: the campaign with its counts" }),
      change: z.enum(["number_changed", "user_id_changed", "marketing_stopped", "marketing_resumed"]).optional().openapi({ description: "contact.updated: what changed" }),
      previous: z.record(z.string(), z.unknown()).optional().openapi({ description: "contact.updated: the values the change replaced" }),
    }),
  })
  .openapi("WebhookEvent", {
    example: {
      id: "019b7726f3a55eed05000071",
      type: "message.delivered",
      createdAt: "2026-04-28T17:42:14.003Z",
      wabaId: "019b76f92c815eed02000001",
      wamid: "wamid.HBgMOTE5ODEyMzQ1Njc4FQIAERgSQjg5RTk0NDM2NjE2RDM3RkU0AA==",
      sequence: 2,
      data: {
        message: {
          id: "019b7726f3a55eed05000065",
          wamid: "wamid.HBgMOTE5ODEyMzQ1Njc4FQIAERgSQjg5RTk0NDM2NjE2RDM3RkU0AA==",
          conversationId: "019b76f92c815eed07000001",
          direction: "outbound",
          kind: "text",
          status: "delivered",
          phone: "+919812345678",
          userId: "IN.13491208655302741918",
          phoneNumberId: "107394529103847",
          body: "Hi! Your order #4827 has shipped.",
          error: null,
          editedAt: null,
          deletedAt: null,
          createdAt: "2026-04-28T17:42:12.108Z",
          updatedAt: "2026-04-28T17:42:14.003Z",
        },
      },
    },
  });
