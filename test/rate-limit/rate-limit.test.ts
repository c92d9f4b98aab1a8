import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { hashApiKey } from "../../src/auth/api-key";
import { KeyGate } from "../../src/durable-objects/key-gate";
import { admin, api, jsonOf } from "../helpers/api";
import { createTenant } from "../helpers/tenant";

const call = (key: string) => api("/v1/key", { key });

// Windows are aligned to the UTC clock: pin it, so no test straddles a window boundary by accident.
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0); // the start of a minute, and of a 10-second burst window
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());
const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);

describe("rate limits", () => {
  it("every authenticated response carries the rate-limit headers", async () => {
    const t = await createTenant({ plan: "starter" });
    advance(3_000);
    const res = await call(t.secret);
    expect(res.status).toBe(200);
    expect(res.headers.get("X-RateLimit-Limit")).toBe("60");
    // the burst window (15) is what bounds the next requests, so Remaining and Reset describe it
    expect(res.headers.get("X-RateLimit-Remaining")).toBe("14");
    expect(res.headers.get("X-RateLimit-Reset")).toBe(String((T0 + 10_000) / 1000));
    expect(res.headers.get("RateLimit-Policy")).toBe('"minute";q=60;w=60, "burst";q=15;w=10');
    expect(res.headers.get("RateLimit")).toBe('"minute";r=59;t=57, "burst";r=14;t=7');
  });

  it("error responses of authenticated requests carry them too", async () => {
    const t = await createTenant({ plan: "starter", scopes: ["templates:read"] });
    const forbidden = await api("/v1/contacts", { key: t.secret });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get("X-RateLimit-Remaining")).toBe("14");
    const invalid = await api("/v1/templates?limit=0", { key: t.secret });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get("X-RateLimit-Remaining")).toBe("13");
  });

  it("the burst window blocks at 15 while the minute window has room, with Retry-After until it resets", async () => {
    const t = await createTenant({ plan: "starter" });
    advance(4_000);
    for (let i = 0; i < 15; i++) expect((await call(t.secret)).status).toBe(200);
    const res = await call(t.secret);
    expect(res.status).toBe(429);
    const body = await jsonOf(res);
    expect(body.error.code).toBe("RATE_LIMITED");
    expect(res.headers.get("Retry-After")).toBe("6");
    expect(res.headers.get("X-RateLimit-Remaining")).toBe("0");
    expect(res.headers.get("X-RateLimit-Limit")).toBe("60");
    expect(res.headers.get("X-RateLimit-Reset")).toBe(String((T0 + 10_000) / 1000));
    // the minute window still had 45 left: only the burst window blocked
    expect(res.headers.get("RateLimit")).toMatch(/^"minute";r=45;t=56, "burst";r=0;t=6$/);
  });

  it("admits again once the burst window resets", async () => {
    const t = await createTenant({ plan: "starter" });
    for (let i = 0; i < 15; i++) await call(t.secret);
    expect((await call(t.secret)).status).toBe(429);
    advance(9_999);
    expect((await call(t.secret)).status).toBe(429);
    advance(1);
    const res = await call(t.secret);
    expect(res.status).toBe(200);
    expect(res.headers.get("X-RateLimit-Remaining")).toBe("14");
  });

  it("the minute window blocks once the minute's quota is spent across bursts, until the minute resets", async () => {
    const t = await createTenant({ plan: "starter" });
    for (let burst = 0; burst < 4; burst++) {
      for (let i = 0; i < 15; i++) expect((await call(t.secret)).status).toBe(200);
      advance(10_000);
    }
    // 60 used at 40 s into the minute: the burst window is fresh, the minute is not
    const res = await call(t.secret);
    expect(res.status).toBe(429);
    expect(res.headers.get("Retry-After")).toBe("20");
    expect(res.headers.get("RateLimit")).toMatch(/^"minute";r=0;t=20, "burst";r=15;/);
    advance(20_000);
    expect((await call(t.secret)).status).toBe(200);
  });

  it("is exact under a concurrent flood: 3× the burst fired at once admits exactly the burst", async () => {
    const t = await createTenant({ plan: "growth" });
    const results = await Promise.all(Array.from({ length: 360 }, () => call(t.secret)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(120);
    expect(statuses.filter((s) => s === 429)).toHaveLength(240);
    expect(results.filter((r) => r.status === 429).every((r) => r.headers.get("Retry-After") === "10")).toBe(true);
  });

  it("a plan change takes effect on the next request", async () => {
    const t = await createTenant({ plan: "starter" });
    expect((await call(t.secret)).headers.get("X-RateLimit-Limit")).toBe("60");
    const res = await admin(`/admin/workspaces/${t.workspace.id}`, { method: "PATCH", json: { plan: "scale" } });
    expect(res.status).toBe(200);
    const after = await call(t.secret);
    expect(after.headers.get("X-RateLimit-Limit")).toBe("6000");
    expect(after.headers.get("RateLimit-Policy")).toContain('"burst";q=1200');
  });

  it("limits are per key: one key's flood does not limit another key of the same WABA", async () => {
    const t = await createTenant({ plan: "starter" });
    const other = await admin("/admin/keys", { method: "POST", json: { wabaId: t.waba.id, name: "second", scopes: ["inbox:read"] } });
    const second = (await jsonOf(other)).secret as string;
    for (let i = 0; i < 15; i++) await call(t.secret);
    expect((await call(t.secret)).status).toBe(429);
    expect((await call(second)).status).toBe(200);
  });

  it("the counts are checkpointed to the object's storage, and a new instance of the object (after an eviction) resumes them", async () => {
    const t = await createTenant({ plan: "starter" });
    for (let i = 0; i < 10; i++) expect((await call(t.secret)).status).toBe(200);
    const keyHash = await hashApiKey(t.secret);
    const gate = env.KEY_GATE.get(env.KEY_GATE.idFromName(keyHash));
    await vi.waitFor(async () => {
      const stored = await runInDurableObject(gate, (_, state) => state.storage.kv.get<{ burstCount: number; minuteCount: number }>("windows"));
      expect(stored).toMatchObject({ burstCount: 10, minuteCount: 10 });
    }, { timeout: 5_000, interval: 100 }); // a checkpoint is at most a second behind the last admission
    const resumed = await runInDurableObject(gate, (_, state) => new KeyGate(state, env).admit(keyHash));
    expect(resumed).toMatchObject({ kind: "ok", rate: { admitted: true, burst: { remaining: 4 }, minute: { remaining: 49 } } });
  });

  it("a key's plan override wins over its workspace's plan", async () => {
    const t = await createTenant({ plan: "scale", keyPlanOverride: "starter" });
    expect((await call(t.secret)).headers.get("X-RateLimit-Limit")).toBe("60");
  });
});
