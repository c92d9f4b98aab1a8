import { afterEach, describe, expect, it, vi } from "vitest";
import { api, jsonOf } from "../helpers/api";
import { emulateInbound } from "../helpers/emulator";
import { createMessagingTenant, type MessagingTenant } from "../helpers/messaging";
import { dnsQueries, received, receiverUrl, setDns, uniqueHost } from "../helpers/receiver";
import { createTenant } from "../helpers/tenant";
import { wabaSql } from "../helpers/waba";

// Where a webhook's host name resolves, asked of the (test) DNS-over-HTTPS resolver: at create and
// update time, and again before every delivery.

const create = (key: string, url: string) => api("/v1/webhooks", { key, method: "POST", json: { url, events: ["message.received"] } });

async function expectRefused(res: Response, message: string) {
  expect(res.status).toBe(400);
  const body = await jsonOf(res);
  expect(body.error.code).toBe("VALIDATION_FAILED");
  expect(body.error.details).toEqual([{ field: "url", message }]);
}

/** An inbound message: one message.received event for every endpoint of the tenant. */
const inbound = (t: MessagingTenant) => emulateInbound({ phoneNumberId: t.defaultPhone, from: "919812345678", type: "text", text: { body: "hi" } });

async function deliveries(t: MessagingTenant, endpointId: string) {
  return (await jsonOf(await api(`/v1/webhooks/${endpointId}/deliveries`, { key: t.secret }))).data as Array<{ status: string; attempts: number; lastError: string | null }>;
}

afterEach(() => vi.useRealTimers());

describe("webhook host names are resolved before they are accepted", () => {
  it.each([
    ["127.0.0.1.nip.io", { A: ["127.0.0.1"] }, "127.0.0.1 (loopback)"],
    ["localtest.me", { A: ["127.0.0.1"], AAAA: ["::1"] }, "127.0.0.1 (loopback)"],
    ["metadata.example.net", { A: ["169.254.169.254"] }, "169.254.169.254 (cloud metadata)"],
    ["v6only.example.net", { AAAA: ["fd00::5"] }, "fd00::5 (unique local (private))"],
    // one private answer among public ones is enough: fetch() may pick any of them
    ["mixed.example.net", { A: ["93.184.215.14", "10.0.0.7"] }, "10.0.0.7 (private)"],
  ])("create refuses %s when it resolves privately", async (host, answer, why) => {
    await setDns(host, { ...answer, ttl: 0 });
    const t = await createTenant();
    await expectRefused(await create(t.secret, `https://${host}/hook`), `must be a public address: ${host} resolves to ${why}`);
    expect((await jsonOf(await api("/v1/webhooks", { key: t.secret }))).data).toEqual([]);
  });

  it("update refuses a URL whose name resolves privately, and keeps the old one", async () => {
    const host = uniqueHost("patch");
    await setDns(host, { A: ["192.168.0.10"], ttl: 0 });
    const t = await createTenant();
    const endpoint = await jsonOf(await create(t.secret, "https://example.com/hook"));
    const res = await api(`/v1/webhooks/${endpoint.id}`, { key: t.secret, method: "PATCH", json: { url: `https://${host}/hook` } });
    await expectRefused(res, `must be a public address: ${host} resolves to 192.168.0.10 (private)`);
    expect((await jsonOf(await api(`/v1/webhooks/${endpoint.id}`, { key: t.secret }))).url).toBe("https://example.com/hook");
  });

  it("an IP literal needs no DNS, and a public IPv6 literal is accepted", async () => {
    const t = await createTenant();
    const res = await create(t.secret, "https://[2606:4700:4700::1111]/hook");
    expect(res.status).toBe(201);
    expect((await jsonOf(res)).url).toBe("https://[2606:4700:4700::1111]/hook");
    expect(await dnsQueries("2606:4700:4700::1111")).toEqual([]);
    expect(await dnsQueries("[2606:4700:4700::1111]")).toEqual([]);
  });

  it("asks the resolver for A and AAAA with the DNS JSON media type, and keeps the answer for its TTL, at most 5 minutes", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2030, 0, 1, 12, 0, 0));
    const host = uniqueHost("cached");
    await setDns(host, { A: ["93.184.215.14"], ttl: 3600 });
    const t = await createTenant();
    expect((await create(t.secret, `https://${host}/a`)).status).toBe(201);
    const asked = await dnsQueries(host);
    expect(asked.map((q) => q.type).sort()).toEqual(["A", "AAAA"]);
    for (const q of asked) expect(q.accept).toBe("application/dns-json");
    vi.setSystemTime(Date.now() + 299_000);
    expect((await create(t.secret, `https://${host}/b`)).status).toBe(201);
    expect(await dnsQueries(host)).toHaveLength(2); // cached
    vi.setSystemTime(Date.now() + 2_000); // past the 300 s cap, though the record said an hour
    expect((await create(t.secret, `https://${host}/c`)).status).toBe(201);
    expect(await dnsQueries(host)).toHaveLength(4);
  });
});

