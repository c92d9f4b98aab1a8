import { parsePhoneNumberFromString } from "libphonenumber-js/max";

// A customer's phone number has two spellings: the real E.164 number, and Meta's `wa_id`, which for
// some countries is not simply its digits. Meta: "For Brazil and Mexico, the extra added prefix of the
// phone number may be modified by the Cloud API" (business-phone-numbers/phone-numbers). In practice a
// Mexican mobile +52 55 1234 3852 has the wa_id 5215512343852 (the "1" Mexico dropped in 2019), and a
// Brazilian 9-digit mobile +55 11 98765 4321 may have the legacy 8-digit wa_id 551187654321. Both
// spellings must reach the same customer, so every number is normalised to the real one.

/** A number is written with digits and these separators, after a leading + (no default country). */
const SPELLING = /^\+[0-9 ().-]+$/;

function valid(e164: string): string | null {
  const parsed = parsePhoneNumberFromString(e164);
  return parsed?.isValid() ? parsed.number : null;
}

/** The real number behind one of Meta's wa_id spellings (digits only, no +), or null if it is not one. */
function fromLegacySpelling(digits: string): string | null {
  // Mexico: 52 1 + 10 digits → 52 + 10 digits
  if (/^521\d{10}$/.test(digits)) return valid(`+52${digits.slice(3)}`);
  // Brazil: 55 + area code + 8-digit mobile (6–9) → 55 + area code + 9 + 8 digits
  const br = /^55(\d{2})([6-9]\d{7})$/.exec(digits);
  if (br) return valid(`+55${br[1]}9${br[2]}`);
  return null;
}

/**
 * A phone number in international form ("+91 98123 45678", "+1 (415) 555-0123", or Meta's wa_id
 * spelling "+5215512343852") → the customer's real E.164 number ("+525512343852"), or null if it is
 * not a valid number for its country. The leading + is required.
 */
export function toE164(input: string): string | null {
  const known = normalised.get(input);
  if (known !== undefined) return known;
  if (normalised.size >= NORMALISED_MAX) normalised.clear();
  const e164 = parseE164(input);
  normalised.set(input, e164);
  return e164;
}

/**
 * Parsing with libphonenumber's metadata costs more CPU than the rest of a send's validation together,
 * and a sender writes to the same customers again and again: answers are kept per isolate (bounded).
 */
const normalised = new Map<string, string | null>();
const NORMALISED_MAX = 10_000;

function parseE164(input: string): string | null {
  const text = input.trim();
  if (!SPELLING.test(text)) return null;
  const parsed = parsePhoneNumberFromString(text);
  if (parsed?.isValid()) return parsed.number;
  return fromLegacySpelling(text.replace(/\D/g, ""));
}

/** Meta's wa_id (digits) → the customer's E.164 number; a wa_id no country validates is kept as +digits. */
export function e164OfWaId(waId: string): string {
  return toE164(`+${waId}`) ?? `+${waId}`;
}

/** The E.164 number as a wa_id would spell it by default (its digits); Meta may answer another spelling. */
export const waIdOf = (e164: string) => e164.slice(1);
