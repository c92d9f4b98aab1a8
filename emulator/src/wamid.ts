import { randomDigits, randomHex } from "./ids";

// Meta's wamid is base64 of a small Thrift-compact struct (observed in real wamids; Meta does not document it):
//   1C 18 <len> <wa_id digits> 15 02 00 <11 business | 12 user> 18 <len> <id> 00
// Clients must treat it as opaque; building it the same way keeps length and look realistic.
const FROM_BUSINESS = 0x11;
const FROM_USER = 0x12;

function build(waId: string, direction: number, id: string): string {
  const enc = new TextEncoder();
  const wa = enc.encode(waId);
  const idBytes = enc.encode(id);
  const bytes = [0x1c, 0x18, wa.length, ...wa, 0x15, 0x02, 0x00, direction, 0x18, idBytes.length, ...idBytes, 0x00];
  return `wamid.${btoa(String.fromCharCode(...bytes))}`;
}

/** The id of a message the business sent (18 upper-case hex characters inside). */
export function businessWamid(waId: string): string {
  return build(waId, FROM_BUSINESS, randomHex(18, true));
}

/** The id of a message a user sent (20 characters, starting "3A", inside). */
export function userWamid(waId: string): string {
  return build(waId, FROM_USER, `3A${randomHex(18, true)}`);
}

/** The id of a system message (Meta's example carries 10 digits inside, e.g. "1182086267"). */
export function systemWamid(waId: string): string {
  return build(waId, FROM_USER, randomDigits(10));
}

export type DecodedWamid = { waId: string; fromBusiness: boolean; id: string };

/** Reads back what businessWamid/userWamid built; undefined for anything else. */
export function decodeWamid(wamid: string): DecodedWamid | undefined {
  if (!wamid.startsWith("wamid.")) return undefined;
  let raw: string;
  try {
    raw = atob(wamid.slice(6));
  } catch {
    return undefined;
  }
  const b = [...raw].map((ch) => ch.charCodeAt(0));
  if (b[0] !== 0x1c || b[1] !== 0x18) return undefined;
  const waLen = b[2] ?? 0;
  const waId = raw.slice(3, 3 + waLen);
  const at = 3 + waLen;
  const direction = b[at + 3];
  const idLen = b[at + 5] ?? 0;
  const id = raw.slice(at + 6, at + 6 + idLen);
  if (direction !== FROM_BUSINESS && direction !== FROM_USER) return undefined;
  return { waId, fromBusiness: direction === FROM_BUSINESS, id };
}
