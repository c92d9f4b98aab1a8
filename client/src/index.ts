// The typed WBIZ API v1 client. Its types come from ./openapi.ts, which `npm run client:generate`
// writes from GET /v1/openapi.json with openapi-typescript; calls go through fetch with the retry policy
// of ./retry.ts. No runtime dependencies. See README.md.
import type { components, paths } from "./openapi.js";
import { withRetries, type FetchLike, type RetryOptions } from "./retry.js";

export type * from "./openapi.js";
export { DEFAULT_RETRY, backoffMs, isRepeatable, isSend, retryAfterMs, withRetries, type FetchLike, type RetryEvent, type RetryOptions } from "./retry.js";

/** The document's schemas by name: `Schemas["Contact"]`, `Schemas["SendText"]`, … */
export type Schemas = components["schemas"];
/** The error envelope every non-2xx answer carries. */
export type ErrorBody = Schemas["Error"];
export type ErrorCode = ErrorBody["error"]["code"];

export type HttpMethod = "get" | "put" | "post" | "patch" | "delete";

/** The paths that have an operation for this method. */
export type PathsWith<M extends HttpMethod> = { [P in keyof paths]: M extends keyof paths[P] ? P : never }[keyof paths];

/** The generated operation object of a path and method. */
export type Operation<P extends keyof paths, M extends HttpMethod> = M extends keyof paths[P] ? paths[P][M] : never;

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type RequiredKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? never : K }[keyof T];
/** The request body a call takes: the JSON value, or FormData for a multipart upload (POST /v1/media). */
type JsonBody<R> = NonNullable<R> extends { content: { "application/json": infer B } } ? B : NonNullable<R> extends { content: { "multipart/form-data": unknown } } ? FormData : never;

type ParameterParts<O> = "parameters" extends keyof O ? Omit<NonNullable<O["parameters" & keyof O]>, "cookie"> : {};
type BodyPart<O> = "requestBody" extends keyof O
  ? undefined extends O["requestBody" & keyof O]
    ? { body?: JsonBody<O["requestBody" & keyof O]> }
    : { body: JsonBody<O["requestBody" & keyof O]> }
  : {};

/**
 * What one call takes, as the document declares it: `path` (the {placeholders}), `query` (numbers and
 * booleans as such), `header` (e.g. `idempotency-key`, `prefer` on sends), the JSON `body`, and a `signal`.
 */
export type CallOptions<O> = Simplify<ParameterParts<O> & BodyPart<O> & { signal?: AbortSignal }>;
type OptionsArg<O> = RequiredKeys<CallOptions<O>> extends never ? [options?: CallOptions<O>] : [options: CallOptions<O>];

type Responses<O> = O extends { responses: infer R } ? R : never;
type ContentOf<R> = R extends { content: infer C }
  ? [C] extends [never] ? undefined : C extends { "application/json": infer B } ? B : C extends { "application/octet-stream": unknown } ? Blob : unknown
  : undefined;

/**
 * One answer, typed per documented status: narrow on `ok` or `status`. `data` is the parsed JSON body
 * (undefined for 204), or a Blob for a file (GET /v1/messages/{id}/media); for an error status it is
 * the error envelope, or undefined if the answer was not JSON (a proxy's page, say). `response` is the
 * raw Response, its body already read.
 */
export type WbizResponse<O> = {
  [S in keyof Responses<O>]: S extends number
    ? `${S}` extends `2${string}`
      ? { ok: true; status: S; data: ContentOf<Responses<O>[S]>; headers: Headers; response: Response }
      : { ok: false; status: S; data: ContentOf<Responses<O>[S]> | undefined; headers: Headers; response: Response }
    : never;
}[keyof Responses<O>];

type Caller<M extends HttpMethod> = <P extends PathsWith<M>>(path: P, ...options: OptionsArg<Operation<P, M>>) => Promise<WbizResponse<Operation<P, M>>>;

/** `wbiz.GET("/v1/contacts/{id}", { path: { id } })`, and POST, PATCH, DELETE: one method per HTTP method the API uses. */
export type WbizClient = { [M in HttpMethod as PathsWith<M> extends never ? never : Uppercase<M>]: Caller<M> };

export type WbizClientOptions = {
  /** Where the API is, without /v1: "https://api.wbiz.in", or "http://localhost:8787" under `npm run dev`. */
  baseUrl: string;
  /** A key from Settings → API keys (or the admin API): wbiz_live_… / wbiz_test_…. */
  apiKey: string;
  /** The retry policy's knobs (see RetryOptions), or false for one attempt per call. */
  retry?: Partial<RetryOptions> | false;
  /** The transport, globalThis.fetch by default. */
  fetch?: FetchLike;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
};

