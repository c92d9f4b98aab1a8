import { invalidParam, invalidValue, missingParam, whatsappError, type GraphError } from "./graph-errors";
import {
  charCount, fail, Invalid, isObj, lengthBetween, maxChars, need, needArray, needObj, needString, oneOf, optBoolean, optString, path,
  type Obj,
} from "./json-params";
import { canonicalWaId, phoneKey, recipientWaId } from "./phone";
import type { PhoneNumber, Template, Waba } from "./store";
import { BSUID_OR_PARENT, findUser, type EmulatedUser } from "./users";
import { validateTemplateSend } from "./validate-template-send";

export const MESSAGE_TYPES = ["audio", "contacts", "document", "image", "interactive", "location", "reaction", "sticker", "template", "text", "video"] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** Types that only ever arrive inbound: Meta answers 131051 rather than (#100). */
const INBOUND_ONLY_TYPES = ["button", "order", "system", "unknown", "unsupported", "ephemeral", "request_welcome"];
const CAPTIONED = ["image", "video", "document"];
/** Interactive types outside the emulator's scope: accepted with a body check only. */
const SHALLOW_INTERACTIVE = ["cta_url", "flow", "location_request_message", "product", "product_list", "carousel", "call_permission_request"];

export type ValidatedSend =
  | { kind: "read"; messageId: string; typingIndicator: boolean }
  | {
      kind: "message";
      type: MessageType;
      /** `to` as sent; it takes precedence over `recipient` when both are given */
      to?: string;
      /** the wa_id of `to` */
      waId?: string;
      /** the registered user a `recipient` (BSUID) send goes to (only without `to`) */
      bsuidUser?: EmulatedUser;
      bizOpaqueCallbackData?: string;
      template?: Template;
      reactionTarget?: string;
      /** audio sent as a voice note */
      voice?: boolean;
    };

export type ValidationResult = { ok: true; value: ValidatedSend } | { ok: false; error: GraphError };

export type SendContext = { waba: Waba; phone: PhoneNumber; brazilLegacyWaIds: boolean };

/** What Meta checks synchronously on POST /{phone-number-id}/messages, in roughly Meta's order. */
export function validateSend(body: unknown, ctx: SendContext): ValidationResult {
  try {
    return { ok: true, value: check(body, ctx) };
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, error: err.error };
    throw err;
  }
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== "";
}

/**
 * `to` (a phone number) or, since 2026, `recipient` (a BSUID); `to` wins when both are given. A well-formed
 * BSUID that names no user of this business is 131009 (Meta does not document this case; see the README).
 */
function checkRecipient(body: Obj, ctx: SendContext): { to?: string; waId?: string; bsuidUser?: EmulatedUser } {
  if (!present(body.to) && present(body.recipient)) {
    const recipient = body.recipient;
    if (typeof recipient !== "string") fail(invalidParam("Param recipient must be a string."));
    if (!BSUID_OR_PARENT.test(recipient)) fail(invalidParam("Invalid parameter", `Param recipient is not a valid business-scoped user ID: "${recipient}"`));
    const bsuidUser = findUser(ctx.waba.metaWabaId, { userId: recipient });
    if (!bsuidUser) fail(invalidValue(`Param recipient: no WhatsApp user has the business-scoped user ID ${recipient}`));
    return { bsuidUser };
  }
  const to = need(body, "to", "to");
  if (typeof to !== "string") fail(invalidParam("Param to must be a string."));
  const digits = recipientWaId(to, ctx.phone.displayPhoneNumber);
  if (digits === undefined) fail(invalidParam("Invalid parameter", `Param to is not a valid phone number: "${to}"`));
  if (phoneKey(digits) === phoneKey(ctx.phone.displayPhoneNumber)) fail(whatsappError(131021));
  return { to, waId: canonicalWaId(digits, ctx) };
}

