import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "./env";

// The whole error contract: the spec's codes, their statuses, one envelope, and the OpenAPI responses.

export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  OUTSIDE_24H_WINDOW: 400,
  TEMPLATE_NOT_APPROVED: 400,
  TEMPLATE_LANGUAGE_MISMATCH: 400,
  TEMPLATE_VARIABLE_COUNT_MISMATCH: 400,
  MEDIA_FETCH_FAILED: 400,
  INTERACTIVE_LIMITS: 400,
  CONTACT_OPTED_OUT: 400,
  INVALID_API_KEY: 401,
  INVALID_ADMIN_TOKEN: 401,
  INVALID_SIGNATURE: 401,
  INSUFFICIENT_SCOPE: 403,
  NOT_FOUND: 404,
  PHONE_NOT_FOUND: 404,
  TEMPLATE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  IDEMPOTENCY_KEY_IN_USE: 409,
  ALREADY_EXISTS: 409,
  INVALID_STATE: 409,
  MEDIA_EXPIRED: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  META_UPSTREAM_ERROR: 502,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** One problem of a request: the field, what is wrong, and figures where they help (a limit, the expected count). */
export type ErrorDetail = { field?: string; message: string; [k: string]: string | number | undefined };

/** What Meta answered, passed through on META_UPSTREAM_ERROR (and on mapped Meta errors). */
export type UpstreamError = {
  code: number;
  subcode?: number;
  message: string;
  details?: string;
  fbtraceId?: string;
};

export class ApiError extends HTTPException {
  readonly code: ErrorCode;
  readonly details?: ErrorDetail[];
  readonly upstream?: UpstreamError;
  readonly headers?: Record<string, string>;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { details?: ErrorDetail[]; upstream?: UpstreamError; headers?: Record<string, string> } = {},
  ) {
    super(ERROR_STATUS[code], { message });
    this.code = code;
    this.details = opts.details;
    this.upstream = opts.upstream;
    this.headers = opts.headers;
  }
}

export type ErrorBody = {
  error: { code: ErrorCode; message: string; details?: ErrorDetail[]; upstream?: UpstreamError; requestId: string };
};

export function errorBody(c: Context<AppEnv>, code: ErrorCode, message: string, extra: Partial<ErrorBody["error"]> = {}): ErrorBody {
  return { error: { code, message, ...extra, requestId: c.get("requestId") ?? "" } };
}

export function errorResponse(c: Context<AppEnv>, err: ApiError): Response {
  for (const [name, value] of Object.entries(err.headers ?? {})) c.header(name, value);
  const body = errorBody(c, err.code, err.message, {
    ...(err.details ? { details: err.details } : {}),
    ...(err.upstream ? { upstream: err.upstream } : {}),
  });
  return c.json(body, ERROR_STATUS[err.code]);
}

/** How many of a VALIDATION_FAILED's problems its message spells out (all of them are in `details`). */
const PROBLEMS_IN_MESSAGE = 3;

/** Zod's "expected string, received undefined" is a field that is not there: say so. */
function issueText(issue: { message: string; code?: string }): string {
  if (issue.code !== "invalid_type" || !/received undefined$/.test(issue.message)) return issue.message;
  const expected = /expected ([^,]+), received undefined$/.exec(issue.message)?.[1];
  return expected ? `Required field is missing (expected ${expected})` : "Required field is missing";
}

/**
 * Turns a failed Zod parse into the 400 VALIDATION_FAILED that names each offending field, in `details`
 * and in the message. A problem with the request body as a whole (not an object, say) has no `field`:
 * `body` would read as the text message's field of that name.
 */
export function validationError(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; code?: string; keys?: string[] }>, where?: string): ApiError {
  const details: ErrorDetail[] = issues.flatMap((issue) => {
    const base = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys" && issue.keys) {
      return issue.keys.map((k) => ({ field: base ? `${base}.${k}` : k, message: "Unknown field" }));
    }
    if (base) return [{ field: base, message: issueText(issue) }];
    if (where === undefined || where === "body") return [{ message: `Request body: ${issueText(issue)}` }];
    return [{ field: where, message: issueText(issue) }];
  });
  const said = details.slice(0, PROBLEMS_IN_MESSAGE).map((d) => (d.field === undefined ? d.message : `${d.field}: ${d.message}`));
  const more = details.length > PROBLEMS_IN_MESSAGE ? ` (and ${details.length - PROBLEMS_IN_MESSAGE} more in details)` : "";
  const message = said.length ? said.join("; ") + more : "Request failed validation";
  return new ApiError("VALIDATION_FAILED", message, { details });
}

/** The request body could not be parsed as JSON: about the body as a whole, never a field of it. */
export function malformedJson(): ApiError {
  const message = "Request body is not valid JSON";
  return new ApiError("VALIDATION_FAILED", `${message}: check quoting, commas and brackets, or send no body where none is expected`, { details: [{ message }] });
}

