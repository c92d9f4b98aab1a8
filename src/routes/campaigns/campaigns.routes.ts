import { createRoute, z } from "@hono/zod-openapi";
import { AUTH_ERRORS, errorResponses, rateLimitHeaders, type ErrorCode } from "../../errors";
import { idempotency } from "../../middleware/idempotency";
import { PathId, pageLimit } from "../../schemas/common";
import { withScope } from "../../schemas/operation";
import { DryRunQuery } from "../messages/messages.routes";
import { authenticated } from "../router";
import {
  AppendRecipientsBody,
  CampaignCreatedSchema,
  CampaignDryRunSchema,
  CampaignSchema,
  CreateCampaignBody,
  MAX_RECIPIENTS_PER_CAMPAIGN,
  RecipientFilter,
  RecipientSchema,
} from "./campaigns.schemas";

// Campaigns: bulk template sends with one report. Every operation needs `messages:send` (reads too: a
// campaign's report is part of sending it).

const described = (text: string) => withScope("messages:send", text);
const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({ description, headers: rateLimitHeaders, content: { "application/json": { schema } } });
const body = <T extends z.ZodTypeAny>(schema: T) => ({ content: { "application/json": { schema } }, required: true as const });
const CampaignCursor = z.string().regex(/^\d{1,15}\.[0-9a-f]{24}$/, "must be nextCursor from a previous page").optional();
const RecipientCursor = z.string().regex(/^\d{1,6}$/, "must be nextCursor from a previous page").optional();

const TEMPLATE_ERRORS: ErrorCode[] = ["TEMPLATE_NOT_FOUND", "TEMPLATE_NOT_APPROVED", "TEMPLATE_LANGUAGE_MISMATCH"];
const WRITE_ERRORS: ErrorCode[] = [...AUTH_ERRORS, "VALIDATION_FAILED", "UNSUPPORTED_MEDIA_TYPE", "PAYLOAD_TOO_LARGE"];
const IDEMPOTENT_ERRORS: ErrorCode[] = ["IDEMPOTENCY_KEY_IN_USE", "IDEMPOTENCY_KEY_REUSED"];

export const createCampaign = createRoute({
  tags: ["Campaigns"],
  ...authenticated("messages:send", idempotency),
  method: "post",
  path: "/v1/campaigns",
  operationId: "createCampaign",
  summary: "Create a campaign",
  description: described(
    "One approved template to up to 10,000 recipients (append more with POST /v1/campaigns/{id}/recipients until it starts; 100,000 in all), at once or at `sendAt`. " +
      "Each recipient is checked as a single template send would be (E.164, variables, components, opt-out for MARKETING templates) and duplicates are dropped: those are listed in `skipped` with the reason, the rest are sent. " +
      "A template that is missing, not approved or not in that language refuses the whole campaign. `?dryRun=true` checks everything and answers how many would be sent, skipped and how long it would take, storing nothing. " +
      "`Idempotency-Key` works as on sends. Bodies up to 2 MiB.",
  ),
  request: { query: DryRunQuery, body: body(CreateCampaignBody) },
  responses: {
    200: json(CampaignDryRunSchema, "`?dryRun=true`: what would happen"),
    201: json(CampaignCreatedSchema, "Created: scheduled, or running"),
    ...errorResponses(...WRITE_ERRORS, ...IDEMPOTENT_ERRORS, ...TEMPLATE_ERRORS, "PHONE_NOT_FOUND"),
  },
});

export const appendRecipients = createRoute({
  tags: ["Campaigns"],
  ...authenticated("messages:send"),
  method: "post",
  path: "/v1/campaigns/{id}/recipients",
  operationId: "appendCampaignRecipients",
  summary: "Add recipients to a campaign",
  description: described(
    `Up to 10,000 more recipients per request, checked like those given at creation (duplicates of earlier ones are skipped), while the campaign is still \`scheduled\` (else 409 INVALID_STATE); at most ${MAX_RECIPIENTS_PER_CAMPAIGN.toLocaleString("en")} in all.`,
  ),
  request: { params: PathId, body: body(AppendRecipientsBody) },
  responses: { 200: json(CampaignCreatedSchema, "The campaign, and the new recipients that were skipped"), ...errorResponses(...WRITE_ERRORS, ...TEMPLATE_ERRORS, "NOT_FOUND", "INVALID_STATE") },
});

export const listCampaigns = createRoute({
  tags: ["Campaigns"],
  ...authenticated("messages:send"),
  method: "get",
  path: "/v1/campaigns",
  operationId: "listCampaigns",
  summary: "List campaigns",
  description: described("Newest first, cursor-paginated, each with its state and counts."),
  request: { query: z.object({ limit: pageLimit(25, 100), cursor: CampaignCursor }) },
  responses: { 200: json(z.object({ data: z.array(CampaignSchema), nextCursor: z.string().nullable() }), "Campaigns, newest first"), ...errorResponses(...AUTH_ERRORS, "VALIDATION_FAILED") },
});

export const getCampaign = createRoute({
  tags: ["Campaigns"],
  ...authenticated("messages:send"),
  method: "get",
  path: "/v1/campaigns/{id}",
  operationId: "getCampaign",
  summary: "Get a campaign",
  description: described("Its state (scheduled, running, paused, completed, cancelled) and counts per status, read from its recipients' messages: they always add up to the recipients."),
  request: { params: PathId },
  responses: { 200: json(CampaignSchema, "The campaign"), ...errorResponses(...AUTH_ERRORS, "NOT_FOUND") },
});

export const listRecipients = createRoute({
  tags: ["Campaigns"],
  ...authenticated("messages:send"),
  method: "get",
  path: "/v1/campaigns/{id}/recipients",
  operationId: "listCampaignRecipients",
  summary: "List a campaign's recipients",
  description: described("In the order given, cursor-paginated, optionally by status; each with its message's wamid and error once sent, or the reason it was skipped."),
  request: { params: PathId, query: z.object({ limit: pageLimit(100, 1000), cursor: RecipientCursor, status: RecipientFilter.optional() }) },
  responses: { 200: json(z.object({ data: z.array(RecipientSchema), nextCursor: z.string().nullable() }), "Recipients, in order"), ...errorResponses(...AUTH_ERRORS, "VALIDATION_FAILED", "NOT_FOUND") },
});

function action(name: "pause" | "resume" | "cancel", operationId: string, summary: string, text: string) {
  return createRoute({
    tags: ["Campaigns"],
    ...authenticated("messages:send"),
    method: "post",
    path: `/v1/campaigns/{id}/${name}`,
    operationId,
    summary,
    description: described(text),
    request: { params: PathId },
    responses: { 200: json(CampaignSchema, "The campaign"), ...errorResponses(...AUTH_ERRORS, "NOT_FOUND", "INVALID_STATE") },
  });
}

export const pauseCampaign = action("pause", "pauseCampaign", "Pause a campaign", "A scheduled or running campaign stops handing recipients to the relay (the few already handed over — about 0.6 s of its pace — still go). 409 INVALID_STATE otherwise.");
export const resumeCampaign = action("resume", "resumeCampaign", "Resume a campaign", "A paused campaign runs again (or waits for its `sendAt` if it had not started). 409 INVALID_STATE if it is not paused.");
export const cancelCampaign = action(
  "cancel",
  "cancelCampaign",
  "Cancel a campaign",
  "Every recipient not yet handed to Meta is cancelled at once and never sent; what Meta already has stays in the counts. 409 INVALID_STATE if it is completed or cancelled.",
);
