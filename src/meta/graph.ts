import type { Env } from "../env";
import { settings } from "../settings";

// The only door to Meta's Graph API. Production calls META_GRAPH_URL; local dev and tests reach the
// Cloud API emulator through the META service binding instead. Test mode goes through the same door to
// the sandbox (the SANDBOX service binding) and nowhere else: a test key's call never reaches Meta.

export type GraphError = {
  message: string;
  type?: string;
  code: number;
  error_subcode?: number;
  error_data?: { messaging_product?: string; details?: string };
  fbtrace_id?: string;
  /** Meta's own verdict, when it gives one (OpenAPI GraphAPIError: "Indicates whether this error is temporary and the request should be retried") */
  is_transient?: boolean;
};

export type GraphResult<T> =
  | { ok: true; status: number; data: T }
  | { ok: false; kind: "graph"; status: number; error: GraphError }
  | { ok: false; kind: "network"; message: string }
  | { ok: false; kind: "timeout"; timeoutMs: number };

/**
 * Who a Graph call is for. Live: Meta, with the WABA's own access token. Test: the sandbox, which is
 * told only which WABA the call is for — the WABA's real token never leaves for a test-mode call.
 */
export type GraphTarget = { mode: "live"; token: string } | { mode: "test"; metaWabaId: string };

/** What the sandbox takes as the access token of a WABA's test-mode calls. */
export function sandboxToken(metaWabaId: string): string {
  return `wbiz-sandbox-${metaWabaId}`;
}

/** Never resolved: sandbox requests go through the service binding, whatever their host. */
const SANDBOX_ORIGIN = "https://sandbox.wbiz.invalid";

export function graphVersion(env: Env): string {
  return settings(env).metaGraphVersion;
}

export function graphUrl(env: Env, path: string): string {
  const base = settings(env).metaGraphUrl;
  return `${base}/${graphVersion(env)}/${path.replace(/^\//, "")}`;
}

/** test mode without a sandbox fails, never falls through to Meta */
const NO_SANDBOX = { ok: false, kind: "network", message: "the test-mode sandbox is not configured (no SANDBOX binding)" } as const;

/** The address of a Graph path for this target (the sandbox's in test mode) and the token it is sent with. */
function addressOf(env: Env, target: GraphTarget, path: string): { url: string; token: string } {
  if (target.mode === "live") return { url: graphUrl(env, path), token: target.token };
  return { url: `${SANDBOX_ORIGIN}/${graphVersion(env)}/${path.replace(/^\//, "")}`, token: sandboxToken(target.metaWabaId) };
}

/** Where a request for this target goes: the sandbox binding (test mode), the emulator binding (local, tests), else the network. */
function door(env: Env, target: GraphTarget, request: Request): Promise<Response> {
  if (target.mode === "test") return env.SANDBOX!.fetch(request);
  return env.META ? env.META.fetch(request) : fetch(request);
}

