/** Digits only: "+1 555-078-3881" → "15550783881" (the webhook's display_phone_number). */
export function digitsOf(phone: string): string {
  return phone.replace(/\D/g, "");
}

/** The country calling code of a display number written with a separator after it ("+91 80 …" → "91"). */
export function countryCodeOf(displayPhoneNumber: string): string | undefined {
  return /^\+(\d{1,3})[\s\-(.]/.exec(displayPhoneNumber.trim())?.[1];
}

/**
 * The wa_id Meta would derive from `to`. `+ - ( )` and spaces are allowed. Without a leading `+`, Meta
 * prepends the business number's country code; the emulator does that only when the rest is too short
 * (≤10 digits) to carry its own country code, since clients routinely send full numbers without `+`.
 */
export function recipientWaId(to: string, businessDisplayNumber: string): string | undefined {
  const trimmed = to.trim();
  if (!/^\+?[\d\s\-()]+$/.test(trimmed)) return undefined;
  let digits = digitsOf(trimmed);
  if (!trimmed.startsWith("+") && digits.length <= 10) {
    const cc = countryCodeOf(businessDisplayNumber);
    if (cc !== undefined) digits = cc + digits;
  }
  if (digits.length < 7 || digits.length > 15 || digits.startsWith("0")) return undefined;
  return digits;
}

/**
 * The wa_id WhatsApp uses for a number, which is not always its E.164 digits. Meta only says "For Brazil
 * and Mexico, the extra added prefix of the phone number may be modified by the Cloud API"; the emulator
 * does what WhatsApp is known to do:
 * - Mexico: 52 + 10 digits → 521 + 10 digits (WhatsApp's ids keep the old mobile "1").
 * - Brazil: a 9-digit mobile (55 + area code + 9 + 8 digits) → the legacy 8-digit id without the 9 when
 *   `brazilLegacyWaIds` is on; when it is off, a legacy 8-digit mobile (first digit 6–9) gets its 9 back.
 * Either spelling of a number therefore gives the same wa_id.
 */
export function canonicalWaId(digits: string, opts: { brazilLegacyWaIds: boolean }): string {
  if (/^52[2-9]\d{9}$/.test(digits)) return `521${digits.slice(2)}`;
  if (opts.brazilLegacyWaIds && /^55[1-9]{2}9\d{8}$/.test(digits)) return digits.slice(0, 4) + digits.slice(5);
  if (!opts.brazilLegacyWaIds && /^55[1-9]{2}[6-9]\d{7}$/.test(digits)) return `${digits.slice(0, 4)}9${digits.slice(4)}`;
  return digits;
}

/** One key for every spelling of a number, whatever a WABA's settings: for comparisons (faults, lists, filters). */
export function phoneKey(phone: string): string {
  return canonicalWaId(digitsOf(phone), { brazilLegacyWaIds: true });
}

/** Calling code → ISO 3166 alpha-2, for the BSUID prefix. Shared codes go to their largest country (+1 US, +7 RU). */
const CALLING_CODES: Record<string, string> = {
  1: "US", 7: "RU", 20: "EG", 27: "ZA", 30: "GR", 31: "NL", 32: "BE", 33: "FR", 34: "ES", 36: "HU", 39: "IT", 40: "RO", 41: "CH",
  43: "AT", 44: "GB", 45: "DK", 46: "SE", 47: "NO", 48: "PL", 49: "DE", 51: "PE", 52: "MX", 53: "CU", 54: "AR", 55: "BR", 56: "CL",
  57: "CO", 58: "VE", 60: "MY", 61: "AU", 62: "ID", 63: "PH", 64: "NZ", 65: "SG", 66: "TH", 81: "JP", 82: "KR", 84: "VN", 86: "CN",
  90: "TR", 91: "IN", 92: "PK", 93: "AF", 94: "LK", 95: "MM", 98: "IR", 211: "SS", 212: "MA", 213: "DZ", 216: "TN", 218: "LY",
  220: "GM", 221: "SN", 225: "CI", 233: "GH", 234: "NG", 237: "CM", 243: "CD", 244: "AO", 249: "SD", 251: "ET", 254: "KE",
  255: "TZ", 256: "UG", 260: "ZM", 263: "ZW", 351: "PT", 352: "LU", 353: "IE", 354: "IS", 355: "AL", 356: "MT", 357: "CY",
  358: "FI", 359: "BG", 370: "LT", 371: "LV", 372: "EE", 380: "UA", 381: "RS", 385: "HR", 386: "SI", 420: "CZ", 421: "SK",
  502: "GT", 503: "SV", 504: "HN", 505: "NI", 506: "CR", 507: "PA", 591: "BO", 593: "EC", 595: "PY", 598: "UY", 852: "HK",
  880: "BD", 886: "TW", 961: "LB", 962: "JO", 963: "SY", 964: "IQ", 965: "KW", 966: "SA", 967: "YE", 968: "OM", 970: "PS",
  971: "AE", 972: "IL", 973: "BH", 974: "QA", 977: "NP", 992: "TJ", 994: "AZ", 995: "GE", 998: "UZ",
};

/** The ISO country of a wa_id by its calling code (longest match); undefined for codes not in the table. */
export function countryOf(waId: string): string | undefined {
  for (const length of [3, 2, 1]) {
    const iso = CALLING_CODES[waId.slice(0, length)];
    if (iso !== undefined) return iso;
  }
  return undefined;
}