function check(body: unknown, ctx: SendContext): ValidatedSend {
  if (!isObj(body)) fail(invalidParam("The parameter messaging_product is required."));
  const product = need(body, "messaging_product", "messaging_product");
  if (typeof product !== "string" || product.toLowerCase() !== "whatsapp") {
    fail(invalidParam(`Param messaging_product must be one of {WHATSAPP} - got ${JSON.stringify(product)}.`));
  }

  if (body.status !== undefined) return checkMarkAsRead(body);

  const recipientType = optString(body, "recipient_type", "recipient_type");
  if (recipientType !== undefined) {
    oneOf(recipientType, ["individual", "group"], "recipient_type");
    if (recipientType.toLowerCase() === "group") fail(invalidValue("recipient_type group (Groups API) is not supported by the emulator"));
  }

  const recipient = checkRecipient(body, ctx);

  const bizOpaque = optString(body, "biz_opaque_callback_data", "biz_opaque_callback_data");
  if (bizOpaque !== undefined) maxChars(bizOpaque, 512, "biz_opaque_callback_data");

  const context = body.context;
  if (context !== undefined && context !== null) {
    if (!isObj(context)) fail(invalidParam("Param context must be a JSON object."));
    needString(context, "message_id", "context['message_id']");
  }

  const rawType = body.type ?? "text";
  if (typeof rawType !== "string") fail(invalidParam("Param type must be a string."));
  const type = rawType.toLowerCase();
  if (INBOUND_ONLY_TYPES.includes(type)) fail(whatsappError(131051));
  if (!(MESSAGE_TYPES as readonly string[]).includes(type)) oneOf(type, MESSAGE_TYPES, "type");

  const base = { kind: "message" as const, type: type as MessageType, ...recipient, bizOpaqueCallbackData: bizOpaque };
  switch (type) {
    case "text":
      checkText(body);
      return base;
    case "interactive":
      checkInteractive(needObj(body, "interactive", "interactive"));
      return base;
    case "location":
      checkLocation(needObj(body, "location", "location"));
      return base;
    case "reaction": {
      if (context !== undefined && context !== null) fail(invalidValue("Param context is not allowed for reaction messages"));
      const reaction = needObj(body, "reaction", "reaction");
      const target = needString(reaction, "message_id", "reaction['message_id']");
      if (target === "") fail(invalidParam("The parameter reaction['message_id'] is required."));
      needString(reaction, "emoji", "reaction['emoji']");
      return { ...base, reactionTarget: target };
    }
    case "contacts":
      checkContacts(body);
      return base;
    case "template": {
      const template = validateTemplateSend(needObj(body, "template", "template"), ctx.waba);
      // One-tap, zero-tap and copy-code authentication templates need the user's phone number.
      if (recipient.bsuidUser && template.category === "AUTHENTICATION") fail(whatsappError(131062));
      return { ...base, template };
    }
    default: {
      const media = needObj(body, type, type);
      checkMedia(type, media, type);
      return type === "audio" && media.voice === true ? { ...base, voice: true } : base;
    }
  }
}

function checkMarkAsRead(body: Obj): ValidatedSend {
  const status = body.status;
  if (typeof status !== "string" || status.toLowerCase() !== "read") {
    fail(invalidParam(`Param status must be one of {READ} - got ${JSON.stringify(status)}.`));
  }
  const messageId = need(body, "message_id", "message_id");
  if (typeof messageId !== "string") fail(invalidParam("Param message_id must be a string."));
  let typingIndicator = false;
  if (body.typing_indicator !== undefined) {
    const indicator = needObj(body, "typing_indicator", "typing_indicator");
    oneOf(needString(indicator, "type", "typing_indicator['type']"), ["text"], "typing_indicator['type']");
    typingIndicator = true;
  }
  return { kind: "read", messageId, typingIndicator };
}

function checkText(body: Obj): void {
  const text = needObj(body, "text", "text");
  const value = need(text, "body", "text['body']");
  if (typeof value !== "string") fail(invalidParam("Param text['body'] must be a string."));
  maxChars(value, 4096, "text['body']");
  optBoolean(text, "preview_url", "text['preview_url']");
}

/** image/video/document/audio/sticker, also used for interactive media headers. */
function checkMedia(type: string, media: Obj, at: string): void {
  const id = optString(media, "id", path(at, "id"));
  const link = optString(media, "link", path(at, "link"));
  if (!id && !link) fail(missingParam(`Param ${at} must contain either 'id' or 'link'`));
  if (id && link) fail(invalidValue(`Param ${at} must contain either 'id' or 'link', not both`));
  if (link) {
    let url: URL | undefined;
    try {
      url = new URL(link);
    } catch {
      url = undefined;
    }
    if (url?.protocol !== "https:") fail(invalidValue(`Param ${path(at, "link")} must be a valid https URL`));
  }
  if (media.caption !== undefined) {
    if (!CAPTIONED.includes(type)) fail(invalidParam(`Unexpected key "caption" on param "${at}".`));
    const caption = optString(media, "caption", path(at, "caption"));
    if (caption !== undefined) maxChars(caption, 1024, path(at, "caption"));
  }
  if (media.filename !== undefined) {
    if (type !== "document") fail(invalidParam(`Unexpected key "filename" on param "${at}".`));
    optString(media, "filename", path(at, "filename"));
  }
  if (type === "audio") optBoolean(media, "voice", path(at, "voice"));
}

function checkInteractive(it: Obj): void {
  const type = needString(it, "type", "interactive['type']").toLowerCase();
  if (type === "button") return checkReplyButtons(it);
  if (type === "list") return checkList(it);
  if (SHALLOW_INTERACTIVE.includes(type)) return;
  oneOf(type, ["button", "list", ...SHALLOW_INTERACTIVE], "interactive['type']");
}

function checkBodyAndFooter(it: Obj, bodyMax: number): void {
  const body = needObj(it, "body", "interactive['body']");
  lengthBetween(needString(body, "text", "interactive['body']['text']"), 1, bodyMax, "Body text");
  if (it.footer !== undefined && it.footer !== null) {
    const footer = needObj(it, "footer", "interactive['footer']");
    lengthBetween(needString(footer, "text", "interactive['footer']['text']"), 1, 60, "Footer text");
  }
}

