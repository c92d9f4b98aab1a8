import { newId } from "../db/ids";
import { toE164 } from "../domain/phone";
import { compose, isRefusal } from "../messages/compose";
import type { SendTemplateInput, TemplateComponent } from "../messages/inputs";
import type { MessageError } from "../messages/outcome";
import type { Refusal } from "../messages/send";
import { PHONE_HEADROOM } from "../relay/pacing";
import { findContact } from "./contacts";
import { phoneMps, sendingPhone, type WabaControl } from "./control";
import { emitCampaignEvent } from "./events";
import { cancelCampaignMessages, recordMessage } from "./messages";
import type { CampaignState } from "./schema";
import { all, one, type Store } from "./store";
import { templateVariants } from "./templates";

// Campaigns: one approved template to many recipients. Recipients are checked up front (each as a single
// template send would be) and stored in order; those refused are kept as `skipped` with the reason. A
// running campaign is released to the relay by the WABA object's alarm, about 0.6 s ahead at
// its number's pace, each recipient becoming an ordinary message (history, statuses, events) that
// carries the campaign's id; the relay paces it behind conversational sends (src/relay/pacing.ts). The
// campaign's counts are read from its recipients and their messages, so they always equal the rows.

export type RecipientInput = { to: string; variables?: string[]; components?: TemplateComponent[] };
export type CampaignInput = { name?: string; template: string; language: string; phoneNumberId?: string; sendAt?: string; recipients: RecipientInput[] };

export type Skipped = { index: number; to: string; reason: string; message: string };

/** The template-level refusals: the same for every recipient, so the whole campaign is refused. */
const CAMPAIGN_REFUSALS = new Set(["TEMPLATE_NOT_FOUND", "TEMPLATE_NOT_APPROVED", "TEMPLATE_LANGUAGE_MISMATCH"]);

/**
 * A running campaign keeps about this much of its number's pace handed to the relay (ms): little, so a
 * consumer batch of campaign sends waits only a few slots, pausing stops almost at once, and where
 * consumer batches do not run side by side (local Miniflare) two numbers' campaigns still share each batch.
 */
export const RELEASE_LEAD_MS = 600;
/** How often the alarm releases a running campaign's next recipients (ms). */
export const RELEASE_TICK_MS = 100;

export type CampaignCounts = { pending: number; queued: number; sent: number; delivered: number; read: number; failed: number; skipped: number; cancelled: number };

export type CampaignView = {
  id: string;
  name: string | null;
  template: string;
  language: string;
  phoneNumberId: string;
  state: CampaignState;
  sendAt: number | null;
  recipients: number;
  counts: CampaignCounts;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
};

type CampaignRow = {
  id: string; name: string | null; template: string; language: string; phone: string; state: CampaignState; sendAt: number | null;
  recipients: number; createdAt: number; startedAt: number | null; finishedAt: number | null;
};
const CAMPAIGN = `SELECT id, name, template, language, meta_phone_number_id AS phone, state, send_at AS sendAt, recipient_count AS recipients,
  created_at AS createdAt, started_at AS startedAt, finished_at AS finishedAt FROM campaigns`;

/** What checking recipients found: the ones that will be sent, and the ones skipped with the reason. */
type Checked = { accepted: Array<{ index: number; to: string; input: RecipientInput }>; skipped: Skipped[] } | { refusal: Refusal };

/**
 * Each recipient checked as a single template send would be (E.164, variables, components, opt-out),
 * plus duplicates (in this request, or already in the campaign). A template that is missing, not
 * approved or not in that language refuses the whole campaign.
 */
