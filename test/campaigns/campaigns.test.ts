import { describe, expect, it, vi } from "vitest";
import { api, jsonOf } from "../helpers/api";
import { emulatorSends, emulatorSettings, emulatorStats } from "../helpers/emulator";
import { createMessagingTenant, env, messageRow, type MessagingTenant } from "../helpers/messaging";
import { runQueue } from "../helpers/queues";
import { receiverUrl } from "../helpers/receiver";
import { createTenant } from "../helpers/tenant";
import { seedMessage, storeOf, wabaSql } from "../helpers/waba";

// Campaigns (POST /v1/campaigns and friends): checked up front, released by the WABA object's alarm at
// the number's pace, every recipient an ordinary message, counts read from the rows.

const TEMPLATE = { template: "order_shipped_v2", language: "en_US" };
const VARS = ["Aarav", "4827", "tomorrow"];
const to = (i: number) => `+9198120${String(i).padStart(5, "0")}`;

function post(t: { secret: string }, path: string, json: unknown, headers: Record<string, string> = {}) {
  return api(path, { key: t.secret, method: "POST", json, headers });
}

async function campaign(t: { secret: string }, id: string) {
  return jsonOf(await api(`/v1/campaigns/${id}`, { key: t.secret }));
}

/** Waits until the campaign reaches `state` (the alarm releases it in the background). */
async function until(t: { secret: string }, id: string, state: string, timeout = 20_000) {
  await vi.waitFor(async () => expect((await campaign(t, id)).state).toBe(state), { timeout, interval: 100 });
  return campaign(t, id);
}

/** A number paced at `mps` messages/s, here and at the emulator. */
async function paceNumber(t: MessagingTenant, mps: number) {
  await env.DB.prepare(`UPDATE phone_numbers SET throughput_mps = ? WHERE meta_phone_number_id = ?`).bind(mps, t.defaultPhone).run();
  await storeOf(t).invalidate();
}

