import { describe, expect, it, vi } from "vitest";
import type { SendJob } from "../../src/queues/send-job";
import { api, jsonOf } from "../helpers/api";
import { addFault, emulatorSends } from "../helpers/emulator";
import { createMessagingTenant, inboundFrom, messageRow, type MessagingTenant } from "../helpers/messaging";
import { runQueue, type QueueVars } from "../helpers/queues";
import { outboundMessages, wabaSql } from "../helpers/waba";

const TO = "+919812345678";

async function sendText(t: MessagingTenant, headers: Record<string, string> = {}) {
  return api("/v1/messages/text", { key: t.secret, method: "POST", json: { to: TO, body: "hello" }, headers });
}

async function onlyOutbound(t: MessagingTenant) {
  const rows = await outboundMessages(t);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

/** An outbound message that Meta refused, to reshape into the state a test needs. */
async function failedSend(t: MessagingTenant) {
  await inboundFrom(t, TO);
  await addFault({ phoneNumberId: t.defaultPhone, action: "error", status: 400, code: 100 });
  expect((await sendText(t)).status).toBe(502);
  return onlyOutbound(t);
}

/** Runs the send queue's consumer on one job, as the queue would, and returns what it did with it. */
const deliver = (job: SendJob, attempts = 1, vars: QueueVars = {}) => runQueue("wbiz-sends", [job], { attempts, vars });

describe("send relay", () => {
  it("502 META_UPSTREAM_ERROR with Meta's code, subcode, message and trace id on a permanent refusal", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    await addFault({ phoneNumberId: t.defaultPhone, action: "error", status: 400, code: 131026, subcode: 2494010, message: "(#131026) Message undeliverable", details: "Recipient is not a WhatsApp user" });
    const res = await sendText(t);
    expect(res.status).toBe(502);
    const body = await jsonOf(res);
    expect(body.error.code).toBe("META_UPSTREAM_ERROR");
    expect(body.error.upstream).toMatchObject({ code: 131026, subcode: 2494010, message: "(#131026) Message undeliverable", details: "Recipient is not a WhatsApp user" });
    expect(body.error.upstream.fbtraceId).toEqual(expect.any(String));
    const row = await onlyOutbound(t);
    expect(row.status).toBe("failed");
    expect(JSON.parse(row.error!)).toMatchObject({ source: "meta", code: 131026 });
    expect(row.attempts).toBe(1);
  });

  // on the route that documents the code; elsewhere it is a 502 (test/messages/error-codes.test.ts)
  it.each([
    [131047, 400, "OUTSIDE_24H_WINDOW", 400, "text", { to: TO, body: "hello" }],
    [131053, 400, "MEDIA_FETCH_FAILED", 400, "media", { to: TO, type: "image", link: "https://cdn.example.com/promo.jpg" }],
    [132001, 404, "TEMPLATE_NOT_FOUND", 404, "template", { to: TO, template: "order_shipped_v2", language: "en_US", variables: ["a", "b", "c"] }],
  ])("Meta's %i answers the spec's code (%s → %s)", async (metaCode, metaStatus, apiCode, apiStatus, route, json) => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    await addFault({ phoneNumberId: t.defaultPhone, action: "error", status: metaStatus, code: metaCode });
    const res = await api(`/v1/messages/${route}`, { key: t.secret, method: "POST", json });
    expect(res.status).toBe(apiStatus);
    const body = await jsonOf(res);
    expect(body.error.code).toBe(apiCode);
    expect(body.error.upstream.code).toBe(metaCode);
  });

  it("retries transient failures (throughput 130429 without spending an attempt, 5xx) and answers 200 once Meta accepts; one send reaches Meta", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    await addFault({ phoneNumberId: t.defaultPhone, action: "error", status: 400, code: 130429, times: 1 });
    await addFault({ phoneNumberId: t.defaultPhone, action: "error", status: 500, code: 131000, times: 1 });
    const res = await sendText(t);
    expect(res.status).toBe(200);
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(1);
    const row = await onlyOutbound(t);
    expect(row).toMatchObject({ status: "sent", attempts: 2, error: null }); // the 130429 was a wait for its turn, not an attempt
  });

  it("retries a timeout", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    await addFault({ phoneNumberId: t.defaultPhone, action: "hang", ms: 4000, times: 1 });
    const res = await sendText(t);
    expect(res.status).toBe(200);
    expect((await onlyOutbound(t)).attempts).toBe(2);
  });

  it("after the last attempt the job is dead-lettered and the message fails with the reason; the route answers 502", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    await addFault({ phoneNumberId: t.defaultPhone, action: "error", status: 503, code: 2, message: "(#2) Service temporarily unavailable", times: "always" });
    const res = await sendText(t);
    expect(res.status).toBe(502);
    const body = await jsonOf(res);
    expect(body.error.message).toMatch(/Gave up after 9 attempts/);
    expect(body.error.upstream.code).toBe(2);
    const row = await onlyOutbound(t);
    expect(row.status).toBe("failed");
    expect(JSON.parse(row.error!)).toMatchObject({ source: "relay", code: 2 });
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(0);
  });

  it("after a timeout whose send Meta did accept (its answer lost), the retry waits for Meta's sent webhook and never sends again", async () => {
    const t = await createMessagingTenant({ statusWebhooks: true });
    const row = await failedSend(t);
    await wabaSql(t, "UPDATE messages SET status = 'queued', error = NULL, attempts = 0 WHERE id = ?", row.id);
    const job: SendJob = { wabaId: t.waba.id, messageId: row.id };
    // Meta accepts, but answers only after the relay's timeout (META_TIMEOUT_MS 1500)
    await addFault({ phoneNumberId: t.defaultPhone, action: "lost_answer", ms: 4000 });
    const first = await deliver(job, 1, { RELAY_UNCERTAIN_RETRY_SECONDS: "30" });
    expect(first.retryDelays).toHaveLength(1);
    expect(first.retryDelays[0]).toBeGreaterThanOrEqual(30);
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(1);
    // the sent webhook (biz_opaque_callback_data = our id) links the wamid before the retry is due
    const sent = (await emulatorSends(t.defaultPhone))[0]!;
    await vi.waitFor(async () => expect(await messageRow(t, row.id)).toMatchObject({ wamid: sent.wamid, status: expect.stringMatching(/^(sent|delivered|read)$/) }), { timeout: 10_000 });
    const retry = await deliver(job, 2, { RELAY_UNCERTAIN_RETRY_SECONDS: "30" });
    expect(retry.explicitAcks).toHaveLength(1);
    expect(retry.retryMessages).toHaveLength(0);
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(1);
  });

  it("a refusal that leaves no doubt (503) is retried after the backoff alone, without the uncertainty delay", async () => {
    const t = await createMessagingTenant();
    const row = await failedSend(t);
    await wabaSql(t, "UPDATE messages SET status = 'queued', error = NULL, attempts = 0 WHERE id = ?", row.id);
    await addFault({ phoneNumberId: t.defaultPhone, action: "error", status: 503, code: 2 });
    const result = await deliver({ wabaId: t.waba.id, messageId: row.id }, 1, { RELAY_UNCERTAIN_RETRY_SECONDS: "30" });
    expect(result.retryDelays).toEqual([0]); // RELAY_BACKOFF_BASE_SECONDS is 0 here
  });

  it("a redelivered job whose send reached Meta is acknowledged and never sent again", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    expect((await sendText(t)).status).toBe(200);
    const row = await onlyOutbound(t);
    const job = { wabaId: t.waba.id, messageId: row.id };
    const result = await deliver(job, 2);
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toHaveLength(0);
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(1);
  });

  it("a job for a message another delivery is sending right now waits for that claim instead of sending", async () => {
    const t = await createMessagingTenant();
    const row = await failedSend(t);
    // as if another delivery of the same job had just claimed it and were talking to Meta
    await wabaSql(t, "UPDATE messages SET status = 'sending', error = NULL, updated_at = ? WHERE id = ?", Date.now(), row.id);
    const result = await deliver({ wabaId: t.waba.id, messageId: row.id }, 2);
    expect(result.retryMessages).toHaveLength(1);
    expect(result.explicitAcks).toHaveLength(0);
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(0);
  });

  it("a record-only job stores the wamid without sending", async () => {
    const t = await createMessagingTenant();
    const row = await failedSend(t);
    // as if Meta had accepted it and the first write of its wamid had failed
    await wabaSql(t, "UPDATE messages SET status = 'sending', error = NULL WHERE id = ?", row.id);
    const result = await deliver({ wabaId: t.waba.id, messageId: row.id, recordWamid: "wamid.recorded" });
    expect(result.explicitAcks).toHaveLength(1);
    expect(await messageRow(t, row.id)).toMatchObject({ wamid: "wamid.recorded", status: "sent" });
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(0);
  });
  it("a malformed job is dropped, not retried forever", async () => {
    const result = await deliver({ messageId: "nope" } as unknown as SendJob);
    expect(result.explicitAcks).toHaveLength(1);
  });
});