function checkRecipients(s: Store, c: { template: string; language: string; phone: string }, recipients: RecipientInput[], offset: number, seen: Set<string>): Checked {
  const templates = templateVariants(s, c.template);
  const accepted: Array<{ index: number; to: string; input: RecipientInput }> = [];
  const skipped: Skipped[] = [];
  for (const [i, r] of recipients.entries()) {
    const index = offset + i;
    const to = toE164(r.to);
    if (!to) {
      skipped.push({ index, to: r.to, reason: "invalid_phone", message: "Invalid E.164 phone number (expected e.g. +919812345678)" });
      continue;
    }
    if (seen.has(to)) {
      skipped.push({ index, to, reason: "duplicate", message: "This recipient is already in the campaign" });
      continue;
    }
    const draft = composeFor(s, c, { to, input: r }, templates);
    if (isRefusal(draft)) {
      if (CAMPAIGN_REFUSALS.has(draft.code)) return { refusal: draft };
      skipped.push({ index, to, reason: draft.code.toLowerCase(), message: draft.message });
      continue;
    }
    seen.add(to);
    accepted.push({ index, to, input: r });
  }
  return { accepted, skipped };
}

function composeFor(s: Store, c: { template: string; language: string; phone: string }, r: { to: string; input: RecipientInput }, templates = templateVariants(s, c.template)) {
  const contact = findContact(s, { phone: r.to });
  const input: SendTemplateInput = { to: r.to, template: c.template, language: c.language, variables: r.input.variables, components: r.input.components, phoneNumberId: c.phone };
  return compose({ route: "template", input }, {
    now: s.now,
    metaPhoneNumberId: c.phone,
    contact: contact ? { lastInboundAt: contact.lastInboundAt, optedIn: contact.optedIn === 1 } : null,
    templates,
  });
}

export type CreateResult =
  | { kind: "no_phone" }
  | { kind: "refused"; refusal: Refusal }
  | { kind: "created"; campaign: CampaignView; skipped: Skipped[] }
  | { kind: "dry_run"; wouldSend: number; skipped: Skipped[]; phoneNumberId: string; estimatedSeconds: number };

/** POST /v1/campaigns: checked, then stored (scheduled, or running at once) — or, for a dry run, only checked. */
export function createCampaign(s: Store, control: WabaControl, input: CampaignInput, apiKeyId: string, opts: { dryRun?: boolean } = {}): CreateResult {
  const phone = sendingPhone(control, input.phoneNumberId);
  if (!phone) return { kind: "no_phone" };
  const c = { template: input.template, language: input.language, phone };
  const checked = checkRecipients(s, c, input.recipients, 0, new Set());
  if ("refusal" in checked) return { kind: "refused", refusal: checked.refusal };
  const mps = phoneMps(control, phone);
  if (opts.dryRun) {
    return { kind: "dry_run", wouldSend: checked.accepted.length, skipped: checked.skipped, phoneNumberId: phone, estimatedSeconds: Math.ceil(checked.accepted.length / (mps * PHONE_HEADROOM)) };
  }
  const id = newId(s.now);
  const sendAt = input.sendAt === undefined ? null : Date.parse(input.sendAt);
  const state: CampaignState = sendAt !== null && sendAt > s.now ? "scheduled" : "running";
  s.sql.exec(
    `INSERT INTO campaigns (id, name, template, language, meta_phone_number_id, state, send_at, recipient_count, api_key_id, started_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, NULL, ?, ?)`,
    id, input.name ?? null, input.template, input.language, phone, state, sendAt, apiKeyId, s.now, s.now,
  );
  storeRecipients(s, id, 0, input.recipients.length, checked);
  if (state === "running") start(s, id);
  return { kind: "created", campaign: campaignView(s, id)!, skipped: checked.skipped };
}

function storeRecipients(s: Store, id: string, offset: number, count: number, checked: { accepted: Array<{ index: number; to: string; input: RecipientInput }>; skipped: Skipped[] }) {
  for (const r of checked.accepted) {
    s.sql.exec(`INSERT INTO campaign_recipients (campaign_id, seq, "to", input, status) VALUES (?, ?, ?, ?, 'pending')`, id, r.index, r.to, JSON.stringify(r.input));
  }
  for (const k of checked.skipped) {
    s.sql.exec(`INSERT INTO campaign_recipients (campaign_id, seq, "to", input, status, reason) VALUES (?, ?, ?, '{}', 'skipped', ?)`, id, k.index, k.to, k.reason);
  }
  s.sql.exec(`UPDATE campaigns SET recipient_count = ?, updated_at = ? WHERE id = ?`, offset + count, s.now, id);
}