export function onError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof ApiError) return errorResponse(c, err);
  if (err instanceof HTTPException) {
    // Hono's own exceptions: malformed JSON (400), body limit (413), …
    const status = err.status;
    const code: ErrorCode =
      status === 413 ? "PAYLOAD_TOO_LARGE"
      : status === 415 ? "UNSUPPORTED_MEDIA_TYPE"
      : status === 400 ? "VALIDATION_FAILED"
      : status === 401 ? "INVALID_API_KEY"
      : "INTERNAL";
    if (status === 400 && /json/i.test(err.message)) return errorResponse(c, malformedJson());
    if (status === 415) {
      const sent = c.req.header("Content-Type");
      const what = sent ? `Content-Type ${JSON.stringify(sent)} is not accepted` : "The request has a body but no Content-Type header";
      return errorResponse(c, new ApiError(code, `${what}: send the header "Content-Type: application/json" with a JSON body`));
    }
    const message = err.message || "Request failed";
    return errorResponse(c, new ApiError(code, message, code === "VALIDATION_FAILED" ? { details: [{ message }] } : {}));
  }
  console.error(JSON.stringify({ level: "error", requestId: c.get("requestId"), error: String(err), stack: err.stack }));
  return errorResponse(c, new ApiError("INTERNAL", `Internal error. Quote request id ${c.get("requestId")} to support.`));
}

// ---- OpenAPI ---------------------------------------------------------------------------------------

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      details: z.array(z.object({ field: z.string().optional(), message: z.string() }).passthrough()).optional(),
      upstream: z
        .object({
          code: z.number().int(),
          subcode: z.number().int().optional(),
          message: z.string(),
          details: z.string().optional(),
          fbtraceId: z.string().optional(),
        })
        .optional()
        .openapi({ description: "Meta's error, on META_UPSTREAM_ERROR and on errors mapped from Meta" }),
      requestId: z.string(),
    }),
  })
  .openapi("Error", {
    example: { error: { code: "VALIDATION_FAILED", message: "to: Invalid E.164 phone number", details: [{ field: "to", message: "Invalid E.164 phone number" }], requestId: "req_65fc2e1b9a8b1c0d2e3f4a5b" } },
  });

// Response headers, declared where the middleware sets them. X-Request-Id is on every response
// (request-context.ts). The rate-limit headers are set once the key is admitted (authenticate.ts): on
// every answer from then on, errors included, but not on a 401 (no key known yet), nor on a 429 for
// failed authentications, and only sometimes on a 413 (a body without Content-Length is measured after
// authentication) or a 500. Where a header is always there it is a shared, required component
// (components.headers); where it may be missing it is declared in place, not required.

type HeaderObject = { description: string; required?: true; schema: { type: "integer" | "string"; example?: string | number } };

const HEADERS = {
  "X-Request-Id": { description: "This request's id, also in the error envelope: quote it to support", schema: { type: "string", example: "req_65fc2e1b9a8b1c0d2e3f4a5b" } },
  "X-RateLimit-Limit": { description: "Requests allowed per minute on this key's plan (60, 600 or 6000)", schema: { type: "integer", example: 600 } },
  "X-RateLimit-Remaining": { description: "Requests you can make right now: the lower of what is left in the minute and in the 10-second burst window", schema: { type: "integer", example: 119 } },
  "X-RateLimit-Reset": { description: "Unix time (seconds) when the window that bounds Remaining resets", schema: { type: "integer", example: 1795602860 } },
  "RateLimit-Policy": { description: "Both windows as IETF draft fields: quota `q` per `w` seconds", schema: { type: "string", example: '"minute";q=600;w=60, "burst";q=120;w=10' } },
  RateLimit: { description: "What is left (`r`) in each window and the seconds until it resets (`t`)", schema: { type: "string", example: '"minute";r=599;t=43, "burst";r=119;t=3' } },
  "Retry-After": { description: "Seconds to wait before retrying", schema: { type: "integer", example: 3 } },
} satisfies Record<string, HeaderObject>;
type HeaderName = keyof typeof HEADERS;
const RATE_LIMIT: HeaderName[] = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "RateLimit-Policy", "RateLimit"];

/** The headers as required components (components.headers), registered by the document. */
export const HEADER_COMPONENTS = Object.fromEntries(Object.entries(HEADERS).map(([name, h]) => [name, { ...h, required: true as const }])) as Record<HeaderName, HeaderObject>;

const always = (...names: HeaderName[]) => Object.fromEntries(names.map((n) => [n, { $ref: `#/components/headers/${n}` }]));
const sometimes = (...names: HeaderName[]) => Object.fromEntries(names.map((n) => [n, HEADERS[n]]));

/** Headers of every answer to an admitted API-key request: the request id and the rate-limit headers. */
export const rateLimitHeaders = always("X-Request-Id", ...RATE_LIMIT);

