import type { EmulatorBindings } from "./env";
import { randomHex, unixSeconds } from "./ids";
import type { WabaSettings } from "./settings";
import { pairKey, state, type PhoneNumber, type Template } from "./store";
import type { MessageType } from "./validate-message";
import { statusPayload, type Conversation, type Pricing, type StatusItem } from "./webhook-payloads";
import { postWebhook, sleep } from "./webhooks";

export type AcceptedSend = {
  wabaId: string;
  phone: PhoneNumber;
  wamid: string;
  waId: string;
  type: MessageType;
  template?: Template;
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
  const key = `${pairKey(send.phone.metaPhoneNumberId, send.waId)}:${category}`;
  const open = state.conversations.get(key);
  if (open && open.expiresAt > now) return open;
  const created = { id: randomHex(32), expiresAt: now + 24 * 60 * 60 * 1000 };
  state.conversations.set(key, created);
  return created;
}

/** Which statuses are posted for an accepted send, and when (ms after acceptance). */
export function statusTimeline(send: AcceptedSend, now = Date.now()): TimelineStep[] {
  const { settings } = send;
  const delays = settings.statusDelaysMs;
  const base = { wamid: send.wamid, waId: send.waId, bizOpaqueCallbackData: send.bizOpaqueCallbackData };
  if (delays.length === 0) return [];
  if (send.failure) return [{ atMs: delays[0] ?? 0, item: { ...base, status: "failed", error: send.failure } }];

  let steps = (["sent", "delivered", "read"] as const).slice(0, delays.length).map((status, i) => ({ status, atMs: delays[i] ?? 0 }));
  // A reaction only ever gets `sent`.
  if (send.type === "reaction") steps = steps.filter((s) => s.status === "sent");
  if (settings.skipDelivered) steps = steps.filter((s) => s.status !== "delivered");

  const pricing = pricingFor(send);
  const billedOn = steps.find((s) => s.status === "delivered") ?? steps.find((s) => s.status === "read");
  const conversation = majorVersion(send.graphVersion) < 24 ? conversationFor(send, pricing.category, now) : undefined;
  const items: StatusItem[] = steps.map((s) => {
    let conv: Conversation | undefined;
    if (conversation && (s.status === "sent" || s === billedOn)) {
      conv = {
        id: conversation.id,
        ...(s.status === "sent" ? { expiration_timestamp: unixSeconds(conversation.expiresAt) } : {}),
        origin: { type: pricing.category },
      };
    }
    return { ...base, status: s.status, ...(conv ? { conversation: conv } : {}), ...(s === billedOn ? { pricing } : {}) };
  });
  if (settings.outOfOrder) items.reverse();
  return items.map((item, i) => ({ atMs: steps[i]?.atMs ?? 0, item }));
}

/** Posts the timeline's statuses one after another (ctx.waitUntil this). */
export async function runStatusTimeline(env: EmulatorBindings, send: AcceptedSend): Promise<void> {
  const start = Date.now();
  const retries: Promise<void>[] = [];
  for (const step of statusTimeline(send, start)) {
    await sleep(step.atMs - (Date.now() - start));
    const payload = statusPayload(send.wabaId, send.phone, step.item);
    const copies = send.settings.duplicates ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const meta = { wabaId: send.wabaId, phoneNumberId: send.phone.metaPhoneNumberId, kind: "statuses" as const, wamid: send.wamid, status: step.item.status };
      retries.push((await postWebhook(env, meta, payload, send.settings)).retries);
    }
  }
  await Promise.all(retries);
}
