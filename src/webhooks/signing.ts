import { toBase64 } from "../crypto/secret-box";
import { hmacSha256Hex } from "../crypto/hmac";

// Outbound webhook signatures, Stripe-style: `WBIZ-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`
// over `${t}.${body}` with the endpoint's secret. The timestamp lets receivers refuse replays.

export const SIGNATURE_HEADER = "WBIZ-Signature";

export function generateWebhookSecret(): string {
  const b64 = toBase64(crypto.getRandomValues(new Uint8Array(32)));
  return `whsec_${b64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")}`;
}

export async function signatureHeader(secret: string, body: string, timestampSeconds: number): Promise<string> {
  return `t=${timestampSeconds},v1=${await hmacSha256Hex(secret, `${timestampSeconds}.${body}`)}`;
}
