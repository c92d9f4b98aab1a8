import { z } from "@hono/zod-openapi";
import { CAMPAIGN_STATES } from "../../data-plane/schema";
import { RECIPIENT_FILTERS } from "../../data-plane/campaigns";
import { IsoDateTime } from "../../schemas/common";
import { SendAt, SendTemplateBody, TemplateText } from "../messages/messages.schemas";

/** Recipients per request (creation, or each append) and per campaign. */
export const MAX_RECIPIENTS_PER_REQUEST = 10_000;
export const MAX_RECIPIENTS_PER_CAMPAIGN = 100_000;

const TemplateFields = SendTemplateBody.shape;

/**
 * One recipient. `to` is any string here: a number that is not valid E.164 is not a reason to refuse the
 * whole campaign — it is listed as skipped (invalid_phone) with the others.
 */
export const CampaignRecipient = z
  .object({
    to: z.string().min(1).max(32).openapi({ example: "+919812345678", description: "E.164; an invalid number is skipped (invalid_phone), not refused" }),
    variables: z.array(TemplateText).max(100).optional().openapi({ example: ["Aarav", "4827", "tomorrow"] }),
    components: TemplateFields.components,
  })
  .strict()
  .openapi("CampaignRecipient");

const Recipients = z.array(CampaignRecipient).min(1).max(MAX_RECIPIENTS_PER_REQUEST);

export const CreateCampaignBody = z
  .object({
    name: z.string().min(1).max(120).optional().openapi({ example: "Diwali offer" }),
    template: TemplateFields.template,
    language: TemplateFields.language,
    phoneNumberId: TemplateFields.phoneNumberId,
    sendAt: SendAt.optional().openapi({ example: "2026-12-24T09:00:00Z", description: "Start then (ISO 8601, in the future, at most 30 days ahead); absent: at once" }),
    recipients: Recipients,
  })
  .strict()
  .openapi("CreateCampaign", {
    example: { name: "Order updates", template: "order_shipped_v2", language: "en_US", recipients: [{ to: "+919812345678", variables: ["Aarav", "4827", "tomorrow"] }] },
  });

export const AppendRecipientsBody = z.object({ recipients: Recipients }).strict().openapi("AppendCampaignRecipients");

const Counts = z
  .object({
    pending: z.number().int().openapi({ description: "Not yet handed to the relay" }),
    queued: z.number().int().openapi({ description: "Handed to the relay, not yet accepted by Meta" }),
    sent: z.number().int(),
    delivered: z.number().int(),
    read: z.number().int(),
    failed: z.number().int(),
    skipped: z.number().int().openapi({ description: "Refused up front (invalid number, duplicate, opted out, variables) or when its turn came" }),
    cancelled: z.number().int().openapi({ description: "Never sent: the campaign was cancelled before its turn" }),
  })
  .openapi("CampaignCounts");

export const CampaignSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    template: z.string(),
    language: z.string(),
    phoneNumberId: z.string(),
    state: z.enum(CAMPAIGN_STATES),
    sendAt: IsoDateTime.nullable(),
    recipients: z.number().int().openapi({ description: "Recipients given, skipped ones included" }),
    counts: Counts,
    createdAt: IsoDateTime,
    startedAt: IsoDateTime.nullable(),
    finishedAt: IsoDateTime.nullable(),
  })
  .openapi("Campaign");

const SkippedSchema = z
  .object({
    index: z.number().int().openapi({ description: "Its position among all the campaign's recipients (0-based)" }),
    to: z.string(),
    reason: z.string().openapi({ example: "duplicate", description: "invalid_phone, duplicate, contact_opted_out, template_variable_count_mismatch, validation_failed, …" }),
    message: z.string(),
  })
  .openapi("SkippedRecipient");

export const CampaignCreatedSchema = CampaignSchema.extend({ skipped: z.array(SkippedSchema) }).openapi("CampaignCreated");

export const CampaignDryRunSchema = z
  .object({
    dryRun: z.literal(true),
    wouldSend: z.number().int(),
    skipped: z.array(SkippedSchema),
    phoneNumberId: z.string(),
    estimatedSeconds: z.number().int().openapi({ description: "How long sending would take at the number's pace" }),
  })
  .openapi("CampaignDryRun");

export const RecipientSchema = z
  .object({
    index: z.number().int(),
    to: z.string(),
    status: z.enum(RECIPIENT_FILTERS),
    reason: z.string().nullable().openapi({ description: "Why it was skipped" }),
    messageId: z.string().nullable().openapi({ description: "Its message, once handed to the relay: GET /v1/messages/{id}" }),
    wamid: z.string().nullable(),
    error: z.object({ source: z.string(), code: z.number().int().nullable(), message: z.string() }).passthrough().nullable(),
    updatedAt: IsoDateTime.nullable(),
  })
  .openapi("CampaignRecipientStatus");

export const RecipientFilter = z.enum(RECIPIENT_FILTERS);