type Scalar = string | number | boolean | null | undefined;
type RawOptions = { path?: Record<string, Scalar>; query?: Record<string, Scalar | readonly Scalar[]>; header?: Record<string, Scalar>; body?: unknown; signal?: AbortSignal };

export function createWbizClient(options: WbizClientOptions): WbizClient {
  const transport: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const send = options.retry === false ? transport : withRetries(transport, options.retry);
  const base = options.baseUrl.replace(/\/+$/, "");

  const call = (method: string) => async (path: string, opts: RawOptions = {}) => {
    const headers = new Headers(options.headers);
    for (const [name, value] of Object.entries(opts.header ?? {})) if (value !== undefined && value !== null) headers.set(name, String(value));
    headers.set("Authorization", `Bearer ${options.apiKey}`);
    headers.set("Accept", "application/json");
    let body: string | FormData | undefined;
    if (opts.body instanceof FormData) {
      body = opts.body; // fetch writes the multipart Content-Type with its boundary
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers.set("Content-Type", "application/json");
    }
    const response = await send(`${base}${fillPath(path, opts.path)}${queryString(opts.query)}`, { method, headers, body, signal: opts.signal });
    return read(response);
  };
  const client = { GET: call("GET"), POST: call("POST"), PUT: call("PUT"), PATCH: call("PATCH"), DELETE: call("DELETE") };
  return client as unknown as WbizClient;
}

/** "/v1/contacts/{id}" with { id } → "/v1/contacts/65fc…", each value percent-encoded. */
function fillPath(path: string, params: RawOptions["path"] = {}): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === null || value === "") throw new TypeError(`${path}: no value for the path parameter "${name}"`);
    return encodeURIComponent(String(value));
  });
}

/** Numbers and booleans as their text, arrays as repeated names; undefined and null are left out. */
function queryString(query: RawOptions["query"] = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) if (item !== undefined && item !== null) search.append(name, String(item));
  }
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}

/** A successful answer that is not JSON is a file (GET /v1/messages/{id}/media, in the file's own type): its bytes as a Blob. */
function isFile(response: Response): boolean {
  const type = response.headers.get("Content-Type");
  return response.ok && response.status !== 204 && type !== null && !/^application\/([\w.+-]*\+)?json\b/i.test(type);
}

async function read(response: Response) {
  if (isFile(response)) return { ok: true, status: response.status, data: await response.blob(), headers: response.headers, response };
  const text = await response.text();
  let data: unknown;
  if (text !== "") {
    try {
      data = JSON.parse(text);
    } catch {
      data = response.ok ? text : undefined;
    }
  }
  return { ok: response.ok, status: response.status, data, headers: response.headers, response };
}

type AnyResponse = { ok: boolean; status: number; data: unknown; headers: Headers };
type Success<R> = R extends { ok: true; data: infer D } ? D : never;

/**
 * The parsed body of a 2xx answer, or a WbizApiError for anything else:
 * `const contact = await unwrap(wbiz.GET("/v1/contacts/{id}", { path: { id } }))`.
 */
export async function unwrap<R extends AnyResponse>(call: R | Promise<R>): Promise<Success<R>> {
  const res = await call;
  if (res.ok) return res.data as Success<R>;
  throw new WbizApiError(res.status, res.data, res.headers);
}

/** An error answer of the API, thrown by unwrap(). */
export class WbizApiError extends Error {
  override readonly name = "WbizApiError";
  readonly status: number;
  /** The envelope's code, or "UNKNOWN" when the answer carried no envelope. */
  readonly code: ErrorCode | "UNKNOWN";
  readonly details?: ErrorBody["error"]["details"];
  readonly upstream?: ErrorBody["error"]["upstream"];
  readonly requestId?: string;
  /** Seconds, from the Retry-After header of a 429 (or 409) the retry policy handed back. */
  readonly retryAfter?: number;

  constructor(status: number, body: unknown, headers: Headers) {
    const error = isErrorBody(body) ? body.error : undefined;
    super(error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = error?.code ?? "UNKNOWN";
    this.details = error?.details;
    this.upstream = error?.upstream;
    this.requestId = error?.requestId ?? headers.get("X-Request-Id") ?? undefined;
    const after = headers.get("Retry-After");
    if (after !== null && /^\d+$/.test(after.trim())) this.retryAfter = Number(after.trim());
  }
}

function isErrorBody(body: unknown): body is ErrorBody {
  if (typeof body !== "object" || body === null || !("error" in body)) return false;
  const error = (body as { error: unknown }).error;
  return typeof error === "object" && error !== null && typeof (error as { code?: unknown }).code === "string";
}
