import { describe, expect, it, vi } from "vitest";
import { api, jsonOf } from "../helpers/api";
import { emulatorSends } from "../helpers/emulator";
import { createMessagingTenant, inboundFrom, messageRow } from "../helpers/messaging";
import { createTenant } from "../helpers/tenant";
import { outboundMessages, storeOf } from "../helpers/waba";

// Scheduled sends (`sendAt` on every send route, DELETE /v1/messages/{id}) and dry runs (`?dryRun=true`),
// on pinned clocks: the WABA object's schedule is run at the time a test names.

const TO = "+919812345678";
const TEMPLATE = { to: TO, template: "order_shipped_v2", language: "en_US", variables: ["Aarav", "4827", "tomorrow"] };
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

describe("scheduled sends", () => {
  it("sendAt answers 202 scheduled; nothing reaches Meta until it is due, then it is sent", async () => {
    const t = await createMessagingTenant();
    const sendAt = inAnHour();
    const res = await api("/v1/messages/template", { key: t.secret, method: "POST", json: { ...TEMPLATE, sendAt } });
    expect(res.status).toBe(202);
    const { id, status } = await jsonOf(res);
    expect(status).toBe("scheduled");
    expect((await jsonOf(await api(`/v1/messages/${id}`, { key: t.secret }))).status).toBe("scheduled");

    await storeOf(t).runScheduleNow(t.waba.id, Date.parse(sendAt) - 1);
    expect(await emulatorSends(t.defaultPhone)).toEqual([]);
    await storeOf(t).runScheduleNow(t.waba.id, Date.parse(sendAt));
    await vi.waitFor(async () => expect((await messageRow(t, id))!.status).toBe("sent"), { timeout: 10_000, interval: 100 });
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(1);
  });

  it("DELETE cancels a scheduled send, which then never goes; anything else is 409 INVALID_STATE, another WABA's id 404", async () => {
    const t = await createMessagingTenant();
    const sendAt = inAnHour();
    const { id } = await jsonOf(await api("/v1/messages/template", { key: t.secret, method: "POST", json: { ...TEMPLATE, sendAt } }));
    const other = await createTenant();
    expect((await api(`/v1/messages/${id}`, { key: other.secret, method: "DELETE" })).status).toBe(404);

    const res = await api(`/v1/messages/${id}`, { key: t.secret, method: "DELETE" });
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toEqual({ id, status: "cancelled" });
    const again = await api(`/v1/messages/${id}`, { key: t.secret, method: "DELETE" });
    expect(again.status).toBe(409);
    expect((await jsonOf(again)).error).toMatchObject({ code: "INVALID_STATE", message: expect.stringContaining("cancelled") });
    await storeOf(t).runScheduleNow(t.waba.id, Date.parse(sendAt) + 1);
    expect((await messageRow(t, id))!.status).toBe("cancelled");
    expect(await emulatorSends(t.defaultPhone)).toEqual([]);
    expect((await api("/v1/messages/0123456789abcdef01234567", { key: t.secret, method: "DELETE" })).status).toBe(404);
  });

  it.each([
    ["in the past", new Date(Date.now() - 60_000).toISOString()],
    ["more than 30 days ahead", new Date(Date.now() + 31 * 86_400_000).toISOString()],
    ["not a time", "tomorrow"],
  ])("sendAt %s is 400 VALIDATION_FAILED naming sendAt", async (_, sendAt) => {
    const t = await createMessagingTenant();
    const res = await api("/v1/messages/template", { key: t.secret, method: "POST", json: { ...TEMPLATE, sendAt } });
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error.details[0].field).toBe("sendAt");
  });

  it("a scheduled text is checked against the 24-hour window as it will be at sendAt", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO, 60); // the window closes in 23 hours
    const soon = await api("/v1/messages/text", { key: t.secret, method: "POST", json: { to: TO, body: "hi", sendAt: inAnHour() } });
    expect(soon.status).toBe(202);
    const late = await api("/v1/messages/text", { key: t.secret, method: "POST", json: { to: TO, body: "hi", sendAt: new Date(Date.now() + 2 * 86_400_000).toISOString() } });
    expect(late.status).toBe(400);
    expect((await jsonOf(late)).error.code).toBe("OUTSIDE_24H_WINDOW");
  });
});

describe("dry runs", () => {
  it("?dryRun=true runs every check and answers what would happen, storing and sending nothing", async () => {
    const t = await createMessagingTenant();
    const res = await api("/v1/messages/template?dryRun=true", { key: t.secret, method: "POST", json: TEMPLATE, headers: { "Idempotency-Key": "dry-1" } });
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toEqual({ dryRun: true, status: "would_send", kind: "template", phoneNumberId: t.defaultPhone, sendAt: null, estimatedWaitMs: 0 });
    expect(await outboundMessages(t)).toEqual([]);
    expect(await emulatorSends(t.defaultPhone)).toEqual([]);

    // a refusal is the one a real send would get
    const closed = await api("/v1/messages/text?dryRun=true", { key: t.secret, method: "POST", json: { to: TO, body: "hi" } });
    expect(closed.status).toBe(400);
    expect((await jsonOf(closed)).error.code).toBe("OUTSIDE_24H_WINDOW");
    const wrongCount = await api("/v1/messages/template?dryRun=true", { key: t.secret, method: "POST", json: { ...TEMPLATE, variables: ["one"] } });
    expect((await jsonOf(wrongCount)).error.code).toBe("TEMPLATE_VARIABLE_COUNT_MISMATCH");

    // the Idempotency-Key was not used up: the real send under it goes
    const real = await api("/v1/messages/template", { key: t.secret, method: "POST", json: TEMPLATE, headers: { "Idempotency-Key": "dry-1" } });
    expect(real.status).toBe(200);
    expect((await jsonOf(real)).wamid).toMatch(/^wamid\./);
  });
});
