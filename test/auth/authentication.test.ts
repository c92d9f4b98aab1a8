import { describe, expect, it } from "vitest";
import { formatApiKey } from "../../src/auth/api-key";
import { admin, api, jsonOf } from "../helpers/api";
import { createTenant } from "../helpers/tenant";

async function expectInvalidKey(res: Response, message: RegExp) {
  expect(res.status).toBe(401);
  const body = await jsonOf(res);
  expect(body.error.code).toBe("INVALID_API_KEY");
  expect(body.error.message).toMatch(message);
  expect(body.error.requestId).toBe(res.headers.get("X-Request-Id"));
  // not an authenticated request: no rate-limit headers
  expect(res.headers.get("X-RateLimit-Limit")).toBeNull();
}

describe("API key authentication", () => {
  it("admits a valid key and answers with its description", async () => {
    const t = await createTenant({ plan: "growth" });
    const res = await api("/v1/key", { key: t.secret });
    expect(res.status).toBe(200);
    const body = await jsonOf(res);
    expect(body).toMatchObject({ id: t.key.id, plan: "growth", rateLimit: { perMinute: 600, burst: 120 }, waba: { id: t.waba.id } });
    expect(body.prefix).toBe(t.secret.slice(0, 14));
    expect(body.waba).toMatchObject({ metaWabaId: t.waba.metaWabaId, name: "Test WABA" });
    // a warm key answers from its cached record: no D1 query (Server-Timing: EXPOSE_TIMINGS is on in tests)
    const again = await api("/v1/key", { key: t.secret });
    expect(again.headers.get("Server-Timing")).toMatch(/d1;[^,]*dur=0\b/);
    expect(await jsonOf(again)).toEqual(body);
  });

  it("401 when the Authorization header is missing", async () => {
    await expectInvalidKey(await api("/v1/key"), /Missing Authorization/);
  });

  it("401 when the scheme is not Bearer", async () => {
    const t = await createTenant();
    await expectInvalidKey(await api("/v1/key", { headers: { Authorization: `Basic ${t.secret}` } }), /Bearer scheme/);
  });

  it("401 for a malformed key", async () => {
    await expectInvalidKey(await api("/v1/key", { key: "wbiz_live_short" }), /Malformed/);
    await expectInvalidKey(await api("/v1/key", { key: "sk_live_" + "a".repeat(49) }), /Malformed/);
  });

  it("401 for a key whose checksum does not match (one character changed)", async () => {
    const t = await createTenant();
    const last = t.secret.at(-1) === "a" ? "b" : "a";
    await expectInvalidKey(await api("/v1/key", { key: t.secret.slice(0, -1) + last }), /checksum/);
  });

  it("401 for a well-formed key that was never issued", async () => {
    const unknown = formatApiKey("live", crypto.getRandomValues(new Uint8Array(32)));
    await expectInvalidKey(await api("/v1/key", { key: unknown }), /unknown or has been revoked/);
  });

  it("a revoked key fails on the very next request", async () => {
    const t = await createTenant();
    expect((await api("/v1/key", { key: t.secret })).status).toBe(200);
    const revoke = await admin(`/admin/keys/${t.key.id}/revoke`, { method: "POST" });
    expect(revoke.status).toBe(200);
    await expectInvalidKey(await api("/v1/key", { key: t.secret }), /revoked/);
  });

  it("a key created for a hash the gate had already seen as unknown works at once", async () => {
    // the gate caches "unknown"; creating the key must clear that
    const t = await createTenant();
    const res = await admin("/admin/keys", { method: "POST", json: { wabaId: t.waba.id, name: "new", scopes: ["templates:read"] } });
    expect(res.status).toBe(201);
    const created = await jsonOf(res);
    expect(created.secret).toMatch(/^wbiz_live_[0-9A-Za-z]{49}$/);
    expect((await api("/v1/key", { key: created.secret })).status).toBe(200);
  });
});
