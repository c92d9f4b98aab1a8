import { digitsOf } from "./phone";
import { state } from "./store";

export type FaultAction =
  /** answer with this Graph error instead of sending */
  | { action: "error"; status?: number; code: number; subcode?: number; message?: string; details?: string; errorType?: string }
  /** answer nothing for `ms`, then 503 (#2): the message was not sent */
  | { action: "hang"; ms: number }
  /** wait `ms`, then handle the request normally */
  | { action: "slow"; ms: number }
  /** accept (200), then post a `failed` status with this code instead of sent/delivered/read */
  | { action: "async_failure"; code: number; details?: string };

export type FaultMatch = {
  phoneNumberId: string;
  /** recipient, compared by digits with the send's wa_id */
  to?: string;
  /** message type (text, template, …); "read" matches mark-as-read, which other rules never match */
  type?: string;
};

export type FaultRule = FaultMatch & FaultAction & { id: string; times: number | "always" };

let nextId = 1;

export function addFault(rule: FaultMatch & FaultAction & { times?: number | "always" }): FaultRule {
  const stored = { ...rule, id: `fault_${nextId++}`, times: rule.times ?? 1 } as FaultRule;
  state.faults.push(stored);
  return stored;
}

export function clearFaults(phoneNumberId?: string): number {
  const before = state.faults.length;
  state.faults = phoneNumberId === undefined ? [] : state.faults.filter((f) => f.phoneNumberId !== phoneNumberId);
  return before - state.faults.length;
}

/** The first rule matching this request, with one use consumed. */
export function takeFault(request: { phoneNumberId: string; waId?: string; type: string }): FaultRule | undefined {
  const rule = state.faults.find(
    (f) =>
      f.phoneNumberId === request.phoneNumberId &&
      (f.type === undefined ? request.type !== "read" : f.type.toLowerCase() === request.type) &&
      (f.to === undefined || (request.waId !== undefined && digitsOf(f.to) === request.waId)),
  );
  if (!rule) return undefined;
  if (rule.times !== "always") {
    rule.times -= 1;
    if (rule.times <= 0) state.faults = state.faults.filter((f) => f !== rule);
  }
  return rule;
}
