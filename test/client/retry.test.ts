import { describe, expect, it } from "vitest";
import { backoffMs, createWbizClient, retryAfterMs, unwrap, WbizApiError, withRetries, type RetryOptions } from "../../client/src/index";

// The retry policy against a scripted fake fetch, with an injected sleep that records instead of waiting.

const BASE = "https://api.wbiz.test";
type Step = Response | Error;

function scripted(...steps: Array<Step | (() => Step)>) {
  const seen: Request[] = [];
  const bodies: string[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    seen.push(request);
    bodies.push(await request.clone().text());
    const next = steps.shift();
    if (next === undefined) throw new Error(`unexpected request #${seen.length}`);
    const step = typeof next === "function" ? next() : next;
    if (step instanceof Error) throw step;
    return step;
  };
  return { fetch, seen, bodies };
}

function recorder(overrides: Partial<RetryOptions> = {}) {
  const sleeps: number[] = [];
  const options: Partial<RetryOptions> = { sleep: async (ms) => void sleeps.push(ms), random: () => 0, ...overrides };
  return { sleeps, options };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
const apiError = (status: number, code: string, headers: Record<string, string> = {}) =>
  json(status, { error: { code, message: code.toLowerCase(), requestId: "req_test" } }, headers);

describe("withRetries", () => {
  it("429 with Retry-After: sleeps exactly Retry-After seconds, then returns the 200", async () => {
    const { fetch, seen } = scripted(apiError(429, "RATE_LIMITED", { "Retry-After": "3" }), json(200, { ok: true }));
    const { sleeps, options } = recorder();
    const res = await withRetries(fetch, options)(`${BASE}/v1/templates`);
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(2);
    expect(sleeps).toEqual([3000]);
  });

  it("429 with an HTTP-date Retry-After waits until that date", () => {
    const now = Date.parse("2026-04-28T17:42:00Z");
    expect(retryAfterMs("Tue, 28 Apr 2026 17:42:07 GMT", now)).toBe(7000);
    expect(retryAfterMs("Tue, 28 Apr 2026 17:41:00 GMT", now)).toBe(0);
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it("429 without Retry-After backs off exponentially", async () => {
    const { fetch } = scripted(apiError(429, "RATE_LIMITED"), apiError(429, "RATE_LIMITED"), json(200, {}));
    const { sleeps, options } = recorder();
    expect((await withRetries(fetch, options)(`${BASE}/v1/key`)).status).toBe(200);
    expect(sleeps).toEqual([250, 500]);
  });

  it("503 then 200: one backoff wait, then the 200", async () => {
    const { fetch, seen } = scripted(new Response("upstream unavailable", { status: 503 }), json(200, { data: [] }));
    const { sleeps, options } = recorder();
    const res = await withRetries(fetch, options)(`${BASE}/v1/contacts`);
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(2);
    expect(sleeps).toEqual([250]);
  });

  it("a 5xx with Retry-After waits what the server asked", async () => {
    const { fetch } = scripted(new Response("", { status: 503, headers: { "Retry-After": "2" } }), json(200, {}));
    const { sleeps, options } = recorder();
    await withRetries(fetch, options)(`${BASE}/v1/contacts`);
    expect(sleeps).toEqual([2000]);
  });

  it("400 is final: no retry, no wait", async () => {
    const { fetch, seen } = scripted(apiError(400, "VALIDATION_FAILED"));
    const { sleeps, options } = recorder();
    const res = await withRetries(fetch, options)(`${BASE}/v1/contacts`, { method: "POST", body: "{}" });
    expect(res.status).toBe(400);
    expect((await res.json()) as unknown).toMatchObject({ error: { code: "VALIDATION_FAILED" } });
    expect(seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it.each([401, 403, 404, 413, 415, 422])("%i is final", async (status) => {
    const { fetch, seen } = scripted(apiError(status, "X"));
    expect((await withRetries(fetch, recorder().options)(`${BASE}/v1/key`)).status).toBe(status);
    expect(seen).toHaveLength(1);
  });

  it("gives up after maxAttempts and returns the last answer; waits double each time up to maxDelayMs", async () => {
    const { fetch, seen } = scripted(...[1, 2, 3, 4, 5].map(() => () => apiError(500, "INTERNAL")));
    const { sleeps, options } = recorder({ maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 5000, random: () => 1 });
    const res = await withRetries(fetch, options)(`${BASE}/v1/key`);
    expect(res.status).toBe(500);
    expect(seen).toHaveLength(5);
    expect(sleeps).toEqual([1000, 2000, 4000, 5000]);
  });

  it("jitter: half of each step is fixed, half random", () => {
    const opts = { baseDelayMs: 400, maxDelayMs: 60_000 };
    expect(backoffMs(3, { ...opts, random: () => 0 })).toBe(800);
    expect(backoffMs(3, { ...opts, random: () => 0.5 })).toBe(1200);
    expect(backoffMs(3, { ...opts, random: () => 0.999999 })).toBe(1600);
  });

  it("a Retry-After beyond maxDelayMs is handed back instead of blocking", async () => {
    const { fetch, seen } = scripted(apiError(429, "RATE_LIMITED", { "Retry-After": "120" }));
    const { sleeps, options } = recorder({ maxDelayMs: 30_000 });
    const res = await withRetries(fetch, options)(`${BASE}/v1/key`);
    expect(res.status).toBe(429);
    expect(seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("network errors on reads are retried with backoff", async () => {
    const { fetch, seen } = scripted(new TypeError("connection reset"), json(200, {}));
    const { sleeps, options } = recorder();
    expect((await withRetries(fetch, options)(`${BASE}/v1/conversations`)).status).toBe(200);
    expect(seen).toHaveLength(2);
    expect(sleeps).toEqual([250]);
  });

  it("the last network error is thrown", async () => {
    const { fetch } = scripted(new TypeError("down"), new TypeError("still down"));
    await expect(withRetries(fetch, recorder({ maxAttempts: 2 }).options)(`${BASE}/v1/key`)).rejects.toThrow("still down");
  });

  it("maxAttempts: 1 turns retrying off", async () => {
    const { fetch, seen } = scripted(apiError(429, "RATE_LIMITED", { "Retry-After": "1" }));
    expect((await withRetries(fetch, recorder({ maxAttempts: 1 }).options)(`${BASE}/v1/key`)).status).toBe(429);
    expect(seen).toHaveLength(1);
  });
});

describe("sends and other writes", () => {
  const send = { to: "+919812345678", body: "Your order #4827 has shipped!" };

  it("adds one Idempotency-Key to a send and keeps it, and the body, across attempts", async () => {
    const { fetch, seen, bodies } = scripted(apiError(500, "INTERNAL"), new TypeError("reset"), json(200, { wamid: "wamid.x" }));
    const { options } = recorder({ newIdempotencyKey: () => "idem-1" });
    const res = await withRetries(fetch, options)(`${BASE}/v1/messages/text`, { method: "POST", body: JSON.stringify(send), headers: { "Content-Type": "application/json" } });
    expect(res.status).toBe(200);
    expect(seen.map((r) => r.headers.get("Idempotency-Key"))).toEqual(["idem-1", "idem-1", "idem-1"]);
    expect(bodies).toEqual([JSON.stringify(send), JSON.stringify(send), JSON.stringify(send)]);
    expect(seen.every((r) => r.headers.get("Content-Type") === "application/json")).toBe(true);
  });

  it("keeps the caller's own Idempotency-Key", async () => {
    const { fetch, seen } = scripted(json(200, {}));
    await withRetries(fetch, recorder().options)(`${BASE}/v1/messages/template`, { method: "POST", body: "{}", headers: { "Idempotency-Key": "order-4827-shipped" } });
    expect(seen[0]!.headers.get("Idempotency-Key")).toBe("order-4827-shipped");
  });

  it("adds no key when retrying is off, or to what is not a send", async () => {
    const off = scripted(json(200, {}));
    await withRetries(off.fetch, recorder({ maxAttempts: 1 }).options)(`${BASE}/v1/messages/text`, { method: "POST", body: "{}" });
    expect(off.seen[0]!.headers.has("Idempotency-Key")).toBe(false);
    const notSend = scripted(json(200, {}), json(201, {}));
    await withRetries(notSend.fetch, recorder().options)(`${BASE}/v1/messages/0123456789abcdef01234567`);
    await withRetries(notSend.fetch, recorder().options)(`${BASE}/v1/contacts`, { method: "POST", body: "{}" });
    expect(notSend.seen.map((r) => r.headers.has("Idempotency-Key"))).toEqual([false, false]);
  });

  it("409 IDEMPOTENCY_KEY_IN_USE (the first attempt still running) is waited out", async () => {
    const { fetch, seen } = scripted(new TypeError("timeout"), apiError(409, "IDEMPOTENCY_KEY_IN_USE", { "Retry-After": "1" }), json(200, { wamid: "wamid.x" }));
    const { sleeps, options } = recorder();
    const res = await withRetries(fetch, options)(`${BASE}/v1/messages/text`, { method: "POST", body: JSON.stringify(send) });
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(3);
    expect(sleeps).toEqual([250, 1000]);
  });

  it("a 409 without an Idempotency-Key is final", async () => {
    const { fetch, seen } = scripted(apiError(409, "ALREADY_EXISTS", { "Retry-After": "1" }));
    expect((await withRetries(fetch, recorder().options)(`${BASE}/v1/webhooks`, { method: "POST", body: "{}" })).status).toBe(409);
    expect(seen).toHaveLength(1);
  });

  it("POSTs that would act twice (create webhook, rotate secret, replay) are not retried on 5xx or network errors", async () => {
    const fivexx = scripted(apiError(500, "INTERNAL"));
    expect((await withRetries(fivexx.fetch, recorder().options)(`${BASE}/v1/webhooks`, { method: "POST", body: "{}" })).status).toBe(500);
    expect(fivexx.seen).toHaveLength(1);
    const lost = scripted(new TypeError("reset"));
    await expect(withRetries(lost.fetch, recorder().options)(`${BASE}/v1/webhooks/abc/rotate-secret`, { method: "POST" })).rejects.toThrow("reset");
    expect(lost.seen).toHaveLength(1);
  });

  it("…but are retried on 429, which the API answers before doing anything", async () => {
    const { fetch, seen } = scripted(apiError(429, "RATE_LIMITED", { "Retry-After": "1" }), json(201, {}));
    expect((await withRetries(fetch, recorder().options)(`${BASE}/v1/webhooks`, { method: "POST", body: "{}" })).status).toBe(201);
    expect(seen).toHaveLength(2);
  });

  it("POST /v1/contacts (an upsert by phone) and PATCH are retried on 5xx", async () => {
    const { fetch, seen } = scripted(apiError(502, "META_UPSTREAM_ERROR"), json(200, {}), apiError(500, "INTERNAL"), json(200, {}));
    const { options } = recorder();
    expect((await withRetries(fetch, options)(`${BASE}/v1/contacts`, { method: "POST", body: "{}" })).status).toBe(200);
    expect((await withRetries(fetch, options)(`${BASE}/v1/contacts/abc`, { method: "PATCH", body: "{}" })).status).toBe(200);
    expect(seen).toHaveLength(4);
  });
});

describe("createWbizClient with a fake transport", () => {
  it("sends the key, retries a 429 after Retry-After, and unwrap() returns the typed body", async () => {
    const contact = { id: "65fc2e1b9a8b1c0d2e3f4a5b", phone: "+919812345678", name: "Aarav Sharma", email: null, tags: ["vip"], customFields: {}, optedIn: true, createdAt: "2026-04-12T08:32:11.420Z" };
    const { fetch, seen } = scripted(apiError(429, "RATE_LIMITED", { "Retry-After": "1" }), json(200, contact));
    const { sleeps, options } = recorder();
    const wbiz = createWbizClient({ baseUrl: BASE, apiKey: "wbiz_test_abc", fetch, retry: options });
    const got = await unwrap(wbiz.GET("/v1/contacts/{id}", { path: { id: contact.id } }));
    expect(got.phone).toBe("+919812345678");
    expect(sleeps).toEqual([1000]);
    expect(seen.map((r) => [r.method, new URL(r.url).pathname, r.headers.get("Authorization")])).toEqual([
      ["GET", `/v1/contacts/${contact.id}`, "Bearer wbiz_test_abc"],
      ["GET", `/v1/contacts/${contact.id}`, "Bearer wbiz_test_abc"],
    ]);
  });

  it("retry: false makes one attempt; unwrap() turns the error envelope into a WbizApiError", async () => {
    const { fetch, seen } = scripted(apiError(429, "RATE_LIMITED", { "Retry-After": "7" }));
    const wbiz = createWbizClient({ baseUrl: BASE, apiKey: "k", fetch, retry: false });
    const err = await unwrap(wbiz.GET("/v1/key")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WbizApiError);
    expect(err).toMatchObject({ status: 429, code: "RATE_LIMITED", retryAfter: 7, requestId: "req_test" });
    expect(seen).toHaveLength(1);
  });
});
