import type { Context } from "hono";
import { fbtraceId } from "./ids";

export type GraphErrorBody = {
  message: string;
  type: string;
  code: number;
  error_data?: { messaging_product: "whatsapp"; details: string };
  error_subcode?: number;
  /** Meta's OpenAPI GraphAPIError: "whether this error is temporary and the request should be retried" (optional) */
  is_transient?: boolean;
  fbtrace_id: string;
};

/** A Graph API error: the HTTP status and the `error` object of Graph's envelope. */
export class GraphError {
  readonly status: number;
  readonly body: GraphErrorBody;
  readonly headers: Record<string, string>;

  constructor(status: number, body: Omit<GraphErrorBody, "fbtrace_id">, headers: Record<string, string> = {}) {
    this.status = status;
    this.body = { ...body, fbtrace_id: fbtraceId() };
    this.headers = headers;
  }
}

type CatalogueEntry = { title: string; status: number; subcode?: number; details?: string };

/**
 * Titles, HTTP statuses and default details of the codes the emulator produces, from Meta's error-codes page
 * ([errors] in emulator/README.md) and its table of HTTP statuses, e.g. 3, 131000, 131016, 131045, 131057 and
 * 133000 are 500, 2 and 133004 503.
 */
export const ERROR_CATALOGUE: Record<number, CatalogueEntry> = {
  0: { title: "AuthException", status: 401 },
  1: { title: "An unknown error occurred", status: 400 },
  2: { title: "Service temporarily unavailable", status: 503 },
  3: { title: "Capability or permissions issue", status: 500 },
  4: { title: "Application request limit reached", status: 400 },
  10: { title: "Application does not have permission for this action", status: 403 },
  100: { title: "Invalid parameter", status: 400 },
  190: { title: "Invalid OAuth access token", status: 401 },
  200: { title: "Permission error", status: 403 },
  368: { title: "Temporarily blocked for policies violations", status: 403 },
  80007: { title: "Rate limit issues", status: 400 },
  130429: { title: "Rate limit hit", status: 400, subcode: 2494055, details: "Cloud API message throughput has been reached." },
  130472: { title: "User's number is part of an experiment", status: 400 },
  131000: { title: "Something went wrong", status: 500, details: "Message failed to send due to an unknown error." },
  131005: { title: "Access denied", status: 403 },
  131008: { title: "Required parameter is missing", status: 400 },
  131009: { title: "Parameter value is not valid", status: 400 },
  131016: { title: "Service unavailable", status: 500 },
  131021: { title: "Recipient cannot be sender", status: 400, details: "Sender and recipient phone number is the same." },
  131026: { title: "Message undeliverable", status: 400, details: "Message Undeliverable." },
  131030: { title: "Recipient phone number not in allowed list", status: 400, subcode: 2655007 },
  131031: { title: "Account has been locked", status: 403 },
  131042: { title: "Business eligibility payment issue", status: 400 },
  131045: { title: "Incorrect certificate", status: 500, details: "Message failed to send due to a phone number registration error." },
  131047: {
    title: "Re-engagement message",
    status: 400,
    details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
  },
  131048: { title: "Spam rate limit hit", status: 400 },
  131049: {
    title: "This message was not delivered to maintain healthy ecosystem engagement.",
    status: 400,
    details: "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
  },
  131050: {
    title: "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.",
    status: 400,
  },
  131051: { title: "Unsupported message type", status: 400, details: "Message type is not currently supported." },
  131052: { title: "Media download error", status: 400 },
  131053: { title: "Media upload error", status: 400 },
  131056: {
    title: "(Business Account, Consumer Account) pair rate limit hit",
    status: 400,
    subcode: 2494071,
    details: "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.",
  },
  131057: { title: "Account in maintenance mode", status: 500 },
  131059: { title: "Invalid pagination cursor", status: 400, details: "The cursor is invalid or has expired. Retry without the cursor." },
  131062: {
    // Meta publishes only the details sentence; the title is made from it.
    title: "Business-scoped User ID (BSUID) recipients are not supported",
    status: 400,
    details: "Business-scoped User ID (BSUID) recipients are not supported for this message.",
  },
  132000: { title: "Number of parameters does not match the expected number of params", status: 400 },
  132001: { title: "Template name does not exist in the translation", status: 404 },
  132005: { title: "Translated text too long", status: 400 },
  132007: { title: "Template Format Character Policy Violated", status: 400 },
  132012: { title: "Parameter format does not match format in the created template", status: 400 },
  132015: { title: "Template is Paused", status: 400, details: "Template is paused due to low quality so it cannot be sent in a template message." },
  132016: {
    title: "Template is Disabled",
    status: 400,
    details: "Template has been paused many times due to low quality and is now permanently disabled.",
  },
  132018: { title: "There was an issue with the parameters in your template.", status: 400 },
  133000: { title: "Incomplete Deregistration", status: 500 },
  133004: { title: "Server temporarily unavailable", status: 503 },
  133010: { title: "Phone number not registered", status: 400 },
  135000: { title: "Generic user error", status: 400 },
};

export function errorTitle(code: number): string {
  return ERROR_CATALOGUE[code]?.title ?? "An unknown error occurred";
}

export function defaultDetails(code: number): string {
  return ERROR_CATALOGUE[code]?.details ?? errorTitle(code);
}

export type WhatsAppErrorOptions = { details?: string; status?: number; subcode?: number; message?: string; type?: string; isTransient?: boolean };

/**
 * A Cloud API error: message "(#code) title", error_data.details, and the catalogue's status and subcode
 * unless overridden. Codes below 1000 are Graph's own and carry error_data only when details are given.
 */
export function whatsappError(code: number, opts: WhatsAppErrorOptions = {}): GraphError {
  const entry = ERROR_CATALOGUE[code];
  const details = opts.details ?? (code >= 1000 ? defaultDetails(code) : undefined);
  const subcode = opts.subcode ?? entry?.subcode;
  return new GraphError(opts.status ?? entry?.status ?? 400, {
    message: opts.message ?? `(#${code}) ${errorTitle(code)}`,
    type: opts.type ?? "OAuthException",
    code,
    ...(details === undefined ? {} : { error_data: { messaging_product: "whatsapp" as const, details } }),
    ...(subcode === undefined ? {} : { error_subcode: subcode }),
    ...(opts.isTransient === undefined ? {} : { is_transient: opts.isTransient }),
  });
}

/** (#100) with Graph's own wording, e.g. "The parameter to is required."; the details repeat it. */
export function invalidParam(message: string, details?: string): GraphError {
  return whatsappError(100, { message: `(#100) ${message}`, details: details ?? message });
}

export function invalidValue(details: string): GraphError {
  return whatsappError(131009, { details });
}

export function missingParam(details: string): GraphError {
  return whatsappError(131008, { details });
}

export function invalidToken(message: string): GraphError {
  return new GraphError(401, { message, type: "OAuthException", code: 190 }, {
    "WWW-Authenticate": `OAuth "Facebook Platform" "invalid_token" "${message}"`,
  });
}

export function unknownObject(id: string, method: "get" | "post"): GraphError {
  return new GraphError(400, {
    message:
      `Unsupported ${method} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, ` +
      "or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
    type: "GraphMethodException",
    code: 100,
    error_subcode: 33,
  });
}

export function unknownPath(path: string): GraphError {
  return new GraphError(400, { message: `Unknown path components: ${path}`, type: "OAuthException", code: 2500 });
}

export function graphErrorResponse(c: Context, err: GraphError): Response {
  for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
  return c.json({ error: err.body }, err.status as 400);
}