describe("waiting for Meta", () => {
  it("Prefer: respond-async answers 202 at once; the send completes in the background", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    const res = await sendText(t, { Prefer: "respond-async" });
    expect(res.status).toBe(202);
    expect(res.headers.get("Preference-Applied")).toBe("respond-async");
    const { id, status } = await jsonOf(res);
    expect(status).toBe("queued");
    await vi.waitFor(async () => expect(await jsonOf(await api(`/v1/messages/${id}`, { key: t.secret }))).toMatchObject({ status: "sent", wamid: expect.stringMatching(/^wamid\./) }));
  });

  it("answers 202 when Meta is slower than the wait budget, and the wamid appears later", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    await addFault({ phoneNumberId: t.defaultPhone, action: "slow", ms: 1200 });
    const res = await sendText(t, { Prefer: "wait=1" });
    expect(res.status).toBe(202);
    const { id } = await jsonOf(res);
    await vi.waitFor(async () => expect((await messageRow(t, id))?.status).toBe("sent"), { timeout: 5000 });
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(1);
  });

  it("GET /v1/messages/:id answers 404 for other WABAs' messages and for inbound ones", async () => {
    const t = await createMessagingTenant();
    const other = await createMessagingTenant();
    const inbound = await inboundFrom(t, TO);
    await inboundFrom(other, TO);
    const res = await api("/v1/messages/text", { key: other.secret, method: "POST", json: { to: TO, body: "x" }, headers: { Prefer: "respond-async" } });
    const { id } = await jsonOf(res);
    for (const probe of [id, inbound!.messageId, "0000000000000000000000ff", "not-an-id"]) {
      const r = await api(`/v1/messages/${probe}`, { key: t.secret });
      expect(r.status).toBe(404);
      expect((await jsonOf(r)).error.code).toBe("NOT_FOUND");
    }
  });
});
