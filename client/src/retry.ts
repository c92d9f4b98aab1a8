// A fetch that retries the way the v1 reference asks integrators to: on 429 it sleeps `Retry-After`
// seconds, on 5xx and network errors it backs off exponentially with jitter. Only what cannot do harm is
// retried: 4xx answers are final (except 429, which the API refuses before doing anything, and 409 with
// Retry-After, which is the first attempt of this very request still running — IDEMPOTENCY_KEY_IN_USE),
// and a 5xx or a lost connection is retried only where a repeat cannot act twice.

export type RetryOptions = {
  /** Attempts in all, the first included. 1 turns retrying off. Default 4. */
  maxAttempts: number;
  /** First backoff step; each retry doubles it (with jitter), up to maxDelayMs. Default 500 ms. */
  baseDelayMs: number;
  /** Cap of one backoff wait, and the longest Retry-After honoured: a longer one is handed back to you. Default 30 s. */
  maxDelayMs: number;
  /** Add an Idempotency-Key to sends (POST /v1/messages/…) that have none, so a retried send is sent once. Default true. */
  idempotencyKeys: boolean;
  /** Injectable for tests. */
  sleep: (ms: number) => Promise<void>;
  /** Injectable for tests: a number in [0, 1). */
  random: () => number;
  /** Makes the automatic Idempotency-Key. */
  newIdempotencyKey: () => string;
  /** Called before each wait, e.g. to log. */
  onRetry?: (event: RetryEvent) => void;
};

export type RetryEvent = { attempt: number; delayMs: number; method: string; url: string; status?: number; error?: unknown };

export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  idempotencyKeys: true,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
  newIdempotencyKey: () => crypto.randomUUID(),
};

/** fetch's shape (RequestInfo spelled out: Node's types have no such global). */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** POST /v1/messages/{kind}: the sends, the only routes that honour Idempotency-Key. */
export function isSend(method: string, url: URL): boolean {
  return method === "POST" && /\/v1\/messages\/[^/]+$/.test(url.pathname);
}

/**
 * Whether repeating the request after a 5xx or a lost connection is safe: reads and the naturally
 * idempotent methods, any request with an Idempotency-Key, and POST /v1/contacts (an upsert by phone).
 * Creating a webhook endpoint, rotating its secret or replaying a delivery would happen twice: those
 * are not retried on 5xx (429 still is: nothing was done).
 */
export function isRepeatable(request: Request): boolean {
  if (["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"].includes(request.method)) return true;
  if (request.headers.has("Idempotency-Key")) return true;
  return request.method === "POST" && /\/v1\/contacts$/.test(new URL(request.url).pathname);
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with "equal jitter": half of the step is fixed, half random, so waits still grow. */
export function backoffMs(attempt: number, options: Pick<RetryOptions, "baseDelayMs" | "maxDelayMs" | "random">): number {
  const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(step / 2 + options.random() * (step / 2));
}

/** How long to wait before retrying this response, or undefined to hand it back as it is. */
function delayFor(res: Response, attempt: number, repeatable: boolean, hasIdempotencyKey: boolean, options: RetryOptions): number | undefined {
  const after = retryAfterMs(res.headers.get("Retry-After"));
  const retryable =
    res.status === 429 ||
    (res.status === 409 && hasIdempotencyKey && after !== undefined) ||
    (res.status >= 500 && res.status <= 599 && repeatable);
  if (!retryable) return undefined;
  if (after === undefined) return backoffMs(attempt, options);
  return after <= options.maxDelayMs ? after : undefined;
}

/** Wraps a fetch with the retry policy above. */
export function withRetries(transport: FetchLike, overrides: Partial<RetryOptions> = {}): FetchLike {
  const options: RetryOptions = { ...DEFAULT_RETRY, ...overrides };
  return async (input, init) => {
    let request = new Request(input, init);
    const url = new URL(request.url);
    if (options.maxAttempts > 1 && options.idempotencyKeys && isSend(request.method, url) && !request.headers.has("Idempotency-Key")) {
      const headers = new Headers(request.headers);
      headers.set("Idempotency-Key", options.newIdempotencyKey());
      request = new Request(request, { headers });
    }
    const repeatable = isRepeatable(request);
    const hasIdempotencyKey = request.headers.has("Idempotency-Key");

    for (let attempt = 1; ; attempt++) {
      request.signal?.throwIfAborted();
      const last = attempt >= options.maxAttempts;
      let res: Response;
      try {
        res = await transport(last ? request : request.clone());
      } catch (error) {
        if (last || !repeatable || request.signal?.aborted) throw error;
        const delayMs = backoffMs(attempt, options);
        options.onRetry?.({ attempt, delayMs, method: request.method, url: request.url, error });
        await options.sleep(delayMs);
        continue;
      }
      const delayMs = last ? undefined : delayFor(res, attempt, repeatable, hasIdempotencyKey, options);
      if (delayMs === undefined) return res;
      await res.body?.cancel();
      options.onRetry?.({ attempt, delayMs, method: request.method, url: request.url, status: res.status });
      await options.sleep(delayMs);
    }
  };
}
