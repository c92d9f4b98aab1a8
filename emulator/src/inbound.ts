// A user's message to a business number, as Meta's inbound webhook carries it (reference §4).
import type { EmulatorBindings } from "./env";
import { randomDigits, randomHex, unixSeconds } from "./ids";
import { digitsOf } from "./phone";
import { settingsFor } from "./settings";
import { pairKey, state, type PhoneNumber, type Waba } from "./store";
import { userWamid } from "./wamid";
import { inboundPayload } from "./webhook-payloads";
import { postWebhook } from "./webhooks";

export const INBOUND_TYPES = ["text", "image", "video", "audio", "document", "sticker", "interactive", "button", "location", "reaction", "contacts", "unsupported"] as const;
export type InboundType = (typeof INBOUND_TYPES)[number];

export type InboundRequest = {
  phoneNumberId: string;
  from: string;
  name?: string;
  type: InboundType;
  /** the type's object in Meta's shape (text may also be a plain string) */
  content?: unknown;
  context?: { id: string; from?: string };
  timestamp?: number;
  /** reuse a wamid to emulate Meta re-delivering the same message */
  id?: string;
};

const MEDIA_MIME: Record<string, string> = {
  image: "image/jpeg",
  video: "video/mp4",
  audio: "audio/ogg; codecs=opus",
  document: "application/pdf",
  sticker: "image/webp",
};

/** The type-specific object, with what Meta always adds (media id, mime_type, sha256, url) filled in. */
function typeObject(type: InboundType, content: unknown): unknown {
  const given = typeof content === "object" && content !== null ? (content as Record<string, unknown>) : {};
  if (type === "text") return typeof content === "string" ? { body: content } : given;
  if (type in MEDIA_MIME) {
    const id = typeof given.id === "string" ? given.id : randomDigits(16);
    return {
      mime_type: MEDIA_MIME[type],
      sha256: btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32)))),
      id,
      url: `https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=${id}&ext=${Math.floor(Date.now() / 1000)}&hash=${randomHex(16)}`,
      ...(type === "sticker" ? { animated: false } : {}),
      ...given,
    };
  }
  if (type === "button") return { payload: given.payload ?? given.text, text: given.text };
  if (type === "unsupported") return { type: typeof given.type === "string" ? given.type : "unknown" };
  return content;
}

export function buildInboundMessage(req: InboundRequest, phone: PhoneNumber, waId: string): Record<string, unknown> {
  const message: Record<string, unknown> = {};
  if (req.context) message.context = { from: req.context.from ?? digitsOf(phone.displayPhoneNumber), id: req.context.id };
  message.from = waId;
  message.id = req.id ?? userWamid(waId);
  message.timestamp = unixSeconds(req.timestamp === undefined ? Date.now() : req.timestamp * 1000);
  message.type = req.type;
  if (req.type === "unsupported") {
    message.errors = [
      { code: 131051, title: "Message type unknown", message: "Message type unknown", error_data: { details: "Message type is currently not supported." } },
    ];
  }
  message[req.type] = typeObject(req.type, req.content);
  return message;
}

export type InboundResult = { wamid: string; delivered: number | null; webhookId: number; retries: Promise<void> };

/** Opens the user's window, then signs and POSTs the inbound webhook; resolves after the first attempt. */
export async function emulateInbound(env: EmulatorBindings, waba: Waba, phone: PhoneNumber, req: InboundRequest): Promise<InboundResult> {
  const waId = digitsOf(req.from);
  const message = buildInboundMessage(req, phone, waId);
  const wamid = String(message.id);
  state.windows.set(pairKey(phone.metaPhoneNumberId, waId), Date.now());

  const settings = settingsFor(env, waba.metaWabaId);
  const payload = inboundPayload(waba.metaWabaId, phone, { name: req.name ?? "Test User", waId }, message);
  const meta = { wabaId: waba.metaWabaId, phoneNumberId: phone.metaPhoneNumberId, kind: "messages" as const, wamid };
  const first = await postWebhook(env, meta, payload, settings);
  const retries = [first.retries];
  if (settings.duplicates) retries.push((await postWebhook(env, meta, payload, settings)).retries);
  return { wamid, delivered: first.record.httpStatus, webhookId: first.record.id, retries: Promise.all(retries).then(() => undefined) };
}