/** The headers an error status carries: on an API-key route (it documents INVALID_API_KEY) or another (admin, Meta). */
function errorHeaders(status: number, codes: ErrorCode[], keyRoute: boolean) {
  if (!keyRoute || status === 401) return always("X-Request-Id", ...(status === 429 ? (["Retry-After"] as const) : []));
  if (status === 429) return { ...always("X-Request-Id", "Retry-After"), ...sometimes(...RATE_LIMIT) };
  if (status === 413 || status === 500) return { ...always("X-Request-Id"), ...sometimes(...RATE_LIMIT) };
  if (status === 409 && codes.every((c) => c === "IDEMPOTENCY_KEY_IN_USE")) return always("X-Request-Id", ...RATE_LIMIT, "Retry-After");
  return rateLimitHeaders;
}

const DESCRIBE: Partial<Record<ErrorCode, string>> = {
  VALIDATION_FAILED: "Body, query or path failed validation; `details` names each field.",
  OUTSIDE_24H_WINDOW: "Recipient hasn't messaged you in the last 24 hours. Use a template message.",
  TEMPLATE_NOT_APPROVED: "Template exists but is not APPROVED.",
  TEMPLATE_LANGUAGE_MISMATCH: "Language does not match a language Meta approved this template in.",
  TEMPLATE_VARIABLE_COUNT_MISMATCH: "Number of variables does not match the {{1}}…{{n}} placeholders.",
  MEDIA_FETCH_FAILED: "Meta could not fetch the media link.",
  INTERACTIVE_LIMITS: "A Meta interactive-message limit was exceeded; `details` names the limit.",
  CONTACT_OPTED_OUT: "The contact opted out (STOP); marketing templates are refused.",
  INVALID_API_KEY: "Missing, malformed, or revoked API key.",
  INSUFFICIENT_SCOPE: "API key is valid but lacks the route's scope.",
  NOT_FOUND: "Does not exist OR belongs to a different WABA.",
  PHONE_NOT_FOUND: "phoneNumberId does not belong to the WABA tied to this API key.",
  TEMPLATE_NOT_FOUND: "No template with that name exists on the WABA tied to this API key.",
  IDEMPOTENCY_KEY_IN_USE: "A request with this Idempotency-Key is still in flight.",
  IDEMPOTENCY_KEY_REUSED: "This Idempotency-Key was used with a different request body.",
  ALREADY_EXISTS: "A resource with that identity already exists.",
  INVALID_STATE: "The resource is not in a state that allows this (a message no longer scheduled; a campaign already started, finished or not paused); `message` says which state it is in.",
  MEDIA_EXPIRED: "The message's media is past its retention age (MEDIA_RETENTION_DAYS, 90 days by default) and was deleted.",
  PAYLOAD_TOO_LARGE: "Request body over the size cap (POST /v1/media: the file is over Meta's limit for its type; `details` names the limit).",
  UNSUPPORTED_MEDIA_TYPE: "Body must be application/json (POST /v1/media: multipart/form-data, with a file type Meta accepts; `details` lists them).",
  RATE_LIMITED: "Plan rate limit exceeded, or too many failed authentications from your address. Retry after `Retry-After` seconds.",
  INTERNAL: "Unexpected error; quote the request id.",
  META_UPSTREAM_ERROR: "Meta's Cloud API rejected the send; `upstream` carries Meta's code, subcode, message and trace id.",
};

/**
 * The answer to a method a path does not take (app.ts notFound): one shared response that every
 * operation references. It is not among an operation's own codes, which are what requests to it answer.
 */
export const METHOD_NOT_ALLOWED_RESPONSE = {
  description: "`METHOD_NOT_ALLOWED`: the path exists but not with this method; `Allow` lists the methods it takes.",
  headers: {
    Allow: { description: "The methods this path takes", required: true, schema: { type: "string", example: "GET, HEAD, POST" } },
    ...always("X-Request-Id"),
  },
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
} as const;
const METHOD_NOT_ALLOWED_REF = { $ref: "#/components/responses/MethodNotAllowed" };

/**
 * OpenAPI responses for the given error codes, grouped by status, each listing its codes, with the headers
 * each carries; plus the shared 405.
 */
export function errorResponses(...codes: ErrorCode[]) {
  const keyRoute = codes.includes("INVALID_API_KEY");
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  const out: Record<number, { description: string; content: { "application/json": { schema: typeof ErrorSchema } }; headers: ReturnType<typeof errorHeaders> } | { $ref: string }> = {};
  for (const [status, list] of byStatus) {
    out[status] = {
      description: list.map((code) => `\`${code}\`: ${DESCRIBE[code] ?? code}`).join("\n\n"),
      content: { "application/json": { schema: ErrorSchema } },
      headers: errorHeaders(status, list, keyRoute),
    };
  }
  out[405] = METHOD_NOT_ALLOWED_REF;
  return out;
}

/** The errors every authenticated route can answer. */
export const AUTH_ERRORS: ErrorCode[] = ["INVALID_API_KEY", "INSUFFICIENT_SCOPE", "RATE_LIMITED", "PAYLOAD_TOO_LARGE", "INTERNAL"];
