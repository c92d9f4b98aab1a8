// API key format: wbiz_<live|test>_<43 base62 chars = 32 random bytes><6 base62 chars of CRC32 checksum>.
// The checksum lets a mistyped or truncated key be refused before any storage is read (GitHub's idea).
import type { KeyMode } from "../db/schema";

export type { KeyMode };

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BODY_LEN = 43;
const CHECK_LEN = 6;
const KEY_PATTERN = /^wbiz_(live|test)_([0-9A-Za-z]{43})([0-9A-Za-z]{6})$/;

function base62(n: bigint, width: number): string {
  let out = "";
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(width, "0");
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of new TextEncoder().encode(text)) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function checksum(prefixAndBody: string): string {
  return base62(BigInt(crc32(prefixAndBody)), CHECK_LEN);
}

/** Builds a key from 32 bytes of entropy (random in production, fixed for the local demo keys). */
export function formatApiKey(mode: KeyMode, entropy: Uint8Array): string {
  if (entropy.length !== 32) throw new Error("an API key needs 32 bytes of entropy");
  const n = entropy.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
  const head = `wbiz_${mode}_${base62(n, BODY_LEN)}`;
  return head + checksum(head);
}

export function generateApiKey(mode: KeyMode): string {
  return formatApiKey(mode, crypto.getRandomValues(new Uint8Array(32)));
}

export type KeyShapeProblem = "malformed" | "bad_checksum";

/** Checks shape and checksum only; says nothing about whether the key exists. */
export function checkApiKeyShape(key: string): { ok: true; mode: KeyMode } | { ok: false; problem: KeyShapeProblem } {
  const m = KEY_PATTERN.exec(key);
  if (!m) return { ok: false, problem: "malformed" };
  const head = `wbiz_${m[1]}_${m[2]}`;
  if (checksum(head) !== m[3]) return { ok: false, problem: "bad_checksum" };
  return { ok: true, mode: m[1] as KeyMode };
}

export async function hashApiKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** "wbiz_live_3xK9" — shown in key lists so people can tell keys apart. */
export function displayPrefix(key: string): string {
  return key.slice(0, "wbiz_live_".length + 4);
}
