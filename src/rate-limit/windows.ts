import { BURST_MS, MINUTE_MS } from "./plans";

// Two fixed windows, both aligned to UTC: the minute and the 10-second burst. A request is admitted
// only when both have room, and then counts against both.

export type Windows = { minuteStart: number; minuteCount: number; burstStart: number; burstCount: number };

export type WindowState = { limit: number; remaining: number; resetMs: number };

export type RateDecision = {
  admitted: boolean;
  minute: WindowState;
  burst: WindowState;
  /** when not admitted: when the blocking window resets (ms), and that in whole seconds from now */
  blockedUntil?: number;
  retryAfter?: number;
};

export const EMPTY_WINDOWS: Windows = { minuteStart: 0, minuteCount: 0, burstStart: 0, burstCount: 0 };

export function decide(
  w: Windows,
  limits: { perMinute: number; burst: number },
  now: number,
): { decision: RateDecision; next: Windows } {
  const minuteStart = now - (now % MINUTE_MS);
  const burstStart = now - (now % BURST_MS);
  const minuteCount = w.minuteStart === minuteStart ? w.minuteCount : 0;
  const burstCount = w.burstStart === burstStart ? w.burstCount : 0;
  const minuteFull = minuteCount >= limits.perMinute;
  const burstFull = burstCount >= limits.burst;
  const admitted = !minuteFull && !burstFull;
  const used = admitted ? 1 : 0;
  const next = { minuteStart, minuteCount: minuteCount + used, burstStart, burstCount: burstCount + used };
  const minute = { limit: limits.perMinute, remaining: Math.max(0, limits.perMinute - next.minuteCount), resetMs: minuteStart + MINUTE_MS };
  const burst = { limit: limits.burst, remaining: Math.max(0, limits.burst - next.burstCount), resetMs: burstStart + BURST_MS };
  const decision: RateDecision = { admitted, minute, burst };
  if (!admitted) {
    const blockedUntil = Math.max(minuteFull ? minute.resetMs : 0, burstFull ? burst.resetMs : 0);
    decision.blockedUntil = blockedUntil;
    decision.retryAfter = Math.max(1, Math.ceil((blockedUntil - now) / 1000));
  }
  return { decision, next };
}

/**
 * X-RateLimit-* as the spec names them, plus the IETF draft's RateLimit-Policy / RateLimit fields.
 * Limit is the plan's per-minute figure; Remaining is what can be sent right now (the lower of the two
 * windows) and Reset is when the window that bounds Remaining starts over.
 */
export function rateLimitHeaders(d: RateDecision, now: number): Record<string, string> {
  const bounding = d.burst.remaining < d.minute.remaining ? d.burst : d.minute;
  const resetAt = d.blockedUntil ?? bounding.resetMs;
  const secs = (ms: number) => Math.max(0, Math.ceil((ms - now) / 1000));
  const headers: Record<string, string> = {
    "X-RateLimit-Limit": String(d.minute.limit),
    "X-RateLimit-Remaining": String(Math.min(d.minute.remaining, d.burst.remaining)),
    "X-RateLimit-Reset": String(Math.ceil(resetAt / 1000)),
    "RateLimit-Policy": `"minute";q=${d.minute.limit};w=60, "burst";q=${d.burst.limit};w=10`,
    RateLimit: `"minute";r=${d.minute.remaining};t=${secs(d.minute.resetMs)}, "burst";r=${d.burst.remaining};t=${secs(d.burst.resetMs)}`,
  };
  if (d.retryAfter !== undefined) headers["Retry-After"] = String(d.retryAfter);
  return headers;
}
