import { describe, expect, it } from "vitest";
import { INLINE_WAIT_MS, MIN_SLOWDOWN, Pacer, phoneIntervalMs, reserve, SLOWDOWN_MS, STALE_RESERVATION_MS, type PaceRequest, type PairPacing, type Slot } from "../../src/relay/pacing";

// The pacing rule (src/relay/pacing.ts) on a pinned clock: slots per phone number and per customer.

const T0 = 1_800_000_000_000;
const NO_PAIR: PairPacing = { intervalMs: 0, burst: 1 };
let n = 0;
const req = (over: Partial<PaceRequest> = {}): PaceRequest => ({ messageId: `m${++n}`, phone: "P1", pair: "P1|c1", mps: 80, pairPacing: NO_PAIR, now: T0, ...over });

describe("reserve (one GCRA step)", () => {
  it.each([
    // tat, now, interval, burst → slot, next tat
    [0, 1000, 100, 1, 1000, 1100], // an idle lane: now
    [1100, 1000, 100, 1, 1100, 1200], // one ahead: the next interval
    [1100, 1000, 100, 3, 1000, 1200], // inside the burst: now
    [1200, 1000, 100, 3, 1000, 1300],
    [1300, 1000, 100, 3, 1100, 1400], // the burst is spent: spaced again
    [900, 5000, 100, 3, 5000, 5100], // long idle: no credit beyond the burst
  ])("tat %i, now %i, interval %i, burst %i → slot %i, tat %i", (tat, now, interval, burst, slot, next) => {
    expect(reserve(tat, now, interval, burst)).toEqual({ slotAt: slot, tat: next });
  });
});

