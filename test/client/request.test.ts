import { describe, expect, it } from "vitest";
import { createWbizClient, unwrap, WbizApiError, type FetchLike } from "../../client/src/index";

// How the client turns a typed call into a request, and an answer into { ok, status, data }: against a
// recording fake transport, with retries off.

function recording(answer: () => Response = () => Response.json({})) {
  const seen: Request[] = [];
  const fetch: FetchLike = async (input, init) => {
    seen.push(new Request(input, init));
    return answer();
  };
  return { fetch, seen };
}

const ID = "65fc2e1b9a8b1c0d2e3f4a5b";

describe("requests", () => {
  it("numbers and booleans in the query as text, undefined left out; the base URL's trailing slash ignored", async () => {
    const { fetch, seen } = recording(() => Response.json({ data: [], nextCursor: null }));
    const wbiz = createWbizClient({ baseUrl: "https://api.wbiz.test/", apiKey: "k", fetch, retry: false });
    await wbiz.GET("/v1/contacts", { query: { limit: 50, optedIn: false, tag: "vip", search: undefined } });
    expect(seen[0]!.url).toBe("https://api.wbiz.test/v1/contacts?limit=50&optedIn=false&tag=vip");
  });

  it("path parameters are filled in and percent-encoded; a missing one throws before any request", async () => {
    const { fetch, seen } = recording();
    const wbiz = createWbizClient({ baseUrl: "https://api.wbiz.test/prefix", apiKey: "k", fetch, retry: false });
    await wbiz.POST("/v1/webhooks/{id}/deliveries/{deliveryId}/replay", { path: { id: ID, deliveryId: "a/b c" } });
    expect(new URL(seen[0]!.url).pathname).toBe(`/prefix/v1/webhooks/${ID}/deliveries/a%2Fb%20c/replay`);
    await expect(wbiz.GET("/v1/webhooks/{id}/deliveries", { path: { id: "" } })).rejects.toThrow(TypeError);
    await expect(wbiz.GET("/v1/contacts/{id}", { path: {} } as never)).rejects.toThrow(/"id"/); // as an untyped caller might
    expect(seen).toHaveLength(1);
  });

  it("the key, the client's headers and the call's declared headers are sent; Content-Type only with a body", async () => {
    const { fetch, seen } = recording(() => Response.json({ wamid: "wamid.x" }));
    const wbiz = createWbizClient({ baseUrl: "https://api.wbiz.test", apiKey: "wbiz_test_abc", fetch, retry: false, headers: { "User-Agent": "acme-orders/2.1", Authorization: "ignored" } });
    await wbiz.POST("/v1/messages/text", { body: { to: "+919812345678", body: "hi" }, header: { "idempotency-key": "order-4827", prefer: "respond-async" } });
    await wbiz.POST("/v1/webhooks/{id}/rotate-secret", { path: { id: ID } });
    const [send, rotate] = seen;
    expect(send!.method).toBe("POST");
    expect(Object.fromEntries(send!.headers)).toMatchObject({
      authorization: "Bearer wbiz_test_abc",
      "user-agent": "acme-orders/2.1",
      "idempotency-key": "order-4827",
      prefer: "respond-async",
      "content-type": "application/json",
      accept: "application/json",
    });
    expect(await send!.text()).toBe(JSON.stringify({ to: "+919812345678", body: "hi" }));
    expect(rotate!.headers.has("Content-Type")).toBe(false);
    expect(await rotate!.text()).toBe("");
  });

  it("a signal reaches the transport", async () => {
    const { fetch, seen } = recording();
    const controller = new AbortController();
    await createWbizClient({ baseUrl: "https://api.wbiz.test", apiKey: "k", fetch, retry: false }).GET("/v1/key", { signal: controller.signal });
    controller.abort();
    expect(seen[0]!.signal.aborted).toBe(true);
  });
});

describe("answers", () => {
  it("204: ok, data undefined, and unwrap() gives undefined", async () => {
    const { fetch } = recording(() => new Response(null, { status: 204 }));
    const wbiz = createWbizClient({ baseUrl: "https://api.wbiz.test", apiKey: "k", fetch, retry: false });
    const res = await wbiz.DELETE("/v1/webhooks/{id}", { path: { id: ID } });
    expect(res).toMatchObject({ ok: true, status: 204, data: undefined });
    expect(await unwrap(wbiz.DELETE("/v1/webhooks/{id}", { path: { id: ID } }))).toBeUndefined();
  });

  it("an error answer that is not the envelope (a proxy's page): data undefined, WbizApiError with code UNKNOWN", async () => {
    const { fetch } = recording(() => new Response("<html>Bad gateway</html>", { status: 502, headers: { "Content-Type": "text/html", "X-Request-Id": "req_edge" } }));
    const wbiz = createWbizClient({ baseUrl: "https://api.wbiz.test", apiKey: "k", fetch, retry: false });
    const res = await wbiz.GET("/v1/key");
    expect(res).toMatchObject({ ok: false, status: 502, data: undefined });
    const err = await unwrap(wbiz.GET("/v1/key")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WbizApiError);
    expect(err).toMatchObject({ status: 502, code: "UNKNOWN", message: "HTTP 502", requestId: "req_edge" });
  });

  it("the envelope's fields on WbizApiError", async () => {
    const envelope = { error: { code: "VALIDATION_FAILED", message: "limit: too big", details: [{ field: "limit", message: "≤ 100" }], requestId: "req_1" } };
    const { fetch } = recording(() => Response.json(envelope, { status: 400 }));
    const wbiz = createWbizClient({ baseUrl: "https://api.wbiz.test", apiKey: "k", fetch, retry: false });
    const err = await unwrap(wbiz.GET("/v1/contacts", { query: { limit: 1000 } })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "WbizApiError", status: 400, code: "VALIDATION_FAILED", message: "limit: too big", details: envelope.error.details, requestId: "req_1" });
  });
});
