// All emulator state, in module memory: dev and tests run the emulator in a single isolate.
import { demoWabas, type DemoTemplate, type DemoWaba } from "../../demo/dataset";
import type { FaultRule } from "./faults";
import type { WabaSettings } from "./settings";
import type { AcceptedSend } from "./status-timeline";
import type { TemplateReview } from "./template-management";
import type { EmulatedUser } from "./users";

/** A template as stored: DemoTemplate, but any Meta status (IN_APPEAL, DELETED, …) may be set. */
export type Template = Omit<DemoTemplate, "status"> & { status: string };
export type Waba = Omit<DemoWaba, "templates"> & { templates: Template[] };
export type PhoneNumber = Waba["phoneNumbers"][number];

export type SentRecord = {
  wamid: string;
  phoneNumberId: string;
  wabaId: string;
  /** `to` as sent (absent for a send to a BSUID alone) */
  to?: string;
  /** `recipient` (a BSUID) when the send named the user by it and had no `to` */
  recipient?: string;
  /** the user's wa_id (absent for a user known only by BSUID) */
  waId?: string;
  /** the user's BSUID */
  userId: string;
  type: string;
  body: unknown;
  graphVersion: string;
  /** set when the send was accepted but will end in a `failed` status */
  asyncFailure?: { code: number; details: string };
  /** a send held for quality assessment (fault action "hold") and what became of it */
  held?: "held" | "released" | "dropped";
  at: string;
};

export type ReadRecord = { phoneNumberId: string; wabaId: string; messageId: string; typingIndicator: boolean; at: string };

export type WebhookAttempt = { at: string; status?: number; error?: string };

export type WebhookRecord = {
  id: number;
  wabaId: string;
  phoneNumberId?: string;
  kind:
    | "statuses"
    | "messages"
    | "errors"
    | "user_preferences"
    | "message_template_status_update"
    | "template_category_update"
    | "message_template_quality_update";
  /** the wamid the webhook is about (a status's message or the inbound message) */
  wamid?: string;
  /** the status posted (sent, delivered, read, played, failed, …) for kind "statuses" */
  status?: string;
  /** the exact bytes POSTed (ASCII: non-ASCII is \u-escaped) */
  body: string;
  signature: string;
  /** HTTP status of the last attempt; null while the first attempt is in flight or on a network error */
  httpStatus: number | null;
  attempts: WebhookAttempt[];
  at: string;
};

/** Older entries are dropped beyond this, so a long `npm run dev` session does not grow without bound. */
const LOG_LIMIT = 5000;

/** Per phone number: sends accepted, refused for pace (by code), and accepted twice for the same biz_opaque_callback_data. */
export type PhoneStats = { accepted: number; refused: Record<string, number>; duplicates: number; callbacks: Set<string> };

export function phoneStats(phoneNumberId: string): PhoneStats {
  let s = state.stats.get(phoneNumberId);
  if (!s) state.stats.set(phoneNumberId, (s = { accepted: 0, refused: {}, duplicates: 0, callbacks: new Set() }));
  return s;
}

/** What Meta's side remembers of a template beyond its listing. */
export type TemplateMemory = {
  /** the status before ARCHIVED, restored by UNARCHIVED */
  beforeArchive?: string;
  /** PAUSED events so far (FIRST_PAUSE, SECOND_PAUSE) */
  pauses: number;
  /** quality_score: GREEN, YELLOW, RED or UNKNOWN */
  quality: string;
  /** the review round under way (template-management.ts): a verdict for an older round is dropped */
  reviews?: number;
  /** ms of the edits of the template while APPROVED (Meta: 1 a day, 10 in 30 days) */
  edits?: number[];
  /** the reason of a rejection by the review, as the listing's rejected_reason shows it */
  rejectedReason?: string;
};

function emptyState() {
  return {
    wabas: new Map<string, Waba>(),
    /** phone-number-id → WABA id */
    phoneOwners: new Map<string, string>(),
    settings: new Map<string, Partial<WabaSettings>>(),
    faults: [] as FaultRule[],
    sent: [] as SentRecord[],
    reads: [] as ReadRecord[],
    webhooks: [] as WebhookRecord[],
    nextWebhookId: 1,
    /** `${phoneNumberId}:${waId}` → ms of the user's last inbound message (opens the 24h window) */
    windows: new Map<string, number>(),
    /** phone-number-id → ms of recent accepted sends (last second) */
    recentSends: new Map<string, number[]>(),
    /** `${phoneNumberId}:${waId}` → ms of the last accepted send */
    lastPairSend: new Map<string, number>(),
    /** phone-number-id → what it was asked to send, beyond the capped send log (load runs) */
    stats: new Map<string, PhoneStats>(),
    /** `${phoneNumberId}:${waId}:${category}` → open conversation (pre-v24 status payloads) */
    conversations: new Map<string, { id: string; expiresAt: number }>(),
    /** WABA id → the WhatsApp users the business has met or the tests registered */
    users: new Map<string, EmulatedUser[]>(),
    /** wamid → an accepted send, for statuses posted later (held messages, POST /statuses); the last LOG_LIMIT */
    accepted: new Map<string, { send: AcceptedSend; record: SentRecord }>(),
    /** template metaId → what Meta remembers of it */
    templates: new Map<string, TemplateMemory>(),
    /** WABA id → how the review of its new and edited templates goes (template-management.ts) */
    templateReviews: new Map<string, Partial<TemplateReview>>(),
    /** `${wabaId}:${userId}` of users who asked to stop marketing messages (user_preferences "stop") */
    marketingStops: new Set<string>(),
    /** `${phoneNumberId}:${waId}` of sandbox "throttled_once" recipients whose last attempt was refused (src/sandbox.ts) */
    throttledOnce: new Set<string>(),
  };
}

