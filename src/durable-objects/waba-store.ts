import { DurableObject } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { migrate } from "drizzle-orm/durable-sqlite/migrator";
import { openSecret, sealSecret } from "../crypto/secret-box";
import * as campaigns from "../data-plane/campaigns";
import * as contacts from "../data-plane/contacts";
import { loadWabaControl, phoneMps, sendingPhone, type WabaControl } from "../data-plane/control";
import * as inbox from "../data-plane/inbox";
import * as media from "../data-plane/media";
import { hasWorkInFlight, STALE_AFTER_MS, sweep, type SweepResult } from "../data-plane/maintenance";
import { applyMetaChange, type MetaAlert } from "../data-plane/meta-changes";
import * as messages from "../data-plane/messages";
import migrations from "../data-plane/migrations/bundle";
import { exportLines, importLines, type ImportResult } from "../data-plane/portability";
import type { EventType } from "../data-plane/schema";
import { admitSend } from "../data-plane/sends";
import { parseStoreName, storeName, type DataMode } from "../data-plane/stub";
import { all, noEffects, type Effects, type Store } from "../data-plane/store";
import * as templates from "../data-plane/templates";
import * as webhooks from "../data-plane/webhooks";
import { groupCalls, type GroupedCall } from "../domain/group-calls";
import type { Env } from "../env";
import { claimIdempotencyKey, completeIdempotencyKey, idempotencyRecords, purgeExpiredIdempotencyKeys, releaseIdempotencyKey, type Idempotent, type IdempotencyRequest } from "./idempotency-store";
import { errorFields, log } from "../log";
import type { SendContent } from "../messages/inputs";
import { failedSendError, type MessageError, type SendOutcome } from "../messages/outcome";
import type { Refusal } from "../messages/send";
import type { MetaEventJob } from "../queues/meta-event-job";
import { Pacer, type PairPacing } from "../relay/pacing";
import { settings } from "../settings";
import { generateWebhookSecret } from "../webhooks/signing";

/** Re-read the control record from D1 at least this often even without an explicit invalidate(). */
const CONTROL_TTL_MS = 60_000;
/** An outcome that arrives before its route starts waiting is kept this long. */
const EARLY_OUTCOME_TTL_MS = 60_000;
/** With nothing in flight, the alarm still runs daily for retention. */
const DAILY_MS = 24 * 60 * 60_000;

export type SendResult =
  | { kind: "no_phone"; d1: number }
  | { kind: "refused"; refusal: Refusal; d1: number }
  /** `respondAsync`: queued because the client preferred not to wait (Prefer: respond-async), not because Meta was slow */
  | { kind: "queued"; messageId: string; respondAsync: boolean; d1: number }
  | { kind: "scheduled"; messageId: string; sendAt: number; d1: number }
  | { kind: "dry_run"; phoneNumberId: string; draftKind: string; sendAt: number | null; estimatedWaitMs: number; d1: number }
  | { kind: "sent"; wamid: string; d1: number }
  | { kind: "failed"; error: MessageError; draftKind: string; d1: number };

/** Where the relay sends a claimed message: Meta with the WABA's (sealed) token, or the sandbox (test mode). */
export type GraphAccess = { mode: "live"; accessTokenEnc: string } | { mode: "test"; metaWabaId: string };

/** `at`: the pacing slot to call Meta at (it may be a moment ahead); `paced`: not its turn, ask again at `until` */
export type RelayClaim = ({ kind: "claimed"; payload: string; metaPhoneNumberId: string; attempts: number; at: number } & GraphAccess) | messages.Unclaimed | { kind: "paced"; until: number };

/** `throttled`: Meta refused for pace alone (130429: the number's throughput; 131056: the customer's pair rate) */
export type RelayResult =
  | { kind: "accepted"; wamid: string; held: boolean }
  | { kind: "retry"; error: MessageError }
  | { kind: "failed"; error: MessageError }
  | { kind: "throttled"; lane: "phone" | "pair"; error: MessageError };

/** A message behind an earlier one to the same customer asks again this much later. */
const ORDER_RECHECK_MS = 250;

/** The name an unnamed id was made from: the WABA's live or test-mode name, whichever hashes to it. */
function nameFromId(ctx: DurableObjectState, env: Env): string | undefined {
  const wabaId = ctx.storage.kv.get<string>("wabaId");
  if (wabaId === undefined) return undefined;
  return (["live", "test"] as const).map((mode) => storeName(wabaId, mode)).find((n) => env.WABA_STORE.idFromName(n).equals(ctx.id));
}

