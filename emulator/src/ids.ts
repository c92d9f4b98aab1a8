const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

export function randomHex(length: number, upper = false): string {
  const hex = [...randomBytes(Math.ceil(length / 2))].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, length);
  return upper ? hex.toUpperCase() : hex;
}

/** A numeric id like Meta's media, template and phone-number ids (no leading zero). */
export function randomDigits(length: number): string {
  const digits = [...randomBytes(length)].map((b) => String(b % 10));
  if (digits[0] === "0") digits[0] = "1";
  return digits.join("");
}

/** A 16-digit template id below 2^53 (first digit 1–8), so webhooks can carry it as the JSON number Meta sends. */
export function randomTemplateId(): string {
  return `${1 + (randomBytes(1)[0]! % 8)}${[...randomBytes(15)].map((b) => String(b % 10)).join("")}`;
}

/** 64-bit FNV-1a: a stable hash without the async WebCrypto digest. */
export function fnv1a64(text: string): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash;
}

/** A template id like randomTemplateId's, but always the same for the same seed (it survives a restart). */
export function derivedTemplateId(seed: string): string {
  const hash = fnv1a64(seed);
  return `${1n + (hash % 8n)}${((hash / 8n) % 10n ** 15n).toString().padStart(15, "0")}`;
}

/** Graph's fbtrace_id: 23 characters of base64url, e.g. "Az8or2yhqkZfEZ-_4Qn_Bam". */
export function fbtraceId(): string {
  return [...randomBytes(23)].map((b) => BASE64URL[b % 64]).join("");
}

export function unixSeconds(ms = Date.now()): string {
  return String(Math.floor(ms / 1000));
}
