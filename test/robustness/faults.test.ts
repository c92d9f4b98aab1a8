import { describe, expect, it, vi } from "vitest";
import type { SendJob } from "../../src/queues/send-job";
import { api, jsonOf } from "../helpers/api";
import { addFault, emulatorSends, emulatorSettings, listFaults } from "../helpers/emulator";
import { runQueue } from "../helpers/queues";
import { createMessagingTenant, type MessagingTenant } from "../helpers/messaging";
import { errorOf, expectAcceptedOnce, numberOf, openWindows, outbound, sendNumbered, settled } from "./sends";

// The relay against a misbehaving Meta (the emulator's faults): transient errors at a rate, permanent
// refusals, timeouts, slow answers and duplicate queue deliveries. Whatever happens, every message the
// API accepted ends in a terminal state, and Meta accepts each message at most once.

/** Fixed seeds for the emulator's fault dice, so a failing run replays the same draws. */
const SEED = 20_260_406;

const send = (t: MessagingTenant, i: number, to: string, headers: Record<string, string> = {}) => sendNumbered(t, i, to, { headers });

/** The send queue's consumer on these jobs, as the queue would run it (one batch), and what it did with each. */
const deliver = (jobs: SendJob[], attempts: number) => runQueue("wbiz-sends", jobs, { attempts });

describe("transient failures at a rate", () => {
  it("200 sends with 30% transient failures (5xx and 130429) all end sent; Meta accepted each exactly once", async () => {
    const t = await createMessagingTenant();
    await emulatorSettings(t.metaWabaId, { mpsLimit: 100_000 }); // only the injected faults refuse a send
    const recipients = await openWindows(t, 10, 1);
    // 15% of attempts get a 5xx; of the rest, 0.15/0.85 get 130429: 30% of attempts fail in all
    await addFault({ phoneNumberId: t.defaultPhone, action: "error", status: 500, code: 131000, times: "always", rate: 0.15, seed: SEED });
    await addFault({ phoneNumberId: t.defaultPhone, action: "error", status: 400, code: 130429, times: "always", rate: 0.15 / 0.85, seed: SEED + 1 });

    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => send(t, i, recipients[i % recipients.length]!)));
    const answers = await Promise.all(responses.map(async (r) => ({ status: r.status, body: await jsonOf(r) })));
    // a client is told sent (200) or still working on it (202), never an error: transient failures are ours to absorb
    expect(answers.filter((a) => a.status !== 200 && a.status !== 202)).toEqual([]);

    const rows = await settled(t, 200);
    expect(rows.filter((r) => r.status !== "sent")).toEqual([]);
    expect(new Set(rows.map((r) => r.wamid)).size).toBe(200);
    expect(rows.every((r) => r.error === null)).toBe(true);
    const accepted = await expectAcceptedOnce(t, rows);
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(200);
    // and what Meta got is the 200 sends the client made, none swapped, lost or repeated
    expect([...accepted.values()].map(numberOf).sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    // a 200 carries the wamid the message was stored with
    const stored = new Set(rows.map((r) => r.wamid));
    for (const a of answers.filter((a) => a.status === 200)) expect(stored).toContain(a.body.wamid);

    // every call to Meta went through the dice; every failed call was an injected fault: a 5xx cost one
    // attempt, a 130429 none (the message waited for its turn at a slower pace instead)
    const [serverErrors, throughput] = await listFaults(t.defaultPhone);
    const attempts = rows.reduce((n, r) => n + r.attempts, 0);
    const calls = attempts + throughput!.fired;
    expect(serverErrors!.matched).toBe(calls);
    expect(serverErrors!.fired).toBe(attempts - 200);
    expect(serverErrors!.fired).toBeGreaterThan(0);
    expect(throughput!.fired).toBeGreaterThan(0);
    const failureRate = (calls - 200) / calls;
    expect(failureRate).toBeGreaterThan(0.2);
    expect(failureRate).toBeLessThan(0.4);
  }, 60_000);
});

