// A user's message to a business number, as Meta's inbound webhook carries it ([inbound], [bsuid], [system], [edit], [revoke]: emulator/README.md, "Sources").
import type { EmulatorBindings } from "./env";
import { randomDigits, randomHex, unixSeconds } from "./ids";
import { canonicalWaId, digitsOf } from "./phone";
import { settingsFor } from "./settings";
import { pairKey, state, type PhoneNumber, type Waba } from "./store";
import { changeNumber, findUser, regenerateUserId, sharedWaId, upsertUser, userKey, type EmulatedUser } from "./users";
import { systemWamid, userWamid } from "./wamid";
import { inboundMedia } from "./media";
import { inboundPayload } from "./webhook-payloads";
import { postWebhook } from "./webhooks";

export const INBOUND_TYPES = [
  "text", "image", "video", "audio", "document", "sticker", "interactive", "button", "location", "reaction", "contacts", "unsupported",
  "system", "edit", "revoke",
] as const;
export type InboundType = (typeof INBOUND_TYPES)[number];

/** Types an edit may carry: a text, or media with a caption (Meta: "text, media with caption"). */
export const EDITABLE_TYPES = ["text", "image", "video", "document"] as const;

export type SystemChange = { type: "user_changed_number"; newWaId: string } | { type: "user_changed_user_id" };
export type EditContent = { originalMessageId: string; message: { type: (typeof EDITABLE_TYPES)[number] } & Record<string, unknown> };
export type RevokeContent = { originalMessageId: string };

