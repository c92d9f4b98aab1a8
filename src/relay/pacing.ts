// Send pacing: when the relay may hand a message to Meta so that no phone number exceeds its
// throughput and no customer gets messages faster than Meta's pair rate. A pure rule, kept in the
// memory of the WABA's object (WabaStore: one per WABA and mode, single-threaded, so every consumer
// invocation shares one budget per phone number).
//
// Meta (developers.facebook.com/documentation/business-messaging/whatsapp/throughput): a registered
// number handles 80 messages/s by default, up to 1,000 after an automatic upgrade, 20 for numbers also
// used with the WhatsApp Business app; beyond that Meta answers 130429 until the number is back within
// its level. One number may message one customer about once every 6 seconds (short bursts are tolerated);
// beyond that, 131056. Meta queues nothing for you.
//
// Each lane (a phone number; a phone number and one customer) is a GCRA, the virtual-scheduling form of a
// token bucket: a lane keeps its theoretical arrival time `tat`; a message may go at
// max(now, tat - (burst - 1) × interval), and moves `tat` one interval past that. Phone lanes have a burst
// of 1 at 95 % of the number's rate (slots evenly spaced, with room for the jitter between our claim and
// Meta's clock). A 130429 that still happens halves the number's pace for a minute (again for one a
// second or more later, down to a quarter);
// a 131056 pushes the customer's lane a full interval out. A message is first given its customer's slot,
// and only when that is near its number's slot, so a message waiting for one customer never holds up the
// number for everyone else. State is soft: an object that restarts starts with empty lanes (the first
// sends may then come one burst early, and Meta's 130429 slows the number down again).

/** How far ahead of its slot the relay takes a claim and waits in place; further out, it re-queues the job. */
export const INLINE_WAIT_MS = 2_000;
/** A reservation this far in the past was not used (the job was lost, or came back very late): reserve again. */
export const STALE_RESERVATION_MS = 30_000;
/** Phone lanes run at this share of the number's throughput: room for the jitter between our claim and Meta's clock. */
export const PHONE_HEADROOM = 0.95;
/** After a 130429 the number's pace is halved for this long (a further 130429 a second or more later halves it again and restarts it). */
export const SLOWDOWN_MS = 60_000;
/** 130429s closer together than this are one event (several sends in flight hear the same refusal). */
export const SLOWDOWN_STEP_MS = 1_000;
/** The slowest a number is paced after repeated 130429s: a quarter of its throughput (80 → 20/s, Meta's lowest level). */
export const MIN_SLOWDOWN = 1 / 4;
/** Meta's default throughput per registered phone number (messages per second). */
export const DEFAULT_MPS = 80;

export type PairPacing = {
  /** one message per this many ms to one customer from one number; 0 turns pair pacing off */
  intervalMs: number;
  /** how many may go at once before the interval applies */
  burst: number;
};

export type Slot = { kind: "go"; at: number } | { kind: "wait"; until: number };

/** One GCRA step: the earliest slot at or after `now`, and the lane's next theoretical arrival time. */
export function reserve(tat: number, now: number, intervalMs: number, burst = 1): { slotAt: number; tat: number } {
  const slotAt = Math.max(now, tat - (Math.max(1, burst) - 1) * intervalMs);
  return { slotAt, tat: Math.max(tat, slotAt) + intervalMs };
}

/** A number's interval between two sends (ms), at its throughput, the headroom and any slowdown. */
export function phoneIntervalMs(mps: number, slowdown: number): number {
  return 1000 / (Math.max(1, mps) * PHONE_HEADROOM * slowdown);
}

type Reservation = { pairAt?: number; at?: number };
type PhoneLane = { tat: number; slowdown: number; slowedUntil: number; slowedAt: number };

/**
 * What the pacer needs to know about one message. `bulk`: a campaign's message, which takes the number's
 * slot only when it is free now, in its campaign line's order, so that a conversational send made while a
 * campaign runs waits at most one slot behind it.
 */
export type PaceRequest = { messageId: string; phone: string; pair: string; mps: number; pairPacing: PairPacing; now: number; bulk?: boolean };

/** A bulk message in its number's line: when it was told to come back (dropped when it does not, a while after). */
type InLine = { id: string; until: number };
/** A message that does not come back this long after its turn leaves the bulk line (its job was lost or cancelled). */
const LINE_GRACE_MS = 3_000;

export class Pacer {
  readonly #phones = new Map<string, PhoneLane>();
  readonly #pairs = new Map<string, number>();
  readonly #reservations = new Map<string, Reservation>();
  readonly #lines = new Map<string, InLine[]>();
  #calls = 0;

