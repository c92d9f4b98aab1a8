import type { MessageError } from "../messages/outcome";
import type { GraphResult } from "./graph";

// What to do when Meta refuses a send (reference §2, "Gateway retry policy"): retry transient failures
// with backoff; everything else fails the message at once. Meta's "deferred" codes (131048, 131049,
// 132015, 368: hours or days) are not worth holding a send for, so they fail at once too, with Meta's
// reason.

const TRANSIENT = new Set([2, 4, 80007, 130429, 131000, 131016, 131056, 131057, 133004]);

export type Verdict = "retry" | "fail";

export function verdictFor(result: Exclude<GraphResult<unknown>, { ok: true }>, attempt: number): Verdict {
  if (result.kind !== "graph") return "retry"; // network error or timeout
  if (result.status >= 500) return "retry";
  const code = result.error.code;
  if (code === 1) return attempt <= 1 ? "retry" : "fail"; // "possible server error": once
  return TRANSIENT.has(code) ? "retry" : "fail";
}

export function messageErrorOf(result: Exclude<GraphResult<unknown>, { ok: true }>): MessageError {
  if (result.kind === "timeout") return { source: "relay", code: null, message: `Meta did not answer within ${result.timeoutMs} ms` };
  if (result.kind === "network") return { source: "relay", code: null, message: `Could not reach Meta: ${result.message}` };
  const e = result.error;
  return {
    source: "meta",
    code: e.code,
    ...(e.error_subcode !== undefined ? { subcode: e.error_subcode } : {}),
    message: e.message,
    ...(e.error_data?.details ? { details: e.error_data.details } : {}),
    ...(e.fbtrace_id ? { fbtraceId: e.fbtrace_id } : {}),
  };
}

/** Exponential backoff with equal jitter: half the step is fixed, half random. Seconds, capped. */
export function backoffSeconds(attempt: number, baseSeconds: number, capSeconds = 300): number {
  const step = Math.min(capSeconds, baseSeconds * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + Math.random() * (step / 2));
}