function checkReplyButtons(it: Obj): void {
  if (it.header !== undefined && it.header !== null) {
    const header = needObj(it, "header", "interactive['header']");
    const type = needString(header, "type", "interactive['header']['type']").toLowerCase();
    oneOf(type, ["text", "image", "video", "document"], "interactive['header']['type']");
    if (type === "text") lengthBetween(needString(header, "text", "interactive['header']['text']"), 1, 60, "Header text");
    else checkMedia(type, needObj(header, type, path("interactive", "header", type)), path("interactive", "header", type));
  }
  checkBodyAndFooter(it, 1024);
  const action = needObj(it, "action", "interactive['action']");
  const buttons = needArray(action, "buttons", "interactive['action']['buttons']");
  if (buttons.length < 1 || buttons.length > 3) fail(invalidValue("Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: 3"));
  const titles = new Set<string>();
  buttons.forEach((button, i) => {
    const at = path("interactive", "action", "buttons", i);
    if (!isObj(button)) fail(invalidParam(`Param ${at} must be a JSON object.`));
    oneOf(needString(button, "type", `${at}['type']`), ["reply"], `${at}['type']`);
    const reply = needObj(button, "reply", `${at}['reply']`);
    const title = needString(reply, "title", `${at}['reply']['title']`);
    lengthBetween(title, 1, 20, "Button title");
    lengthBetween(needString(reply, "id", `${at}['reply']['id']`), 1, 256, "Button id");
    if (titles.has(title)) fail(invalidValue(`Button titles must be unique. Duplicate title: ${title}`));
    titles.add(title);
  });
}

function checkList(it: Obj): void {
  if (it.header !== undefined && it.header !== null) {
    const header = needObj(it, "header", "interactive['header']");
    const type = needString(header, "type", "interactive['header']['type']").toLowerCase();
    if (type !== "text") fail(invalidValue(`Header type ${type} is not supported for list messages. Only text headers are allowed`));
    lengthBetween(needString(header, "text", "interactive['header']['text']"), 1, 60, "Header text");
  }
  checkBodyAndFooter(it, 4096);
  const action = needObj(it, "action", "interactive['action']");
  lengthBetween(needString(action, "button", "interactive['action']['button']"), 1, 20, "Button label");
  const sections = needArray(action, "sections", "interactive['action']['sections']");
  if (sections.length < 1 || sections.length > 10) fail(invalidValue("Invalid sections count. Min allowed sections: 1, Max allowed sections: 10"));
  const totalRows = sections.reduce<number>((n, s) => n + (isObj(s) && Array.isArray(s.rows) ? s.rows.length : 0), 0);
  if (totalRows > 10) fail(invalidValue("Total row count exceed max allowed count: 10"));
  const rowIds = new Set<string>();
  sections.forEach((section, i) => {
    const at = path("interactive", "action", "sections", i);
    if (!isObj(section)) fail(invalidParam(`Param ${at} must be a JSON object.`));
    const title = optString(section, "title", `${at}['title']`);
    if (title === undefined && sections.length > 1) fail(missingParam("Section title is required when there is more than one section"));
    if (title !== undefined) lengthBetween(title, 1, 24, "Section title");
    const rows = needArray(section, "rows", `${at}['rows']`);
    if (rows.length < 1) fail(invalidValue("Invalid rows count. Each section needs at least 1 row"));
    rows.forEach((row, j) => {
      const rowAt = `${at}['rows'][${j}]`;
      if (!isObj(row)) fail(invalidParam(`Param ${rowAt} must be a JSON object.`));
      const id = needString(row, "id", `${rowAt}['id']`);
      lengthBetween(id, 1, 200, "Row id");
      lengthBetween(needString(row, "title", `${rowAt}['title']`), 1, 24, "Row title");
      const description = optString(row, "description", `${rowAt}['description']`);
      if (description !== undefined) lengthBetween(description, 0, 72, "Row description");
      if (rowIds.has(id)) fail(invalidValue(`Row ids must be unique. Duplicate id: ${id}`));
      rowIds.add(id);
    });
  });
}

function coordinate(location: Obj, key: "latitude" | "longitude", limit: number): void {
  const at = path("location", key);
  const raw = need(location, key, at);
  const value = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value)) fail(invalidParam(`Param ${at} must be a valid number.`));
  if (Math.abs(value) > limit) fail(invalidValue(`Param ${at} must be between -${limit} and ${limit}`));
}

function checkLocation(location: Obj): void {
  coordinate(location, "latitude", 90);
  coordinate(location, "longitude", 180);
  optString(location, "name", "location['name']");
  optString(location, "address", "location['address']");
}

function checkContacts(body: Obj): void {
  const contacts = needArray(body, "contacts", "contacts");
  if (contacts.length === 0) fail(invalidParam("The parameter contacts is required."));
  contacts.forEach((contact, i) => {
    const at = path("contacts", i);
    if (!isObj(contact)) fail(invalidParam(`Param ${at} must be a JSON object.`));
    const name = needObj(contact, "name", `${at}['name']`);
    if (charCount(needString(name, "formatted_name", `${at}['name']['formatted_name']`)) === 0) {
      fail(invalidParam(`The parameter ${at}['name']['formatted_name'] is required.`));
    }
  });
}
