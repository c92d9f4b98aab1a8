import type { RouteHandler } from "@hono/zod-openapi";
import type { CampaignInput, CampaignView, CreateResult, RecipientInput, Skipped } from "../../data-plane/campaigns";
import { campaignJson } from "../../data-plane/events";
import type { AppEnv } from "../../env";
import { ApiError } from "../../errors";
import { phoneNotFoundError, refusalError } from "../../messages/outcome";
import { idempotentOutcome } from "../../middleware/idempotency";
import { iso, isResourceId } from "../../schemas/common";
import { MAX_RECIPIENTS_PER_CAMPAIGN } from "./campaigns.schemas";
import type * as routes from "./campaigns.routes";

const notFound = () => new ApiError("NOT_FOUND", "Campaign not found");
const withSkipped = (c: CampaignView, skipped: Skipped[]) => ({ ...campaignJson(c), skipped });

/** The campaign ids a key's WABA may have: a malformed one is simply not found (never a 400 that tells it apart). */
const idOf = (id: string) => (isResourceId(id) ? id : null);

export const createCampaign: RouteHandler<typeof routes.createCampaign, AppEnv> = async (c) => {
  const key = c.var.key;
  const input = c.req.valid("json") as CampaignInput;
  const dryRun = c.req.valid("query").dryRun === "true";
  const result = idempotentOutcome<CreateResult & { d1: number }>(c, await c.var.store.createCampaign(key.wabaId, input, key.id, { dryRun, idempotency: c.var.idempotency }));
  c.var.counters.d1 += result.d1;
  switch (result.kind) {
    case "no_phone":
      throw phoneNotFoundError(input.phoneNumberId);
    case "refused":
      throw refusalError(result.refusal);
    case "dry_run":
      return c.json({ dryRun: true as const, wouldSend: result.wouldSend, skipped: result.skipped, phoneNumberId: result.phoneNumberId, estimatedSeconds: result.estimatedSeconds }, 200);
    case "created":
      c.header("Location", `/v1/campaigns/${result.campaign.id}`);
      return c.json(withSkipped(result.campaign, result.skipped), 201);
  }
};

export const appendRecipients: RouteHandler<typeof routes.appendRecipients, AppEnv> = async (c) => {
  const id = idOf(c.req.valid("param").id);
  if (!id) throw notFound();
  const { recipients } = c.req.valid("json") as { recipients: RecipientInput[] };
  const result = await c.var.store.appendCampaignRecipients(c.var.key.wabaId, id, recipients, MAX_RECIPIENTS_PER_CAMPAIGN);
  switch (result.kind) {
    case "not_found":
      throw notFound();
    case "not_scheduled":
      throw new ApiError("INVALID_STATE", `Recipients can be added only before the campaign starts; it is ${result.state}`);
    case "too_many":
      throw new ApiError("VALIDATION_FAILED", `recipients: a campaign has at most ${result.max} recipients`, { details: [{ field: "recipients", message: `at most ${result.max} in all` }] });
    case "refused":
      throw refusalError(result.refusal);
    case "appended":
      return c.json(withSkipped(result.campaign, result.skipped), 200);
  }
};

export const listCampaigns: RouteHandler<typeof routes.listCampaigns, AppEnv> = async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const at = cursor ? { createdAt: Number(cursor.split(".")[0]), id: cursor.split(".")[1]! } : null;
  const page = await c.var.store.listCampaigns(c.var.key.wabaId, limit, at);
  return c.json({ data: page.items.map(campaignJson), nextCursor: page.next ? `${page.next.createdAt}.${page.next.id}` : null }, 200);
};

export const getCampaign: RouteHandler<typeof routes.getCampaign, AppEnv> = async (c) => {
  const id = idOf(c.req.valid("param").id);
  const campaign = id ? await c.var.store.getCampaign(c.var.key.wabaId, id) : null;
  if (!campaign) throw notFound();
  return c.json(campaignJson(campaign), 200);
};

export const listRecipients: RouteHandler<typeof routes.listRecipients, AppEnv> = async (c) => {
  const id = idOf(c.req.valid("param").id);
  const { limit, cursor, status } = c.req.valid("query");
  const page = id ? await c.var.store.listCampaignRecipients(c.var.key.wabaId, id, { limit, after: cursor === undefined ? null : Number(cursor), status }) : null;
  if (!page) throw notFound();
  return c.json(
    { data: page.items.map((r) => ({ ...r, updatedAt: r.updatedAt === null ? null : iso(r.updatedAt) })), nextCursor: page.next === null ? null : String(page.next) },
    200,
  );
};

const act = (name: "pause" | "resume" | "cancel"): RouteHandler<typeof routes.pauseCampaign, AppEnv> => async (c) => {
  const id = idOf(c.req.valid("param").id);
  const result = id ? await c.var.store.campaignAction(c.var.key.wabaId, id, name) : ({ kind: "not_found" } as const);
  if (result.kind === "not_found") throw notFound();
  if (result.kind === "conflict") throw new ApiError("INVALID_STATE", `Cannot ${name} a campaign that is ${result.state}`);
  return c.json(campaignJson(result.campaign), 200);
};

export const pauseCampaign = act("pause");
export const resumeCampaign = act("resume");
export const cancelCampaign = act("cancel");
