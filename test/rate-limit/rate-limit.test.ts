import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hashApiKey } from "../../src/auth/api-key";
import { admin, api, jsonOf } from "../helpers/api";
import { createTenant } from "../helpers/tenant";

const call = (key: string) => api("/v1/key", { key });

function gateFor(keyHash: string) {
  return env.KEY_GATE.get(env.KEY_GATE.idFromName(keyHash));
}

/** Moves the key's windows into the past, as if their time had run out. */
async function expireWindows(secret: string) {
  const hash = await hashApiKey(secret);
  await runInDurableObject(gateFor(hash), async (_instance, state) => {
    const w = state.storage.kv.get<{ minuteStart: number; burstStart: number }>("windows")!;
    state.storage.kv.put("windows", { ...w, minuteStart: w.minuteStart - 60_000, burstStart: w.burstStart - 60_000 });
  });
}

describe("rate limits", () => {
  it("every authenticated response carries the rate-limit headers", async () => {
    const t = await createTenant({ plan: "starter" });
    const res = await call(t.secret);
    expect(res.status).toBe(200);
    expect(res.headers.get("X-RateLimit-Limit")).toBe("60");
    expect(res.headers.get("X-RateLimit-Remaining")).toBe("14");
    const reset = Number(res.headers.get("X-RateLimit-Reset"));
    const nowS = Date.now() / 1000;
    expect(reset).toBeGreaterThan(nowS);
    expect(reset).toBeLessThanOrEqual(Math.ceil(nowS) + 10);
    expect(res.headers.get("RateLimit-Policy")).toBe('"minute";q=60;w=60, "burst";q=15;w=10');
    expect(res.headers.get("RateLimit")).toMatch(/^"minute";r=59;t=\d+, "burst";r=14;t=\d+$/);
  });

  it("the burst window blocks at 15 while the minute window has room, with Retry-After", async () => {
    const t = await createTenant({ plan: "starter" });
    for (let i = 0; i < 15; i++) expect((await call(t.secret)).status).toBe(200);
    const res = await call(t.secret);
    expect(res.status).toBe(429);
    const body = await jsonOf(res);
    expect(body.error.code).toBe("RATE_LIMITED");
    const retryAfter = Number(res.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(10);
    expect(res.headers.get("X-RateLimit-Remaining")).toBe("0");
    expect(res.headers.get("X-RateLimit-Limit")).toBe("60");
    // the minute window still had 45 left: only the burst window blocked
    expect(res.headers.get("RateLimit")).toMatch(/"minute";r=45;/);
    // Reset is when the blocking burst window (aligned to 10 s) starts over
    const reset = Number(res.headers.get("X-RateLimit-Reset"));
    expect(reset % 10).toBe(0);
    expect(reset - Date.now() / 1000).toBeLessThanOrEqual(10);
  });

  it("admits again once the windows reset", async () => {
    const t = await createTenant({ plan: "starter" });
    for (let i = 0; i < 15; i++) await call(t.secret);
    expect((await call(t.secret)).status).toBe(429);
    await expireWindows(t.secret);
    const res = await call(t.secret);
    expect(res.status).toBe(200);
    expect(res.headers.get("X-RateLimit-Remaining")).toBe("14");
  });

  it("the minute window blocks once the minute's quota is spent across bursts", async () => {
    const t = await createTenant({ plan: "starter" });
    const hash = await hashApiKey(t.secret);
    // 59 used this minute, burst window fresh
    await call(t.secret);
    await runInDurableObject(gateFor(hash), async (_i, state) => {
      const w = state.storage.kv.get<{ minuteStart: number; minuteCount: number; burstStart: number; burstCount: number }>("windows")!;
      state.storage.kv.put("windows", { ...w, minuteCount: 59, burstCount: 0, burstStart: w.burstStart - 10_000 });
    });
    expect((await call(t.secret)).status).toBe(200);
    const res = await call(t.secret);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(res.headers.get("RateLimit")).toMatch(/"minute";r=0;/);
  });

  it("is exact under a concurrent flood: 3× the burst fired at once admits exactly the burst", async () => {
    const t = await createTenant({ plan: "growth" });
    const results = await Promise.all(Array.from({ length: 360 }, () => call(t.secret)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(120);
    expect(statuses.filter((s) => s === 429)).toHaveLength(240);
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
});
