import type { MessageError } from "../messages/outcome";
import type { GraphResult } from "./graph";

// What to do when Meta refuses a send (Meta's error codes, Cloud API docs "Error codes"): retry transient failures
// with backoff; everything else fails the message at once. The verdict comes from Meta's error, not the
// HTTP status: Meta answers some permanent errors with HTTP 500 (3, a permission problem; 131045, a
// registration problem), and its error-codes page says to "build your app's error handling logic around
// code values and details". In order: Meta's `is_transient` flag when present (Meta's OpenAPI
// GraphAPIError), then the code, then — for a code we do not know — the HTTP status. Meta's "deferred"
// codes (131048, 131049, 132015, 368: hours or days) are not worth holding a send for, so they fail at
// once too, with Meta's reason.

/** Codes Meta documents as temporary. */
export const TRANSIENT_CODES: ReadonlySet<number> = new Set([2, 4, 80007, 130429, 131000, 131016, 131056, 131057, 133004]);

/** Codes Meta documents as permanent for the request, whatever HTTP status they come with (200–299 too). */
export const PERMANENT_CODES: ReadonlySet<number> = new Set([
  0, 3, 10, 100, 190, 368, 130472, 131005, 131008, 131009, 131021, 131026, 131030, 131031, 131042, 131045, 131047, 131048, 131049, 131050, 131051,
  131052, 131053, 131062, 132000, 132001, 132005, 132007, 132012, 132015, 132016, 132018, 132068, 132069, 133000, 133010, 133016, 135000, 137000,
]);

export type Verdict = "retry" | "fail";

export function verdictFor(result: Exclude<GraphResult<unknown>, { ok: true }>, attempt: number): Verdict {
  if (result.kind !== "graph") return "retry"; // network error or timeout
  const { code, is_transient: transient } = result.error;
  if (typeof transient === "boolean") return transient ? "retry" : "fail";
  if (code === 1) return attempt <= 1 ? "retry" : "fail"; // "possible server error": once
  if (TRANSIENT_CODES.has(code)) return "retry";
  if (PERMANENT_CODES.has(code) || (code >= 200 && code <= 299)) return "fail";
  return result.status >= 500 ? "retry" : "fail";
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
