import { describe, expect, it, onTestFinished, vi } from "vitest";
import { createWbizClient, unwrap, WbizApiError, type FetchLike } from "../../client/src/index";
import { callWorker } from "../helpers/api";
import { emulateInbound, emulatorSends } from "../helpers/emulator";
import { createMessagingTenant, inboundFrom, messageByWamid } from "../helpers/messaging";
import { createTenant } from "../helpers/tenant";

// The typed client against the Worker under test: its fetch is the Worker's own.

const BASE = "https://api.wbiz.test";
const TO = "+919812345678";
const worker: FetchLike = (input, init) => callWorker(new Request(input, init));
const noWait = { sleep: async () => {} };
const client = (apiKey: string, fetch: FetchLike = worker) => createWbizClient({ baseUrl: BASE, apiKey, fetch, retry: noWait });

describe("typed client against the Worker", () => {
  it("media: uploads a FormData and downloads a customer's file as a Blob", async () => {
    const t = await createMessagingTenant();
    const wbiz = client(t.secret);
    const bytes = crypto.getRandomValues(new Uint8Array(40_000));
    const form = new FormData();
    form.set("type", "image/png");
    form.set("file", new Blob([bytes], { type: "image/png" }), "label.png");
    const uploaded = await unwrap(wbiz.POST("/v1/media", { body: form }));
    expect(uploaded).toMatchObject({ phoneNumberId: t.defaultPhone, mimeType: "image/png", fileSize: 40_000 });

    // the customer sends that file back: the download is the same bytes, as a Blob
    const { wamid } = await emulateInbound({ phoneNumberId: t.defaultPhone, from: "16505551234", type: "image", image: { id: uploaded.id } });
    let id = "";
    await vi.waitFor(async () => expect((id = (await messageByWamid(t, wamid))?.id ?? "")).not.toBe(""));
    const file = await unwrap(wbiz.GET("/v1/messages/{id}/media", { path: { id } }));
    expect(file).toBeInstanceOf(Blob);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(bytes);
    await expect(unwrap(wbiz.GET("/v1/messages/{id}/media", { path: { id: "65fc2e1b9a8b1c0d2e3f4a5b" } }))).rejects.toMatchObject({ status: 404, code: "NOT_FOUND" });
  });

  it("GET /v1/key describes the calling key", async () => {
    const t = await createTenant({ plan: "growth" });
    const key = await unwrap(client(t.secret).GET("/v1/key"));
    expect(key).toMatchObject({ plan: "growth", waba: { id: t.waba.id }, rateLimit: { perMinute: 600, burst: 120 } });
    expect(key.scopes).toContain("messages:send");
  });

  it("contacts: create (200, created), upsert (200), get, patch, list with filters", async () => {
    const t = await createTenant();
    const wbiz = client(t.secret);
    const created = await wbiz.POST("/v1/contacts", { body: { phone: TO, name: "Aarav Sharma", email: "aarav@example.com", tags: ["vip", "delhi"], customFields: { city: "Delhi", tier: "gold" } } });
    expect(created.status).toBe(200);
    expect(created.headers.get("WBIZ-Contact-Created")).toBe("true");
    const contact = await unwrap(created);
    expect(contact).toMatchObject({ phone: TO, name: "Aarav Sharma", optedIn: true, tags: ["vip", "delhi"] });

    const again = await wbiz.POST("/v1/contacts", { body: { phone: "+91 98123 45678" } });
    expect(again.status).toBe(200);
    expect(again.headers.get("WBIZ-Contact-Created")).toBe("false");
    expect((await unwrap(again)).id).toBe(contact.id);

    expect(await unwrap(wbiz.GET("/v1/contacts/{id}", { path: { id: contact.id } }))).toEqual(contact);
    const patched = await unwrap(wbiz.PATCH("/v1/contacts/{id}", { path: { id: contact.id }, body: { tags: ["vip", "gold"], customFields: { tier: "platinum" } } }));
    expect(patched).toMatchObject({ tags: ["vip", "gold"], customFields: { city: "Delhi", tier: "platinum" } });

    const page = await unwrap(wbiz.GET("/v1/contacts", { query: { tag: "vip", optedIn: true, limit: 50 } }));
    expect(page.data.map((c) => c.id)).toEqual([contact.id]);
    expect(page.nextCursor).toBeNull();
  });

  it("templates: list with the spec's filters", async () => {
    const t = await createMessagingTenant();
    const page = await unwrap(client(t.secret).GET("/v1/templates", { query: { status: "approved", language: "en_US", limit: 25 } }));
    expect(page.data.length).toBeGreaterThan(0);
    expect(page.data.every((x) => x.status === "APPROVED" && x.language === "en_US")).toBe(true);
  });

  it("messages: a text send answers the wamid; a respond-async send answers 202 and its status is readable", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    const wbiz = client(t.secret);
    const sent = await unwrap(wbiz.POST("/v1/messages/text", { body: { to: TO, body: "Hi! Your order #4827 has shipped." } }));
    expect(sent).toMatchObject({ wamid: expect.stringMatching(/^wamid\./) });

    const queued = await wbiz.POST("/v1/messages/location", { body: { to: TO, latitude: 12.9716, longitude: 77.5946, name: "WBIZ HQ" }, header: { prefer: "respond-async" } });
    expect(queued.status).toBe(202);
    if (queued.status !== 202) throw new Error("unreachable");
    const { id } = queued.data;
    await vi.waitFor(async () => {
      const status = await unwrap(wbiz.GET("/v1/messages/{id}", { path: { id } }));
      expect(status).toMatchObject({ id, kind: "location", status: "sent", to: TO });
    });
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(2);
  });

  it("conversations and their messages", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    const wbiz = client(t.secret);
    const conversations = await unwrap(wbiz.GET("/v1/conversations", { query: { status: "open", channel: "whatsapp" } }));
    expect(conversations.data).toHaveLength(1);
    const history = await unwrap(wbiz.GET("/v1/conversations/{id}/messages", { path: { id: conversations.data[0]!.id }, query: { limit: 50 } }));
    expect(history.data[0]).toMatchObject({ direction: "inbound", kind: "text", body: "hello" });
  });

  it("webhooks: create, list, update, rotate, deliveries, delete", async () => {
    const t = await createTenant();
    const wbiz = client(t.secret);
    const created = await unwrap(wbiz.POST("/v1/webhooks", { body: { url: "https://example.com/hooks/wbiz", events: ["message.read", "message.delivered"] } }));
    expect(created.secret).toBeTruthy();
    expect((await unwrap(wbiz.GET("/v1/webhooks"))).data.map((w) => w.id)).toEqual([created.id]);
    expect(await unwrap(wbiz.PATCH("/v1/webhooks/{id}", { path: { id: created.id }, body: { enabled: false } }))).toMatchObject({ enabled: false });
    const rotated = await unwrap(wbiz.POST("/v1/webhooks/{id}/rotate-secret", { path: { id: created.id } }));
    expect(rotated.secret).not.toBe(created.secret);
    expect((await unwrap(wbiz.GET("/v1/webhooks/{id}/deliveries", { path: { id: created.id } }))).data).toEqual([]);
    expect(await unwrap(wbiz.DELETE("/v1/webhooks/{id}", { path: { id: created.id } }))).toBeUndefined();
    const gone = await wbiz.GET("/v1/webhooks/{id}", { path: { id: created.id } });
    expect(gone.status).toBe(404);
  });

  it("errors come back typed; unwrap() throws WbizApiError with the code and request id", async () => {
    const t = await createTenant({ scopes: ["contacts:read"] });
    const wbiz = client(t.secret);
    const res = await wbiz.GET("/v1/contacts/{id}", { path: { id: "65fc2e1b9a8b1c0d2e3f4a5b" } });
    expect(res.ok).toBe(false);
    if (res.ok) throw new Error("unreachable");
    expect(res.status).toBe(404);
    expect(res.data?.error.code).toBe("NOT_FOUND");
    expect(res.data?.error.requestId).toBe(res.headers.get("X-Request-Id"));

    const denied = await unwrap(wbiz.GET("/v1/templates")).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(WbizApiError);
    expect(denied).toMatchObject({ status: 403, code: "INSUFFICIENT_SCOPE" });

    const bad = await unwrap(client("wbiz_test_not-a-key").GET("/v1/key")).catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 401, code: "INVALID_API_KEY" });

    const invalid = await unwrap(client(t.secret).GET("/v1/contacts", { query: { limit: 1000 } })).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ status: 400, code: "VALIDATION_FAILED", details: [expect.objectContaining({ field: "limit" })] });
  });

  it("a 429 from the real rate limiter carries Retry-After, which the client reads", async () => {
    const t = await createTenant({ plan: "starter" });
    // the burst window is aligned to the clock: pin it, so the flood and the retry fall in one window
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2030, 0, 1, 12, 0, 0));
    onTestFinished(() => void vi.useRealTimers());
    const once = createWbizClient({ baseUrl: BASE, apiKey: t.secret, fetch: worker, retry: false });
    const results = await Promise.all(Array.from({ length: 16 }, () => once.GET("/v1/key")));
    const limited = results.find((r) => r.status === 429);
    expect(limited).toBeDefined();
    const err = await unwrap(limited!).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 429, code: "RATE_LIMITED" });
    expect((err as WbizApiError).retryAfter).toBeGreaterThanOrEqual(1);

    // With retries on, the client waits what the API said (a recorded sleep here) and tries again.
    const sleeps: number[] = [];
    const patient = createWbizClient({ baseUrl: BASE, apiKey: t.secret, fetch: worker, retry: { maxAttempts: 2, sleep: async (ms) => void sleeps.push(ms) } });
    const res = await patient.GET("/v1/key");
    expect(res.status).toBe(429);
    expect(sleeps).toEqual([(err as WbizApiError).retryAfter! * 1000]);
  });

  it("a send whose answer is lost is retried with the same Idempotency-Key: Meta gets it once", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    const keys: Array<string | null> = [];
    let attempts = 0;
    const flaky: FetchLike = async (input, init) => {
      const request = new Request(input, init);
      keys.push(request.headers.get("Idempotency-Key"));
      const res = await worker(request);
      if (++attempts === 1) throw new TypeError("connection reset after the request was sent");
      return res;
    };
    const wbiz = client(t.secret, flaky);
    const res = await wbiz.POST("/v1/messages/text", { body: { to: TO, body: "exactly once" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("Idempotent-Replayed")).toBe("true");
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(1);
  });
});