describe("permanent refusals among transient ones", () => {
  it("a refused message fails with Meta's code on the first permanent answer, even after transient retries; the rest are sent once", async () => {
    const t = await createMessagingTenant();
    // `sent` webhooks only, so an async failure can arrive but nothing moves past sent
    await emulatorSettings(t.metaWabaId, { mpsLimit: 100_000, statusDelaysMs: [0] });
    const [undeliverable, windowClosed, asyncFailed, ...fine] = await openWindows(t, 6, 2);
    // transient faults come first, so refused messages meet a 5xx or two before their refusal
    await addFault({ phoneNumberId: t.defaultPhone, to: undeliverable!, action: "error", status: 503, code: 2, times: 3 });
    const dice = await addFault({ phoneNumberId: t.defaultPhone, action: "error", status: 503, code: 2, times: "always", rate: 0.3, seed: SEED + 2 });
    const refusals = [
      await addFault({ phoneNumberId: t.defaultPhone, to: undeliverable!, action: "error", status: 400, code: 131026, details: "Recipient is not a WhatsApp user", times: "always" }),
      // Meta's own 24-hour window check: free-form messages refused, templates let through
      await addFault({ phoneNumberId: t.defaultPhone, to: windowClosed!, type: "text", action: "error", status: 400, code: 131047, times: "always" }),
    ];
    await addFault({ phoneNumberId: t.defaultPhone, to: asyncFailed!, action: "async_failure", code: 131049, times: "always" });

    // each recipient gets texts and templates (send() alternates them)
    const plan = Array.from({ length: 40 }, (_, i) => ({ i, to: [undeliverable!, windowClosed!, asyncFailed!, ...fine][Math.floor(i / 2) % 6]! }));
    const answers = await Promise.all(
      plan.map(async ({ i, to }) => {
        const res = await send(t, i, to);
        return { to, text: i % 2 === 0, status: res.status, body: await jsonOf(res) };
      }),
    );
    // the route answers with Meta's verdict (or 202, if the verdict was not in within the wait budget)
    for (const a of answers.filter((a) => a.status !== 202)) {
      if (a.to === undeliverable) expect(a).toMatchObject({ status: 502, body: { error: { code: "META_UPSTREAM_ERROR", upstream: { code: 131026, details: "Recipient is not a WhatsApp user" } } } });
      else if (a.to === windowClosed && a.text) expect(a).toMatchObject({ status: 400, body: { error: { code: "OUTSIDE_24H_WINDOW", upstream: { code: 131047 } } } });
      else expect(a).toMatchObject({ status: 200, body: { wamid: expect.stringMatching(/^wamid\./) } });
    }

    // the async failure arrives by webhook after the send was accepted
    const rows = await vi.waitFor(
      async () => {
        const rows = await settled(t, 40);
        expect(rows.filter((r) => r.to === asyncFailed && r.status !== "failed")).toEqual([]);
        return rows;
      },
      { timeout: 30_000, interval: 200 },
    );
    const byTo = (phone: string) => rows.filter((r) => r.to === phone);
    const refusedRows = { 131026: byTo(undeliverable!), 131047: byTo(windowClosed!).filter((r) => r.kind === "text"), 131049: byTo(asyncFailed!) };
    for (const [code, refused] of Object.entries(refusedRows)) {
      expect(refused.length).toBeGreaterThan(0);
      for (const row of refused) {
        expect(row.status).toBe("failed");
        expect(errorOf(row)).toMatchObject({ source: "meta", code: Number(code) });
      }
    }
    // a permanent refusal is final: each refused message met its refusal exactly once, whatever came before
    const armed = await listFaults(t.defaultPhone);
    const [undeliverableRule, windowRule] = armed.filter((f) => refusals.some((r) => r.id === f.id));
    expect(undeliverableRule!.fired).toBe(refusedRows[131026].length);
    expect(windowRule!.fired).toBe(refusedRows[131047].length);
    expect(refusedRows[131026].reduce((n, r) => n + r.attempts, 0)).toBeGreaterThanOrEqual(refusedRows[131026].length + 3);
    // and only transient faults were retried: one extra attempt per 5xx, none for anything else
    const transientFired = 3 + armed.find((f) => f.id === dice.id)!.fired;
    expect(rows.reduce((n, r) => n + r.attempts, 0)).toBe(40 + transientFired);
    const sentRows = [...fine.flatMap(byTo), ...byTo(windowClosed!).filter((r) => r.kind === "template")];
    expect(sentRows.every((r) => r.status === "sent")).toBe(true);
    // Meta accepted the fine ones and the async failures once each, and never the refused ones
    await expectAcceptedOnce(t, [...sentRows, ...byTo(asyncFailed!)]);
    const asyncRecords = (await emulatorSends(t.defaultPhone, asyncFailed)).map((s) => s.asyncFailure);
    expect(asyncRecords).toEqual(byTo(asyncFailed!).map(() => ({ code: 131049, details: expect.any(String) })));
  }, 60_000);
});

