import { ApiError, type ErrorCode, type UpstreamError } from "../errors";
import type { Refusal } from "./send";

/** Why a message failed, as stored in messages.error and shown in history and webhooks. */
export type MessageError = {
  /** meta: Meta refused it (sync or in a status webhook); relay: WBIZ gave up on a retryable failure */
  source: "meta" | "relay";
  code: number | null;
  subcode?: number;
  title?: string;
  message: string;
  details?: string;
  fbtraceId?: string;
};

/** What the relay hands back to a send route that is waiting for Meta's answer ("sent": Meta accepted it, held or not). */
export type SendOutcome = { status: "sent"; wamid: string } | { status: "failed"; error: MessageError };

/**
 * Meta's codes that the v1 reference has a code of its own for. Each is about one kind of send, and
 * only the route for that kind documents it: a template is never held to the 24-hour window, and a
 * text message has no template to be missing.
 */
export const SPEC_CODES: Record<number, ErrorCode> = {
  131047: "OUTSIDE_24H_WINDOW",
  131052: "MEDIA_FETCH_FAILED",
  131053: "MEDIA_FETCH_FAILED",
  132001: "TEMPLATE_NOT_FOUND",
  132000: "TEMPLATE_VARIABLE_COUNT_MISMATCH",
  132015: "TEMPLATE_NOT_APPROVED",
  132016: "TEMPLATE_NOT_APPROVED",
  131050: "CONTACT_OPTED_OUT",
};

/** The message kinds (Draft.kind) of media sends. */
const MEDIA_KINDS = new Set(["image", "video", "document", "audio", "sticker"]);

const APPLIES_TO: Partial<Record<ErrorCode, (kind: string) => boolean>> = {
  OUTSIDE_24H_WINDOW: (kind) => kind !== "template",
  MEDIA_FETCH_FAILED: (kind) => MEDIA_KINDS.has(kind),
  TEMPLATE_NOT_FOUND: (kind) => kind === "template",
  TEMPLATE_VARIABLE_COUNT_MISMATCH: (kind) => kind === "template",
  TEMPLATE_NOT_APPROVED: (kind) => kind === "template",
  CONTACT_OPTED_OUT: (kind) => kind === "template",
};

/** The reference's code for Meta's refusal of a send of this kind, if it has one. */
function specCodeFor(metaCode: number, kind: string): ErrorCode | undefined {
  const code = SPEC_CODES[metaCode];
  return code && APPLIES_TO[code]?.(kind) ? code : undefined;
}

export function upstreamOf(e: MessageError): UpstreamError | undefined {
  if (e.code === null) return undefined;
  return {
    code: e.code,
    ...(e.subcode !== undefined ? { subcode: e.subcode } : {}),
    message: e.message,
    ...(e.details !== undefined ? { details: e.details } : {}),
    ...(e.fbtraceId !== undefined ? { fbtraceId: e.fbtraceId } : {}),
  };
}

/**
 * A failed send of this kind as the route answers it: Meta errors the v1 reference names for that kind
 * get the reference's code (131047 → OUTSIDE_24H_WINDOW, …); everything else is 502
 * META_UPSTREAM_ERROR. Meta's code, subcode, message and trace id are always under error.upstream.
 */
export function failedSendError(e: MessageError, kind: string): ApiError {
  const upstream = upstreamOf(e);
  const code = e.source === "meta" && e.code !== null ? specCodeFor(e.code, kind) : undefined;
  if (code) return new ApiError(code, `Meta refused the send: ${e.details ?? e.message}`, { upstream });
  const message = e.source === "relay" ? e.message : `Meta's Cloud API rejected the send: ${e.details ?? e.message}`;
  return new ApiError("META_UPSTREAM_ERROR", message, { upstream });
}

/** A send's check refused it (window, template, variables, opt-out, …): its error, as every send route answers it. */
export function refusalError(r: Refusal): ApiError {
  return new ApiError(r.code, r.message, r.details ? { details: r.details } : {});
}

/** PHONE_NOT_FOUND: the phoneNumberId given is not the WABA's, or the WABA has no number at all. */
export function phoneNotFoundError(phoneNumberId: string | undefined): ApiError {
  return phoneNumberId
    ? new ApiError("PHONE_NOT_FOUND", `phoneNumberId ${phoneNumberId} does not belong to the WABA tied to this API key`, { details: [{ field: "phoneNumberId", message: "not a phone number of this WABA" }] })
    : new ApiError("PHONE_NOT_FOUND", "The WABA tied to this API key has no phone number");
}
