import { createRoute, z } from "@hono/zod-openapi";
import { AUTH_ERRORS, errorResponses, rateLimitHeaders } from "../../errors";
import { ACCEPTED_MIME_TYPES, MEDIA_KINDS, MEDIA_LIMITS, formatBytes } from "../../media/limits";
import { PathId } from "../../schemas/common";
import { withScope } from "../../schemas/operation";
import { authenticated } from "../router";

// The media routes' contract. Both are registered with the document and served without the Zod
// validators: a multipart body is read as a stream (never parsed whole), and a download is bytes.

const LIMITS_TABLE = MEDIA_KINDS.map((k) => `- ${k}: ${MEDIA_LIMITS[k].mimeTypes.map((m) => `\`${m}\``).join(", ")} — up to ${formatBytes(MEDIA_LIMITS[k].maxBytes)}`).join("\n");

export const UploadMediaForm = z
  .object({
    file: z.string().openapi({ type: "string", format: "binary", description: "The file (one part). Its Content-Type is used when `type` is not given." }),
    type: z.string().openapi({ description: "The file's MIME type, as Meta takes it (e.g. `image/jpeg`). Put it before `file` in the form.", example: "image/jpeg" }),
    phoneNumberId: z.string().optional().openapi({ description: "The number to upload for (Meta's phone-number-id); default: the WABA's default number. Put it before `file`." }),
  })
  .openapi("UploadMediaForm");

export const UploadedMedia = z
  .object({
    id: z.string().openapi({ description: "Meta's media id: use it as `mediaId` in POST /v1/messages/media, or in a template's header parameter", example: "1479537139650973" }),
    phoneNumberId: z.string().openapi({ example: "106540352242922" }),
    mimeType: z.string().openapi({ example: "image/jpeg" }),
    fileSize: z.number().int().openapi({ example: 48213 }),
  })
  .openapi("UploadedMedia");

export const uploadMedia = createRoute({
  method: "post",
  path: "/v1/media",
  operationId: "uploadMedia",
  tags: ["Media"],
  summary: "Upload media",
  description: withScope(
    "messages:send",
    "Uploads a file to Meta (multipart/form-data: a `type` field, then one `file` part) and answers Meta's media id, valid at Meta for 30 days, " +
      "to send with `mediaId` in POST /v1/messages/media or as a template header parameter. The file streams through to Meta. Meta's limits are checked first " +
      "(413 PAYLOAD_TOO_LARGE over the size of its kind, 415 UNSUPPORTED_MEDIA_TYPE for a type Meta does not take):\n\n" + LIMITS_TABLE,
  ),
  ...authenticated("messages:send"),
  request: { body: { content: { "multipart/form-data": { schema: UploadMediaForm } }, required: true } },
  responses: {
    200: { description: "Meta took the file", headers: rateLimitHeaders, content: { "application/json": { schema: UploadedMedia } } },
    ...errorResponses(...AUTH_ERRORS, "VALIDATION_FAILED", "UNSUPPORTED_MEDIA_TYPE", "PHONE_NOT_FOUND", "META_UPSTREAM_ERROR"),
  },
});

const MEDIA_HEADERS = {
  ...rateLimitHeaders,
  "Content-Length": { description: "The file's size in bytes", schema: { type: "integer" as const } },
  "Content-Disposition": { description: "`attachment` with the file name (the customer's, for a document)", schema: { type: "string" as const } },
  "X-Media-Source": { description: "`stored`: served from WBIZ's copy; `meta`: our copy is not made yet, streamed from Meta", schema: { type: "string" as const, enum: ["stored", "meta"] } },
};

export const getMessageMedia = createRoute({
  method: "get",
  path: "/v1/messages/{id}/media",
  operationId: "getMessageMedia",
  tags: ["Media"],
  summary: "Download an inbound message's media",
  description: withScope(
    "inbox:read",
    "The image, video, audio, document or sticker a customer sent, as bytes with its Content-Type. WBIZ keeps a copy of every inbound media file " +
      "(Meta's own link expires after minutes and its media id after 7 days); until the copy is made it streams from Meta. " +
      "Media is kept for 90 days, then answers 410 MEDIA_EXPIRED. Any id that is not an inbound media message of this WABA answers 404. " +
      "History items and `message.received` events of media messages carry this path (`mediaUrl`, `media.url`).",
  ),
  ...authenticated("inbox:read"),
  request: { params: PathId },
  responses: {
    200: {
      description: "The file",
      headers: MEDIA_HEADERS,
      content: { "application/octet-stream": { schema: z.string().openapi({ type: "string", format: "binary" }) } },
    },
    ...errorResponses(...AUTH_ERRORS, "NOT_FOUND", "MEDIA_EXPIRED", "META_UPSTREAM_ERROR"),
  },
});

export { ACCEPTED_MIME_TYPES };