describe("timeouts and slow answers", () => {
  it("the route answers 202 when Meta is slower than the wait budget; timed-out attempts are retried; every message ends terminal", async () => {
    const t = await createMessagingTenant();
    await emulatorSettings(t.metaWabaId, { mpsLimit: 100_000 });
    const [hangsSixTimes, slow, neverAnswers, fine] = await openWindows(t, 4, 3);
    // META_TIMEOUT_MS is 1.5 s in tests: a 4 s hang is a timeout; a 1.2 s slow answer is within it
    await addFault({ phoneNumberId: t.defaultPhone, to: hangsSixTimes!, action: "hang", ms: 4000, times: 6 });
    await addFault({ phoneNumberId: t.defaultPhone, to: slow!, action: "slow", ms: 1200, times: "always" });
    await addFault({ phoneNumberId: t.defaultPhone, to: neverAnswers!, action: "hang", ms: 4000, times: "always" });

    const wait1 = { Prefer: "wait=1" };
    const plan = [
      ...Array.from({ length: 6 }, () => ({ to: hangsSixTimes!, headers: wait1 })),
      ...Array.from({ length: 6 }, () => ({ to: slow!, headers: wait1 })),
      ...Array.from({ length: 2 }, () => ({ to: neverAnswers!, headers: wait1 })),
      ...Array.from({ length: 6 }, () => ({ to: fine!, headers: {} })),
    ];
    const answers = await Promise.all(
      plan.map(async ({ to, headers }, i) => {
        const res = await send(t, i, to, headers);
        return { to, status: res.status, body: await jsonOf(res) };
      }),
    );
    const statuses = (phone: string) => answers.filter((a) => a.to === phone).map((a) => a.status);
    // Meta slower than a 1 s budget: 202 with the message id, never an error
    expect(statuses(slow!)).toEqual([202, 202, 202, 202, 202, 202]);
    expect(statuses(neverAnswers!)).toEqual([202, 202]);
    for (const s of statuses(hangsSixTimes!)) expect([200, 202]).toContain(s);
    expect(statuses(fine!)).toEqual([200, 200, 200, 200, 200, 200]);
    for (const a of answers.filter((a) => a.status === 202)) expect(a.body).toEqual({ id: expect.stringMatching(/^[0-9a-f]{24}$/), status: "queued" });

    // nine attempts of 1.5 s each before the last two give up
    const rows = await settled(t, 20, 45_000);
    const byTo = (phone: string) => rows.filter((r) => r.to === phone);
    for (const row of byTo(neverAnswers!)) {
      expect(row).toMatchObject({ status: "failed", attempts: 9, wamid: null });
      expect(errorOf(row)).toMatchObject({ source: "relay", code: null, message: expect.stringMatching(/^Gave up after 9 attempts; last error: Meta did not answer within 1500 ms/) });
    }
    const delivered = [...byTo(hangsSixTimes!), ...byTo(slow!), ...byTo(fine!)];
    expect(delivered.filter((r) => r.status !== "sent")).toEqual([]);
    // each of the six hangs cost one attempt and nothing else did
    expect(byTo(hangsSixTimes!).reduce((n, r) => n + r.attempts, 0)).toBe(6 + 6);
    expect([...byTo(slow!), ...byTo(fine!)].every((r) => r.attempts === 1)).toBe(true);
    await expectAcceptedOnce(t, delivered);
    // a client that got 202 finds the outcome by id
    for (const a of answers.filter((a) => a.status === 202 && a.to === slow)) {
      const row = rows.find((r) => r.id === a.body.id)!;
      expect(await jsonOf(await api(`/v1/messages/${a.body.id}`, { key: t.secret }))).toMatchObject({ status: "sent", wamid: row.wamid });
    }
  }, 60_000);
});

describe("queue redelivery", () => {
  it("duplicate deliveries of send jobs, racing the queue's own while Meta is slow, reach Meta once per message", async () => {
    const t = await createMessagingTenant();
    await emulatorSettings(t.metaWabaId, { mpsLimit: 100_000 });
    const [recipient, refused] = await openWindows(t, 2, 4);
    // slow enough that the duplicates arrive while a delivery still holds its claim
    await addFault({ phoneNumberId: t.defaultPhone, to: recipient!, action: "slow", ms: 1000, times: "always" });
    await addFault({ phoneNumberId: t.defaultPhone, to: refused!, action: "error", status: 400, code: 131026, times: "always" });

    const ids = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const res = await send(t, i, i < 16 ? recipient! : refused!, { Prefer: "respond-async" });
        expect(res.status).toBe(202);
        return (await jsonOf(res)).id as string;
      }),
    );
    // the queue delivers each job once by itself; every job is delivered twice more, in one batch, at once
    const jobs: SendJob[] = ids.map((messageId) => ({ wabaId: t.waba.id, messageId }));
    const racing = await deliver([...jobs, ...jobs], 2);
    // each delivery is settled explicitly: acknowledged (it sent, or found the message done) or retried
    // later because another delivery's claim is live; some did meet a live claim, so the race happened
    expect(racing.explicitAcks.length + racing.retryMessages.length).toBe(40);
    expect(racing.retryMessages.length).toBeGreaterThan(0);

    const rows = await settled(t, 20);
    const sent = rows.filter((r) => r.to === recipient);
    expect(sent.map((r) => r.status)).toEqual(Array(16).fill("sent"));
    for (const row of rows.filter((r) => r.to === refused)) {
      expect(row).toMatchObject({ status: "failed", wamid: null });
      expect(errorOf(row)).toMatchObject({ source: "meta", code: 131026 });
    }
    // one claim per message: the duplicates never reached Meta
    expect(rows.every((r) => r.attempts === 1)).toBe(true);
    await expectAcceptedOnce(t, sent);

    // the deliveries that were told to retry come back after the claim: acknowledged, nothing sent, nothing changed
    const late = await deliver(jobs, 3);
    expect(late.retryMessages).toEqual([]);
    expect(late.explicitAcks).toHaveLength(20);
    expect(await outbound(t)).toEqual(rows);
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(16);
  }, 60_000);
});
