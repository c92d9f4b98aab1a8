import { parsePhoneNumberFromString } from "libphonenumber-js/max";

/**
 * A phone number in international form ("+91 98123 45678", "+1 (415) 555-0123") → E.164
 * ("+919812345678"), or null if it is not a valid number for its country. Spaces, dashes, dots and
 * parentheses are allowed; the leading + is required (no default country).
 */
export function toE164(input: string): string | null {
  if (!/^\+[0-9 ().-]+$/.test(input.trim())) return null;
  const parsed = parsePhoneNumberFromString(input.trim());
  return parsed?.isValid() ? parsed.number : null;
}

/** Meta's wa_id: the E.164 number without "+". */
export const waIdOf = (e164: string) => e164.slice(1);
export const e164OfWaId = (waId: string) => `+${waId}`;
