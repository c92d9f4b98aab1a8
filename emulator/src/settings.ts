import type { EmulatorBindings } from "./env";
import { state } from "./store";

export type WabaSettings = {
  /** offsets in ms after acceptance for sent, delivered, read (and played); fewer entries stop earlier; [] = no statuses */
  statusDelaysMs: number[];
  /** post every status webhook twice */
  duplicates: boolean;
  /** post the statuses of a message in reverse order (read before delivered before sent) */
  outOfOrder: boolean;
  /** leave out `delivered` (pricing then rides on `read`) */
  skipDelivered: boolean;
  /** non-template sends outside the 24h window fail with 131047 */
  enforceWindow: boolean;
  /** 131047 as a `failed` status after a 200 (Meta's usual way) or as a synchronous 400 */
  windowErrorMode: "async" | "sync";
  /** 131056 when the same recipient gets a second message within pairIntervalMs */
  pairRateLimit: boolean;
  pairIntervalMs: number;
  /** messages per second per phone number before 130429 */
  mpsLimit: number;
  /** wa_ids that get 200 then a `failed` status with 131026 */
  undeliverable: string[];
  /** extra attempts for a webhook answered with non-2xx */
  webhookRetries: number;
  /** path on the API that receives this WABA's webhooks (default WEBHOOK_PATH) */
  webhookPath: string;
  /** Brazilian 9-digit mobiles get WhatsApp's legacy 8-digit wa_id (5511987654321 → 551187654321) */
  brazilLegacyWaIds: boolean;
  /** an audio send with `voice: true` gets `played` after `read` */
  playVoiceNotes: boolean;
  /** what GET /{phone-number-id}?fields=throughput reports for the WABA's numbers (Meta: STANDARD 80/s, HIGH 1,000/s) */
  throughputLevel: "STANDARD" | "HIGH" | "NOT_APPLICABLE";
};

const FALLBACK_DELAYS = [0, 300, 1000];

function parseDelays(raw: string | undefined): number[] {
  if (raw === undefined || raw.trim() === "") return FALLBACK_DELAYS;
  if (raw.trim().toLowerCase() === "none") return [];
  const delays = raw.split(",").map((s) => Number(s.trim()));
  return delays.every((d) => Number.isFinite(d) && d >= 0) ? delays.slice(0, 4) : FALLBACK_DELAYS;
}

function parseCount(raw: string | undefined, fallback: number): number {
  const n = Number(raw);
  return raw !== undefined && Number.isInteger(n) && n >= 0 ? n : fallback;
}

export function defaultSettings(env: EmulatorBindings): WabaSettings {
  return {
    statusDelaysMs: parseDelays(env.STATUS_DELAYS_MS),
    duplicates: false,
    outOfOrder: false,
    skipDelivered: false,
    enforceWindow: false,
    windowErrorMode: "async",
    pairRateLimit: false,
    pairIntervalMs: 6000,
    mpsLimit: parseCount(env.MPS_LIMIT, 80),
    undeliverable: [],
    webhookRetries: parseCount(env.WEBHOOK_RETRIES, 3),
    webhookPath: env.WEBHOOK_PATH,
    brazilLegacyWaIds: true,
    playVoiceNotes: false,
    throughputLevel: "STANDARD",
  };
}

/** What this emulator is, from its vars: parsed once per environment object. */
export type EmulatorMode = {
  /** SANDBOX: the stand-in Meta for test-mode keys (sandbox tokens, magic recipients, no 131047) */
  sandbox: boolean;
  /** the control API under /__emulator: always, except in sandbox mode without CONTROL */
  control: boolean;
  /** AUTO_REGISTER: unknown tokens and phone numbers register on first use (local dev) */
  autoRegister: boolean;
};

const modes = new WeakMap<object, EmulatorMode>();

export function emulatorMode(env: EmulatorBindings): EmulatorMode {
  let mode = modes.get(env);
  if (!mode) {
    const sandbox = env.SANDBOX === "true";
    mode = { sandbox, control: !sandbox || env.CONTROL === "true", autoRegister: env.AUTO_REGISTER === "true" };
    modes.set(env, mode);
  }
  return mode;
}

export function settingsFor(env: EmulatorBindings, wabaId: string): WabaSettings {
  return { ...defaultSettings(env), ...state.settings.get(wabaId) };
}

export function updateSettings(wabaId: string, patch: Partial<WabaSettings>): void {
  state.settings.set(wabaId, { ...state.settings.get(wabaId), ...patch });
}
