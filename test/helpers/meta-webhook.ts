import { api } from "./api";

export const META_APP_SECRET = "demo-meta-app-secret-local-only";
/** The test-mode sandbox's app secret (wrangler.toml's SANDBOX_APP_SECRET for local work and tests). */
export const SANDBOX_APP_SECRET = "demo-sandbox-app-secret-local-only";

export async function metaSignature(body: string, secret = META_APP_SECRET): Promise<string> {
  return `sha256=${await hmacHex(secret, body)}`;
}

async function hmacHex(secret: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const sig = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body));
  return [...new Uint8Array(sig)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** POSTs a webhook to the API as Meta would, signed with the app secret unless told otherwise. */
export async function postMetaWebhook(payload: unknown, opts: { signature?: string | null; raw?: string } = {}) {
  const body = opts.raw ?? JSON.stringify(payload);
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  const signature = opts.signature === undefined ? `sha256=${await hmacHex(META_APP_SECRET, body)}` : opts.signature;
  if (signature !== null) headers["X-Hub-Signature-256"] = signature;
  return api("/meta/webhook", { method: "POST", body, headers });
}

/** POSTs a raw body to a webhook path of the API, signed with the given secret (Meta's, or the sandbox's). */
export async function signedMetaWebhook(path: "/meta/webhook" | "/meta/sandbox/webhook", body: string, secret: string) {
  const headers = { "Content-Type": "application/json", "X-Hub-Signature-256": `sha256=${await hmacHex(secret, body)}` };
  return api(path, { method: "POST", body, headers });
}

/** Meta's envelope around one `messages` change. */
export function messagesChange(metaWabaId: string, phoneNumberId: string, value: { statuses?: unknown[]; messages?: unknown[]; contacts?: unknown[] }) {
  return {
    object: "whatsapp_business_account",
    entry: [{ id: metaWabaId, changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: "15550000000", phone_number_id: phoneNumberId }, ...value } }] }],
  };
}

export function statusItem(wamid: string, status: string, extra: Record<string, unknown> = {}) {
  return { id: wamid, status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: "919812345678", ...extra };
}
