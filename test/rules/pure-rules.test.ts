import { describe, expect, it } from "vitest";
import type { MessageStatus } from "../../src/data-plane/schema";
import { claimIdempotencyKey, completeIdempotencyKey, IDEMPOTENCY_TTL_MS, releaseIdempotencyKey, type Entry, type IdempotencyRecords } from "../../src/durable-objects/idempotency-store";
import { groupCalls } from "../../src/domain/group-calls";
import { TRANSITIONS } from "../../src/messages/lifecycle";
import { splitIntoJobs } from "../../src/meta-events/meta-payload";
import { backoffSeconds } from "../../src/meta/error-policy";
import { decide, EMPTY_WINDOWS, type Windows } from "../../src/rate-limit/windows";

// The pure rules under the routes, the relay and the consumers, table by table.

describe("rate limits: two fixed UTC windows, a request needs room in both", () => {
  const plan = { perMinute: 60, burst: 15 };
  const at = Date.UTC(2026, 11, 2, 12, 0, 0);
  const w = (minuteCount: number, burstCount: number, minuteStart = at, burstStart = at): Windows => ({ minuteStart, minuteCount, burstStart, burstCount });
  const cases: Array<[string, Windows, number, boolean, number | undefined]> = [
    ["an empty key", EMPTY_WINDOWS, at, true, undefined],
    ["the last request of the burst", w(14, 14), at + 1000, true, undefined],
    ["a full burst", w(15, 15), at + 1000, false, 9],
    ["a full burst, next 10-second window", w(15, 15), at + 10_000, true, undefined],
    ["a full minute, burst window fresh", w(60, 0, at, at + 50_000), at + 55_000, false, 5],
    ["a full minute, next minute", w(60, 15), at + 60_000, true, undefined],
  ];
  it.each(cases)("%s", (_name, windows, now, admitted, retryAfter) => {
    const { decision, next } = decide(windows, plan, now);
    expect(decision.admitted).toBe(admitted);
    expect(decision.retryAfter).toBe(retryAfter);
    if (!admitted) expect(next.minuteCount + next.burstCount).toBe((windows.minuteStart === now - (now % 60_000) ? windows.minuteCount : 0) + (windows.burstStart === now - (now % 10_000) ? windows.burstCount : 0));
  });
});

describe("backoff: exponential with equal jitter, capped", () => {
  it.each([
    [1, 2, 300, 1, 2],
    [2, 2, 300, 2, 4],
    [5, 2, 300, 16, 32],
    [20, 2, 300, 150, 300],
    [3, 0, 300, 0, 0],
    [12, 30, 3600, 1800, 3600],
  ])("attempt %i, base %i s, cap %i s: between %i and %i s", (attempt, base, cap, min, max) => {
    for (let i = 0; i < 50; i++) {
      const s = backoffSeconds(attempt, base, cap);
      expect(s).toBeGreaterThanOrEqual(min);
      expect(s).toBeLessThanOrEqual(max);
    }
  });
});

describe("Meta webhook jobs: one per change, cut to stay under the queue's message size", () => {
  const status = (i: number) => ({ id: `wamid.${"x".repeat(200)}${i}`, status: "delivered", timestamp: "1", recipient_id: "1" });
  const envelope = (changes: Array<{ field: string; value: Record<string, unknown> }>) => ({ object: "whatsapp_business_account", entry: [{ id: "1", changes }] });
  const cases: Array<[string, Array<{ field: string; value: Record<string, unknown> }>, number]> = [
    ["one small change", [{ field: "messages", value: { statuses: [status(1)] } }], 1],
    ["two changes", [{ field: "messages", value: {} }, { field: "message_template_status_update", value: { event: "APPROVED" } }], 2],
    ["1000 statuses (≈ 250 KB) are cut in parts", [{ field: "messages", value: { statuses: Array.from({ length: 1000 }, (_, i) => status(i)) } }], 4],
  ];
  it.each(cases)("%s → %i job(s), every status kept once", (_name, changes, jobs) => {
    const out = splitIntoJobs(envelope(changes), 1);
    expect(out).toHaveLength(jobs);
    for (const job of out) expect(new TextEncoder().encode(JSON.stringify(job)).length).toBeLessThanOrEqual(100_000);
    const statuses = out.flatMap((j) => (j.value.statuses as unknown[] | undefined) ?? []);
    expect(statuses).toHaveLength(changes.reduce((n, c) => n + ((c.value.statuses as unknown[] | undefined)?.length ?? 0), 0));
  });
});

