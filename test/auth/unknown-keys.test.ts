import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { formatApiKey } from "../../src/auth/api-key";
import { SCOPES } from "../../src/auth/scopes";
import * as provisioning from "../../src/provisioning/provisioning";
import { api, jsonOf } from "../helpers/api";
import { createTenant } from "../helpers/tenant";

// What well-formed keys that were never issued cost, and the throttle on a client that keeps
// presenting them. AUTH_FAILURE_LIMITER allows 20 failures a minute per address (wrangler.toml).

const LIMIT = 20;

/** D1 queries and Durable Object calls the request cost (Server-Timing; EXPOSE_TIMINGS is on in tests). */
function costs(res: Response): { d1: number; do: number } {
  const header = res.headers.get("Server-Timing") ?? "";
  const d1 = /d1;[^,]*dur=(\d+)/.exec(header);
  const dObj = /do;[^,]*dur=(\d+)/.exec(header);
  if (!d1 || !dObj) throw new Error(`no counts in Server-Timing: ${header}`);
  return { d1: Number(d1[1]), do: Number(dObj[1]) };
}

const unknownKey = () => formatApiKey("live", crypto.getRandomValues(new Uint8Array(32)));
/** An address of its own for each test: the limiter's counts outlive a test. */
const address = () => {
  const [a, b, c] = crypto.getRandomValues(new Uint8Array(3));
  return `10.${a}.${b}.${c}`;
};
const from = (ip: string, key: string) => api("/v1/key", { key, headers: { "CF-Connecting-IP": ip } });

// the limiter counts in fixed windows of the clock: pin it to the start of one
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

describe("unknown keys", () => {
  it("the same unknown key again and again reads D1 once: its gate remembers there is no such key", async () => {
    const key = unknownKey();
    const first = await api("/v1/key", { key });
    expect(first.status).toBe(401);
    expect(costs(first)).toEqual({ d1: 1, do: 1 });
    for (let i = 0; i < 5; i++) {
      const again = await api("/v1/key", { key });
      expect(again.status).toBe(401);
      expect(costs(again)).toEqual({ d1: 0, do: 1 });
    }
  });

  it("a key presented before it existed works right after it is created (creation clears the remembered 'no such key')", async () => {
    const t = await createTenant();
    const secret = unknownKey();
    expect((await api("/v1/key", { key: secret })).status).toBe(401);
    const created = await provisioning.createApiKey(t.db, env, { wabaId: t.waba.id, name: "late", scopes: [...SCOPES], mode: "live", secret });
    expect(created).not.toBeNull();
    const res = await api("/v1/key", { key: secret });
    expect(res.status).toBe(200);
    expect((await jsonOf(res)).id).toBe(created!.id);
  });
});

describe("a client presenting distinct unknown keys is throttled by address", () => {
  it(`after ${LIMIT} failures a minute: 429 with Retry-After, before any Durable Object or D1 work; only failures count`, async () => {
    const t = await createTenant({ plan: "scale" });
    const ip = address();
    // successes and malformed keys (refused before any storage is read) are not counted
    for (let i = 0; i < 3 * LIMIT; i++) expect((await from(ip, t.secret)).status).toBe(200);
    const key = unknownKey();
    for (let i = 0; i < 2 * LIMIT; i++) {
      const res = await from(ip, key.slice(0, -1) + (key.endsWith("a") ? "b" : "a"));
      expect(res.status).toBe(401);
      expect(costs(res)).toEqual({ d1: 0, do: 0 });
    }
    for (let i = 0; i < LIMIT; i++) {
      const res = await from(ip, unknownKey());
      expect(res.status, `failure ${i + 1}`).toBe(401);
    }
    const over = await from(ip, unknownKey());
    expect(over.status).toBe(429);
    expect(over.headers.get("Retry-After")).toBe("60");
    expect((await jsonOf(over)).error).toMatchObject({ code: "RATE_LIMITED", message: "Too many failed authentications from your address. Retry after 60 s." });
    for (let i = 0; i < 5; i++) {
      const res = await from(ip, unknownKey());
      expect(res.status).toBe(429);
      expect(Number(res.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
      expect(costs(res)).toEqual({ d1: 0, do: 0 });
    }
    // other addresses are not affected
    expect((await from(address(), unknownKey())).status).toBe(401);
    // after the period, failures are answered 401 again
    vi.setSystemTime(T0 + 60_000);
    expect((await from(ip, unknownKey())).status).toBe(401);
  });

  it("a valid key already admitted from this isolate keeps working while its address is blocked; one not seen yet waits like the rest", async () => {
    const t = await createTenant({ plan: "scale" });
    const other = await createTenant({ plan: "scale" });
    const ip = address();
    expect((await from(ip, t.secret)).status).toBe(200);
    for (let i = 0; i <= LIMIT; i++) await from(ip, unknownKey());
    expect((await from(ip, unknownKey())).status).toBe(429);

    const res = await from(ip, t.secret);
    expect(res.status).toBe(200);
    expect(costs(res).do).toBe(1);
    const unseen = await from(ip, other.secret);
    expect(unseen.status).toBe(429);
    expect(costs(unseen)).toEqual({ d1: 0, do: 0 });
  });

  it("a revoked key counts as a failure", async () => {
    const t = await createTenant();
    await provisioning.revokeApiKey(t.db, env, t.key.id);
    const ip = address();
    for (let i = 0; i < LIMIT; i++) expect((await from(ip, t.secret)).status).toBe(401);
    expect((await from(ip, t.secret)).status).toBe(429);
  });

  it("an IPv6 client is counted by its /64, so rotating addresses inside it does not help", async () => {
    const prefix = `2001:db8:${crypto.getRandomValues(new Uint16Array(1))[0]!.toString(16)}:1`;
    for (let i = 0; i < LIMIT; i++) expect((await from(`${prefix}::${(i + 1).toString(16)}`, unknownKey())).status).toBe(401);
    expect((await from(`${prefix}:ffff:ffff:ffff:ffff`, unknownKey())).status).toBe(429);
    expect((await from(`${prefix.replace(/:1$/, ":2")}::1`, unknownKey())).status).toBe(401);
  });
});
