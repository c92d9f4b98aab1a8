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

export async function graphRequest<T>(
  env: Env,
  path: string,
  opts: { method?: "GET" | "POST" | "DELETE"; target: GraphTarget; body?: unknown; timeoutMs?: number },
): Promise<GraphResult<T>> {
  const { target } = opts;
  const test = target.mode === "test";
  // test mode without a sandbox fails here, never falls through to Meta
  if (test && !env.SANDBOX) return { ok: false, kind: "network", message: "the test-mode sandbox is not configured (no SANDBOX binding)" };
  const url = test ? `${SANDBOX_ORIGIN}/${graphVersion(env)}/${path.replace(/^\//, "")}` : graphUrl(env, path);
  const token = test ? sandboxToken(target.metaWabaId) : target.token;
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const request = new Request(url, {
    method: opts.method ?? (opts.body === undefined ? "GET" : "POST"),
    headers: { Authorization: `Bearer ${token}`, ...(opts.body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  let res: Response;
  try {
    if (test) res = await env.SANDBOX!.fetch(request);
    else res = env.META ? await env.META.fetch(request) : await fetch(request);
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
