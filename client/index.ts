// The typed WBIZ API v1 client: Hono's RPC client over the routes' own types (./app-type), with the
// retry policy of ./retry. See client/README.md.
import { hc, type ClientResponse } from "hono/client";
import type { ErrorBody, ErrorCode, V1App } from "./app-type";
import { withRetries, type FetchLike, type RetryOptions } from "./retry";

export type { ErrorBody, ErrorCode, ErrorStatus, V1App, V1Schema } from "./app-type";
export { DEFAULT_RETRY, backoffMs, isRepeatable, isSend, retryAfterMs, withRetries, type FetchLike, type RetryEvent, type RetryOptions } from "./retry";

export type WbizClientOptions = {
  /** Where the API is, without /v1: "https://api.wbiz.in", or "http://localhost:8787" under `npm run dev`. */
  baseUrl: string;
  /** A key from Settings → API keys (or the admin API): wbiz_live_… / wbiz_test_…. */
  apiKey: string;
  /** The retry policy's knobs (see RetryOptions), or false for one attempt per call. */
  retry?: Partial<RetryOptions> | false;
  /** The transport, globalThis.fetch by default (tests pass the Worker's own fetch). */
  fetch?: FetchLike;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
};

export function createWbizClient(options: WbizClientOptions) {
  const transport: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const send = options.retry === false ? transport : withRetries(transport, options.retry);
  return hc<V1App>(options.baseUrl, {
    fetch: send,
    headers: { ...options.headers, Authorization: `Bearer ${options.apiKey}` },
  });
}

export type WbizClient = ReturnType<typeof createWbizClient>;

/** An error answer of the API, thrown by unwrap(). */
export class WbizApiError extends Error {
  override readonly name = "WbizApiError";
  readonly status: number;
  readonly code: ErrorCode | "UNKNOWN";
  readonly details?: ErrorBody["error"]["details"];
  readonly upstream?: ErrorBody["error"]["upstream"];
  readonly requestId?: string;
  /** Seconds, from the Retry-After header of a 429 (or 409) the retry policy handed back. */
  readonly retryAfter?: number;

  constructor(status: number, body: Partial<ErrorBody> | undefined, headers: Headers) {
    const error = body?.error;
    super(error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = error?.code ?? "UNKNOWN";
    this.details = error?.details;
    this.upstream = error?.upstream;
    this.requestId = error?.requestId ?? headers.get("X-Request-Id") ?? undefined;
    const after = headers.get("Retry-After");
    if (after !== null && /^\d+$/.test(after)) this.retryAfter = Number(after);
  }
}

type Success<R> = R extends ClientResponse<infer T, infer S, infer F> ? (S extends 200 | 201 | 202 ? (F extends "json" ? T : never) : S extends 204 ? undefined : never) : never;

/**
 * The parsed body of a 2xx answer, or a WbizApiError for anything else:
 * `const contact = await unwrap(wbiz.v1.contacts[":id"].$get({ param: { id } }))`.
 */
export async function unwrap<R extends ClientResponse<unknown, number, "json" | "text">>(call: R | Promise<R>): Promise<Success<R>> {
  const res = await call;
  if (res.ok) return (res.status === 204 ? undefined : await res.json()) as Success<R>;
  const text = await res.text();
  let body: Partial<ErrorBody> | undefined;
  try {
    body = JSON.parse(text) as Partial<ErrorBody>;
  } catch {
    body = undefined;
  }
  throw new WbizApiError(res.status, body, res.headers);
}
