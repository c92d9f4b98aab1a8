import type { OpenAPIHono } from "@hono/zod-openapi";
import { HEADER_COMPONENTS, METHOD_NOT_ALLOWED_RESPONSE } from "../../errors";
import { SEND_BODY_VARIANTS } from "../messages/messages.schemas";
import { TemplateComponentSchema } from "../templates/templates.routes";
import { registerWebhookEvents } from "../webhooks/webhook-events.openapi";

// What /v1/openapi.json says beyond its routes: the guide a hosted-API user reads first (info.description,
// rendered at the top of /docs), the resource groups (tags: SDK generators name their classes after them),
// and the components the routes refer to by name. Everything here is for integrators: operator routes
// (/admin, /meta) are hidden where they are defined.

/** The resource groups, in the order the reference shows them. Every operation's tag is one of these. */
export const TAGS = [
  {
    name: "Authentication",
    description: "Every request carries `Authorization: Bearer <API key>`. `GET /v1/key` shows what a key may do: its scopes, plan limits, mode and WABA.",
  },
  {
    name: "Messages",
    description:
      "Programmatically send WhatsApp messages from your backend. All endpoints are scoped to the WABA your API key is bound to. " +
      "Text, media, interactive and location messages need the recipient's 24-hour window (they wrote to you in the last 24 hours; else `400 OUTSIDE_24H_WINDOW`); " +
      "templates send any time. Address the recipient with `to` (E.164) or, for a customer who uses a WhatsApp username and shares no number, `userId` — exactly one of the two. " +
      "A send waits for Meta's answer and returns `200 {\"wamid\"}`, the id delivery webhooks carry; see “Optional headers on sends” for `Idempotency-Key` and `Prefer`.",
  },
  {
    name: "Media",
    description:
      "Upload a file to Meta once (`POST /v1/media`) and send it by `mediaId` in media and template messages; download what customers send (`GET /v1/messages/{id}/media`). " +
      "WBIZ keeps a copy of every inbound image, video, audio, document and sticker for 90 days, so it stays downloadable after Meta's own link and media id have expired.",
  },
  {
    name: "Campaigns",
    description:
      "One approved template to up to 10,000 recipients per request (append more until it starts), now or at `sendAt`, with one report: state, counts per status, each recipient's wamid or error. " +
      "Recipients are checked up front like single sends; refused ones are listed as skipped with the reason. Sends are paced at the number's throughput behind your conversational sends, and every recipient's message is an ordinary message (history, statuses, events). " +
      "`campaign.started` and `campaign.completed` arrive on your webhooks.",
  },
  {
    name: "Templates",
    description:
      "Read approved WhatsApp templates so your integration knows what it can send, and submit, edit and delete templates through Meta's review. The template body, variables and language come from Meta — your code mirrors that contract.",
  },
  {
    name: "Contacts",
    description: "Manage the contacts your WhatsApp campaigns can reach. Create, list, fetch and update — including custom fields, tags and opt-in state.",
  },
  {
    name: "Conversations & messages",
    description: "Read inbox state. Use this to surface ongoing chats inside your CRM, or to backfill message history for analytics.",
  },
  {
    name: "Webhooks",
    description:
      "Configure where WBIZ delivers events — delivery and read statuses, replies, template changes — and inspect or replay deliveries. " +
      "Every delivery is signed with the endpoint's secret: see “Webhooks: verifying signatures”.",
  },
  {
    name: "Webhook events",
    description:
      "What WBIZ POSTs to your endpoints: one JSON event per change, signed in `WBIZ-Signature`. Answer 2xx within 10 seconds; deduplicate on the event `id` and order a message's events by `sequence`.",
  },
] as const;

export type Tag = (typeof TAGS)[number]["name"];