export type AppendResult = { kind: "not_found" } | { kind: "not_scheduled"; state: CampaignState } | { kind: "refused"; refusal: Refusal } | { kind: "appended"; campaign: CampaignView; skipped: Skipped[] };

/** POST /v1/campaigns/{id}/recipients: more recipients, while the campaign has not started. */
export function appendRecipients(s: Store, id: string, recipients: RecipientInput[], maxTotal: number): AppendResult | { kind: "too_many"; max: number } {
  const row = one<CampaignRow>(s, `${CAMPAIGN} WHERE id = ?`, id);
  if (!row) return { kind: "not_found" };
  if (row.state !== "scheduled") return { kind: "not_scheduled", state: row.state };
  if (row.recipients + recipients.length > maxTotal) return { kind: "too_many", max: maxTotal };
  const seen = new Set(all<{ to: string }>(s, `SELECT "to" FROM campaign_recipients WHERE campaign_id = ? AND status != 'skipped'`, id).map((r) => r.to));
  const checked = checkRecipients(s, { template: row.template, language: row.language, phone: row.phone }, recipients, row.recipients, seen);
  if ("refusal" in checked) return { kind: "refused", refusal: checked.refusal };
  storeRecipients(s, id, row.recipients, recipients.length, checked);
  return { kind: "appended", campaign: campaignView(s, id)!, skipped: checked.skipped };
}

/** Running from now: campaign.started. */
function start(s: Store, id: string): void {
  s.sql.exec(`UPDATE campaigns SET state = 'running', started_at = COALESCE(started_at, ?), updated_at = ? WHERE id = ?`, s.now, s.now, id);
  emitCampaignEvent(s, "campaign.started", campaignView(s, id)!);
}

/** `cancelled`: the campaign's messages a cancel took back from the relay */
export type ActionResult = { kind: "not_found" } | { kind: "conflict"; state: CampaignState } | { kind: "done"; campaign: CampaignView; cancelled: string[] };

/**
 * pause (scheduled or running → paused), resume (paused → running, or scheduled again if not yet due),
 * cancel (anything not finished → cancelled: recipients not yet released and messages the relay has not
 * claimed are cancelled at once; what Meta already has is kept in the counts).
 */
export function campaignAction(s: Store, id: string, action: "pause" | "resume" | "cancel"): ActionResult {
  const row = one<CampaignRow>(s, `${CAMPAIGN} WHERE id = ?`, id);
  if (!row) return { kind: "not_found" };
  const allowed: Record<typeof action, CampaignState[]> = { pause: ["scheduled", "running"], resume: ["paused"], cancel: ["scheduled", "running", "paused"] };
  if (!allowed[action].includes(row.state)) return { kind: "conflict", state: row.state };
  let cancelled: string[] = [];
  if (action === "pause") {
    s.sql.exec(`UPDATE campaigns SET state = 'paused', updated_at = ? WHERE id = ?`, s.now, id);
  } else if (action === "resume") {
    if (row.sendAt !== null && row.sendAt > s.now && row.startedAt === null) s.sql.exec(`UPDATE campaigns SET state = 'scheduled', updated_at = ? WHERE id = ?`, s.now, id);
    else start(s, id);
  } else {
    s.sql.exec(`UPDATE campaign_recipients SET status = 'cancelled' WHERE campaign_id = ? AND status = 'pending'`, id);
    cancelled = cancelCampaignMessages(s, id);
    s.sql.exec(`UPDATE campaigns SET state = 'cancelled', finished_at = ?, updated_at = ? WHERE id = ?`, s.now, s.now, id);
  }
  return { kind: "done", campaign: campaignView(s, id)!, cancelled };
}

/**
 * The alarm's step: starts the campaigns that are due, releases the next recipients of each running
 * one (to about RELEASE_LEAD_MS of its number's pace in flight), and completes those with nothing left.
 * Returns the ids of the messages it released, and whether a campaign is still running.
 */
