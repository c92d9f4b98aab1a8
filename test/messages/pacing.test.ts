import { describe, expect, it, vi } from "vitest";
import type { RelayResult } from "../../src/durable-objects/waba-store";
import type { PairPacing } from "../../src/relay/pacing";
import { admin, api } from "../helpers/api";
import { emulatorSends, emulatorSettings } from "../helpers/emulator";
import { createMessagingTenant, env, messageRow, type MessagingTenant } from "../helpers/messaging";
import { seedMessage, storeOf } from "../helpers/waba";

/** The relay's claim on one message, and its report of Meta's answer for one (the object takes a batch's). */
const claimOne = async (store: ReturnType<typeof storeOf>, wabaId: string, messageId: string, pacing: PairPacing) => (await store.claimSends(wabaId, [messageId], pacing))[0]!;
const completeOne = async (store: ReturnType<typeof storeOf>, wabaId: string, messageId: string, result: RelayResult, pacing?: PairPacing) =>
  (await store.completeSends(wabaId, [{ messageId, result }], pacing))[0]!;

// Send pacing (src/relay/pacing.ts, applied by the WABA's object when the relay claims a message): a
// number's sends stay within its throughput, a customer's within Meta's pair rate and in order, and
// Meta's throttling answers slow the number down without spending attempts.

const PAIR: PairPacing = { intervalMs: 6000, burst: 1 };
const NO_PAIR: PairPacing = { intervalMs: 0, burst: 1 };

/** A queued outbound text to `to` from the tenant's default number, stored without a queue job. */
async function queued(t: MessagingTenant, to: string): Promise<string> {
  const m = await seedMessage(t, {
    party: { phone: to, userId: null },
    metaPhoneNumberId: t.defaultPhone,
    direction: "outbound",
    kind: "text",
    body: "hi",
    payload: { messaging_product: "whatsapp", to: to.slice(1), type: "text", text: { body: "hi" } },
    status: "queued",
  });
  return m!.messageId;
}

