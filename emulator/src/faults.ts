import { phoneKey } from "./phone";
import { state } from "./store";
import { BSUID_OR_PARENT } from "./users";

export type FaultAction =
  /** answer with this Graph error instead of sending; `isTransient` adds Meta's `is_transient` to it */
  | { action: "error"; status?: number; code: number; subcode?: number; message?: string; details?: string; errorType?: string; isTransient?: boolean }
  /** answer nothing for `ms`, then 503 (#2): the message was not sent */
  | { action: "hang"; ms: number }
  /** wait `ms`, then handle the request normally */
  | { action: "slow"; ms: number }
  /** accept (200), then post a `failed` status with this code instead of sent/delivered/read */
  | { action: "async_failure"; code: number; details?: string }
  /** accept the send (logged, status webhooks posted) but hold the 200 back for `ms`: Meta has it, the caller never hears */
  | { action: "lost_answer"; ms: number }
  /** template sends only: 200 with message_status held_for_quality_assessment, no statuses until POST /__emulator/held */
  | { action: "hold" };

export type FaultMatch = {
  phoneNumberId: string;
  /** recipient: a phone number, compared with the send's wa_id in any spelling, or a BSUID, compared with the user's */
  to?: string;
  /** message type (text, template, …); "read" matches mark-as-read, which other rules never match */
  type?: string;
};

/** How often a rule fires: `times` uses, each matching send getting the fault with probability `rate`. */
export type FaultFrequency = {
  times?: number | "always";
  /** 0 < rate ≤ 1: the share of matching sends that get the fault (default 1) */
  rate?: number;
  /** seeds the rule's own PRNG (uint32); random when omitted, and always echoed so a run can be replayed */
  seed?: number;
};

export type FaultInput = FaultMatch & FaultAction & FaultFrequency;

export type FaultRule = FaultMatch &
  FaultAction & {
    id: string;
    times: number | "always";
    rate?: number;
    seed?: number;
    /** matching sends seen by this rule (with a rate, the ones that did not get the fault too) */
    matched: number;
    /** matching sends that got the fault */
    fired: number;
  };

let nextId = 1;
/** Each rate rule's coin, drawn per matching send; kept out of the rule so GET /faults shows plain data. */
const coins = new WeakMap<FaultRule, () => boolean>();

/** mulberry32: a tiny, well-mixed 32-bit PRNG, so the n-th matching send gets the same draw for a seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export function addFault(input: FaultInput): FaultRule {
  const { rate, seed, ...rest } = input;
  const stored = { ...rest, id: `fault_${nextId++}`, times: input.times ?? 1, matched: 0, fired: 0 } as FaultRule;
  if (rate !== undefined) {
    stored.rate = rate;
    stored.seed = seed ?? crypto.getRandomValues(new Uint32Array(1))[0]!;
    const next = mulberry32(stored.seed);
    coins.set(stored, () => next() < rate);
  }
  state.faults.push(stored);
  return stored;
}

export function clearFaults(phoneNumberId?: string): number {
  const before = state.faults.length;
  state.faults = phoneNumberId === undefined ? [] : state.faults.filter((f) => f.phoneNumberId !== phoneNumberId);
  return before - state.faults.length;
}

export type FaultProbe = { phoneNumberId: string; waId?: string; userId?: string; type: string };

function matchesRecipient(to: string, request: FaultProbe): boolean {
  if (BSUID_OR_PARENT.test(to)) return to === request.userId;
  return request.waId !== undefined && phoneKey(to) === phoneKey(request.waId);
}

function matches(f: FaultRule, request: FaultProbe): boolean {
  return (
    f.phoneNumberId === request.phoneNumberId &&
    (f.type === undefined ? request.type !== "read" : f.type.toLowerCase() === request.type) &&
    (f.action !== "hold" || request.type === "template") &&
    (f.to === undefined || matchesRecipient(f.to, request))
  );
}

/**
 * The first matching rule that fires for this request, with one use consumed. A rate rule that draws
 * "no" lets the request fall through to later rules, so rules with rates can be stacked into a mix.
 */
export function takeFault(request: FaultProbe): FaultRule | undefined {
  for (const rule of state.faults) {
    if (!matches(rule, request)) continue;
    rule.matched += 1;
    const fires = coins.get(rule);
    if (fires && !fires()) continue;
    rule.fired += 1;
    if (rule.times !== "always") {
      rule.times -= 1;
      if (rule.times <= 0) state.faults = state.faults.filter((f) => f !== rule);
    }
    return rule;
  }
  return undefined;
}
