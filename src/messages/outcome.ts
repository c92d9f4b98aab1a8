import { ApiError, type ErrorCode, type UpstreamError } from "../errors";

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

/** What the relay hands back to a send route that is waiting for Meta's answer. */
export type SendOutcome = { status: "sent"; wamid: string } | { status: "failed"; error: MessageError };

const SPEC_CODES: Record<number, ErrorCode> = {
  131047: "OUTSIDE_24H_WINDOW",
  131052: "MEDIA_FETCH_FAILED",
  131053: "MEDIA_FETCH_FAILED",
  132001: "TEMPLATE_NOT_FOUND",
  132000: "TEMPLATE_VARIABLE_COUNT_MISMATCH",
  132015: "TEMPLATE_NOT_APPROVED",
  132016: "TEMPLATE_NOT_APPROVED",
  131050: "CONTACT_OPTED_OUT",
};

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
 * A failed send as the route answers it: Meta errors the v1 reference names get the reference's code
 * (131047 → OUTSIDE_24H_WINDOW, …); everything else is 502 META_UPSTREAM_ERROR. Meta's code, subcode,
 * message and trace id are always under error.upstream.
 */
export function failedSendError(e: MessageError): ApiError {
  const upstream = upstreamOf(e);
  const code = e.source === "meta" && e.code !== null ? SPEC_CODES[e.code] : undefined;
  if (code) return new ApiError(code, `Meta refused the send: ${e.details ?? e.message}`, { upstream });
  const message = e.source === "relay" ? e.message : `Meta's Cloud API rejected the send: ${e.details ?? e.message}`;
  return new ApiError("META_UPSTREAM_ERROR", message, { upstream });
}
