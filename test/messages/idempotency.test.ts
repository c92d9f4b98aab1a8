import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { IDEMPOTENCY_TTL_MS, idempotencyRecords, purgeExpiredIdempotencyKeys } from "../../src/durable-objects/idempotency-store";
import { api, jsonOf } from "../helpers/api";
import { addFault, emulatorSends } from "../helpers/emulator";
import { createMessagingTenant, inboundFrom, type MessagingTenant } from "../helpers/messaging";
import { outboundMessages, storeOf, wabaSql } from "../helpers/waba";

const TO = "+919812345678";
const send = (t: MessagingTenant, key: string, body: unknown) =>
  api("/v1/messages/text", { key: t.secret, method: "POST", json: body, headers: { "Idempotency-Key": key } });

describe("Idempotency-Key", () => {
  it("replays the first response for the same key and body; Meta gets one send", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    const first = await send(t, "order-4827", { to: TO, body: "shipped" });
    expect(first.status).toBe(200);
    const again = await send(t, "order-4827", { to: TO, body: "shipped" });
    expect(again.status).toBe(200);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await again.json()).toEqual(await first.json());
    expect(again.headers.get("X-RateLimit-Limit")).not.toBeNull();
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(1);
  });

  it("costs no call of its own: the WABA object claims the key, sends and keeps the answer in the send's one call", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    // Server-Timing's Durable Object calls (EXPOSE_TIMINGS is on in tests)
    const objectCalls = (res: Response) => Number(/do;[^,]*dur=(\d+)/.exec(res.headers.get("Server-Timing") ?? "")?.[1]);
    const first = await send(t, "order-4828", { to: TO, body: "shipped" });
    // the key's gate (authentication, rate limit), then the WABA object (claim, send, answer kept)
    expect(objectCalls(first)).toBe(2);
    const again = await send(t, "order-4828", { to: TO, body: "shipped" });
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(objectCalls(again)).toBe(2);
  });

  it("422 IDEMPOTENCY_KEY_REUSED for the same key with a different body", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    expect((await send(t, "k1", { to: TO, body: "one" })).status).toBe(200);
    const res = await send(t, "k1", { to: TO, body: "two" });
    expect(res.status).toBe(422);
    expect((await jsonOf(res)).error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(1);
  });

  it("409 IDEMPOTENCY_KEY_IN_USE while the first request is still running", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    await addFault({ phoneNumberId: t.defaultPhone, action: "slow", ms: 1500 });
    const first = send(t, "slow-1", { to: TO, body: "x" });
    await vi.waitFor(async () => {
      const rows = await outboundMessages(t);
      expect(rows).toHaveLength(1);
    });
    const second = await send(t, "slow-1", { to: TO, body: "x" });
    expect(second.status).toBe(409);
    expect((await jsonOf(second)).error.code).toBe("IDEMPOTENCY_KEY_IN_USE");
    expect((await first).status).toBe(200);
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(1);
  });

  it("keys are per API key: another key may use the same Idempotency-Key", async () => {
    const a = await createMessagingTenant();
    const b = await createMessagingTenant();
    await inboundFrom(a, TO);
    await inboundFrom(b, TO);
    expect((await send(a, "shared", { to: TO, body: "x" })).status).toBe(200);
    const res = await send(b, "shared", { to: TO, body: "x" });
    expect(res.status).toBe(200);
    expect(res.headers.get("Idempotent-Replayed")).toBeNull();
  });

  it("a request refused for its form (415, 400) is not kept: the corrected retry under the same key is sent", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    const body = JSON.stringify({ to: TO, body: "fixed on retry" });
    const asText = await api("/v1/messages/text", { key: t.secret, method: "POST", body, headers: { "Idempotency-Key": "retry-1", "Content-Type": "text/plain" } });
    expect(asText.status).toBe(415);
    const invalid = await send(t, "retry-1", { to: TO, body: "" });
    expect((await jsonOf(invalid)).error.code).toBe("VALIDATION_FAILED");
    const fixed = await send(t, "retry-1", { to: TO, body: "fixed on retry" });
    expect(fixed.status).toBe(200);
    expect(fixed.headers.get("Idempotent-Replayed")).toBeNull();
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(1);
  });

  it("an answer of 5xx is not kept: the retry under the same key is a new attempt", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    await addFault({ phoneNumberId: t.defaultPhone, action: "error", status: 400, code: 100, times: 1 });
    const failed = await send(t, "retry-5xx", { to: TO, body: "x" });
    expect(failed.status).toBe(502);
    const retried = await send(t, "retry-5xx", { to: TO, body: "x" });
    expect(retried.status).toBe(200);
    expect(retried.headers.get("Idempotent-Replayed")).toBeNull();
    // and that answer is kept
    const replayed = await send(t, "retry-5xx", { to: TO, body: "x" });
    expect(replayed.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await replayed.json()).toEqual(await retried.json());
  });

  it("an answer is kept 24 hours; then the object's alarm deletes it, oldest first, a batch at a time", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    expect((await send(t, "order-4830", { to: TO, body: "shipped" })).status).toBe(200);
    const kept = async () => (await wabaSql<{ key: string }>(t, "SELECT key FROM idempotency_keys ORDER BY key")).map((r) => r.key);
    expect(await kept()).toEqual([`${t.key.id}:order-4830`]);

    // three records past their 24 hours, deleted two per batch, the oldest first
    const now = Date.now();
    const batches = await runInDurableObject(storeOf(t), (_instance, state) => {
      const records = idempotencyRecords(state.storage.sql);
      for (const [key, ageMs] of [["old-b", 2], ["old-a", 3], ["old-c", 1]] as const) {
        records.put(key, { state: "done", fingerprint: "f", response: {}, createdAt: now - IDEMPOTENCY_TTL_MS - ageMs });
      }
      const first = purgeExpiredIdempotencyKeys(state.storage.sql, now, 2);
      const left = state.storage.sql.exec<{ key: string }>("SELECT key FROM idempotency_keys ORDER BY key").toArray().map((r) => r.key);
      return { first, left, second: purgeExpiredIdempotencyKeys(state.storage.sql, now, 2) };
    });
    expect(batches).toEqual({ first: true, left: [`${t.key.id}:order-4830`, "old-c"], second: false });
    expect(await kept()).toEqual([`${t.key.id}:order-4830`]);

    // a day later the object's alarm deletes the send's record too
    vi.useFakeTimers({ toFake: ["Date"] });
    onTestFinished(() => void vi.useRealTimers());
    vi.setSystemTime(now + IDEMPOTENCY_TTL_MS + 1000);
    await runInDurableObject(storeOf(t), (_instance, state) => state.storage.setAlarm(Date.now()));
    expect(await runDurableObjectAlarm(storeOf(t))).toBe(true);
    expect(await kept()).toEqual([]);
  });

  it("400 for an unusable key", async () => {
    const t = await createMessagingTenant();
    const res = await send(t, "has space", { to: TO, body: "x" });
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error.details[0].field).toBe("Idempotency-Key");
  });
});