/**
 * One WABA's data plane: a SQLite-backed Durable Object per WABA and mode, named by our WABA id (always
 * the one in the authenticated key record or the job, never one from a request) — `test:<id>` for the
 * test-mode twin, whose sends go to the sandbox and never to Meta (src/data-plane/stub.ts). It holds the WABA's
 * contacts, conversations, messages and their statuses, templates, webhook endpoints, events and
 * deliveries; it is the only writer of each, so every change and the event announcing it commit in one
 * synchronous transaction. The RPC methods below are a thin shell over src/data-plane/*.
 *
 * A send route waits here for Meta's answer: the relay reports it to this same object, which wakes the
 * waiting call (a push, no polling).
 */
export class WabaStore extends DurableObject<Env> {
  /** from the object's name: which WABA it may serve, and whether it is the test-mode twin */
  readonly #named: { wabaId: string; mode: DataMode } | undefined;
  #wabaId?: string;
  #control?: { value: WabaControl; loadedAt: number };
  /** send pacing per phone number and customer: soft state, in memory (src/relay/pacing.ts) */
  readonly #pacer = new Pacer();
  #waiters = new Map<string, (outcome: SendOutcome) => void>();
  #early = new Map<string, { outcome: SendOutcome; at: number }>();
  /** sends whose route waits (or is about to wait) for their outcome */
  #expecting = new Set<string>();
  #alarmAt: number | null = null;
  /** per queue: its messages, grouped into sendBatch calls (#enqueue) */
  readonly #queueSends = new Map<Queue, GroupedCall<unknown, void>>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // An object woken by its alarm has no name on its id (only objects addressed by name do): the name
    // is kept in its storage the first time it is addressed, and read back when the id has none; an
    // object stored before that knows its WABA, and its id is the one its name hashes to.
    const known = ctx.storage.kv.get<string>("storeName") ?? nameFromId(ctx, env);
    if (ctx.id.name !== undefined && known !== ctx.id.name) ctx.storage.kv.put("storeName", ctx.id.name);
    const name = ctx.id.name ?? known;
    this.#named = name === undefined ? undefined : parseStoreName(name);
    void ctx.blockConcurrencyWhile(async () => {
      await migrateStore(ctx.storage);
      this.#wabaId = ctx.storage.kv.get<string>("wabaId");
      this.#alarmAt = await ctx.storage.getAlarm();
    });
  }

  // ---- sends and the relay ------------------------------------------------------------------------

  /**
   * Checks, stores and queues a send; then, unless the client asked not to wait, waits up to `waitMs`
   * for the relay's answer. `d1`: D1 queries made here (the control record, when not cached).
   */
  async send(
    wabaId: string,
    content: SendContent,
    apiKeyId: string,
    opts: { wait: boolean; waitMs: number; dryRun?: boolean; idempotency?: IdempotencyRequest },
  ): Promise<Idempotent<SendResult>> {
    // every outcome is kept for replays but one answered 5xx (Meta failed: the client may retry)
    return this.#idempotent(apiKeyId, opts.idempotency, () => this.#send(wabaId, content, apiKeyId, opts), (r) => r.kind !== "failed" || failedSendError(r.error, r.draftKind).status < 500);
  }

  async #send(wabaId: string, content: SendContent, apiKeyId: string, opts: { wait: boolean; waitMs: number; dryRun?: boolean }): Promise<SendResult> {
    const { control, d1 } = await this.#controlRecord(wabaId);
    const admission = await this.#write(wabaId, (s) => {
      const a = admitSend(s, control, content, apiKeyId, { dryRun: opts.dryRun });
      // expected before its job is queued, so an answer that comes back at once is kept for us
      if (a.kind === "queued" && opts.wait) this.#expecting.add(a.messageId);
      return a;
    });
    if (admission.kind === "dry_run") {
      return { ...admission, estimatedWaitMs: this.#pacer.estimateWaitMs(admission.phoneNumberId, phoneMps(control, admission.phoneNumberId), Date.now()), d1 };
    }
    if (admission.kind === "scheduled") await this.#scheduleAlarm(admission.sendAt);
    if (admission.kind !== "queued") return { ...admission, d1 };
    if (!opts.wait) return { kind: "queued", messageId: admission.messageId, respondAsync: true, d1 };
    const outcome = await this.#awaitOutcome(admission.messageId, opts.waitMs);
    if (!outcome) return { kind: "queued", messageId: admission.messageId, respondAsync: false, d1 };
    return outcome.status === "sent" ? { kind: "sent", wamid: outcome.wamid, d1 } : { kind: "failed", error: outcome.error, draftKind: admission.draftKind, d1 };
  }

  /**
   * The relay's claims on queued messages, in one transaction: for each, what the relay needs to call
   * Meta and the pacing slot to send at (src/relay/pacing.ts) — or `paced`: not its turn yet (its
   * number's throughput, its customer's pair rate, or an earlier message to that customer still on its
   * way), ask again at `until`. One call for a consumer batch's messages of this WABA.
   */
  async claimSends(wabaId: string, messageIds: string[], pairPacing: PairPacing): Promise<RelayClaim[]> {
    const { control } = await this.#controlRecord(wabaId);
    const claims = await this.#write(wabaId, (s) => messageIds.map((messageId) => this.#claim(s, control, messageId, pairPacing)));
    return claims.map((claim) => (claim.kind === "claimed" ? { ...claim, ...this.#access(control) } : claim));
  }

  #claim(s: Store, control: WabaControl, messageId: string, pairPacing: PairPacing): Exclude<RelayClaim, { kind: "claimed" }> | ({ kind: "claimed"; at: number } & messages.Claimed) {
    // pair pacing keeps a customer's messages in order; off (PAIR_INTERVAL_MS=0), neither applies
    const lanes = messages.sendLanes(s, messageId, { order: pairPacing.intervalMs > 0 });
    if (lanes.kind !== "ready") {
      this.#pacer.release(messageId);
      return lanes;
    }
    if (lanes.behind) return { kind: "paced", until: s.now + ORDER_RECHECK_MS };
    const slot = this.#pacer.slot({ messageId, phone: lanes.phone, pair: lanes.pair, mps: phoneMps(control, lanes.phone), pairPacing, now: s.now, bulk: lanes.campaignId !== null });
    if (slot.kind === "wait") return { kind: "paced", until: slot.until };
    const claimed = messages.claimSend(s, messageId);
    return claimed ? { kind: "claimed", ...claimed, at: slot.at } : { kind: "done" };
  }

  /**
   * What Meta answered the relay (or that the relay will retry), for several messages in one
   * transaction: each message's next status. A throttle (130429, 131056) also slows the number or the
   * customer's lane and answers when to ask again.
   */
  async completeSends(wabaId: string, results: Array<{ messageId: string; result: RelayResult }>, pairPacing?: PairPacing): Promise<Array<{ retryAt?: number }>> {
    return this.#write(wabaId, (s) => results.map(({ messageId, result }) => this.#complete(s, messageId, result, pairPacing)));
  }

  #complete(s: Store, messageId: string, result: RelayResult, pairPacing: PairPacing | undefined): { retryAt?: number } {
    if (result.kind === "accepted") messages.markAccepted(s, messageId, result.wamid, result.held);
    else if (result.kind === "retry") messages.releaseClaim(s, messageId, result.error);
    else if (result.kind === "failed") messages.markFailed(s, messageId, result.error);
    else {
      messages.releaseThrottled(s, messageId, result.error);
      const lanes = messages.sendLanes(s, messageId, { order: false });
      if (lanes.kind !== "ready") return {};
      if (result.lane === "phone") this.#pacer.throttled(lanes.phone, s.now);
      else this.#pacer.pairThrottled(lanes.pair, pairPacing ?? { intervalMs: 0, burst: 1 }, s.now);
      return { retryAt: s.now };
    }
    this.#pacer.release(messageId);
    return {};
  }

  /** DELETE /v1/messages/{id}: a scheduled send cancelled. */
  async cancelScheduled(wabaId: string, messageId: string) {
    return this.#write(wabaId, (s) => messages.cancelScheduled(s, messageId));
  }

  /** The send queue gave up on a message (dead-letter queue): failed, with the last error. */
  async giveUp(wabaId: string, messageId: string, deliveries: number): Promise<void> {
    await this.#write(wabaId, (s) => messages.giveUp(s, messageId, deliveries));
  }

  async getSentMessage(wabaId: string, id: string) {
    return this.#read(wabaId, (s) => inbox.getSentMessage(s, id));
  }

  // ---- Meta's webhooks ----------------------------------------------------------------------------

  /** Changes Meta reported for this WABA (a consumer batch's, in order), applied in one transaction. */
  async applyMetaChanges(wabaId: string, jobs: MetaEventJob[]): Promise<void> {
    await this.#write(wabaId, (s) => {
      for (const job of jobs) applyMetaChange(s, job);
    });
  }

  async listAlerts(wabaId: string, limit = 100): Promise<MetaAlert[]> {
    return this.#read(wabaId, (s) =>
      all<MetaAlert>(s, `SELECT id, meta_phone_number_id AS metaPhoneNumberId, code, title, message, details, created_at AS createdAt FROM meta_alerts ORDER BY id DESC LIMIT ?`, limit),
    );
  }

  // ---- inbound media (src/data-plane/media.ts, src/media/*) ------------------------------------------

  /** What a media-copy job needs: the media still pending, where it goes in R2, and how to reach Meta. */
  async mediaCopyTarget(wabaId: string, messageId: string): Promise<{ kind: "copy"; media: media.MediaRow; r2Key: string; access: GraphAccess } | { kind: "done" }> {
    const row = this.#read(wabaId, (s) => media.mediaOf(s, messageId));
    if (!row || row.status !== "pending") return { kind: "done" };
    const { control } = await this.#controlRecord(wabaId);
    return { kind: "copy", media: row, r2Key: media.mediaObjectKey(this.#mode, wabaId, messageId), access: this.#access(control) };
  }

  async mediaStored(wabaId: string, messageId: string, stored: { r2Key: string; mimeType: string; fileSize: number; sha256: string }): Promise<boolean> {
    return this.#write(wabaId, (s) => media.markMediaStored(s, messageId, stored));
  }

  async mediaCopyFailed(wabaId: string, messageId: string, error: string, permanent: boolean): Promise<{ retry: boolean }> {
    return this.#write(wabaId, (s) => media.markMediaCopyFailed(s, messageId, error, { permanent }));
  }

  /**
   * GET /v1/messages/{id}/media: the stored copy, or (still pending, or failed) Meta's media id with the
   * access to stream it from Meta; `expired` past MEDIA_RETENTION_DAYS; `not_found` for any id that is
   * not an inbound media message of this WABA. No D1 query once the control record is cached.
   */
  async mediaForDownload(
    wabaId: string,
    messageId: string,
  ): Promise<{ kind: "not_found" } | { kind: "expired" } | { kind: "stored"; media: media.MediaRow } | { kind: "upstream"; media: media.MediaRow; access: GraphAccess; d1: number }> {
    const row = this.#read(wabaId, (s) => media.mediaForDownload(s, messageId));
    if (!row) return { kind: "not_found" };
    if (row.status === "expired" || row.createdAt < Date.now() - settings(this.env).mediaRetentionMs) return { kind: "expired" };
    if (row.status === "stored" && row.r2Key) return { kind: "stored", media: row };
    const { control, d1 } = await this.#controlRecord(wabaId);
    return { kind: "upstream", media: row, access: this.#access(control), d1 };
  }

  /** POST /v1/media: the number an upload goes to (the one named, else the default) and how to reach Meta. */
  async mediaUploadAccess(wabaId: string, phoneNumberId: string | undefined): Promise<{ kind: "no_phone"; d1: number } | { kind: "ok"; phoneNumberId: string; access: GraphAccess; d1: number }> {
    const { control, d1 } = await this.#controlRecord(wabaId);
    const phone = sendingPhone(control, phoneNumberId);
    if (!phone) return { kind: "no_phone", d1 };
    return { kind: "ok", phoneNumberId: phone, access: this.#access(control), d1 };
  }

  /**
   * A template write (src/templates/manage-templates.ts): the templates it is about — by our id, or by
   * name (and language) — with how calls for this WABA reach Meta and its Meta id, in one call.
   */
  async templatesForWrite(
    wabaId: string,
    which: { id: string } | { name: string; language?: string },
  ): Promise<{ rows: templates.ManagedTemplate[]; metaWabaId: string; access: GraphAccess; d1: number }> {
    const rows = this.#read(wabaId, (s) => {
      if ("id" in which) {
        const row = templates.getTemplate(s, which.id);
        return row ? [row] : [];
      }
      return templates.templatesNamed(s, which.name, which.language);
    });
    const { control, d1 } = await this.#controlRecord(wabaId);
    return { rows, metaWabaId: control.metaWabaId, access: this.#access(control), d1 };
  }

  /**
   * Retention of media: R2 objects of media older than MEDIA_RETENTION_DAYS are deleted and their rows
   * marked expired (then GET answers 410). Run by the alarm; callable with a pinned clock (tests, operators).
   */
  async pruneMediaNow(wabaId: string, now = Date.now()): Promise<{ expired: number; more: boolean }> {
    const limit = 500;
    const due = this.#read(wabaId, (s) => media.mediaPastRetention(s, now - settings(this.env).mediaRetentionMs, limit));
    if (!due.length) return { expired: 0, more: false };
    const keys = due.map((d) => d.r2Key).filter((k): k is string => k !== null);
    // one R2 call deletes up to 1000 keys (R2 Workers API, R2Bucket.delete(string[]))
    if (keys.length) await this.env.MEDIA.delete(keys);
    await this.#write(wabaId, (s) => media.markMediaExpired(s, due.map((d) => d.messageId)), now);
    return { expired: due.length, more: due.length === limit };
  }

  #access(control: WabaControl): GraphAccess {
    return this.#mode === "test" ? { mode: "test", metaWabaId: control.metaWabaId } : { mode: "live", accessTokenEnc: control.accessTokenEnc };
  }

  // ---- reads and writes of the integrator's routes --------------------------------------------------

  async listConversations(wabaId: string, f: inbox.ConversationFilter) {
    return this.#read(wabaId, (s) => inbox.listConversations(s, f));
  }

  async listMessages(wabaId: string, conversationId: string, f: { beforeId?: string; limit: number }) {
    return this.#read(wabaId, (s) => inbox.listMessages(s, conversationId, f));
  }

  async listContacts(wabaId: string, f: contacts.ContactFilter) {
    return this.#read(wabaId, (s) => contacts.listContacts(s, f));
  }

  async getContact(wabaId: string, id: string) {
    return this.#read(wabaId, (s) => contacts.getContact(s, id));
  }

  async createContact(wabaId: string, input: contacts.NewContact) {
    return this.#write(wabaId, (s) => contacts.upsertContact(s, input));
  }

  async patchContact(wabaId: string, id: string, patch: contacts.ContactPatch) {
    return this.#write(wabaId, (s) => contacts.patchContact(s, id, patch));
  }

  async listTemplates(wabaId: string, f: templates.TemplateFilter) {
    return this.#read(wabaId, (s) => templates.listTemplates(s, f));
  }

  async getTemplate(wabaId: string, id: string) {
    return this.#read(wabaId, (s) => templates.getTemplate(s, id));
  }

  /** A template Meta accepted for review (src/templates/manage-templates.ts). */
  async storeSubmittedTemplate(wabaId: string, t: templates.SubmittedTemplate) {
    return this.#write(wabaId, (s) => templates.storeSubmittedTemplate(s, t));
  }

  async applyTemplateEdit(wabaId: string, id: string, edit: { category?: string; components?: string }) {
    return this.#write(wabaId, (s) => templates.applyTemplateEdit(s, id, edit));
  }

  async markTemplatesDeleted(wabaId: string, ids: string[]) {
    return this.#write(wabaId, (s) => templates.markTemplatesDeleted(s, ids));
  }

  /** Mirrors the templates Meta listed (fetched by the caller). */
  async syncTemplates(wabaId: string, upstream: templates.UpstreamTemplate[]) {
    return this.#write(wabaId, (s) => templates.applyTemplateSync(s, upstream));
  }

  // ---- integrator webhooks ------------------------------------------------------------------------

  async createEndpoint(wabaId: string, input: { url: string; events: EventType[]; description?: string; enabled?: boolean }) {
    const secret = generateWebhookSecret();
    const secretEnc = await sealSecret(this.env.TOKEN_ENCRYPTION_KEY, secret);
    const endpoint = await this.#write(wabaId, (s) => webhooks.createEndpoint(s, { ...input, secretEnc }));
    return endpoint === "limit" ? ("limit" as const) : { endpoint, secret };
  }

  async listEndpoints(wabaId: string, page: { cursor?: string; limit: number }) {
    return this.#read(wabaId, (s) => webhooks.listEndpoints(s, page));
  }

  async getEndpoint(wabaId: string, id: string) {
    return this.#read(wabaId, (s) => webhooks.getEndpoint(s, id));
  }

  async updateEndpoint(wabaId: string, id: string, patch: { url?: string; events?: EventType[]; enabled?: boolean; description?: string | null }) {
    return this.#write(wabaId, (s) => webhooks.updateEndpoint(s, id, patch));
  }

  async deleteEndpoint(wabaId: string, id: string) {
    return this.#write(wabaId, (s) => webhooks.deleteEndpoint(s, id));
  }

  /** A new signing secret, shown once; null if there is no such endpoint. */
  async rotateEndpointSecret(wabaId: string, id: string): Promise<string | null> {
    const secret = generateWebhookSecret();
    const secretEnc = await sealSecret(this.env.TOKEN_ENCRYPTION_KEY, secret);
    return (await this.#write(wabaId, (s) => webhooks.setEndpointSecret(s, id, secretEnc))) ? secret : null;
  }

  async listDeliveries(wabaId: string, endpointId: string, page: { status?: "pending" | "succeeded" | "failed"; cursor?: string; limit: number }) {
    return this.#read(wabaId, (s) => webhooks.listDeliveries(s, endpointId, page));
  }

  async replayDelivery(wabaId: string, endpointId: string, deliveryId: string) {
    return this.#write(wabaId, (s) => webhooks.replayDelivery(s, endpointId, deliveryId));
  }

  /** What the webhook consumer needs for one attempt, with the endpoint's signing secret opened. */
  async pendingDelivery(wabaId: string, deliveryId: string) {
    const pending = this.#read(wabaId, (s) => webhooks.pendingDelivery(s, deliveryId));
    if (!pending) return null;
    const { secretEnc, ...rest } = pending;
    return { ...rest, secret: await openSecret(this.env.TOKEN_ENCRYPTION_KEY, secretEnc) };
  }

  async recordDeliveryAttempt(wabaId: string, deliveryId: string, outcome: webhooks.AttemptOutcome): Promise<void> {
    await this.#write(wabaId, (s) => webhooks.recordAttempt(s, deliveryId, outcome));
  }

  // ---- operations ---------------------------------------------------------------------------------

  /** Forget the cached control record (an admin changed the token or the phone numbers). */
  async invalidate(): Promise<void> {
    this.#control = undefined;
  }

  /** Every row as JSON lines (`npm run admin -- waba:export`). */
  async exportData(wabaId: string): Promise<ReadableStream<Uint8Array>> {
    this.#bind(wabaId);
    const lines = exportLines({ sql: this.ctx.storage.sql });
    const encoder = new TextEncoder();
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        const batch: string[] = [];
        for (let i = 0; i < 200; i++) {
          const next = lines.next();
          if (next.done) break;
          batch.push(next.value);
        }
        if (batch.length) controller.enqueue(encoder.encode(batch.join("")));
        else controller.close();
      },
    });
  }

  /** Upserts rows given as export lines (the demo seed, or a restore): all of them, or — refused — none. */
  async importData(wabaId: string, lines: string[]): Promise<({ kind: "imported" } & ImportResult) | { kind: "refused"; message: string }> {
    try {
      return { kind: "imported", ...(await this.#write(wabaId, (s) => importLines(s, lines))) };
    } catch (err) {
      // the transaction rolled back
      return { kind: "refused", message: String((err as Error).message ?? err) };
    }
  }

  /** Deletes every row this object holds (offboarding, data-protection requests). */
  async erase(wabaId: string): Promise<void> {
    this.#bind(wabaId);
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    await migrateStore(this.ctx.storage); // an empty store, as a new object starts
    this.#wabaId = undefined;
    this.#control = undefined;
    this.#alarmAt = null;
  }

  /**
   * Scheduled sends that fell due, the next recipients of running campaigns; lost work back on the
   * queues, early statuses applied, retention enforced.
   */
  override async alarm(): Promise<void> {
    this.#alarmAt = null;
    this.#pacer.prune(Date.now());
    this.#wabaId ??= this.ctx.storage.kv.get<string>("wabaId");
    if (this.#wabaId === undefined) return; // an object with no data yet
    const next = await this.#runSchedule(this.#wabaId);
    const result = await this.#write(this.#wabaId, (s) => sweep(s, { retentionMs: settings(this.env).messageRetentionMs }));
    if (result.sends || result.deliveries || result.pruned || result.mediaCopies) log.info("data plane sweep", { wabaId: this.#wabaId, ...result });
    const idempotencyMore = purgeExpiredIdempotencyKeys(this.ctx.storage.sql, Date.now());
    let mediaMore = false;
    try {
      const pruned = await this.pruneMediaNow(this.#wabaId);
      mediaMore = pruned.more;
      if (pruned.expired) log.info("media past retention deleted", { wabaId: this.#wabaId, ...pruned });
    } catch (err) {
      log.error("media retention failed; the next alarm tries again", { wabaId: this.#wabaId, ...errorFields(err) });
    }
    if (result.more || mediaMore || idempotencyMore) await this.#scheduleAlarm(Date.now() + 1000);
    if (next !== null) await this.#scheduleAlarm(Math.max(next, Date.now()));
    await this.#scheduleAlarm();
  }

  /** Releases what is due (scheduled sends, campaign recipients); returns when to look again (null: nothing scheduled). */
  async #runSchedule(wabaId: string, now = Date.now()): Promise<number | null> {
    const { control } = await this.#controlRecord(wabaId);
    return this.#write(wabaId, (s) => {
      const due = messages.releaseDueScheduled(s);
      const run = campaigns.runCampaigns(s, control);
      // a running campaign's next release, and more due work, on the real clock (the schedule may run on a pinned one)
      const real = Date.now();
      const times = [messages.nextScheduledAt(s), run.nextStartAt, run.running ? real + campaigns.RELEASE_TICK_MS : null, due === messages.SCHEDULED_BATCH ? real : null];
      const soonest = times.filter((t): t is number => t !== null);
      return soonest.length ? Math.min(...soonest) : null;
    }, now);
  }

  /** Runs the schedule now, as the alarm does, on an optional pinned clock (tests and operators); the alarm then carries on. */
  async runScheduleNow(wabaId: string, now?: number): Promise<number | null> {
    const next = await this.#runSchedule(wabaId, now);
    if (next !== null) await this.#scheduleAlarm(Math.max(next, Date.now()));
    return next;
  }

  // ---- campaigns ----------------------------------------------------------------------------------

  async createCampaign(
    wabaId: string,
    input: campaigns.CampaignInput,
    apiKeyId: string,
    opts: { dryRun?: boolean; idempotency?: IdempotencyRequest },
  ): Promise<Idempotent<campaigns.CreateResult & { d1: number }>> {
    return this.#idempotent(apiKeyId, opts.idempotency, async () => {
      const { control, d1 } = await this.#controlRecord(wabaId);
      const result = await this.#write(wabaId, (s) => campaigns.createCampaign(s, control, input, apiKeyId, opts));
      if (result.kind === "created") await this.#wakeFor(result.campaign);
      return { ...result, d1 };
    }, () => true);
  }

  async appendCampaignRecipients(wabaId: string, id: string, recipients: campaigns.RecipientInput[], maxTotal: number) {
    return this.#write(wabaId, (s) => campaigns.appendRecipients(s, id, recipients, maxTotal));
  }

  async campaignAction(wabaId: string, id: string, action: "pause" | "resume" | "cancel") {
    const result = await this.#write(wabaId, (s) => campaigns.campaignAction(s, id, action));
    if (result.kind === "done") {
      // cancelled messages leave their number's bulk line now, not when their jobs come back
      for (const messageId of result.cancelled) this.#pacer.release(messageId);
      await this.#wakeFor(result.campaign);
    }
    return result;
  }

  /** A running campaign is released by the alarm at once; a scheduled one at its sendAt. */
  async #wakeFor(campaign: campaigns.CampaignView): Promise<void> {
    if (campaign.state === "running") await this.#scheduleAlarm(Date.now());
    else if (campaign.state === "scheduled") await this.#scheduleAlarm(campaign.sendAt ?? Date.now());
  }

  async getCampaign(wabaId: string, id: string) {
    return this.#read(wabaId, (s) => campaigns.campaignView(s, id));
  }

  async listCampaigns(wabaId: string, limit: number, cursor: { createdAt: number; id: string } | null) {
    return this.#read(wabaId, (s) => campaigns.listCampaigns(s, limit, cursor));
  }

  async listCampaignRecipients(wabaId: string, id: string, opts: { limit: number; after: number | null; status?: campaigns.RecipientFilter }) {
    return this.#read(wabaId, (s) => campaigns.listRecipients(s, id, opts));
  }

  /** Runs the sweep now (tests and operators; the alarm does the same). */
  async sweepNow(wabaId: string, now?: number): Promise<SweepResult> {
    return this.#write(wabaId, (s) => sweep(s, { retentionMs: settings(this.env).messageRetentionMs }), now);
  }

  // ---- the shell ----------------------------------------------------------------------------------

  /**
   * Work under an Idempotency-Key (src/middleware/idempotency.ts) in one call: the key claimed (scoped to
   * the API key), the work done, its outcome kept for replays when `kept` says so (else the claim is
   * released, as when the work throws). A replay answers the first outcome, with no D1 query of its own.
   */
  async #idempotent<R extends { d1: number }>(apiKeyId: string, idem: IdempotencyRequest | undefined, work: () => Promise<R>, kept: (outcome: R) => boolean): Promise<Idempotent<R>> {
    if (!idem) return work();
    const records = idempotencyRecords(this.ctx.storage.sql);
    const key = `${apiKeyId}:${idem.key}`;
    const claim = claimIdempotencyKey<R>(records, key, idem.fingerprint, Date.now(), idem.leaseMs);
    if (claim.kind === "replay") return { kind: "replay", outcome: { ...claim.response, d1: 0 } };
    if (claim.kind !== "claimed") return { kind: "idempotency_conflict", claim: claim.kind };
    let outcome: R;
    try {
      outcome = await work();
    } catch (err) {
      releaseIdempotencyKey(records, key, idem.fingerprint);
      throw err;
    }
    if (!kept(outcome)) {
      releaseIdempotencyKey(records, key, idem.fingerprint);
      return outcome;
    }
    completeIdempotencyKey(records, key, idem.fingerprint, outcome, Date.now());
    await this.#scheduleAlarm(Date.now() + DAILY_MS); // an alarm within a day purges the records past their 24 hours
    return outcome;
  }

  /** Live or test: from the object's name, so a test-mode object can never take itself for a live one. */
  get #mode(): DataMode {
    if (!this.#named) throw new Error("WABA object without a name: addressed other than by wabaStore()");
    return this.#named.mode;
  }

  /** The object serves the one WABA its name says, recorded on first use and checked on every call after. */
  #bind(wabaId: string): void {
    if (this.#wabaId === wabaId) return;
    if (this.#named && this.#named.wabaId !== wabaId) throw new Error(`WABA object ${this.#named.wabaId} called for ${wabaId}`);
    if (this.#wabaId !== undefined) throw new Error(`WABA object ${this.#wabaId} called for ${wabaId}`);
    this.ctx.storage.kv.put("wabaId", wabaId);
    this.#wabaId = wabaId;
  }

  #read<T>(wabaId: string, fn: (s: Store) => T): T {
    this.#bind(wabaId);
    return fn({ sql: this.ctx.storage.sql, wabaId, now: Date.now(), effects: noEffects() });
  }

  /** One synchronous transaction, then what it asked for once committed (queue messages, waiting routes). */
  async #write<T>(wabaId: string, fn: (s: Store) => T, now = Date.now()): Promise<T> {
    this.#bind(wabaId);
    const effects = noEffects();
    const result = this.ctx.storage.transactionSync(() => fn({ sql: this.ctx.storage.sql, wabaId, now, effects }));
    await this.#flush(effects);
    return result;
  }

  async #flush(effects: Effects): Promise<void> {
    for (const { messageId, outcome } of effects.outcomes) this.#deliverOutcome(messageId, outcome);
    const wabaId = this.#wabaId!;
    if (!effects.sends.length && !effects.deliveries.length && !effects.mediaCopies.length) return;
    const mode = this.#mode === "test" ? { mode: "test" as const } : {};
    try {
      await Promise.all([
        ...effects.sends.map((job) => this.#enqueue(job.bulk === true ? this.env.BULK_SEND_QUEUE : this.env.SEND_QUEUE, { ...job, ...mode })),
        ...effects.mediaCopies.map((messageId) => this.#enqueue(this.env.META_EVENTS_QUEUE, { kind: "media_copy" as const, wabaId, messageId, ...mode })),
        ...effects.deliveries.map((deliveryId) => this.#enqueue(this.env.WEBHOOK_QUEUE, { wabaId, deliveryId, ...mode })),
      ]);
    } catch (err) {
      // committed but not queued: the alarm's sweep queues it again
      log.error("queueing after a commit failed; the sweep will queue it", { wabaId, ...errorFields(err) });
    }
    await this.#scheduleAlarm(Date.now() + STALE_AFTER_MS + 60_000);
  }

  /**
   * Puts a message on a queue. Messages of writes that commit while a sendBatch to the same queue is
   * under way go together in the next one (group commit): one queue call per burst of sends, not per send.
   */
  #enqueue(queue: Queue, body: unknown): Promise<void> {
    let send = this.#queueSends.get(queue);
    if (!send) {
      const grouped = groupCalls(async (bodies: unknown[]) => {
        await queue.sendBatch(bodies.map((b) => ({ body: b, contentType: "json" as const })));
        return bodies.map(() => undefined);
      });
      this.#queueSends.set(queue, (send = grouped));
    }
    return send(body);
  }

  /** Keeps one alarm set: soon enough for in-flight work, else daily for retention. */
  async #scheduleAlarm(at?: number): Promise<void> {
    const wanted = at ?? Date.now() + (hasWorkInFlight({ sql: this.ctx.storage.sql }) ? STALE_AFTER_MS + 60_000 : DAILY_MS);
    if (this.#alarmAt !== null && this.#alarmAt <= wanted) return;
    this.#alarmAt = wanted;
    await this.ctx.storage.setAlarm(wanted);
  }

  async #controlRecord(wabaId: string): Promise<{ control: WabaControl; d1: number }> {
    this.#bind(wabaId);
    const cached = this.#control;
    if (cached && Date.now() - cached.loadedAt < CONTROL_TTL_MS) return { control: cached.value, d1: 0 };
    const value = await loadWabaControl(this.env.DB, wabaId);
    if (!value) throw new Error(`WABA ${wabaId} is not in the control plane`);
    this.#control = { value, loadedAt: Date.now() };
    return { control: value, d1: 1 };
  }

  /** Resolves with the send's outcome once the relay reports it, or null after timeoutMs. */
  #awaitOutcome(messageId: string, timeoutMs: number): Promise<SendOutcome | null> {
    const early = this.#early.get(messageId);
    if (early) {
      this.#early.delete(messageId);
      this.#expecting.delete(messageId);
      return Promise.resolve(early.outcome);
    }
    return new Promise<SendOutcome | null>((resolve) => {
      const done = (outcome: SendOutcome | null) => {
        clearTimeout(timer);
        this.#waiters.delete(messageId);
        this.#expecting.delete(messageId);
        resolve(outcome);
      };
      const timer = setTimeout(() => done(null), timeoutMs);
      this.#waiters.set(messageId, done);
    });
  }

  #deliverOutcome(messageId: string, outcome: SendOutcome): void {
    const waiter = this.#waiters.get(messageId);
    if (waiter) return waiter(outcome);
    if (!this.#expecting.has(messageId)) return; // nobody waits for this one
    const now = Date.now();
    for (const [id, entry] of this.#early) if (now - entry.at > EARLY_OUTCOME_TTL_MS) this.#early.delete(id);
    this.#early.set(messageId, { outcome, at: now });
  }
}

/** Applies the data plane's migrations (drizzle-kit's, bundled) to an object's storage: idempotent. */
export async function migrateStore(storage: DurableObjectStorage): Promise<void> {
  await migrate(drizzle(storage), migrations as unknown as Parameters<typeof migrate>[1]);
}