export async function graphRequest<T>(
  env: Env,
  path: string,
  opts: { method?: "GET" | "POST" | "DELETE"; target: GraphTarget; body?: unknown; timeoutMs?: number },
): Promise<GraphResult<T>> {
  const { target } = opts;
  if (target.mode === "test" && !env.SANDBOX) return NO_SANDBOX;
  const { url, token } = addressOf(env, target, path);
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const request = new Request(url, {
    method: opts.method ?? (opts.body === undefined ? "GET" : "POST"),
    headers: { Authorization: `Bearer ${token}`, ...(opts.body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  let res: Response;
  try {
    res = await door(env, target, request);
  } catch (err) {
    const name = (err as Error)?.name;
    if (name === "TimeoutError" || name === "AbortError") return { ok: false, kind: "timeout", timeoutMs };
    return { ok: false, kind: "network", message: String((err as Error)?.message ?? err) };
  }
  let payload: unknown;
  try {
    payload = await res.json();
  } catch (err) {
    const name = (err as Error)?.name;
    if (name === "TimeoutError" || name === "AbortError") return { ok: false, kind: "timeout", timeoutMs };
    payload = undefined;
  }
  if (res.ok && payload !== undefined) return { ok: true, status: res.status, data: payload as T };
  const error = (payload as { error?: GraphError } | undefined)?.error;
  if (error && typeof error.code === "number") return { ok: false, kind: "graph", status: res.status, error };
  return { ok: false, kind: "graph", status: res.status, error: { code: res.status >= 500 ? 2 : 1, message: `HTTP ${res.status} from Graph API without an error body` } };
}

// ---- binary calls: media upload and download, Resumable Upload ------------------------------------

export type GraphRawResult =
  | { ok: true; response: Response }
  | { ok: false; kind: "network"; message: string }
  | { ok: false; kind: "timeout"; timeoutMs: number }
  /** a media URL that is not Meta's: the WABA's token is never sent there */
  | { ok: false; kind: "refused"; message: string };

/**
 * Hosts a media download URL from Meta may have (lookaside.fbsbx.com today). Meta's docs: "the URL is only
 * valid for 5 minutes" and needs the Bearer token (business-messaging-api_v23.0.yaml, Retrieve Media URL).
 */
const META_MEDIA_HOSTS = [/^lookaside\.fbsbx\.com$/, /\.fbsbx\.com$/, /(^|\.)facebook\.com$/, /\.fbcdn\.net$/, /\.whatsapp\.net$/];

export function isMetaMediaUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === "https:" && META_MEDIA_HOSTS.some((h) => h.test(u.hostname));
  } catch {
    return false;
  }
}

/**
 * A Graph call whose body or answer is not JSON (multipart uploads, media downloads, Resumable Upload),
 * through the same door as graphRequest: the sandbox for test mode, the emulator binding locally, else
 * Meta. `path` is a Graph path (version added); `url` a media URL Meta gave (sent only to Meta's hosts,
 * or through a binding). The timeout bounds the wait for the answer's headers only: the caller streams
 * the body and owns it.
 */
export async function graphRaw(
  env: Env,
  opts: {
    target: GraphTarget;
    path?: string;
    url?: string;
    method?: "GET" | "POST" | "DELETE";
    headers?: Record<string, string>;
    body?: BodyInit | null;
    timeoutMs?: number;
    authScheme?: "Bearer" | "OAuth";
    /** the caller's own reason to give up (a streamed upload whose source failed) */
    signal?: AbortSignal;
  },
): Promise<GraphRawResult> {
  const { target } = opts;
  if (target.mode === "test" && !env.SANDBOX) return NO_SANDBOX;
  if (opts.url !== undefined && target.mode === "live" && !env.META && !isMetaMediaUrl(opts.url)) {
    return { ok: false, kind: "refused", message: `not a Meta media URL: ${new URL(opts.url, "https://x.invalid").hostname}` };
  }
  const address = addressOf(env, target, opts.path ?? "");
  const url = opts.url ?? address.url;
  const token = address.token;
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException("timed out", "TimeoutError")), timeoutMs);
  const request = new Request(url, {
    method: opts.method ?? (opts.body == null ? "GET" : "POST"),
    headers: { ...opts.headers, Authorization: `${opts.authScheme ?? "Bearer"} ${token}` },
    body: opts.body ?? null,
    signal: opts.signal ? AbortSignal.any([controller.signal, opts.signal]) : controller.signal,
  });
  try {
    return { ok: true, response: await door(env, target, request) };
  } catch (err) {
    const name = (err as Error)?.name;
    if (name === "TimeoutError" || name === "AbortError") return { ok: false, kind: "timeout", timeoutMs };
    return { ok: false, kind: "network", message: String((err as Error)?.message ?? err) };
  } finally {
    clearTimeout(timer);
  }
}

/** A Graph error out of a raw answer that is not 2xx (its JSON envelope, or one made from the status). */
export async function graphErrorOf(res: Response): Promise<GraphError> {
  const payload = (await res.json().catch(() => undefined)) as { error?: GraphError } | undefined;
  if (payload?.error && typeof payload.error.code === "number") return payload.error;
  return { code: res.status >= 500 ? 2 : 1, message: `HTTP ${res.status} from Graph API without an error body` };
}