export type InboundRequest = {
  phoneNumberId: string;
  /** the user's number, in any spelling (Brazilian and Mexican numbers become their wa_id) */
  from?: string;
  /** the user's BSUID (registered on first sight) */
  userId?: string;
  /** the user's username (null removes it) */
  username?: string | null;
  /** Meta cannot share this user's phone number */
  hidePhone?: boolean;
  name?: string;
  type: InboundType;
  /** the type's object in Meta's shape (text may also be a plain string); for system/edit/revoke the control shape */
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
function typeObject(type: string, content: unknown): unknown {
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
  if (type === "edit") {
    const edit = content as EditContent;
    const { type: inner, ...rest } = edit.message;
    return { original_message_id: edit.originalMessageId, message: { type: inner, [inner]: typeObject(inner, rest[inner]) } };
  }
  if (type === "revoke") return { original_message_id: (content as RevokeContent).originalMessageId };
  return content;
}

function timestampOf(req: InboundRequest): string {
  return unixSeconds(req.timestamp === undefined ? Date.now() : req.timestamp * 1000);
}

/** from is omitted when Meta cannot share the number; from_user_id is always there ([bsuid]). */
export function buildInboundMessage(req: InboundRequest, phone: PhoneNumber, user: Pick<EmulatedUser, "userId" | "waId" | "hidePhone">): Record<string, unknown> {
  const waId = sharedWaId(user);
  const message: Record<string, unknown> = {};
  if (req.context) message.context = { from: req.context.from ?? digitsOf(phone.displayPhoneNumber), id: req.context.id };
  if (waId !== undefined) message.from = waId;
  message.from_user_id = user.userId;
  message.id = req.id ?? userWamid(waId ?? user.userId);
  message.timestamp = timestampOf(req);
  message.type = req.type;
  if (req.type === "unsupported") {
    message.errors = [
      { code: 131051, title: "Message type unknown", message: "Message type unknown", error_data: { details: "Message type is currently not supported." } },
    ];
  }
  message[req.type] = typeObject(req.type, req.content);
  return message;
}

export type InboundOutcome =
  | { kind: "posted"; wamid: string; delivered: number | null; webhookId: number; user: EmulatedUser; retries: Promise<void> }
  | { kind: "conflict"; message: string }
  | { kind: "invalid"; message: string };

type SystemBuilt = { kind: "built"; message: Record<string, unknown> } | { kind: "conflict"; message: string } | { kind: "invalid"; message: string };

/**
 * A system message ([system], [bsuid]): from is the OLD number, system.wa_id the new one, the BSUID is regenerated,
 * and there is no contacts array. When Meta cannot share the user's number, a number change is reported as
 * user_changed_user_id, which carries no number at all.
 */
function systemMessage(req: InboundRequest, user: EmulatedUser, brazilLegacyWaIds: boolean): SystemBuilt {
  const change = req.content as SystemChange;
  const previousUserId = user.userId;
  const oldWaId = user.waId;
  if (change.type === "user_changed_number") {
    if (oldWaId === undefined) return { kind: "invalid", message: "user_changed_number needs a user with a number (from)" };
    const newWaId = canonicalWaId(digitsOf(change.newWaId), { brazilLegacyWaIds });
    const holder = findUser(user.wabaId, { waId: newWaId });
    if (holder) return { kind: "conflict", message: `wa_id ${newWaId} already belongs to user ${holder.userId}` };
    changeNumber(user, newWaId);
    if (!user.hidePhone) {
      return {
        kind: "built",
        message: {
          from: oldWaId,
          from_user_id: previousUserId,
          id: req.id ?? systemWamid(oldWaId),
          timestamp: timestampOf(req),
          system: {
            body: `User ${user.name} changed from ${oldWaId} to ${newWaId}`,
            wa_id: newWaId,
            type: "user_changed_number",
            user_id: user.userId,
            previous_user_id: previousUserId,
          },
          type: "system",
        },
      };
    }
  } else {
    regenerateUserId(user);
  }
  return {
    kind: "built",
    message: {
      from_user_id: previousUserId,
      id: req.id ?? systemWamid(previousUserId),
      timestamp: timestampOf(req),
      system: {
        body: `User ${user.name} changed from ${previousUserId} to ${user.userId}`,
        type: "user_changed_user_id",
        user_id: user.userId,
        previous_user_id: previousUserId,
      },
      type: "system",
    },
  };
}

/**
 * Finds or registers the user (their username, name and hidePhone are kept for later webhooks), opens the
 * user's window for an ordinary message, then signs and POSTs the inbound webhook; resolves after the first attempt.
 */
export async function emulateInbound(env: EmulatorBindings, waba: Waba, phone: PhoneNumber, req: InboundRequest): Promise<InboundOutcome> {
  const settings = settingsFor(env, waba.metaWabaId);
  const waId = req.from === undefined ? undefined : canonicalWaId(digitsOf(req.from), settings);
  const found = upsertUser(waba.metaWabaId, { waId, userId: req.userId, username: req.username, name: req.name, hidePhone: req.hidePhone });
  if (found.kind === "conflict" || found.kind === "invalid") return found;
  const { user } = found;

  let message: Record<string, unknown>;
  if (req.type === "system") {
    const built = systemMessage(req, user, settings.brazilLegacyWaIds);
    if (built.kind !== "built") return built;
    message = built.message;
  } else {
    // a media message names media the emulator holds, with bytes, so GET /{media-id} and its URL work
    if (req.type in MEDIA_MIME) {
      const given = typeof req.content === "object" && req.content !== null ? (req.content as Record<string, unknown>) : {};
      req = { ...req, content: { ...given, ...(await inboundMedia(phone, waba.metaWabaId, req.type, given, MEDIA_MIME[req.type]!)) } };
    }
    message = buildInboundMessage(req, phone, user);
    // Edits and revokes change an earlier message; only a new message opens the 24 h window.
    if (req.type !== "edit" && req.type !== "revoke") state.windows.set(pairKey(phone.metaPhoneNumberId, userKey(user)), Date.now());
  }
  const wamid = String(message.id);
  const contact = req.type === "system" ? undefined : { name: user.name, username: user.username, waId: sharedWaId(user), userId: user.userId };
  const payload = inboundPayload(waba.metaWabaId, phone, contact, message);
  const meta = { wabaId: waba.metaWabaId, phoneNumberId: phone.metaPhoneNumberId, kind: "messages" as const, wamid };
  const first = await postWebhook(env, meta, payload, settings);
  const retries = [first.retries];
  if (settings.duplicates) retries.push((await postWebhook(env, meta, payload, settings)).retries);
  return { kind: "posted", wamid, delivered: first.record.httpStatus, webhookId: first.record.id, user, retries: Promise.all(retries).then(() => undefined) };
}
