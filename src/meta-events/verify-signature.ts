import { hmacSha256Hex, timingSafeEqualStrings } from "../crypto/hmac";

/** Meta's X-Hub-Signature-256: "sha256=" + hex HMAC-SHA256 of the exact raw body, keyed with the app secret. */
export async function verifyMetaSignature(appSecret: string, rawBody: Uint8Array, header: string | undefined): Promise<boolean> {
  if (!header || !appSecret) return false;
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!m) return false;
  const expected = await hmacSha256Hex(appSecret, rawBody);
  return timingSafeEqualStrings(m[1]!.toLowerCase(), expected);
}
