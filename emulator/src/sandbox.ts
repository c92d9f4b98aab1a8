// Sandbox mode (SANDBOX = "true"): this emulator deployed as the Meta that test-mode keys (wbiz_test_…)
// reach (emulator/sandbox.wrangler.toml). The gateway calls it with the token `wbiz-sandbox-<Meta WABA
// id>`, never a real one. State lives in module memory and an isolate restart loses it, so everything
// the sandbox needs is in the token and the path: WABAs and phone numbers register on first use
// (src/first-use.ts). Magic recipient numbers give integrators the failures they need to test.
import { phoneKey } from "./phone";
import { state } from "./store";

const SANDBOX_TOKEN = /^wbiz-sandbox-(\d{1,20})$/;

export function sandboxToken(wabaId: string): string {
  return `wbiz-sandbox-${wabaId}`;
}

/** The Meta WABA id a sandbox token is valid for, or undefined when it is not one. */
export function sandboxWabaId(token: string | undefined): string | undefined {
  return token === undefined ? undefined : SANDBOX_TOKEN.exec(token)?.[1];
}

export type MagicRecipient = {
  /** E.164, as an integrator sends it */
  number: string;
  /** "failed": accepted (200), then one `failed` status with `code`; "throttled_once": the first attempt
   * to the number is refused with `code`, the next one (the gateway's retry) is accepted */
  result: "failed" | "throttled_once";
  code: number;
  meaning: string;
};

/**
 * Recipients that fail on purpose, in sandbox mode only (Twilio's test numbers are the model). Any other
 * valid number is accepted and gets sent → delivered → read on the configured STATUS_DELAYS_MS.
 */
export const MAGIC_RECIPIENTS: readonly MagicRecipient[] = [
  { number: "+15005550001", result: "failed", code: 131026, meaning: "undeliverable: 200, then a failed status with 131026 (Message undeliverable)" },
  {
    number: "+15005550002",
    result: "throttled_once",
    code: 130429,
    meaning: "throughput: the first attempt answers 400 with 130429 (Rate limit hit); the next attempt to the number is accepted",
  },
  {
    number: "+15005550003",
    result: "failed",
    code: 131049,
    meaning: "marketing limit: 200, then a failed status with 131049 (not delivered to maintain healthy ecosystem engagement)",
  },
];

/** The magic recipient a wa_id names, if any. */
export function magicRecipient(waId: string): MagicRecipient | undefined {
  const key = phoneKey(waId);
  return MAGIC_RECIPIENTS.find((m) => phoneKey(m.number) === key);
}

/**
 * For a "throttled_once" recipient: true when this attempt is to be refused. Attempts alternate per
 * (phone number, recipient): refused, accepted, refused, … so every message is throttled once and its
 * retry goes through. The memory is the isolate's: a retry that lands on a fresh isolate is refused once more.
 */
export function throttleThisAttempt(phoneNumberId: string, waId: string): boolean {
  const key = `${phoneNumberId}:${phoneKey(waId)}`;
  if (state.throttledOnce.delete(key)) return false;
  state.throttledOnce.add(key);
  return true;
}
