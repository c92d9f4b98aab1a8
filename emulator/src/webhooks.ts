import type { EmulatorBindings } from "./env";
import type { WabaSettings } from "./settings";
import { pushLog, state, type WebhookRecord } from "./store";

/**
 * JSON as Meta serialises webhook bodies: every non-ASCII UTF-16 unit as a lower-case \uXXXX escape
 * (emoji become surrogate pairs) and "/" as "\/". Meta signs these exact bytes, so a receiver that
 * re-serialises the parsed JSON before checking the signature will fail — as it would in production.
 */
export function encodeWebhookBody(payload: unknown): string {
  return JSON.stringify(payload)
    .replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .replaceAll("/", "\\/");
}

async function hmacHex(secret: string, body: string, hash: "SHA-256" | "SHA-1"): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, enc.encode(body));
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The X-Hub-Signature-256 header value for a body. */
export async function signatureFor(secret: string, body: string): Promise<string> {
  return `sha256=${await hmacHex(secret, body, "SHA-256")}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

const RETRY_BASE_MS = 250;

async function attempt(env: EmulatorBindings, record: WebhookRecord, headers: Record<string, string>, path: string): Promise<boolean> {
  const init: RequestInit = { method: "POST", headers, body: record.body };
  const at = new Date().toISOString();
  try {
    let res: Response;
    if (env.API) res = await env.API.fetch(new Request(`https://wbiz-api.internal${path}`, init));
    else if (env.WEBHOOK_URL) res = await fetch(env.WEBHOOK_URL, init);
    else throw new Error("no API binding and no WEBHOOK_URL");
    // Drain the body so the connection is released; its content is of no interest.
    await res.arrayBuffer().catch(() => undefined);
    record.attempts.push({ at, status: res.status });
    record.httpStatus = res.status;
    return res.ok;
  } catch (err) {
    record.attempts.push({ at, error: err instanceof Error ? err.message : String(err) });
    record.httpStatus = null;
    return false;
  }
}

export type WebhookMeta = Pick<WebhookRecord, "wabaId" | "phoneNumberId" | "kind" | "wamid" | "status">;

export type Posted = {
  record: WebhookRecord;
  /** the remaining attempts, if the first one was not answered with 2xx */
  retries: Promise<void>;
};

/**
 * Signs and POSTs one webhook to the API, logging it. Resolves after the first attempt; further
 * attempts (Meta retries non-2xx answers) run in `retries`, with exponential backoff.
 */
export async function postWebhook(
  env: EmulatorBindings,
  meta: WebhookMeta,
  payload: unknown,
  delivery: Pick<WabaSettings, "webhookRetries" | "webhookPath">,
): Promise<Posted> {
  const body = encodeWebhookBody(payload);
  const signature = await signatureFor(env.META_APP_SECRET, body);
  const headers = {
    "Content-Type": "application/json",
    "User-Agent": "facebookexternalua",
    "X-Hub-Signature": `sha1=${await hmacHex(env.META_APP_SECRET, body, "SHA-1")}`,
    "X-Hub-Signature-256": signature,
  };
  const record: WebhookRecord = {
    id: state.nextWebhookId++,
    ...meta,
    body,
    signature,
    httpStatus: null,
    attempts: [],
    at: new Date().toISOString(),
  };
  pushLog(state.webhooks, record);
  const ok = await attempt(env, record, headers, delivery.webhookPath);
  const retry = async () => {
    for (let i = 0; i < delivery.webhookRetries; i++) {
      await sleep(RETRY_BASE_MS * 2 ** i);
      if (await attempt(env, record, headers, delivery.webhookPath)) return;
    }
  };
  return { record, retries: ok ? Promise.resolve() : retry() };
}
