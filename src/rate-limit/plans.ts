import type { Plan } from "../db/schema";

/** The spec's plans: requests per UTC minute and per 10-second burst window. */
export const PLAN_LIMITS: Record<Plan, { perMinute: number; burst: number }> = {
  starter: { perMinute: 60, burst: 15 },
  growth: { perMinute: 600, burst: 120 },
  scale: { perMinute: 6000, burst: 1200 },
};

export const MINUTE_MS = 60_000;
export const BURST_MS = 10_000;
