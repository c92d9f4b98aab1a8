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