export let state = emptyState();

export function pairKey(phoneNumberId: string, waId: string): string {
  return `${phoneNumberId}:${waId}`;
}

export function pushLog<T>(log: T[], item: T): void {
  log.push(item);
  if (log.length > LOG_LIMIT) log.splice(0, log.length - LOG_LIMIT);
}

export function rememberAccepted(send: AcceptedSend, record: SentRecord): void {
  state.accepted.set(send.wamid, { send, record });
  if (state.accepted.size > LOG_LIMIT) state.accepted.delete(state.accepted.keys().next().value!);
}

export function templateMemory(metaId: string): TemplateMemory {
  let memory = state.templates.get(metaId);
  if (!memory) {
    memory = { pauses: 0, quality: "UNKNOWN" };
    state.templates.set(metaId, memory);
  }
  return memory;
}

export type RegisterResult = { kind: "registered"; waba: Waba } | { kind: "phone_taken"; phoneNumberId: string; ownerWabaId: string };

/** Adds or replaces a WABA (its phone numbers and templates). Settings for the WABA are kept. */
export function registerWaba(waba: Waba): RegisterResult {
  for (const phone of waba.phoneNumbers) {
    const owner = state.phoneOwners.get(phone.metaPhoneNumberId);
    if (owner !== undefined && owner !== waba.metaWabaId) return { kind: "phone_taken", phoneNumberId: phone.metaPhoneNumberId, ownerWabaId: owner };
  }
  const previous = state.wabas.get(waba.metaWabaId);
  for (const phone of previous?.phoneNumbers ?? []) state.phoneOwners.delete(phone.metaPhoneNumberId);
  const copy = structuredClone(waba);
  state.wabas.set(copy.metaWabaId, copy);
  for (const phone of copy.phoneNumbers) state.phoneOwners.set(phone.metaPhoneNumberId, copy.metaWabaId);
  return { kind: "registered", waba: copy };
}

export type AddPhoneResult = { kind: "added" | "updated"; waba: Waba; phone: PhoneNumber } | { kind: "unknown_waba" } | { kind: "phone_taken"; ownerWabaId: string };

/** Adds a phone number to a registered WABA (or updates its display number and name if it is already the WABA's). */
export function addPhone(wabaId: string, phone: PhoneNumber): AddPhoneResult {
  const waba = state.wabas.get(wabaId);
  if (!waba) return { kind: "unknown_waba" };
  const owner = state.phoneOwners.get(phone.metaPhoneNumberId);
  if (owner !== undefined && owner !== wabaId) return { kind: "phone_taken", ownerWabaId: owner };
  const existing = waba.phoneNumbers.find((p) => p.metaPhoneNumberId === phone.metaPhoneNumberId);
  if (existing) {
    Object.assign(existing, phone);
    return { kind: "updated", waba, phone: existing };
  }
  const added = { ...phone };
  waba.phoneNumbers.push(added);
  state.phoneOwners.set(added.metaPhoneNumberId, wabaId);
  return { kind: "added", waba, phone: added };
}

export function findPhone(phoneNumberId: string): { waba: Waba; phone: PhoneNumber } | undefined {
  const wabaId = state.phoneOwners.get(phoneNumberId);
  const waba = wabaId === undefined ? undefined : state.wabas.get(wabaId);
  const phone = waba?.phoneNumbers.find((p) => p.metaPhoneNumberId === phoneNumberId);
  return waba && phone ? { waba, phone } : undefined;
}

export function findWabaByToken(token: string): Waba | undefined {
  for (const waba of state.wabas.values()) if (waba.accessToken === token) return waba;
  return undefined;
}

/** Back to the demo dataset only: every registered WABA, setting, fault, log and window is dropped. */
const WINDOW_MS = 24 * 60 * 60 * 1000;

export function isWindowOpen(phoneNumberId: string, waId: string, now = Date.now()): boolean {
  const last = state.windows.get(pairKey(phoneNumberId, waId));
  return last !== undefined && now - last < WINDOW_MS;
}

export function resetStore(): void {
  state = emptyState();
  for (const waba of demoWabas) registerWaba(waba);
}

resetStore();