  /**
   * When this message may go: `go` at a slot no further than INLINE_WAIT_MS ahead (the slot is taken), or
   * `wait` until a slot reserved for it (asking again then finds it). Each message gets its customer's
   * slot first and asks for its number's only once that has come, so the number's lane never holds a
   * slot for a message that cannot use it.
   */
  slot(req: PaceRequest): Slot {
    const { now } = req;
    if (++this.#calls % 1000 === 0) this.prune(now);
    const held = this.#reservations.get(req.messageId);
    if (held?.at !== undefined && held.at >= now - STALE_RESERVATION_MS) {
      if (held.at > now + INLINE_WAIT_MS) return { kind: "wait", until: held.at };
      this.#reservations.delete(req.messageId);
      return { kind: "go", at: held.at };
    }
    let pairAt = held?.pairAt !== undefined && held.pairAt >= now - STALE_RESERVATION_MS ? held.pairAt : undefined;
    if (pairAt === undefined && req.pairPacing.intervalMs > 0) {
      const step = reserve(this.#pairs.get(req.pair) ?? 0, now, req.pairPacing.intervalMs, req.pairPacing.burst);
      this.#pairs.set(req.pair, step.tat);
      pairAt = step.slotAt;
    }
    if (pairAt !== undefined && pairAt > now) {
      this.#reservations.set(req.messageId, { pairAt });
      return { kind: "wait", until: pairAt };
    }
    if (req.bulk) return this.#bulkSlot(req, pairAt);
    const lane = this.#phone(req.phone, now);
    const step = reserve(lane.tat, now, phoneIntervalMs(req.mps, lane.slowdown));
    lane.tat = step.tat;
    if (step.slotAt > now + INLINE_WAIT_MS) {
      this.#reservations.set(req.messageId, { at: step.slotAt });
      return { kind: "wait", until: step.slotAt };
    }
    this.#reservations.delete(req.messageId);
    return { kind: "go", at: step.slotAt };
  }

  /** Meta answered 130429: the number is over its throughput. Halve its pace for a while (once per SLOWDOWN_STEP_MS). */
  throttled(phone: string, now: number): void {
    const lane = this.#phone(phone, now);
    lane.slowedUntil = now + SLOWDOWN_MS;
    if (now - lane.slowedAt < SLOWDOWN_STEP_MS) return;
    lane.slowedAt = now;
    lane.slowdown = Math.max(MIN_SLOWDOWN, lane.slowdown / 2);
  }

  /** Meta answered 131056: this customer got too many messages from the number. Their next slot is an interval out. */
  pairThrottled(pair: string, pairPacing: PairPacing, now: number): void {
    const interval = pairPacing.intervalMs > 0 ? pairPacing.intervalMs : 6_000;
    const burst = pairPacing.intervalMs > 0 ? pairPacing.burst : 1;
    this.#pairs.set(pair, Math.max(this.#pairs.get(pair) ?? 0, now + interval + (Math.max(1, burst) - 1) * interval));
  }

  /** Forgets a reservation (the message was sent, failed or cancelled). */
  release(messageId: string): void {
    this.#reservations.delete(messageId);
    for (const line of this.#lines.values()) {
      const i = line.findIndex((e) => e.id === messageId);
      if (i >= 0) line.splice(i, 1);
    }
  }

  /**
   * A campaign's message: it joins its number's bulk line and goes when it is at the head and the
   * number's lane is free now — so a conversational send made meanwhile finds the lane at most one
   * interval ahead; otherwise it is told when its turn should come (each waiting message a different
   * time: the line does not stampede).
   */
  #bulkSlot(req: PaceRequest, pairAt: number | undefined): Slot {
    const { now } = req;
    const lane = this.#phone(req.phone, now);
    const interval = phoneIntervalMs(req.mps, lane.slowdown);
    let line = this.#lines.get(req.phone);
    if (!line) this.#lines.set(req.phone, (line = []));
    // drop the ones that did not come back at their turn
    while (line.length && line[0]!.id !== req.messageId && line[0]!.until < now - LINE_GRACE_MS) line.shift();
    let pos = line.findIndex((e) => e.id === req.messageId);
    if (pos < 0) pos = line.push({ id: req.messageId, until: now }) - 1;
    const free = Math.max(now, lane.tat);
    // (a message woken for its turn may be a fraction of a millisecond early: clocks here are whole ms)
    if (pos === 0 && free <= now + 1) {
      line.shift();
      const step = reserve(lane.tat, now, interval);
      lane.tat = step.tat;
      this.#reservations.delete(req.messageId);
      return { kind: "go", at: step.slotAt };
    }
    const until = Math.max(free + pos * interval, pairAt ?? 0);
    line[pos]!.until = until;
    if (pairAt !== undefined) this.#reservations.set(req.messageId, { pairAt });
    return { kind: "wait", until };
  }

  /** Drops lanes with nothing ahead (memory stays bounded by what is in flight). */
  prune(now: number): void {
    for (const [pair, tat] of this.#pairs) if (tat < now) this.#pairs.delete(pair);
    for (const [phone, lane] of this.#phones) if (lane.tat < now && lane.slowedUntil < now) this.#phones.delete(phone);
    for (const [id, r] of this.#reservations) if ((r.at ?? r.pairAt ?? 0) < now - STALE_RESERVATION_MS) this.#reservations.delete(id);
    for (const [phone, line] of this.#lines) {
      const kept = line.filter((e) => e.until >= now - LINE_GRACE_MS);
      if (kept.length) this.#lines.set(phone, kept);
      else this.#lines.delete(phone);
    }
  }

  /** How long a send made now would wait for the number's next slot (a dry run's estimate; nothing is reserved). */
  estimateWaitMs(phone: string, mps: number, now: number): number {
    const lane = this.#phones.get(phone);
    const queued = this.#lines.get(phone)?.length ?? 0;
    if (!lane) return 0;
    return Math.max(0, Math.round(Math.max(now, lane.tat) - now)) + Math.round(queued * phoneIntervalMs(mps, lane.slowdown));
  }

  /** The number's current slowdown (1: full pace), for diagnostics and tests. */
  slowdownOf(phone: string, now: number): number {
    return this.#phone(phone, now).slowdown;
  }

  #phone(phone: string, now: number): PhoneLane {
    let lane = this.#phones.get(phone);
    if (!lane) this.#phones.set(phone, (lane = { tat: 0, slowdown: 1, slowedUntil: 0, slowedAt: -Infinity }));
    if (lane.slowdown < 1 && lane.slowedUntil <= now) lane.slowdown = 1;
    return lane;
  }
}