describe("Pacer", () => {
  it("never gives one number more than its throughput in any second, and re-queues what is too far ahead", () => {
    const pacer = new Pacer();
    const slots: number[] = [];
    let waiting = 0;
    for (let i = 0; i < 300; i++) {
      const s = pacer.slot(req({ pair: `P1|c${i}` }));
      if (s.kind === "go") slots.push(s.at);
      else waiting++;
    }
    // 95 % of 80/s, evenly spaced: 76 in any second, never Meta's 80
    for (const start of slots) expect(slots.filter((t) => t >= start && t < start + 1000).length).toBeLessThanOrEqual(77);
    for (let i = 1; i < slots.length; i++) expect(slots[i]! - slots[i - 1]!).toBeCloseTo(1000 / 76, 3);
    expect(Math.max(...slots)).toBeLessThanOrEqual(T0 + INLINE_WAIT_MS);
    expect(slots.length + waiting).toBe(300);
    expect(waiting).toBeGreaterThan(0);
  });

  it("keeps a reservation: asked again near its slot, the message goes at it; asked much too late, it gets a new one", () => {
    const pacer = new Pacer();
    for (let i = 0; i < 200; i++) pacer.slot(req({ pair: `P1|c${i}` }));
    const first = pacer.slot(req({ messageId: "late", pair: "P1|late" }));
    expect(first.kind).toBe("wait");
    const until = (first as { until: number }).until;
    expect(pacer.slot(req({ messageId: "late", pair: "P1|late", now: until - 1500 }))).toEqual({ kind: "go", at: until });
    // a reservation long past (the job came back very late): a fresh slot, now
    const again = pacer.slot(req({ messageId: "other", pair: "P1|other" }));
    const stale = (again as { until: number }).until + STALE_RESERVATION_MS + 1;
    expect(pacer.slot(req({ messageId: "other", pair: "P1|other", now: stale }))).toEqual({ kind: "go", at: stale });
  });

  it("numbers are paced apart: a busy number does not slow another", () => {
    const pacer = new Pacer();
    for (let i = 0; i < 500; i++) pacer.slot(req({ pair: `P1|c${i}` }));
    expect(pacer.slot(req({ phone: "P2", pair: "P2|c1" }))).toEqual({ kind: "go", at: T0 });
  });

  it("the number's own throughput sets its pace (20/s for a number shared with the WhatsApp Business app)", () => {
    const pacer = new Pacer();
    const a = pacer.slot(req({ mps: 20, pair: "a" }));
    const b = pacer.slot(req({ mps: 20, pair: "b" }));
    expect(a).toEqual({ kind: "go", at: T0 });
    expect(b).toEqual({ kind: "go", at: T0 + phoneIntervalMs(20, 1) });
    expect(phoneIntervalMs(20, 1)).toBeCloseTo(1000 / 19, 6);
  });

  it("a 130429 halves the number's pace (once for refusals heard together, down to a quarter); a minute later the pace is back", () => {
    const pacer = new Pacer();
    pacer.slot(req());
    pacer.throttled("P1", T0);
    pacer.throttled("P1", T0 + 10); // another send in flight heard the same refusal
    expect(pacer.slowdownOf("P1", T0 + 10)).toBe(0.5);
    const a = pacer.slot(req({ pair: "a", now: T0 + 20 }));
    const b = pacer.slot(req({ pair: "b", now: T0 + 20 }));
    expect((b as { at: number }).at - (a as { at: number }).at).toBeCloseTo(phoneIntervalMs(80, 0.5), 3);
    pacer.throttled("P1", T0 + 1500);
    pacer.throttled("P1", T0 + 3000);
    pacer.throttled("P1", T0 + 4500);
    expect(pacer.slowdownOf("P1", T0 + 4500)).toBe(MIN_SLOWDOWN);
    expect(pacer.slowdownOf("P1", T0 + 4500 + SLOWDOWN_MS)).toBe(1);
  });

  it("pair rate: a burst to one customer goes at once, then one per interval, in order, without holding the number", () => {
    const pacer = new Pacer();
    const pair: PairPacing = { intervalMs: 6000, burst: 2 };
    const to = (id: string, now = T0) => pacer.slot(req({ messageId: id, pair: "P1|c1", pairPacing: pair, now }));
    expect(to("a")).toMatchObject({ kind: "go" });
    expect(to("b")).toMatchObject({ kind: "go" });
    expect(to("c")).toEqual({ kind: "wait", until: T0 + 6000 });
    expect(to("d")).toEqual({ kind: "wait", until: T0 + 12000 });
    // meanwhile another customer of the number is not held up
    const other = pacer.slot(req({ pair: "P1|c2", pairPacing: pair, now: T0 + 1 }));
    expect(other.kind).toBe("go");
    expect((other as { at: number }).at).toBeLessThan(T0 + 100);
    // at its turn, c takes the number's next slot
    expect(to("c", T0 + 6000)).toEqual({ kind: "go", at: T0 + 6000 });
  });

  it("a 131056 pushes the customer's next message a full interval out", () => {
    const pacer = new Pacer();
    const pair: PairPacing = { intervalMs: 6000, burst: 3 };
    pacer.pairThrottled("P1|c1", pair, T0);
    expect(pacer.slot(req({ pair: "P1|c1", pairPacing: pair, now: T0 + 1 }))).toEqual({ kind: "wait", until: T0 + 6000 });
  });

  it("a campaign's messages wait in line, each told a different time, and go only when the number is free", () => {
    const pacer = new Pacer();
    const interval = phoneIntervalMs(80, 1);
    const bulk = (id: string, now = T0) => pacer.slot(req({ messageId: id, pair: `P1|${id}`, bulk: true, now }));
    const when = (s: Slot) => (s.kind === "go" ? s.at : s.until) - T0;
    const a = bulk("a");
    expect(a.kind).toBe("go");
    expect(when(a)).toBe(0);
    const b = bulk("b");
    const c = bulk("c");
    expect([b.kind, c.kind]).toEqual(["wait", "wait"]);
    expect(when(b)).toBeCloseTo(interval, 3);
    expect(when(c)).toBeCloseTo(2 * interval, 3);
    // c asks first at b's time: still behind b
    expect(bulk("c", T0 + interval).kind).toBe("wait");
    const bGo = bulk("b", T0 + interval);
    expect(bGo.kind).toBe("go");
    expect(when(bGo)).toBeCloseTo(interval, 3);
    const cGo = bulk("c", T0 + 2 * interval);
    expect(cGo.kind).toBe("go");
    expect(when(cGo)).toBeCloseTo(2 * interval, 3);
  });

  it("a conversational send made while a campaign runs waits at most one slot", () => {
    const pacer = new Pacer();
    const interval = phoneIntervalMs(80, 1);
    for (let i = 0; i < 200; i++) pacer.slot(req({ messageId: `bulk${i}`, pair: `P1|b${i}`, bulk: true }));
    const single = pacer.slot(req({ messageId: "reply", pair: "P1|customer", now: T0 + 1 }));
    expect(single.kind).toBe("go");
    expect((single as { at: number }).at - (T0 + 1)).toBeLessThanOrEqual(interval);
    // and the line goes on after it
    expect(pacer.slot(req({ messageId: "bulk1", pair: "P1|b1", bulk: true, now: T0 + 2 * interval }))).toMatchObject({ kind: "go" });
  });

  it("a message that does not come back at its turn leaves the line", () => {
    const pacer = new Pacer();
    pacer.slot(req({ messageId: "a", pair: "a", bulk: true }));
    pacer.slot(req({ messageId: "lost", pair: "lost", bulk: true }));
    const later = T0 + 10_000;
    expect(pacer.slot(req({ messageId: "next", pair: "next", bulk: true, now: later }))).toEqual({ kind: "go", at: later });
  });

  it("prune forgets idle lanes and old reservations", () => {
    const pacer = new Pacer();
    for (let i = 0; i < 300; i++) pacer.slot(req({ pair: `P1|c${i}` }));
    pacer.throttled("P1", T0);
    pacer.prune(T0 + 10 * 60_000);
    expect(pacer.slowdownOf("P1", T0 + 10 * 60_000)).toBe(1);
    expect(pacer.slot(req({ now: T0 + 10 * 60_000 }))).toEqual({ kind: "go", at: T0 + 10 * 60_000 });
  });
});
