import type { EmulatorBindings } from "./env";
import { randomHex, unixSeconds } from "./ids";
import { settingsFor, type WabaSettings } from "./settings";
import { pairKey, state, type PhoneNumber, type Template } from "./store";
import type { MessageType } from "./validate-message";
import { statusPayload, type Conversation, type Pricing, type StatusItem, type StatusRecipient } from "./webhook-payloads";
import { postWebhook, sleep, type Posted } from "./webhooks";

export type AcceptedSend = {
  wabaId: string;
  phone: PhoneNumber;
  wamid: string;
  /** the user's window, pair-rate and conversation key: wa_id, or the BSUID of a user without one */
  userKey: string;
  /** the user as the status webhooks show them */
  recipient: StatusRecipient;
  type: MessageType;
  template?: Template;
  /** an audio send with `voice: true` */
  voice?: boolean;
  bizOpaqueCallbackData?: string;
  graphVersion: string;
  /** the user's 24h window was open when the message was accepted */
  windowOpen: boolean;
  failure?: { code: number; details?: string };
  settings: WabaSettings;
};

export type TimelineStep = { atMs: number; item: StatusItem };

function pricingFor(send: AcceptedSend): Pricing {
  if (!send.template) return { billable: false, pricing_model: "PMP", type: "free_customer_service", category: "service" };
  const category = send.template.category.toLowerCase();
  // Under per-message pricing a utility template inside an open service window is free.
  if (category === "utility" && send.windowOpen) return { billable: false, pricing_model: "PMP", type: "free_customer_service", category };
  return { billable: true, pricing_model: "PMP", type: "regular", category };
}

function majorVersion(version: string): number {
  return Number(/^v(\d+)/.exec(version)?.[1] ?? "0");
}

/** Before v24 statuses carry a conversation, reused for 24h per (phone, user, category). */
function conversationFor(send: AcceptedSend, category: string, now: number): { id: string; expiresAt: number } {
  const key = `${pairKey(send.phone.metaPhoneNumberId, send.userKey)}:${category}`;
  const open = state.conversations.get(key);
  if (open && open.expiresAt > now) return open;
  const created = { id: randomHex(32), expiresAt: now + 24 * 60 * 60 * 1000 };
  state.conversations.set(key, created);
  return created;
}

const PROGRESS = ["sent", "delivered", "read", "played"] as const;

/**
 * Which statuses are posted for an accepted send, and when (ms after acceptance). Pricing (and before v24
 * a conversation) rides on `sent` and on the billed one of delivered/read, as Meta documents ([status]).
 */
export function statusTimeline(send: AcceptedSend, now = Date.now()): TimelineStep[] {
  const { settings } = send;
  const delays = settings.statusDelaysMs;
  const base = { wamid: send.wamid, recipient: send.recipient, bizOpaqueCallbackData: send.bizOpaqueCallbackData };
  if (delays.length === 0) return [];
  if (send.failure) return [{ atMs: delays[0] ?? 0, item: { ...base, status: "failed", errors: [send.failure] } }];

  let steps = PROGRESS.slice(0, Math.min(delays.length, 3)).map((status, i) => ({ status, atMs: delays[i] ?? 0 }));
  // `played`: the first play of a voice note, after read; at the 4th offset, else together with read.
  const read = steps.find((s) => s.status === "read");
  if (read && send.voice && settings.playVoiceNotes) steps.push({ status: "played", atMs: delays[3] ?? read.atMs });
  // A reaction only ever gets `sent`.
  if (send.type === "reaction") steps = steps.filter((s) => s.status === "sent");
  if (settings.skipDelivered) steps = steps.filter((s) => s.status !== "delivered");

  const pricing = pricingFor(send);
  const billedOn = steps.find((s) => s.status === "delivered") ?? steps.find((s) => s.status === "read");
  const conversation = majorVersion(send.graphVersion) < 24 ? conversationFor(send, pricing.category, now) : undefined;
  const items: StatusItem[] = steps.map((s) => {
    const priced = s.status === "sent" || s === billedOn;
    let conv: Conversation | undefined;
    if (conversation && priced) {
      conv = {
        id: conversation.id,
        ...(s.status === "sent" ? { expiration_timestamp: unixSeconds(conversation.expiresAt) } : {}),
        origin: { type: pricing.category },
      };
    }
    return { ...base, status: s.status, ...(conv ? { conversation: conv } : {}), ...(priced ? { pricing } : {}) };
  });
  if (settings.outOfOrder) items.reverse();
  return items.map((item, i) => ({ atMs: steps[i]?.atMs ?? 0, item }));
}

/** Signs and posts one status of a send (twice with `duplicates`); resolves after the first attempts. */
export async function postStatus(env: EmulatorBindings, send: AcceptedSend, item: StatusItem, copies = send.settings.duplicates ? 2 : 1): Promise<Posted[]> {
  const payload = statusPayload(send.wabaId, send.phone, item);
  const meta = { wabaId: send.wabaId, phoneNumberId: send.phone.metaPhoneNumberId, kind: "statuses" as const, wamid: send.wamid, status: item.status };
  const posted: Posted[] = [];
  for (let i = 0; i < copies; i++) posted.push(await postWebhook(env, meta, payload, send.settings));
  return posted;
}

/** Posts the timeline's statuses one after another (ctx.waitUntil this). */
export async function runStatusTimeline(env: EmulatorBindings, send: AcceptedSend): Promise<void> {
  const start = Date.now();
  const retries: Promise<void>[] = [];
  for (const step of statusTimeline(send, start)) {
    await sleep(step.atMs - (Date.now() - start));
    for (const posted of await postStatus(env, send, step.item)) retries.push(posted.retries);
  }
  await Promise.all(retries);
}

export type HeldOutcome = "release" | "drop";

export type ResolveHeldResult =
  | { kind: "released"; timeline: Promise<void> }
  | { kind: "dropped"; posted: Posted }
  | { kind: "unknown" }
  | { kind: "not_held"; held: string | undefined };

/**
 * A message held for quality assessment ([pacing]): released, it gets its statuses as if just accepted
 * (with the WABA's settings of now); dropped, one `failed` status whose code is the string "132015", as
 * Meta's pacing page writes it.
 */
export async function resolveHeld(env: EmulatorBindings, wamid: string, outcome: HeldOutcome): Promise<ResolveHeldResult> {
  const accepted = state.accepted.get(wamid);
  if (!accepted) return { kind: "unknown" };
  if (accepted.record.held !== "held") return { kind: "not_held", held: accepted.record.held };
  const send = { ...accepted.send, settings: settingsFor(env, accepted.send.wabaId) };
  if (outcome === "release") {
    accepted.record.held = "released";
    return { kind: "released", timeline: runStatusTimeline(env, send) };
  }
  accepted.record.held = "dropped";
  accepted.record.asyncFailure = { code: 132015, details: "" };
  const item: StatusItem = { wamid, status: "failed", recipient: send.recipient, bizOpaqueCallbackData: send.bizOpaqueCallbackData, errors: [{ code: 132015 }], codeAsString: true };
  const [posted, copy] = await postStatus(env, send, item);
  return { kind: "dropped", posted: copy ? { record: posted!.record, retries: Promise.all([posted!.retries, copy.retries]).then(() => undefined) } : posted! };
}
