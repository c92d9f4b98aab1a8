import { describe, expect, it, vi } from "vitest";
import { WEBHOOK_EVENT_TYPES } from "../../src/data-plane/schema";
import { api, jsonOf } from "../helpers/api";
import { emulateInbound, emulatorSettings } from "../helpers/emulator";
import { createMessagingTenant, type MessagingTenant } from "../helpers/messaging";
import { failNext, received, receiverUrl, verifyWbizSignature, type Received } from "../helpers/receiver";

const FROM = "919812345678";

async function subscribe(t: MessagingTenant, name: string) {
  const { url, path } = receiverUrl(name);
  const res = await api("/v1/webhooks", { key: t.secret, method: "POST", json: { url, events: [...WEBHOOK_EVENT_TYPES] } });
  expect(res.status).toBe(201);
  const endpoint = await jsonOf(res);
  return { endpoint, path, secret: endpoint.secret as string };
}

/** The receiver's side: successful deliveries, signature-checked, deduplicated by event id. */
async function acceptedEvents(path: string, secret: string) {
  const byId = new Map<string, any>();
  for (const r of (await received(path)).filter((r: Received) => r.status === 200)) {
    expect(await verifyWbizSignature(r.body, r.headers["wbiz-signature"], secret)).toBe(true);
    const event = JSON.parse(r.body);
    expect(r.headers["wbiz-event-id"]).toBe(event.id);
    byId.set(event.id, event);
  }
  return [...byId.values()];
}

/** One conversation's messages through the inbox route, as an integrator reads them. */
async function history(t: MessagingTenant) {
  const conversations = await jsonOf(await api("/v1/conversations", { key: t.secret }));
  const id = conversations.data[0].id;
  return (await jsonOf(await api(`/v1/conversations/${id}/messages`, { key: t.secret }))).data as Array<{ wamid: string; direction: string; status: string }>;
}

async function runLoop(t: MessagingTenant) {
  await emulateInbound({ phoneNumberId: t.defaultPhone, from: FROM, name: "Aarav", type: "text", text: { body: "Has my order shipped?" } });
  await vi.waitFor(async () => expect(await history(t)).toHaveLength(1));
  const res = await api("/v1/messages/text", { key: t.secret, method: "POST", json: { to: `+${FROM}`, body: "Yes! It ships today." } });
  expect(res.status).toBe(200);
  const { wamid } = await jsonOf(res);
  await vi.waitFor(async () => expect((await history(t)).find((m) => m.wamid === wamid)?.status).toBe("read"), { timeout: 10_000 });
  return wamid as string;
}

describe("the whole loop: send → Meta → signed statuses → history → signed events to the integrator", () => {
  it("delivers every event once, signed, in order per wamid", async () => {
    const t = await createMessagingTenant({ statusWebhooks: true });
    await emulatorSettings(t.metaWabaId, { statusDelaysMs: [0, 40, 80] });
    const { path, secret, endpoint } = await subscribe(t, "loop");
    const wamid = await runLoop(t);

    await vi.waitFor(async () => expect(await acceptedEvents(path, secret)).toHaveLength(4), { timeout: 10_000 });
    const events = await acceptedEvents(path, secret);
    expect(events.find((e) => e.type === "message.received")).toMatchObject({ data: { message: { direction: "inbound", body: "Has my order shipped?", phone: `+${FROM}` } } });
    const outbound = events.filter((e) => e.wamid === wamid).sort((a, b) => a.sequence - b.sequence);
    expect(outbound.map((e) => [e.type, e.sequence])).toEqual([["message.sent", 1], ["message.delivered", 2], ["message.read", 3]]);
    expect(outbound[2].data.message).toMatchObject({ wamid, status: "read", direction: "outbound", body: "Yes! It ships today." });

    const deliveries = await jsonOf(await api(`/v1/webhooks/${endpoint.id}/deliveries`, { key: t.secret }));
    expect(deliveries.data).toHaveLength(4);
    expect(deliveries.data.every((d: { status: string; attempts: number }) => d.status === "succeeded" && d.attempts === 1)).toBe(true);
  });

  it("Meta's duplicate and out-of-order webhooks change nothing: still one event per status", async () => {
    const t = await createMessagingTenant({ statusWebhooks: true });
    await emulatorSettings(t.metaWabaId, { statusDelaysMs: [0, 30, 60], duplicates: true, outOfOrder: true });
    const { path, secret } = await subscribe(t, "dupes");
    const wamid = await runLoop(t);
    await vi.waitFor(async () => expect((await acceptedEvents(path, secret)).filter((e) => e.wamid === wamid).length).toBeGreaterThanOrEqual(2), { timeout: 10_000 });
    const outbound = (await acceptedEvents(path, secret)).filter((e) => e.wamid === wamid);
    // read can overtake delivered: then delivered never applies (statuses only move forward)
    const types = outbound.map((e) => e.type);
    expect(new Set(types).size).toBe(types.length);
    expect(types).toContain("message.read");
    expect(outbound.map((e) => e.sequence).sort()).toEqual(outbound.map((_, i) => i + 1));
  });

  it("a receiver that fails 5 times and then recovers gets every event", async () => {
    const t = await createMessagingTenant({ statusWebhooks: true });
    await emulatorSettings(t.metaWabaId, { statusDelaysMs: [0, 40, 80] });
    const { path, secret, endpoint } = await subscribe(t, "flaky");
    await failNext(path, 5, 503);
    await runLoop(t);
    await vi.waitFor(async () => expect(await acceptedEvents(path, secret)).toHaveLength(4), { timeout: 10_000 });
    const all = await received(path);
    expect(all.filter((r) => r.status === 503)).toHaveLength(5);
    const deliveries = (await jsonOf(await api(`/v1/webhooks/${endpoint.id}/deliveries`, { key: t.secret }))).data;
    expect(deliveries.every((d: { status: string }) => d.status === "succeeded")).toBe(true);
    expect(deliveries.reduce((n: number, d: { attempts: number }) => n + d.attempts, 0)).toBe(4 + 5);
  });

  it("only subscribed event types are delivered, and disabled endpoints get nothing", async () => {
    const t = await createMessagingTenant({ statusWebhooks: true });
    await emulatorSettings(t.metaWabaId, { statusDelaysMs: [0, 20, 40] });
    const only = receiverUrl("only-read");
    const off = receiverUrl("disabled");
    const a = await jsonOf(await api("/v1/webhooks", { key: t.secret, method: "POST", json: { url: only.url, events: ["message.read"] } }));
    await api("/v1/webhooks", { key: t.secret, method: "POST", json: { url: off.url, events: [...WEBHOOK_EVENT_TYPES], enabled: false } });
    await runLoop(t);
    await vi.waitFor(async () => expect(await acceptedEvents(only.path, a.secret)).toHaveLength(1));
    expect((await acceptedEvents(only.path, a.secret))[0].type).toBe("message.read");
    expect(await received(off.path)).toHaveLength(0);
  });
});
