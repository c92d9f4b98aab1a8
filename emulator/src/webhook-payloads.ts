// Meta's webhook envelopes ([inbound], [status]: emulator/README.md, "Sources"): object → entry[{id: WABA id, changes[{value, field}]}].
import { defaultDetails, errorTitle } from "./graph-errors";
import { unixSeconds } from "./ids";
import { digitsOf } from "./phone";
import type { PhoneNumber } from "./store";

export function webhookEnvelope(wabaId: string, field: string, value: unknown, entryTime?: number) {
  return {
    object: "whatsapp_business_account",
    entry: [{ id: wabaId, ...(entryTime === undefined ? {} : { time: entryTime }), changes: [{ value, field }] }],
  };
}

export function phoneMetadata(phone: PhoneNumber) {
  return { display_phone_number: digitsOf(phone.displayPhoneNumber), phone_number_id: phone.metaPhoneNumberId };
}

/**
 * The item of statuses[].errors, value.errors and messages[].errors (title repeats the message). Meta
 * documents `code` as an integer, but its pacing page writes "132015" as a string: `codeAsString` does that.
 */
export function webhookErrorItem(code: number, details?: string, codeAsString = false) {
  const title = errorTitle(code);
  return {
    code: codeAsString ? String(code) : code,
    title,
    message: title,
    error_data: { details: details ?? defaultDetails(code) },
    href: "/documentation/business-messaging/whatsapp/support/error-codes",
  };
}

export type Pricing = { billable: boolean; pricing_model: "PMP"; type: "regular" | "free_customer_service"; category: string };
export type Conversation = { id: string; expiration_timestamp?: string; origin: { type: string } };

/** Who a send went to, as its status webhooks show the user ([bsuid]). */
export type StatusRecipient = {
  userId: string;
  /** recipient_id and contacts[].wa_id: absent when the send went to the BSUID and Meta cannot share the phone */
  waId?: string;
  name: string;
  username?: string;
  /** the send named the user by BSUID (`recipient`) rather than by phone number */
  viaBsuid: boolean;
};

export type StatusItem = {
  wamid: string;
  /** sent, delivered, read, played, failed (or anything else POST /__emulator/statuses is given) */
  status: string;
  recipient: StatusRecipient;
  bizOpaqueCallbackData?: string;
  conversation?: Conversation;
  pricing?: Pricing;
  errors?: Array<{ code: number; details?: string }>;
  codeAsString?: boolean;
};

/**
 * A status in Meta's 2026 shape: sent/delivered/read carry contacts[] (username only from delivered on) and
 * recipient_user_id; a failed status has no contacts, and recipient_user_id only if the send went to a BSUID.
 */
export function statusPayload(wabaId: string, phone: PhoneNumber, item: StatusItem, at = Date.now()) {
  const { recipient } = item;
  const failed = item.status === "failed";
  const status = {
    id: item.wamid,
    status: item.status,
    timestamp: unixSeconds(at),
    ...(recipient.waId === undefined ? {} : { recipient_id: recipient.waId }),
    ...(failed && !recipient.viaBsuid ? {} : { recipient_user_id: recipient.userId }),
    ...(item.bizOpaqueCallbackData === undefined ? {} : { biz_opaque_callback_data: item.bizOpaqueCallbackData }),
    ...(item.conversation ? { conversation: item.conversation } : {}),
    ...(item.pricing ? { pricing: item.pricing } : {}),
    ...(item.errors ? { errors: item.errors.map((e) => webhookErrorItem(e.code, e.details, item.codeAsString)) } : {}),
  };
  const contacts = failed
    ? undefined
    : [
        {
          profile: { name: recipient.name, ...(recipient.username && item.status !== "sent" ? { username: recipient.username } : {}) },
          ...(recipient.waId === undefined ? {} : { wa_id: recipient.waId }),
          user_id: recipient.userId,
        },
      ];
  return webhookEnvelope(wabaId, "messages", {
    messaging_product: "whatsapp",
    metadata: phoneMetadata(phone),
    ...(contacts ? { contacts } : {}),
    statuses: [status],
  });
}

/** contacts[] of an inbound message: wa_id only when Meta can share the phone, username only when the user has one. */
export type InboundContact = { name: string; username?: string; waId?: string; userId: string };

