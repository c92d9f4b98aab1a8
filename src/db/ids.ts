// 24 hex characters: 12 of Unix milliseconds, then 12 of randomness that is incremented (not redrawn)
// within the same millisecond, so ids made by one isolate are strictly increasing and sort by time.

let lastMs = 0;
let lastTail = 0n;
const TAIL_MAX = (1n << 48n) - 1n;

export function newId(now = Date.now()): string {
  if (now <= lastMs && lastTail < TAIL_MAX) {
    lastTail += 1n;
    now = lastMs;
  } else {
    const bytes = crypto.getRandomValues(new Uint8Array(6));
    // top bit clear leaves room to increment within the millisecond
    bytes[0]! &= 0x7f;
    lastTail = bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
    lastMs = Math.max(now, lastMs);
    now = lastMs;
  }
  return now.toString(16).padStart(12, "0") + lastTail.toString(16).padStart(12, "0");
}

export const ID_PATTERN = /^[0-9a-f]{24}$/;