describe("every delivery checks where the name resolves before connecting", () => {
  it("a name that resolved publicly at create time and privately at delivery time is never POSTed to (DNS rebinding)", async () => {
    const t = await createMessagingTenant();
    const host = uniqueHost("rebind");
    await setDns(host, { A: ["93.184.215.14"], ttl: 0 });
    const { url, path } = receiverUrl("rebind", host);
    const created = await create(t.secret, url);
    expect(created.status).toBe(201);
    const endpoint = await jsonOf(created);

    await setDns(host, { A: ["127.0.0.1"], ttl: 0 });
    await inbound(t);
    // refused, and retried through the ordinary backoff (the suite's base is 0 s)
    await vi.waitFor(async () => {
      const [d] = await deliveries(t, endpoint.id);
      expect(d).toMatchObject({ lastError: `refused: ${host} resolves to 127.0.0.1 (loopback)` });
      expect(d!.attempts).toBeGreaterThanOrEqual(2);
    });
    expect(await received(path)).toEqual([]);

    // pointed back at a public address, the next retry delivers
    await setDns(host, { A: ["93.184.215.14"], ttl: 0 });
    await vi.waitFor(async () => expect((await deliveries(t, endpoint.id))[0]).toMatchObject({ status: "succeeded", lastError: null }));
    expect(await received(path)).toHaveLength(1);
  });

  it("a resolver outage or a name not in DNS yet does not block creation; at delivery it is a retryable network error", async () => {
    const t = await createMessagingTenant();
    const down = uniqueHost("outage");
    const missing = uniqueHost("nxdomain");
    await setDns(down, { outage: true });
    await setDns(missing, { status: 3 });
    const outage = receiverUrl("outage", down);
    const nxdomain = receiverUrl("nxdomain", missing);
    const a = await create(t.secret, outage.url);
    const b = await create(t.secret, nxdomain.url);
    expect([a.status, b.status]).toEqual([201, 201]);
    const [first, second] = [await jsonOf(a), await jsonOf(b)];

    await inbound(t);
    await vi.waitFor(async () => {
      expect((await deliveries(t, first.id))[0]).toMatchObject({ status: "pending", lastError: `network error: DNS lookup of ${down} failed: resolver answered HTTP 503` });
      expect((await deliveries(t, second.id))[0]).toMatchObject({ status: "pending", lastError: `network error: ${missing} does not exist (NXDOMAIN)` });
    });
    expect(await received(outage.path)).toEqual([]);
    expect(await received(nxdomain.path)).toEqual([]);

    // the resolver is back: the next retry delivers (NXDOMAIN is remembered for 30 s, so only the outage is retried here)
    await setDns(down, { A: ["93.184.215.14"], ttl: 0 });
    await vi.waitFor(async () => expect((await deliveries(t, first.id))[0]).toMatchObject({ status: "succeeded" }));
    expect(await received(outage.path)).toHaveLength(1);
  });

  it("a stored URL the policy now refuses fails at once, without connecting or retrying", async () => {
    const t = await createMessagingTenant();
    const { url, path } = receiverUrl("legacy");
    const endpoint = await jsonOf(await create(t.secret, url));
    // as an endpoint saved before the trailing-dot rule could have been
    await wabaSql(t, `UPDATE webhook_endpoints SET url = ?2 WHERE id = ?1`, endpoint.id, `https://localhost.${path}`);
    await inbound(t);
    await vi.waitFor(async () =>
      expect((await deliveries(t, endpoint.id))[0]).toMatchObject({
        status: "failed",
        attempts: 1,
        lastError: "refused: url must be a public address: localhost is an internal or reserved name (.localhost)",
      }),
    );
    expect(await received(path)).toEqual([]);
  });

  it("a public IPv6 literal is delivered to", async () => {
    const t = await createMessagingTenant();
    const path = `/hooks/v6-${crypto.randomUUID()}`;
    const endpoint = await jsonOf(await create(t.secret, `https://[2606:4700:4700::1111]${path}`));
    await inbound(t);
    await vi.waitFor(async () => expect((await deliveries(t, endpoint.id))[0]).toMatchObject({ status: "succeeded", attempts: 1 }));
    expect(await received(path)).toHaveLength(1);
  });
});