const GUIDE = `Send WhatsApp messages, read templates, manage contacts and read the inbox from your own backend with a Bearer API key. v1 is stable: backward-incompatible changes ship as a new version, never as a break to existing routes.

## Quick start

1. **Issue an API key.** Sign in and head to Settings → API keys. Create a key for your integration with the scopes it needs. The secret is shown once — store it securely.
2. **Set the base URL and auth header.** All requests go to \`https://api.wbiz.in\` and must include \`Authorization: Bearer <your API key>\`. Request bodies are JSON (\`Content-Type: application/json\`).
3. **Make your first call.** Check the key, then send a template (any time) or a text inside the 24-hour window. A send returns \`200 {"wamid": …}\`, Meta's message id, which the delivery webhooks carry too.

\`\`\`sh
curl https://api.wbiz.in/v1/key \\
  -H "Authorization: Bearer wbiz_live_xxx..."

curl https://api.wbiz.in/v1/messages/template \\
  -H "Authorization: Bearer wbiz_live_xxx..." \\
  -H "Content-Type: application/json" \\
  -d '{"to": "+919812345678",
       "template": "order_shipped_v2",
       "language": "en_US",
       "variables": ["Aarav", "4827", "tomorrow"]}'
# → 200 {"wamid":"wamid.HBgM…"}
\`\`\`

## Authentication and scopes

Every request needs a Bearer API key: \`wbiz_live_…\`, or \`wbiz_test_…\` in test mode. A key is bound to one WhatsApp Business Account (WABA) and sees only its data: another WABA's ids answer 404, exactly like missing ones. Each operation names the scope it requires:

| Scope | Grants |
|---|---|
| \`messages:send\` | Send text, template, media, interactive and location messages; read a sent message's status |
| \`templates:read\` | List templates with their components and variables; read one |
| \`templates:write\` | Submit templates to Meta for review, edit and delete them |
| \`contacts:read\` | List and read contacts |
| \`contacts:write\` | Create and update contacts |
| \`inbox:read\` | List conversations and read their message history |
| \`webhooks:manage\` | Manage webhook endpoints, their secrets and deliveries |

A missing, malformed or revoked key answers \`401 INVALID_API_KEY\`; a valid key without the operation's scope, \`403 INSUFFICIENT_SCOPE\`. \`GET /v1/key\` needs no scope.

## Rate limits

Each API key is limited per minute and per 10-second burst window; a request must fit both. Limits scale with your plan:

| Plan | Requests / minute | Burst (10 s window) |
|---|---|---|
| Starter | 60 | 15 |
| Growth | 600 | 120 |
| Scale | 6,000 | 1,200 |

Every response to an authenticated request, errors included, carries the rate-limit headers so you can back off cleanly:

| Header | Meaning |
|---|---|
| \`X-RateLimit-Limit\` | Requests allowed per minute on your plan |
| \`X-RateLimit-Remaining\` | Requests left right now: the lower of what is left in the minute and in the burst window |
| \`X-RateLimit-Reset\` | Unix timestamp (seconds) when the window that bounds \`Remaining\` resets |
| \`RateLimit-Policy\` | Both windows, as IETF draft fields: \`"minute";q=600;w=60, "burst";q=120;w=10\` |
| \`RateLimit\` | What is left in each window and the seconds until it resets: \`"minute";r=599;t=43, "burst";r=119;t=3\` |

Hitting the cap returns \`429 RATE_LIMITED\` with \`Retry-After\` in seconds: wait that long, and build exponential back-off into your client for 5xx answers. Every authenticated request counts, whatever its outcome. An address with more than 20 failed authentications (unknown or revoked keys) in a minute is also answered 429, without the \`X-RateLimit-*\` headers since no key is involved.

## Test mode

Keys that start \`wbiz_test_\` never reach Meta or a real WhatsApp user. Their sends go to a sandbox that answers like the WhatsApp Cloud API and moves each message through the statuses \`sent\` → \`delivered\` → \`read\`. Their data — contacts, conversations, messages and webhooks — is kept apart from live data. \`GET /v1/key\` shows a key's \`mode\` (\`live\` or \`test\`).

Magic recipient numbers, for trying the failure paths:

| \`to\` | What happens |
|---|---|
| \`+15005550001\` | The message fails: undeliverable (Meta error 131026) |
| \`+15005550002\` | Meta throttles the first attempt (130429); the retry is sent |
| \`+15005550003\` | The message fails: marketing message limit (Meta error 131049) |
| any other valid number | Sent, then delivered, then read |

## Errors

Every error has the same envelope, with the request id that is also in the \`X-Request-Id\` header of every response:

\`\`\`json
{"error":{"code":"VALIDATION_FAILED","message":"to: Invalid E.164 phone number","details":[{"field":"to","message":"Invalid E.164 phone number"}],"requestId":"req_65fc2e1b9a8b1c0d2e3f4a5b"}}
\`\`\`

Switch on \`code\`; \`message\` is for people, and \`details\` names each offending field. Each operation lists the codes it can answer under their status. \`502 META_UPSTREAM_ERROR\` carries Meta's own error under \`error.upstream\`. A method a path does not take answers \`405 METHOD_NOT_ALLOWED\` with an \`Allow\` header. Quote the request id to support.

## Optional headers on sends

A send waits for Meta's answer (about 10 seconds at most) and returns \`200 {"wamid"}\`. Two optional headers change that:

- \`Idempotency-Key: <1–255 visible ASCII characters>\` makes a send safe to retry: the first answer for that key and the same body is replayed for 24 hours (with \`Idempotent-Replayed: true\`). The same key with a different body answers \`422 IDEMPOTENCY_KEY_REUSED\`; while the first request still runs, \`409 IDEMPOTENCY_KEY_IN_USE\` with \`Retry-After\`. Use a new key for each new message.
- \`Prefer: respond-async\` answers \`202 {"id", "status": "queued"}\` at once (bulk sends); \`Prefer: wait=<seconds>\` waits at most that long for Meta. Follow a 202 with \`GET /v1/messages/{id}\` or the webhook events.

## Webhooks: verifying signatures

Create an endpoint with \`POST /v1/webhooks\` (scope \`webhooks:manage\`); its signing secret (\`whsec_…\`) is shown once. WBIZ then POSTs each event it is subscribed to (see Webhook events) to your URL with these headers:

| Header | Value |
|---|---|
| \`WBIZ-Signature\` | \`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the secret>\` |
| \`WBIZ-Event-Id\` | The event's id (also \`id\` in the body): deduplicate on it |
| \`WBIZ-Event-Type\` | The event type, e.g. \`message.delivered\` |
| \`WBIZ-Delivery-Id\` | The delivery, as \`GET /v1/webhooks/{id}/deliveries\` lists it |

To verify a request, split \`WBIZ-Signature\` on \`,\` into \`t\` and \`v1\`; refuse it if \`t\` is more than 5 minutes away from now (a replayed request); compute the HMAC-SHA256 of \`<t>.<raw body>\` — the bytes as received, before any JSON parsing — with the endpoint's secret as the key, and compare its hex digest with \`v1\` in constant time. In Node:

\`\`\`js
import { createHmac, timingSafeEqual } from "node:crypto";

export function verifyWbizWebhook(rawBody, signatureHeader, secret, toleranceSeconds = 300) {
  const parts = Object.fromEntries(String(signatureHeader).split(",").map((p) => p.split("=", 2)));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return false;
  const expected = createHmac("sha256", secret).update(\`\${t}.\${rawBody}\`).digest("hex");
  const given = String(parts.v1 ?? "");
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}
\`\`\`

Answer 2xx within 10 seconds. Other answers, timeouts and network errors are retried with exponential back-off for 24 hours, then the delivery is marked failed (\`GET /v1/webhooks/{id}/deliveries\` lists them; replay one with its \`replay\` route). Delivery is at least once: deduplicate on the event id, and order a message's events by \`sequence\`. \`POST /v1/webhooks/{id}/rotate-secret\` issues a new secret; the old one stops signing at once.`;

/** The document's own fields (doc31 adds paths, webhooks and components). */
export const OPENAPI_DOCUMENT = {
  openapi: "3.1.0",
  info: {
    title: "WBIZ API",
    version: "1.0.0",
    description: GUIDE,
  },
  servers: [{ url: "https://api.wbiz.in", description: "Production" }],
  tags: TAGS.map((t) => ({ ...t })),
};

/** The components the routes refer to by name, and the integrator webhook events. */
export function describeApi(registry: OpenAPIHono["openAPIRegistry"]) {
  registry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "wbiz_live_… / wbiz_test_…",
    description: "An API key bound to one WABA, sent as `Authorization: Bearer <key>`.",
  });
  for (const [name, header] of Object.entries(HEADER_COMPONENTS)) registry.registerComponent("headers", name, header);
  registry.registerComponent("responses", "MethodNotAllowed", METHOD_NOT_ALLOWED_RESPONSE);
  for (const [name, schema] of Object.entries(SEND_BODY_VARIANTS)) registry.register(name, schema);
  registry.register("TemplateComponent", TemplateComponentSchema);
  registerWebhookEvents(registry);
}