export function runCampaigns(s: Store, control: WabaControl): { released: number; running: boolean; nextStartAt: number | null } {
  for (const { id } of all<{ id: string }>(s, `SELECT id FROM campaigns WHERE state = 'scheduled' AND send_at <= ?`, s.now)) start(s, id);
  let released = 0;
  const running = all<CampaignRow>(s, `${CAMPAIGN} WHERE state = 'running'`);
  for (const c of running) {
    const mps = phoneMps(control, c.phone);
    const inFlight = one<{ n: number }>(s, `SELECT COUNT(*) AS n FROM messages WHERE campaign_id = ? AND status IN ('queued', 'sending')`, c.id)!.n;
    const room = Math.max(0, Math.ceil((mps * PHONE_HEADROOM * RELEASE_LEAD_MS) / 1000) - inFlight);
    const next = room > 0 ? all<{ seq: number; to: string; input: string }>(s, `SELECT seq, "to", input FROM campaign_recipients WHERE campaign_id = ? AND status = 'pending' ORDER BY seq LIMIT ?`, c.id, room) : [];
    const templates = next.length ? templateVariants(s, c.template) : [];
    for (const r of next) {
      const input = JSON.parse(r.input) as RecipientInput;
      const draft = composeFor(s, c, { to: r.to, input }, templates);
      if (isRefusal(draft)) {
        // the template changed since the campaign was created (paused, disabled…), or the customer opted out
        s.sql.exec(`UPDATE campaign_recipients SET status = 'skipped', reason = ? WHERE campaign_id = ? AND seq = ?`, draft.code.toLowerCase(), c.id, r.seq);
        continue;
      }
      const m = recordMessage(s, { party: { phone: r.to, userId: null }, metaPhoneNumberId: c.phone, direction: "outbound", kind: draft.kind, body: draft.body, payload: draft.payload, status: "queued", campaignId: c.id })!;
      s.sql.exec(`UPDATE campaign_recipients SET status = 'released', message_id = ? WHERE campaign_id = ? AND seq = ?`, m.messageId, c.id, r.seq);
      s.effects.sends.push({ wabaId: s.wabaId, messageId: m.messageId, bulk: true });
      released++;
    }
    if (next.length === 0 && inFlight === 0) finish(s, c.id);
  }
  const stillRunning = one<{ n: number }>(s, `SELECT COUNT(*) AS n FROM campaigns WHERE state = 'running'`)!.n > 0;
  const nextStartAt = one<{ at: number | null }>(s, `SELECT MIN(send_at) AS at FROM campaigns WHERE state = 'scheduled'`)?.at ?? null;
  return { released, running: stillRunning, nextStartAt };
}

/** Nothing left to release and nothing on its way to Meta: completed, with the final counts (campaign.completed). */
function finish(s: Store, id: string): void {
  const pending = one<{ n: number }>(s, `SELECT COUNT(*) AS n FROM campaign_recipients WHERE campaign_id = ? AND status = 'pending'`, id)!.n;
  if (pending > 0) return;
  s.sql.exec(`UPDATE campaigns SET state = 'completed', finished_at = ?, updated_at = ? WHERE id = ?`, s.now, s.now, id);
  emitCampaignEvent(s, "campaign.completed", campaignView(s, id)!);
}

/** The campaign with its counts, read from its recipients and their messages. */
export function campaignView(s: Store, id: string): CampaignView | null {
  const row = one<CampaignRow>(s, `${CAMPAIGN} WHERE id = ?`, id);
  return row ? viewOf(s, row) : null;
}

function viewOf(s: Store, row: CampaignRow): CampaignView {
  const counts: CampaignCounts = { pending: 0, queued: 0, sent: 0, delivered: 0, read: 0, failed: 0, skipped: 0, cancelled: 0 };
  for (const r of all<{ status: string; n: number }>(s, `SELECT status, COUNT(*) AS n FROM campaign_recipients WHERE campaign_id = ? AND status != 'released' GROUP BY status`, row.id)) {
    if (r.status === "pending") counts.pending += r.n;
    else if (r.status === "skipped") counts.skipped += r.n;
    else if (r.status === "cancelled") counts.cancelled += r.n;
  }
  for (const m of all<{ status: string; n: number }>(s, `SELECT status, COUNT(*) AS n FROM messages WHERE campaign_id = ? GROUP BY status`, row.id)) {
    const bucket = COUNT_OF[m.status];
    if (bucket) counts[bucket] += m.n;
  }
  return {
    id: row.id, name: row.name, template: row.template, language: row.language, phoneNumberId: row.phone, state: row.state, sendAt: row.sendAt,
    recipients: row.recipients, counts, createdAt: row.createdAt, startedAt: row.startedAt, finishedAt: row.finishedAt,
  };
}

