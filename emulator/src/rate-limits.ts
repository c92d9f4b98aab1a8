import { pairKey, state } from "./store";

const WINDOW_MS = 1000;

function recent(phoneNumberId: string, now: number): number[] {
  const sends = (state.recentSends.get(phoneNumberId) ?? []).filter((t) => now - t < WINDOW_MS);
  state.recentSends.set(phoneNumberId, sends);
  return sends;
}

/** false when the phone number already sent `limit` messages in the last second (→ 130429). */
export function withinThroughput(phoneNumberId: string, limit: number, now: number): boolean {
  return recent(phoneNumberId, now).length < limit;
}

/** false when this recipient got a message from this number less than `intervalMs` ago (→ 131056). */
export function withinPairRate(phoneNumberId: string, waId: string, intervalMs: number, now: number): boolean {
  const last = state.lastPairSend.get(pairKey(phoneNumberId, waId));
  return last === undefined || now - last >= intervalMs;
}

export function recordSend(phoneNumberId: string, waId: string, now: number): void {
  recent(phoneNumberId, now).push(now);
  state.lastPairSend.set(pairKey(phoneNumberId, waId), now);
}
