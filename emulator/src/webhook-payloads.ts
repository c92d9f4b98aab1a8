// Meta's webhook envelopes (reference §4): object → entry[{id: WABA id, changes[{value, field}]}].
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

/** The item of statuses[].errors, value.errors and messages[].errors (title repeats the message). */
export function webhookErrorItem(code: number, details?: string) {
  const title = errorTitle(code);
  return {
    code,
    title,
    message: title,
    error_data: { details: details ?? defaultDetails(code) },
    href: "/documentation/business-messaging/whatsapp/support/error-codes",
  };
}

export type Pricing = { billable: boolean; pricing_model: "PMP"; type: "regular" | "free_customer_service"; category: string };
export type Conversation = { id: string; expiration_timestamp?: string; origin: { type: string } };

export type StatusItem = {
  wamid: string;
  status: "sent" | "delivered" | "read" | "failed";
  waId: string;
  bizOpaqueCallbackData?: string;
  conversation?: Conversation;
  pricing?: Pricing;
  error?: { code: number; details?: string };
};

export function statusPayload(wabaId: string, phone: PhoneNumber, item: StatusItem, at = Date.now()) {
  const status = {
    id: item.wamid,
    status: item.status,
    timestamp: unixSeconds(at),
    recipient_id: item.waId,
    ...(item.bizOpaqueCallbackData === undefined ? {} : { biz_opaque_callback_data: item.bizOpaqueCallbackData }),
    ...(item.conversation ? { conversation: item.conversation } : {}),
    ...(item.pricing ? { pricing: item.pricing } : {}),
    ...(item.error ? { errors: [webhookErrorItem(item.error.code, item.error.details)] } : {}),
  };
  return webhookEnvelope(wabaId, "messages", { messaging_product: "whatsapp", metadata: phoneMetadata(phone), statuses: [status] });
}

export function inboundPayload(
  wabaId: string,
  phone: PhoneNumber,
  contact: { name: string; waId: string },
  message: Record<string, unknown>,
) {
  return webhookEnvelope(wabaId, "messages", {
    messaging_product: "whatsapp",
    metadata: phoneMetadata(phone),
    contacts: [{ profile: { name: contact.name }, wa_id: contact.waId }],
    messages: [message],
  });
}

/** Meta sends message_template_id as a JSON number; ids beyond 2^53 fall back to a string. */
function numericId(id: string): number | string {
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : id;
}

export function templateStatusPayload(
  wabaId: string,
  template: { metaId: string; name: string; language: string },
  event: string,
  reason: string | null,
  otherInfo?: { title: string; description: string },
) {
  return webhookEnvelope(
    wabaId,
    "message_template_status_update",
    {
      event,
      message_template_id: numericId(template.metaId),
      message_template_name: template.name,
      message_template_language: template.language,
      reason,
      ...(otherInfo ? { other_info: otherInfo } : {}),
    },
    Math.floor(Date.now() / 1000),
  );
}