describe("send pacing", () => {
  it("a burst of sends never exceeds the number's throughput: Meta refuses none (130429), each is sent once", async () => {
    const t = await createMessagingTenant();
    // a number at 10 messages/s, at Meta's and in our control plane
    await emulatorSettings(t.metaWabaId, { mpsLimit: 10 });
    await env.DB.prepare(`UPDATE phone_numbers SET throughput_mps = 10 WHERE meta_phone_number_id = ?`).bind(t.defaultPhone).run();
    await storeOf(t).invalidate();

    const ids = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const res = await api("/v1/messages/template", {
          key: t.secret, method: "POST", headers: { Prefer: "respond-async" },
          json: { to: `+9198120000${String(i).padStart(2, "0")}`, template: "order_shipped_v2", language: "en_US", variables: ["A", "1", "today"] },
        });
        expect(res.status).toBe(202);
        return ((await res.json()) as { id: string }).id;
      }),
    );
    await vi.waitFor(async () => {
      const rows = await Promise.all(ids.map((id) => messageRow(t, id)));
      expect(rows.map((r) => r?.status)).toEqual(ids.map(() => "sent"));
    }, { timeout: 30_000, interval: 250 });

    for (const id of ids) expect(await messageRow(t, id)).toMatchObject({ attempts: 1, error: null });
    const sends = await emulatorSends(t.defaultPhone);
    expect(sends).toHaveLength(30);
    const times = sends.map((s) => Date.parse(s.at)).sort((a, b) => a - b);
    for (const start of times) expect(times.filter((x) => x >= start && x < start + 1000).length).toBeLessThanOrEqual(10);
  }, 60_000);

  it("pair rate: an earlier message to the same customer goes first, the next waits for the interval, other customers do not", async () => {
    const t = await createMessagingTenant();
    const store = storeOf(t);
    const first = await queued(t, "+919812345678");
    const second = await queued(t, "+919812345678");
    const elsewhere = await queued(t, "+919812340000");

    // the later message cannot overtake the earlier one
    expect(await claimOne(store, t.waba.id, second, PAIR)).toMatchObject({ kind: "paced" });
    const claimed = await claimOne(store, t.waba.id, first, PAIR);
    expect(claimed).toMatchObject({ kind: "claimed", attempts: 1 });
    // nor go while the earlier one is on its way to Meta
    expect(await claimOne(store, t.waba.id, second, PAIR)).toMatchObject({ kind: "paced" });
    await completeOne(store, t.waba.id, first, { kind: "accepted", wamid: "wamid.pace-1", held: false });

    // now its turn comes one pair interval after the first
    const before = Date.now();
    const paced = await claimOne(store, t.waba.id, second, PAIR);
    expect(paced.kind).toBe("paced");
    expect((paced as { until: number }).until - before).toBeGreaterThan(PAIR.intervalMs - 1000);
    expect((await messageRow(t, second))!.status).toBe("queued");

    // another customer of the same number is not held up
    expect(await claimOne(store, t.waba.id, elsewhere, PAIR)).toMatchObject({ kind: "claimed" });
  });

  it("Meta's 130429 releases the claim without spending the attempt and slows the number", async () => {
    const t = await createMessagingTenant();
    const store = storeOf(t);
    const id = await queued(t, "+919812345678");
    expect(await claimOne(store, t.waba.id, id, NO_PAIR)).toMatchObject({ kind: "claimed", attempts: 1 });
    const error = { source: "meta" as const, code: 130429, message: "Rate limit hit" };
    const { retryAt } = await completeOne(store, t.waba.id, id, { kind: "throttled", lane: "phone", error }, NO_PAIR);
    expect(retryAt).toEqual(expect.any(Number));
    expect(await messageRow(t, id)).toMatchObject({ status: "queued", attempts: 0 });

    const next = await Promise.all(Array.from({ length: 5 }, (_, i) => queued(t, `+91981234001${i}`)));
    expect(await claimOne(store, t.waba.id, id, NO_PAIR)).toMatchObject({ kind: "claimed", attempts: 1 });
    // the number now goes at half its pace: its sends' slots are two intervals of 76/s apart (however
    // slowly the claims come, slots are never closer than the interval in force)
    const slots = await Promise.all(next.map((m) => claimOne(store, t.waba.id, m, NO_PAIR)));
    const ats = slots.map((c) => (c as { at: number }).at).sort((a, b) => a - b);
    for (let i = 1; i < ats.length; i++) expect(ats[i]! - ats[i - 1]!).toBeGreaterThanOrEqual(2 * (1000 / 76) - 1);
  });

  it("Meta's 131056 sends the customer's message again a pair interval later, still without spending the attempt", async () => {
    const t = await createMessagingTenant();
    const store = storeOf(t);
    const id = await queued(t, "+919812345678");
    await claimOne(store, t.waba.id, id, PAIR);
    const error = { source: "meta" as const, code: 131056, message: "(Business Account, Consumer Account) pair rate limit hit" };
    await completeOne(store, t.waba.id, id, { kind: "throttled", lane: "pair", error }, PAIR);
    expect(await messageRow(t, id)).toMatchObject({ status: "queued", attempts: 0 });
    const paced = await claimOne(store, t.waba.id, id, PAIR);
    expect(paced.kind).toBe("paced");
    expect((paced as { until: number }).until - Date.now()).toBeGreaterThan(PAIR.intervalMs - 1000);
  });

  it("end to end, a 130429 from Meta ends sent with one attempt spent", async () => {
    const t = await createMessagingTenant();
    await emulatorSettings(t.metaWabaId, { mpsLimit: 0 }); // every send over the limit…
    const res = await api("/v1/messages/template", {
      key: t.secret, method: "POST", headers: { Prefer: "respond-async" },
      json: { to: "+919812345678", template: "order_shipped_v2", language: "en_US", variables: ["A", "1", "today"] },
    });
    const { id } = (await res.json()) as { id: string };
    await vi.waitFor(async () => expect((await messageRow(t, id))!.error).not.toBeNull(), { timeout: 10_000, interval: 100 });
    await emulatorSettings(t.metaWabaId, { mpsLimit: 80 }); // …until Meta lets the number through again
    await vi.waitFor(async () => expect((await messageRow(t, id))!.status).toBe("sent"), { timeout: 20_000, interval: 250 });
    expect(await messageRow(t, id)).toMatchObject({ attempts: 1 });
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(1);
  }, 40_000);

  it("a template sync reads each number's throughput level from Meta (HIGH → 1,000/s); an operator's value is kept", async () => {
    const t = await createMessagingTenant();
    const [first, second] = t.phones.map((p) => p.metaPhoneNumberId);
    await env.DB.prepare(`UPDATE phone_numbers SET throughput_mps = 20, throughput_source = 'admin' WHERE meta_phone_number_id = ?`).bind(second).run();
    await emulatorSettings(t.metaWabaId, { throughputLevel: "HIGH" });
    expect((await admin(`/admin/wabas/${t.waba.id}/templates/sync`, { method: "POST" })).status).toBe(200);
    const rows = await admin(`/admin/wabas/${t.waba.id}/phone-numbers`);
    const byId = new Map(((await rows.json()) as { data: Array<{ metaPhoneNumberId: string; throughputMps: number | null; throughputSource: string | null }> }).data.map((p) => [p.metaPhoneNumberId, p]));
    expect(byId.get(first!)).toMatchObject({ throughputMps: 1000, throughputSource: "meta" });
    expect(byId.get(second!)).toMatchObject({ throughputMps: 20, throughputSource: "admin" });
    // the WABA's object paces the number at its new level: 100 claims at once all fit within a fraction of a second
    const store = storeOf(t);
    const ids = await Promise.all(Array.from({ length: 100 }, (_, i) => queued(t, `+9198123${String(i).padStart(5, "0")}`)));
    const slots = await Promise.all(ids.map((id) => claimOne(store, t.waba.id, id, NO_PAIR)));
    const claimed = Date.now();
    const ats = slots.map((c) => (c as { at: number }).at);
    // 100 slots at 950/s end 105 ms after the first claim; at 76/s they would end 1.3 s after it, however
    // long the claims themselves took (measured against the clock, not as a spread, so a loaded machine
    // that is slow to make the claims does not fail it)
    expect(Math.max(...ats)).toBeLessThan(claimed + 150);
  });
});

