import { describe, expect, it, vi } from "vitest";
import { api, jsonOf } from "../helpers/api";
import { emulateInbound } from "../helpers/emulator";
import { createMessagingTenant } from "../helpers/messaging";
import { failNext, received, receiverUrl, verifyWbizSignature } from "../helpers/receiver";
import { createTenant } from "../helpers/tenant";

const create = (key: string, json: unknown) => api("/v1/webhooks", { key, method: "POST", json });

describe("webhooks:manage", () => {
  it("create shows the secret once; get, list, update and delete work on the key's WABA", async () => {
    const t = await createTenant();
    const res = await create(t.secret, { url: "https://example.com/hooks/wbiz", events: ["message.read", "message.delivered"], description: "CRM" });
    expect(res.status).toBe(201);
    const created = await jsonOf(res);
    expect(created).toMatchObject({ url: "https://example.com/hooks/wbiz", events: ["message.read", "message.delivered"], enabled: true, description: "CRM" });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    const got = await jsonOf(await api(`/v1/webhooks/${created.id}`, { key: t.secret }));
    expect(got.secret).toBeUndefined();
    expect(got.id).toBe(created.id);
    const list = await jsonOf(await api("/v1/webhooks", { key: t.secret }));
    expect(list).toEqual({ data: [got], nextCursor: null });

    const patched = await jsonOf(await api(`/v1/webhooks/${created.id}`, { key: t.secret, method: "PATCH", json: { enabled: false, events: ["message.failed"], description: null } }));
    expect(patched).toMatchObject({ enabled: false, events: ["message.failed"], description: null, url: created.url });

    expect((await api(`/v1/webhooks/${created.id}`, { key: t.secret, method: "DELETE" })).status).toBe(204);
    expect((await api(`/v1/webhooks/${created.id}`, { key: t.secret })).status).toBe(404);
  });

  it.each([
    ["http://example.com/hook", "https"],
    ["https://10.0.0.5/hook", "public"],
    ["https://192.168.1.10/hook", "public"],
    ["https://169.254.169.254/latest/meta-data", "public"],
    ["https://[::1]/hook", "public"],
    ["https://localhost/hook", "public"],
    ["https://printer.local/hook", "public"],
    ["ftp://example.com/hook", "https"],
    ["not a url", "absolute"],
    ["https://user:pass@example.com/hook", "credentials"],
  ])("refuses %s", async (url, why) => {
    const t = await createTenant();
    const res = await create(t.secret, { url, events: ["message.read"] });
    expect(res.status).toBe(400);
    const body = await jsonOf(res);
    expect(body.error.code).toBe("VALIDATION_FAILED");
    expect(body.error.details[0]).toMatchObject({ field: "url", message: expect.stringContaining(why) });
  });

  it("allows plain http to loopback in local development", async () => {
    const t = await createTenant();
    expect((await create(t.secret, { url: "http://127.0.0.1:9999/hook", events: ["message.read"] })).status).toBe(201);
    expect((await create(t.secret, { url: "http://localhost:9999/hook", events: ["message.read"] })).status).toBe(201);
  });

  it.each([
    [{ url: "https://example.com/h", events: [] }, "events"],
    [{ url: "https://example.com/h", events: ["message.exploded"] }, "events.0"],
    [{ url: "https://example.com/h" }, "events"],
    [{ url: "https://example.com/h", events: ["message.read"], secret: "mine" }, "secret"],
  ])("400 VALIDATION_FAILED for %j", async (json, field) => {
    const t = await createTenant();
    const res = await create(t.secret, json);
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it("another WABA's endpoint is 404 on every route, exactly like a missing one", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const theirs = await jsonOf(await create(b.secret, { url: "https://example.com/b", events: ["message.read"] }));
    for (const id of [theirs.id, "0000000000000000000000ff", "nope"]) {
      const probes = [
        api(`/v1/webhooks/${id}`, { key: a.secret }),
        api(`/v1/webhooks/${id}`, { key: a.secret, method: "PATCH", json: { enabled: false } }),
        api(`/v1/webhooks/${id}`, { key: a.secret, method: "DELETE" }),
        api(`/v1/webhooks/${id}/rotate-secret`, { key: a.secret, method: "POST" }),
        api(`/v1/webhooks/${id}/deliveries`, { key: a.secret }),
      ];
      for (const res of await Promise.all(probes)) {
        expect(res.status).toBe(404);
        const body = await jsonOf(res);
        expect(body.error.code).toBe("NOT_FOUND");
        expect(body.error.message).toBe("Webhook endpoint not found");
      }
    }
    expect((await jsonOf(await api(`/v1/webhooks/${theirs.id}`, { key: b.secret }))).enabled).toBe(true);
  });

  it("403 without webhooks:manage", async () => {
    const t = await createTenant({ scopes: ["messages:send", "inbox:read"] });
    const res = await api("/v1/webhooks", { key: t.secret });
    expect(res.status).toBe(403);
    expect((await jsonOf(res)).error.code).toBe("INSUFFICIENT_SCOPE");
  });

  it("at most 10 endpoints per WABA", async () => {
    const t = await createTenant();
    for (let i = 0; i < 10; i++) expect((await create(t.secret, { url: `https://example.com/h${i}`, events: ["message.read"] })).status).toBe(201);
    expect((await create(t.secret, { url: "https://example.com/h10", events: ["message.read"] })).status).toBe(400);
  });

  it("rotating the secret signs later deliveries with the new secret only; replay resends a delivery", async () => {
    const t = await createMessagingTenant();
    const { url, path } = receiverUrl("rotate");
    const endpoint = await jsonOf(await create(t.secret, { url, events: ["message.received"] }));
    const rotated = await jsonOf(await api(`/v1/webhooks/${endpoint.id}/rotate-secret`, { key: t.secret, method: "POST" }));
    expect(rotated.secret).not.toBe(endpoint.secret);

    await failNext(path, 1, 500);
    // the receiver fails the first attempt; the retry succeeds
    await emulateInbound({ phoneNumberId: t.defaultPhone, from: "919812345678", type: "text", text: { body: "hi" } });
    await vi.waitFor(async () => expect((await received(path)).length).toBeGreaterThanOrEqual(1));
    const first = (await received(path))[0]!;
    expect(await verifyWbizSignature(first.body, first.headers["wbiz-signature"], rotated.secret)).toBe(true);
    expect(await verifyWbizSignature(first.body, first.headers["wbiz-signature"], endpoint.secret)).toBe(false);

    await vi.waitFor(async () => {
      const d = (await jsonOf(await api(`/v1/webhooks/${endpoint.id}/deliveries`, { key: t.secret }))).data;
      expect(d[0]).toMatchObject({ status: "succeeded", attempts: 2, eventType: "message.received" });
    });
    const [delivery] = (await jsonOf(await api(`/v1/webhooks/${endpoint.id}/deliveries?status=succeeded`, { key: t.secret }))).data;
    const replay = await api(`/v1/webhooks/${endpoint.id}/deliveries/${delivery.id}/replay`, { key: t.secret, method: "POST" });
    expect(replay.status).toBe(202);
    await vi.waitFor(async () => expect((await received(path)).filter((r) => r.status === 200)).toHaveLength(2));
    const bodies = (await received(path)).filter((r) => r.status === 200).map((r) => JSON.parse(r.body).id);
    expect(bodies[0]).toBe(bodies[1]);
  });

  it("deliveries list validates its query", async () => {
    const t = await createTenant();
    const endpoint = await jsonOf(await create(t.secret, { url: "https://example.com/x", events: ["message.read"] }));
    for (const qs of ["status=done", "limit=0", "limit=101", "cursor=xyz"]) {
      expect((await api(`/v1/webhooks/${endpoint.id}/deliveries?${qs}`, { key: t.secret })).status).toBe(400);
    }
  });
});