describe("campaigns", () => {
  it("checks every recipient up front, sends the rest as ordinary messages and completes with counts that equal the rows", async () => {
    const t = await createMessagingTenant();
    const hook = await post(t, "/v1/webhooks", { url: receiverUrl("campaign-events").url, events: ["campaign.started", "campaign.completed"] });
    expect(hook.status).toBe(201);
    const recipients = [
      { to: to(1), variables: VARS },
      { to: to(2), variables: VARS },
      { to: "not a number", variables: VARS },
      { to: to(1), variables: VARS }, // duplicate
      { to: to(3), variables: ["only one"] }, // the template has three
      { to: to(4), variables: VARS },
    ];
    const res = await post(t, "/v1/campaigns", { name: "Order updates", ...TEMPLATE, recipients });
    expect(res.status).toBe(201);
    expect(res.headers.get("Location")).toMatch(/^\/v1\/campaigns\/[0-9a-f]{24}$/);
    const created = await jsonOf(res);
    expect(created).toMatchObject({ name: "Order updates", template: "order_shipped_v2", language: "en_US", phoneNumberId: t.defaultPhone, state: "running", recipients: 6 });
    expect(created.skipped).toEqual([
      { index: 2, to: "not a number", reason: "invalid_phone", message: expect.any(String) },
      { index: 3, to: to(1), reason: "duplicate", message: expect.any(String) },
      { index: 4, to: to(3), reason: "template_variable_count_mismatch", message: expect.any(String) },
    ]);

    const done = await until(t, created.id, "completed");
    expect(done.counts).toEqual({ pending: 0, queued: 0, sent: 3, delivered: 0, read: 0, failed: 0, skipped: 3, cancelled: 0 });
    expect(done.startedAt).toEqual(expect.any(String));
    expect(done.finishedAt).toEqual(expect.any(String));
    expect((await emulatorSends(t.defaultPhone)).map((s) => `+${s.to!.replace(/^\+/, "")}`).sort()).toEqual([to(1), to(2), to(4)]);

    // every recipient's message is an ordinary message of the WABA, and the counts are its rows
    const rows = await wabaSql<{ status: string; n: number }>(t, `SELECT status, COUNT(*) AS n FROM messages WHERE campaign_id = ? GROUP BY status`, created.id);
    expect(rows).toEqual([{ status: "sent", n: 3 }]);
    const list = await jsonOf(await api(`/v1/campaigns/${created.id}/recipients`, { key: t.secret }));
    expect(list.data.map((r: any) => [r.index, r.status, r.reason])).toEqual([
      [0, "sent", null], [1, "sent", null], [2, "skipped", "invalid_phone"], [3, "skipped", "duplicate"], [4, "skipped", "template_variable_count_mismatch"], [5, "sent", null],
    ]);
    const first = list.data[0];
    expect(first.wamid).toMatch(/^wamid\./);
    expect((await messageRow(t, first.messageId))!.wamid).toBe(first.wamid);

    // the integrator heard about it: started, then completed with the final counts
    const events = await wabaSql<{ type: string; body: string }>(t, `SELECT type, body FROM webhook_events ORDER BY created_at, id`);
    expect(events.map((e) => e.type)).toEqual(["campaign.started", "campaign.completed"]);
    expect(JSON.parse(events[1]!.body).data.campaign).toMatchObject({ id: created.id, state: "completed", counts: { sent: 3, skipped: 3 } });
  }, 40_000);

  it("skips a contact who opted out of a MARKETING template, and refuses a campaign whose template cannot be sent", async () => {
    const t = await createMessagingTenant();
    // spring_sale (MARKETING): "Take {{1}} off everything."
    await seedMessage(t, { party: { phone: to(7), userId: null }, metaPhoneNumberId: t.defaultPhone, direction: "inbound", kind: "text", body: "STOP", payload: {}, status: "delivered" });
    await wabaSql(t, `UPDATE contacts SET opted_in = 0 WHERE phone = ?`, to(7));
    const variables = ["20%"];
    const res = await post(t, "/v1/campaigns?dryRun=true", { template: "spring_sale", language: "en_US", recipients: [{ to: to(7), variables }, { to: to(8), variables }] });
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toEqual({ dryRun: true, wouldSend: 1, phoneNumberId: t.defaultPhone, estimatedSeconds: 1, skipped: [{ index: 0, to: to(7), reason: "contact_opted_out", message: expect.any(String) }] });

    const missing = await post(t, "/v1/campaigns", { template: "no_such_template", language: "en_US", recipients: [{ to: to(1) }] });
    expect(missing.status).toBe(404);
    expect((await jsonOf(missing)).error.code).toBe("TEMPLATE_NOT_FOUND");
    const otherPhone = await post(t, "/v1/campaigns", { ...TEMPLATE, phoneNumberId: "999999999", recipients: [{ to: to(1), variables: VARS }] });
    expect(otherPhone.status).toBe(404);
    expect((await jsonOf(otherPhone)).error.code).toBe("PHONE_NOT_FOUND");
    const tooMany = await post(t, "/v1/campaigns", { ...TEMPLATE, recipients: Array.from({ length: 10_001 }, (_, i) => ({ to: to(i) })) });
    expect(tooMany.status).toBe(400);
    // nothing was stored by any of these
    expect((await jsonOf(await api("/v1/campaigns", { key: t.secret }))).data).toEqual([]);
    expect(await wabaSql(t, `SELECT id FROM messages WHERE direction = 'outbound'`)).toEqual([]);
  });

  it("a scheduled campaign takes more recipients until it starts at sendAt (pinned clock), then refuses more", async () => {
    const t = await createMessagingTenant();
    const sendAt = new Date(Date.now() + 3_600_000).toISOString();
    const created = await jsonOf(await post(t, "/v1/campaigns", { ...TEMPLATE, sendAt, recipients: [{ to: to(1), variables: VARS }] }));
    expect(created).toMatchObject({ state: "scheduled", sendAt, counts: { pending: 1 } });
    const appended = await post(t, `/v1/campaigns/${created.id}/recipients`, { recipients: [{ to: to(2), variables: VARS }, { to: to(1), variables: VARS }] });
    expect(appended.status).toBe(200);
    expect(await jsonOf(appended)).toMatchObject({ recipients: 3, counts: { pending: 2, skipped: 1 }, skipped: [{ index: 2, reason: "duplicate" }] });
    expect(await emulatorSends(t.defaultPhone)).toEqual([]);

    await storeOf(t).runScheduleNow(t.waba.id, Date.parse(sendAt));
    expect((await campaign(t, created.id)).state).toBe("running");
    const late = await post(t, `/v1/campaigns/${created.id}/recipients`, { recipients: [{ to: to(3), variables: VARS }] });
    expect(late.status).toBe(409);
    expect((await jsonOf(late)).error).toMatchObject({ code: "INVALID_STATE", message: expect.stringContaining("running") });
    await until(t, created.id, "completed");
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(2);
  }, 30_000);

  it("pause, resume and cancel move the state; cancel stops every recipient not yet handed to Meta, and the counts still add up", async () => {
    const t = await createMessagingTenant();
    await paceNumber(t, 10); // 9 a second: the run takes a few seconds
    const recipients = Array.from({ length: 40 }, (_, i) => ({ to: to(i), variables: VARS }));
    const created = await jsonOf(await post(t, "/v1/campaigns", { ...TEMPLATE, recipients }));
    await vi.waitFor(async () => expect((await emulatorSends(t.defaultPhone)).length).toBeGreaterThan(0), { timeout: 10_000, interval: 50 });

    const paused = await post(t, `/v1/campaigns/${created.id}/pause`, {});
    expect(paused.status).toBe(200);
    expect((await jsonOf(paused)).state).toBe("paused");
    expect((await post(t, `/v1/campaigns/${created.id}/pause`, {})).status).toBe(409);
    expect((await jsonOf(await post(t, `/v1/campaigns/${created.id}/resume`, {}))).state).toBe("running");

    const cancelled = await jsonOf(await post(t, `/v1/campaigns/${created.id}/cancel`, {}));
    expect(cancelled.state).toBe("cancelled");
    const sentAtCancel = cancelled.counts.sent + cancelled.counts.queued;
    expect(cancelled.counts.cancelled).toBeGreaterThan(0);
    expect(cancelled.counts.pending).toBe(0);
    // what the relay already claimed may still reach Meta; nothing else does
    await vi.waitFor(async () => expect((await campaign(t, created.id)).counts.queued).toBe(0), { timeout: 10_000, interval: 100 });
    const final = await campaign(t, created.id);
    const c = final.counts;
    expect(c.sent + c.failed + c.cancelled + c.skipped).toBe(40);
    expect(c.sent).toBeLessThanOrEqual(sentAtCancel);
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(c.sent);
    expect((await post(t, `/v1/campaigns/${created.id}/cancel`, {})).status).toBe(409);
  }, 40_000);

  it("lists newest first with a cursor, filters recipients by status, and another WABA's campaign is not found", async () => {
    const t = await createMessagingTenant();
    await emulatorSettings(t.metaWabaId, { mpsLimit: 80 });
    const sendAt = new Date(Date.now() + 3_600_000).toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await jsonOf(await post(t, "/v1/campaigns", { ...TEMPLATE, sendAt, recipients: [{ to: to(i), variables: VARS }, { to: "x" }] }))).id);
    const page1 = await jsonOf(await api("/v1/campaigns?limit=2", { key: t.secret }));
    expect(page1.data.map((c: any) => c.id)).toEqual([ids[2], ids[1]]);
    const page2 = await jsonOf(await api(`/v1/campaigns?limit=2&cursor=${page1.nextCursor}`, { key: t.secret }));
    expect(page2.data.map((c: any) => c.id)).toEqual([ids[0]]);
    expect(page2.nextCursor).toBeNull();
    const skipped = await jsonOf(await api(`/v1/campaigns/${ids[0]}/recipients?status=skipped`, { key: t.secret }));
    expect(skipped.data.map((r: any) => r.index)).toEqual([1]);

    const other = await createTenant();
    for (const path of [`/v1/campaigns/${ids[0]}`, `/v1/campaigns/${ids[0]}/recipients`]) expect((await api(path, { key: other.secret })).status).toBe(404);
    for (const action of ["pause", "cancel"]) expect((await post(other, `/v1/campaigns/${ids[0]}/${action}`, {})).status).toBe(404);
    expect((await jsonOf(await api("/v1/campaigns", { key: other.secret }))).data).toEqual([]);
  });

  it("Idempotency-Key: a retried creation answers the same campaign and creates no second one", async () => {
    const t = await createMessagingTenant();
    const body = { ...TEMPLATE, sendAt: new Date(Date.now() + 3_600_000).toISOString(), recipients: [{ to: to(1), variables: VARS }] };
    const a = await post(t, "/v1/campaigns", body, { "Idempotency-Key": "campaign-1" });
    const b = await post(t, "/v1/campaigns", body, { "Idempotency-Key": "campaign-1" });
    expect(b.headers.get("Idempotent-Replayed")).toBe("true");
    expect((await jsonOf(b)).id).toBe((await jsonOf(a)).id);
    expect((await jsonOf(await api("/v1/campaigns", { key: t.secret }))).data).toHaveLength(1);
  });

  it("a campaign's jobs delivered twice more, racing the queue's own, reach Meta once per recipient; the counts still equal the rows", async () => {
    const t = await createMessagingTenant();
    await paceNumber(t, 20);
    const recipients = Array.from({ length: 30 }, (_, i) => ({ to: to(i), variables: VARS }));
    const { id } = await jsonOf(await post(t, "/v1/campaigns", { ...TEMPLATE, recipients }));
    // as the alarm releases recipients, every released message's job is delivered twice more, at once
    const redelivered = new Set<string>();
    while ((await campaign(t, id)).state === "running") {
      const released = (await wabaSql<{ id: string }>(t, `SELECT id FROM messages WHERE campaign_id = ?`, id)).map((r) => r.id).filter((m) => !redelivered.has(m));
      if (released.length) {
        released.forEach((m) => redelivered.add(m));
        const jobs = released.map((messageId) => ({ wabaId: t.waba.id, messageId, bulk: true as const }));
        await runQueue("wbiz-sends-bulk", [...jobs, ...jobs]);
      }
    }
    expect(redelivered.size).toBe(30);
    const done = await campaign(t, id);
    expect(done).toMatchObject({ state: "completed", counts: { sent: 30, queued: 0, pending: 0 } });
    expect(await emulatorStats(t.defaultPhone)).toEqual({ phoneNumberId: t.defaultPhone, accepted: 30, refused: { 130429: 0, 131056: 0 }, duplicates: 0 });
    const rows = await wabaSql<{ status: string; n: number }>(t, `SELECT status, COUNT(*) AS n FROM messages WHERE campaign_id = ? GROUP BY status`, id);
    expect(rows).toEqual([{ status: "sent", n: 30 }]);
  }, 60_000);
});

