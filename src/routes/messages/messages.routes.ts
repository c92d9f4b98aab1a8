import { createRoute, z } from "@hono/zod-openapi";
import { AUTH_ERRORS, errorResponses, rateLimitHeaders, type ErrorCode } from "../../errors";
import { idempotency } from "../../middleware/idempotency";
import { MESSAGE_STATUSES } from "../../data-plane/schema";
import { IsoDateTime, PathId } from "../../schemas/common";
import { withScope } from "../../schemas/operation";
import { authenticated } from "../router";
import {
  SendAccepted,
  SendDryRun,
  SendInteractiveBody,
  SendLocationBody,
  SendMediaBody,
  SendQueued,
  SendTemplateBody,
  SendTextBody,
} from "./messages.schemas";

// Optional request headers. No `example` on purpose: the reference page's "Test Request" fills a header
// from its example, and a pre-filled key or `respond-async` would turn the contract's 200 into a 202,
// then a replay of it. The values are described instead.
const SEND_HEADERS = z.object({
  "idempotency-key": z.string().optional().openapi({
    description:
      "Optional, 1–255 visible ASCII characters, e.g. `order-4827-shipped`. The first response to this key and the same body is replayed for 24 hours " +
      "(with `Idempotent-Replayed: true`); the same key with a different body → 422 IDEMPOTENCY_KEY_REUSED; while the first request is still running → 409 IDEMPOTENCY_KEY_IN_USE.",
  }),
  prefer: z.string().optional().openapi({
    description:
      "Optional. `respond-async`: answer 202 at once (bulk sends). `wait=<seconds>`, e.g. `wait=3`: wait at most that long for Meta before answering 202. " +
      "Without it the send waits for Meta's answer (about 10 s at most) and answers 200 with the wamid.",
  }),
});

/** Headers a send's answer may add: a replay of an Idempotency-Key, an honoured Prefer. */
const REPLAYED = { "Idempotent-Replayed": { description: "`true` when this is the stored answer to an earlier request with the same Idempotency-Key", schema: { type: "string" as const, enum: ["true"] } } };
const PREFERENCE_APPLIED = { "Preference-Applied": { description: "`respond-async` when the 202 answers `Prefer: respond-async`", schema: { type: "string" as const, enum: ["respond-async"] } } };

/** `?dryRun=true` on a send (and on campaign creation): every check, nothing stored or sent. */
export const DryRunQuery = z.object({
  dryRun: z.enum(["true", "false"]).optional().openapi({
    description: "`true`: run every check of the send (window, template, variables, opt-out, phone number) and answer what would happen, with the pacing wait — nothing is stored or sent, and an Idempotency-Key is not used up",
  }),
});

const SEND_ERRORS: ErrorCode[] = [...AUTH_ERRORS, "VALIDATION_FAILED", "UNSUPPORTED_MEDIA_TYPE", "PHONE_NOT_FOUND", "IDEMPOTENCY_KEY_IN_USE", "IDEMPOTENCY_KEY_REUSED", "META_UPSTREAM_ERROR"];

function sendRoute<T extends z.ZodTypeAny>(operationId: string, path: string, summary: string, description: string, body: T, extraErrors: ErrorCode[]) {
  return createRoute({
    method: "post",
    path,
    operationId,
    tags: ["Messages"],
    summary,
    description: withScope("messages:send", description),
    ...authenticated("messages:send", idempotency),
    request: { headers: SEND_HEADERS, query: DryRunQuery, body: { content: { "application/json": { schema: body } }, required: true } },
    responses: {
      200: {
        description: "Meta accepted the send (`{wamid}`: correlate it with delivery webhooks) — or, with `?dryRun=true`, what would happen (`SendDryRun`).",
        headers: { ...rateLimitHeaders, ...REPLAYED },
        content: { "application/json": { schema: z.union([SendAccepted, SendDryRun]) } },
      },
      202: {
        description:
          "Queued: Meta had not answered within the wait budget (about 10 s), or `Prefer: respond-async` was sent. The wamid appears in message history, `GET /v1/messages/{id}` and delivery webhooks. " +
          "With `sendAt`: `status: scheduled`, sent when due.",
        headers: { ...rateLimitHeaders, ...PREFERENCE_APPLIED, ...REPLAYED },
        content: { "application/json": { schema: SendQueued } },
      },
      ...errorResponses(...SEND_ERRORS, ...extraErrors),
    },
  });
}

