import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses } from "../../errors";

// Meta → WBIZ: the callback URL to configure in Meta's app dashboard (WhatsApp → Configuration).
// Operator plumbing, not for integrators: hidden from /v1/openapi.json (README "Meta → WBIZ" documents
// it). The definitions still state what each route answers, for the tests that read them.

export const verifyMetaWebhook = createRoute({
  method: "get",
  path: "/meta/webhook",
  hide: true,
  tags: ["Meta webhook"],
  summary: "Meta's verification handshake",
  description: "Meta calls this when the callback URL or verify token is saved. Echoes `hub.challenge` when `hub.verify_token` matches META_VERIFY_TOKEN.",
  request: {
    query: z.object({
      "hub.mode": z.string().optional().openapi({ example: "subscribe" }),
      "hub.verify_token": z.string().optional(),
      "hub.challenge": z.string().optional().openapi({ example: "1158201444" }),
    }),
  },
  responses: {
    200: { description: "The challenge, as plain text", content: { "text/plain": { schema: z.string() } } },
    403: { description: "Wrong mode or verify token", content: { "text/plain": { schema: z.string() } } },
    ...errorResponses("VALIDATION_FAILED"),
  },
});

export const receiveMetaWebhook = createRoute({
  method: "post",
  path: "/meta/webhook",
  hide: true,
  tags: ["Meta webhook"],
  summary: "Receive Meta's webhook events",
  description:
    "Checks `X-Hub-Signature-256` (HMAC-SHA256 of the raw body with META_APP_SECRET, compared in constant time) before parsing anything, " +
    "queues the events and answers 200 at once. Processing is idempotent: Meta delivers at least once and out of order.",
  request: {
    headers: z.object({ "x-hub-signature-256": z.string().optional().openapi({ example: "sha256=9a1b…" }) }),
    // not a Zod schema on purpose: the signature is checked on the raw bytes before any parsing
    body: { content: { "application/json": { schema: { type: "object", description: "Meta's webhook envelope (object, entry[].changes[])" } } } },
  },
  responses: {
    200: { description: "Accepted for processing", content: { "application/json": { schema: z.object({ received: z.number().int() }) } } },
    ...errorResponses("INVALID_SIGNATURE", "VALIDATION_FAILED", "PAYLOAD_TOO_LARGE", "INTERNAL"),
  },
});

/** Test mode: the sandbox's webhooks (statuses, customer messages), signed with SANDBOX_APP_SECRET. Operator plumbing, not in the reference. */
export const receiveSandboxWebhook = createRoute({
  ...receiveMetaWebhook,
  path: "/meta/sandbox/webhook",
  hide: true,
  summary: "Receive the test-mode sandbox's webhook events",
  description: "As POST /meta/webhook, for the sandbox that answers test keys: signed with SANDBOX_APP_SECRET, applied to the WABA's test-mode data.",
});