describe("Idempotency-Key claims", () => {
  /** An in-memory stand-in for the WABA object's idempotency_keys table (the same get/put/delete). */
  function records(): IdempotencyRecords {
    const m = new Map<string, Entry<unknown>>();
    return { get: (k) => m.get(k), put: (k, v) => void m.set(k, v), delete: (k) => void m.delete(k) };
  }
  const response = { status: 200, body: "{}", headers: {} };
  const steps: Array<[string, (s: IdempotencyRecords) => unknown, string]> = [
    ["a new key is claimed", (s) => claimIdempotencyKey(s, "k", "f1", 0, 1000).kind, "claimed"],
    ["the same key while in flight", (s) => (claimIdempotencyKey(s, "k", "f1", 0, 1000), claimIdempotencyKey(s, "k", "f1", 10, 1000).kind), "in_flight"],
    ["another body while in flight", (s) => (claimIdempotencyKey(s, "k", "f1", 0, 1000), claimIdempotencyKey(s, "k", "f2", 10, 1000).kind), "mismatch"],
    ["a lapsed lease is claimed again", (s) => (claimIdempotencyKey(s, "k", "f1", 0, 1000), claimIdempotencyKey(s, "k", "f1", 2000, 1000).kind), "claimed"],
    ["a completed key replays", (s) => (claimIdempotencyKey(s, "k", "f1", 0, 1000), completeIdempotencyKey(s, "k", "f1", response, 5), claimIdempotencyKey(s, "k", "f1", 10, 1000).kind), "replay"],
    ["a completed key with another body", (s) => (claimIdempotencyKey(s, "k", "f1", 0, 1000), completeIdempotencyKey(s, "k", "f1", response, 5), claimIdempotencyKey(s, "k", "f2", 10, 1000).kind), "mismatch"],
    ["after 24 hours the key is new", (s) => (claimIdempotencyKey(s, "k", "f1", 0, 1000), completeIdempotencyKey(s, "k", "f1", response, 5), claimIdempotencyKey(s, "k", "f2", IDEMPOTENCY_TTL_MS, 1000).kind), "claimed"],
    ["a released claim is claimed again", (s) => (claimIdempotencyKey(s, "k", "f1", 0, 1000), releaseIdempotencyKey(s, "k", "f1"), claimIdempotencyKey(s, "k", "f2", 10, 1000).kind), "claimed"],
  ];
  it.each(steps)("%s → %s", (_name, run, kind) => {
    expect(run(records())).toBe(kind);
  });
});

describe("the message lifecycle table", () => {
  const all: MessageStatus[] = ["queued", "sending", "held", "sent", "delivered", "read", "played", "failed"];
  // every allowed change, with the event it emits (null: the relay's own bookkeeping, not announced)
  const allowed: Record<string, string | null> = {
    "sending→queued": null,
    "queued→sending": null, "sending→sending": null,
    "queued→held": "message.held", "sending→held": "message.held",
    "queued→sent": "message.sent", "sending→sent": "message.sent", "held→sent": "message.sent",
    "queued→delivered": "message.delivered", "sending→delivered": "message.delivered", "held→delivered": "message.delivered", "sent→delivered": "message.delivered",
    "queued→read": "message.read", "sending→read": "message.read", "held→read": "message.read", "sent→read": "message.read", "delivered→read": "message.read",
    "queued→played": "message.played", "sending→played": "message.played", "held→played": "message.played", "sent→played": "message.played",
    "delivered→played": "message.played", "read→played": "message.played",
    "queued→failed": "message.failed", "sending→failed": "message.failed", "held→failed": "message.failed", "sent→failed": "message.failed", "delivered→failed": "message.failed",
  };
  it.each(all.flatMap((from) => all.map((to) => [from, to] as const)))("%s → %s", (from, to) => {
    const rule = TRANSITIONS[to];
    const key = `${from}→${to}`;
    expect(rule.from.includes(from), key).toBe(key in allowed);
    if (key in allowed) expect(rule.event).toBe(allowed[key]);
  });
});

describe("group commit: items submitted together, or while a call runs, go in one call", () => {
  /** A batched call that answers each item doubled, recording the groups it was given; `fail` makes a group fail. */
  function recorder(fail: (items: number[]) => boolean = () => false) {
    const groups: number[][] = [];
    let release: (() => void) | null = null;
    const call = groupCalls(async (items: number[]) => {
      groups.push(items);
      await new Promise<void>((r) => (release = r));
      if (fail(items)) throw new Error(`group ${items.join(",")} failed`);
      return items.map((i) => i * 2);
    }, 3);
    const next = async () => {
      await new Promise((r) => setTimeout(r, 0));
      release?.();
    };
    return { groups, call, next };
  }

  // [name, item batches submitted one after another (each in its own turn), expected groups]
  const cases: Array<[string, number[][], number[][]]> = [
    ["one item alone", [[1]], [[1]]],
    ["one turn's items together", [[1, 2]], [[1, 2]]],
    ["items submitted while a call runs wait for the next", [[1], [2, 3]], [[1], [2, 3]]],
    ["a group holds at most maxItems", [[1, 2, 3, 4, 5]], [[1, 2, 3], [4, 5]]],
  ];
  it.each(cases)("%s", async (_name, turns, expected) => {
    const { groups, call, next } = recorder();
    const answers: Array<Promise<number>> = [];
    for (const turn of turns) {
      answers.push(...turn.map((i) => call(i)));
      await new Promise((r) => setTimeout(r, 0));
    }
    while (groups.flat().length < turns.flat().length || groups.length < expected.length) await next();
    await next();
    expect(await Promise.all(answers)).toEqual(turns.flat().map((i) => i * 2));
    expect(groups).toEqual(expected);
  });

  it("a failed call fails exactly the items it carried", async () => {
    const { call, next } = recorder((items) => items.includes(1));
    const first = call(1);
    await new Promise((r) => setTimeout(r, 0));
    const second = call(2);
    await next();
    await expect(first).rejects.toThrow("group 1 failed");
    await next();
    await expect(second).resolves.toBe(4);
  });
});