export const sendText = sendRoute(
  "sendTextMessage",
  "/v1/messages/text",
  "Send a text message",
  "Send a freeform text message inside the active 24-hour service window (the recipient wrote to you less than 24 hours ago). For first-touch outreach, use the template route.",
  SendTextBody,
  ["OUTSIDE_24H_WINDOW"],
);

export const sendTemplate = sendRoute(
  "sendTemplateMessage",
  "/v1/messages/template",
  "Send a template message",
  "Send an approved WhatsApp template. Works any time, including outside the 24-hour window. A MARKETING template to a contact who opted out (STOP) is refused with CONTACT_OPTED_OUT.",
  SendTemplateBody,
  ["TEMPLATE_NOT_APPROVED", "TEMPLATE_LANGUAGE_MISMATCH", "TEMPLATE_VARIABLE_COUNT_MISMATCH", "TEMPLATE_NOT_FOUND", "CONTACT_OPTED_OUT"],
);

export const sendMedia = sendRoute(
  "sendMediaMessage",
  "/v1/messages/media",
  "Send a media message",
  "Send an image, video, document, audio or sticker inside the 24-hour window, by HTTPS `link` or Meta `mediaId` (exactly one of the two).",
  SendMediaBody,
  ["MEDIA_FETCH_FAILED", "OUTSIDE_24H_WINDOW"],
);

export const sendInteractive = sendRoute(
  "sendInteractiveMessage",
  "/v1/messages/interactive",
  "Send an interactive message",
  "Send reply buttons (up to 3) or a list menu (up to 10 sections, at most 10 rows in total) inside the 24-hour window. The list's button is labelled “Choose”.",
  SendInteractiveBody,
  ["INTERACTIVE_LIMITS", "OUTSIDE_24H_WINDOW"],
);

export const sendLocation = sendRoute(
  "sendLocationMessage",
  "/v1/messages/location",
  "Send a location pin",
  "Send a tappable location pin inside the 24-hour window.",
  SendLocationBody,
  ["OUTSIDE_24H_WINDOW"],
);

export const MessageStatusSchema = z
  .object({
    id: z.string(),
    wamid: z.string().nullable(),
    status: z.enum(MESSAGE_STATUSES),
    kind: z.string(),
    to: z.string().nullable().openapi({ example: "+919812345678", description: "E.164; null when the message went to a userId (BSUID) and Meta shares no number" }),
    userId: z.string().nullable().openapi({ example: "US.13491208655302741918", description: "The recipient's business-scoped user id, when known" }),
    phoneNumberId: z.string(),
    body: z.string().nullable(),
    error: z
      .object({ source: z.enum(["meta", "relay"]), code: z.number().int().nullable(), subcode: z.number().int().optional(), message: z.string(), details: z.string().optional(), fbtraceId: z.string().optional() })
      .nullable(),
    createdAt: IsoDateTime,
    updatedAt: IsoDateTime,
  })
  .openapi("MessageStatus");

export const getMessage = createRoute({
  method: "get",
  path: "/v1/messages/{id}",
  operationId: "getMessage",
  tags: ["Messages"],
  summary: "Get a sent message's status",
  description: withScope(
    "messages:send",
    "Beyond the v1 reference: the status, wamid and failure reason of a message sent from this key's WABA — for sends that answered 202. Inbound messages are read through the inbox routes.",
  ),
  ...authenticated("messages:send"),
  request: { params: PathId },
  responses: {
    200: { description: "The message", headers: rateLimitHeaders, content: { "application/json": { schema: MessageStatusSchema } } },
    ...errorResponses(...AUTH_ERRORS, "NOT_FOUND"),
  },
});

export const cancelMessage = createRoute({
  method: "delete",
  path: "/v1/messages/{id}",
  operationId: "cancelScheduledMessage",
  tags: ["Messages"],
  summary: "Cancel a scheduled send",
  description: withScope(
    "messages:send",
    "Beyond the v1 reference: cancels a send made with `sendAt` while it is still `scheduled`; it then ends `cancelled` and never reaches Meta. A message that is no longer scheduled (already due, sent, failed or cancelled) answers 409 INVALID_STATE with its status.",
  ),
  ...authenticated("messages:send"),
  request: { params: PathId },
  responses: {
    200: { description: "Cancelled", headers: rateLimitHeaders, content: { "application/json": { schema: z.object({ id: z.string(), status: z.literal("cancelled") }).openapi("CancelledMessage") } } },
    ...errorResponses(...AUTH_ERRORS, "NOT_FOUND", "INVALID_STATE"),
  },
});
