import { z } from "@hono/zod-openapi";
import { CHANNELS, MESSAGE_STATUSES } from "../../data-plane/schema";
import { IsoDateTime, pageLimit, ResourceId } from "../../schemas/common";
import { Page } from "../../schemas/page";

export const ListConversationsQuery = z.object({
  status: z.enum(["open", "closed"], { error: "must be open or closed" }).optional().openapi({ description: "Filter by conversation status." }),
  channel: z.enum(CHANNELS, { error: "must be whatsapp, messenger or instagram" }).optional().openapi({ description: "Filter by channel." }),
  limit: pageLimit(25, 100),
  cursor: z.iso
    .datetime({ offset: true, error: "must be an ISO 8601 timestamp such as 2026-04-28T17:42:12.108Z (the previous page's nextCursor)" })
    .transform((s) => Date.parse(s))
    .optional()
    .openapi({ type: "string", format: "date-time", description: "lastMessageAt of the last conversation on the previous page (its nextCursor).", example: "2026-04-28T17:42:12.108Z" }),
});

export const ConversationSchema = z
  .object({
    id: z.string(),
    contact: z.object({
      phone: z.string().nullable().openapi({ example: "+919812345678", description: "E.164; null for a customer who uses a WhatsApp username and shares no number" }),
      userId: z.string().nullable().openapi({ example: "US.13491208655302741918", description: "Meta's business-scoped user id (BSUID), once Meta has shared it" }),
      name: z.string().nullable().openapi({ example: "Aarav Sharma" }),
    }),
    channel: z.enum(CHANNELS),
    status: z.enum(["open", "closed"]),
    lastMessageAt: IsoDateTime.openapi({ description: "Unique within the WABA: the list's cursor" }),
    unreadCount: z.number().int(),
  })
  .openapi("Conversation", {
    example: {
      id: "65fc2e1b9a8b1c0d2e3f4a5b",
      contact: { phone: "+919812345678", userId: "IN.13491208655302741918", name: "Aarav Sharma" },
      channel: "whatsapp",
      status: "open",
      lastMessageAt: "2026-04-28T17:42:12.108Z",
      unreadCount: 2,
    },
  });

export const ConversationPage = Page(ConversationSchema, "2026-04-28T17:42:12.108Z").openapi("ConversationPage");

export const ListMessagesQuery = z.object({
  limit: pageLimit(50, 200),
  beforeId: ResourceId.optional().openapi({
    description: "Message id — fetches messages strictly older than this one (the previous page's nextCursor). Must be a message of this conversation.",
  }),
});

export const MessageErrorSchema = z
  .object({
    code: z.number().int(),
    subcode: z.number().int().optional(),
    title: z.string().optional(),
    message: z.string(),
    details: z.string().optional(),
    fbtraceId: z.string().optional(),
  })
  .openapi("MessageError", { description: "Meta's error for a failed message" });

export const MessageSchema = z
  .object({
    id: z.string().openapi({ description: "Our message id: pass it as beforeId", example: "65fc2e1b9a8b1c0d2e3f4a5b" }),
    wamid: z.string().nullable().openapi({ description: "Meta's message id; null until Meta accepted an outbound message", example: "wamid.HBgM..." }),
    direction: z.enum(["inbound", "outbound"]),
    kind: z.string().openapi({ description: "text, template, image, video, document, audio, sticker, interactive, location, button, reaction, …", example: "text" }),
    body: z.string().nullable().openapi({ description: "Human-readable rendering (template text with variables filled in, caption, …)", example: "Has my order shipped?" }),
    createdAt: IsoDateTime,
    status: z.enum(MESSAGE_STATUSES).openapi({
      description: "Outbound: queued → sending → sent → delivered → read (→ played, for a voice note), or failed; held while Meta holds a template for quality assessment. Inbound messages are delivered.",
    }),
    error: MessageErrorSchema.nullable().openapi({ description: "Meta's error when status is failed, else null" }),
    editedAt: IsoDateTime.nullable().openapi({ description: "Inbound: when the customer edited it (body is the edited text); else null" }),
    deletedAt: IsoDateTime.nullable().openapi({ description: "Inbound: when the customer deleted it (its body is then null); else null" }),
    mediaUrl: z.string().optional().openapi({
      description: "Inbound image, video, audio, document or sticker: the path of its media (`GET /v1/messages/{id}/media`, relative to the API's base URL); absent on other messages",
      example: "/v1/messages/65fc2e1b9a8b1c0d2e3f4a5b/media",
    }),
  })
  .openapi("Message");

export const MessagePage = Page(MessageSchema, "65fc2e1b9a8b1c0d2e3f4a5b").openapi("MessagePage", {
  description: "One page in chronological order (oldest first). nextCursor is the id to pass as beforeId for the next older page; null when there is none.",
});