/** An inbound messages change; system messages (contact undefined) carry no contacts array. */
export function inboundPayload(wabaId: string, phone: PhoneNumber, contact: InboundContact | undefined, message: Record<string, unknown>) {
  return webhookEnvelope(wabaId, "messages", {
    messaging_product: "whatsapp",
    metadata: phoneMetadata(phone),
    ...(contact
      ? {
          contacts: [
            {
              profile: { name: contact.name, ...(contact.username ? { username: contact.username } : {}) },
              ...(contact.waId === undefined ? {} : { wa_id: contact.waId }),
              user_id: contact.userId,
            },
          ],
        }
      : {}),
    messages: [message],
  });
}

/** A system-level problem: value.errors and neither statuses nor messages ([errors-webhook]). */
export function systemErrorPayload(wabaId: string, phone: PhoneNumber, code: number, details?: string) {
  return webhookEnvelope(wabaId, "messages", {
    messaging_product: "whatsapp",
    metadata: phoneMetadata(phone),
    errors: [webhookErrorItem(code, details)],
  });
}

/** user_preferences ([user-preferences], [bsuid]): contacts without profile, an integer timestamp. */
export function userPreferencesPayload(wabaId: string, phone: PhoneNumber, user: { waId?: string; userId: string }, value: "stop" | "resume", at = Date.now()) {
  const ids = { ...(user.waId === undefined ? {} : { wa_id: user.waId }), user_id: user.userId };
  return webhookEnvelope(wabaId, "user_preferences", {
    messaging_product: "whatsapp",
    metadata: phoneMetadata(phone),
    contacts: [ids],
    user_preferences: [
      {
        ...ids,
        detail: `User requested to ${value} marketing messages`,
        category: "marketing_messages",
        value,
        timestamp: Math.floor(at / 1000),
      },
    ],
  });
}

/** Meta sends message_template_id as a JSON number; ids beyond 2^53 fall back to a string. */
function numericId(id: string): number | string {
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : id;
}

/** Template webhooks write the language hyphenated, as Meta's examples do ("en-US" for en_US). */
export function webhookLanguage(language: string): string {
  return language.replaceAll("_", "-");
}

type TemplateRef = { metaId: string; name: string; language: string; category: string };

function templateIds(template: TemplateRef) {
  return {
    message_template_id: numericId(template.metaId),
    message_template_name: template.name,
    message_template_language: webhookLanguage(template.language),
  };
}

export type TemplateEventExtras = {
  disableInfo?: { disable_date: number };
  otherInfo?: { title: string; description: string };
  rejectionInfo?: { reason: string; recommendation: string };
};

export function templateStatusPayload(wabaId: string, template: TemplateRef, event: string, reason: string | null, extras: TemplateEventExtras = {}) {
  return webhookEnvelope(
    wabaId,
    "message_template_status_update",
    {
      event,
      ...templateIds(template),
      reason,
      message_template_category: template.category,
      ...(extras.disableInfo ? { disable_info: extras.disableInfo } : {}),
      ...(extras.otherInfo ? { other_info: extras.otherInfo } : {}),
      ...(extras.rejectionInfo ? { rejection_info: extras.rejectionInfo } : {}),
    },
    Math.floor(Date.now() / 1000),
  );
}

/**
 * template_category_update ([template-category]). The impending variant comes 24 h ahead and its new_category is the
 * template's CURRENT category; the completed one carries previous_category and new_category.
 */
export function templateCategoryPayload(
  wabaId: string,
  template: TemplateRef,
  change: { kind: "impending"; correctCategory: string; updateAt: number } | { kind: "completed"; previousCategory: string },
) {
  const value =
    change.kind === "impending"
      ? { ...templateIds(template), new_category: template.category, correct_category: change.correctCategory, category_update_timestamp: change.updateAt }
      : { ...templateIds(template), previous_category: change.previousCategory, new_category: template.category };
  return webhookEnvelope(wabaId, "template_category_update", value, Math.floor(Date.now() / 1000));
}

/** message_template_quality_update ([template-quality]); Meta's own doc shows it under field message_template_status_update. */
export function templateQualityPayload(wabaId: string, template: TemplateRef, previous: string, next: string, field: string) {
  return webhookEnvelope(
    wabaId,
    field,
    { previous_quality_score: previous, new_quality_score: next, ...templateIds(template) },
    Math.floor(Date.now() / 1000),
  );
}