/** A message's status as a campaign counts it: Meta has it (sent, held) → sent; played → read. */
const COUNT_OF: Record<string, keyof CampaignCounts | undefined> = {
  scheduled: "queued", queued: "queued", sending: "queued", held: "sent", sent: "sent", delivered: "delivered", read: "read", played: "read", failed: "failed", cancelled: "cancelled",
};

/** GET /v1/campaigns: newest first, `before` the cursor (createdAt|id of the last item). */
export function listCampaigns(s: Store, limit: number, cursor: { createdAt: number; id: string } | null): { items: CampaignView[]; next: { createdAt: number; id: string } | null } {
  const rows = cursor
    ? all<CampaignRow>(s, `${CAMPAIGN} WHERE created_at < ? OR (created_at = ? AND id < ?) ORDER BY created_at DESC, id DESC LIMIT ?`, cursor.createdAt, cursor.createdAt, cursor.id, limit + 1)
    : all<CampaignRow>(s, `${CAMPAIGN} ORDER BY created_at DESC, id DESC LIMIT ?`, limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map((r) => viewOf(s, r)), next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}

export const RECIPIENT_FILTERS = ["pending", "queued", "sent", "delivered", "read", "failed", "skipped", "cancelled"] as const;
export type RecipientFilter = (typeof RECIPIENT_FILTERS)[number];

export type RecipientView = {
  index: number; to: string; status: RecipientFilter; reason: string | null; messageId: string | null; wamid: string | null;
  error: MessageError | null; updatedAt: number | null;
};

/** The SQL condition a recipient status filter is (its message's status once released). */
const FILTER_SQL: Record<RecipientFilter, string> = {
  pending: `r.status = 'pending'`,
  skipped: `r.status = 'skipped'`,
  cancelled: `(r.status = 'cancelled' OR m.status = 'cancelled')`,
  queued: `m.status IN ('scheduled', 'queued', 'sending')`,
  sent: `m.status IN ('sent', 'held')`,
  delivered: `m.status = 'delivered'`,
  read: `m.status IN ('read', 'played')`,
  failed: `m.status = 'failed'`,
};

/** GET /v1/campaigns/{id}/recipients: in the order given, after the cursor (the last index), optionally by status. Null: no such campaign. */
export function listRecipients(s: Store, id: string, opts: { limit: number; after: number | null; status?: RecipientFilter }): { items: RecipientView[]; next: number | null } | null {
  if (!one(s, `SELECT 1 AS x FROM campaigns WHERE id = ?`, id)) return null;
  const rows = all<{ seq: number; to: string; rstatus: string; reason: string | null; messageId: string | null; wamid: string | null; mstatus: string | null; error: string | null; updatedAt: number | null }>(
    s,
    `SELECT r.seq, r."to", r.status AS rstatus, r.reason, r.message_id AS messageId, m.wamid, m.status AS mstatus, m.error, m.updated_at AS updatedAt
       FROM campaign_recipients r LEFT JOIN messages m ON m.id = r.message_id
      WHERE r.campaign_id = ? AND r.seq > ? ${opts.status ? `AND ${FILTER_SQL[opts.status]}` : ""}
      ORDER BY r.seq LIMIT ?`,
    id, opts.after ?? -1, opts.limit + 1,
  );
  const page = rows.slice(0, opts.limit);
  const items = page.map((r): RecipientView => ({
    index: r.seq,
    to: r.to,
    status: r.rstatus === "released" ? (COUNT_OF[r.mstatus ?? "queued"] as RecipientFilter) : (r.rstatus as RecipientFilter),
    reason: r.reason,
    messageId: r.messageId,
    wamid: r.wamid,
    error: r.error === null ? null : (JSON.parse(r.error) as MessageError),
    updatedAt: r.updatedAt,
  }));
  return { items, next: rows.length > opts.limit ? page[page.length - 1]!.seq : null };
}
