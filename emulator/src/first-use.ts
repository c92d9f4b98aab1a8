// WABAs and phone numbers that register on first use, where Meta would answer 190 (unknown token) or
// 100/33 (unknown object). Runs before the access check of a Graph request, so that check stays Meta's.
// - Sandbox mode: `wbiz-sandbox-<digits>` is WABA <digits>'s token. That WABA registers if it is unknown
//   (with the starter templates); a phone number nobody owns joins it.
// - AUTO_REGISTER (local dev): an unknown token on /{waba-id}/… registers that WABA with the token and the
//   starter templates; a phone number nobody owns, used with a known token, joins that token's WABA. So a
//   WABA made with the admin CLI works against the emulator without being registered by hand.
import type { EmulatorBindings } from "./env";
import { sandboxToken, sandboxWabaId } from "./sandbox";
import { emulatorMode } from "./settings";
import { starterTemplates } from "./starter-templates";
import { addPhone, findWabaByToken, registerWaba, state, type PhoneNumber, type Waba } from "./store";

export type GraphTarget = { wabaId: string } | { phoneNumberId: string };

/** Meta's object ids are numeric; nothing else registers. */
const META_ID = /^\d{1,20}$/;

export function registerOnFirstUse(env: EmulatorBindings, token: string | undefined, target: GraphTarget): void {
  if (!token) return;
  const mode = emulatorMode(env);
  const tokenWabaId = mode.sandbox ? sandboxWabaId(token) : undefined;
  if (tokenWabaId !== undefined) {
    const waba = state.wabas.get(tokenWabaId) ?? register(tokenWabaId, token, "WBIZ Sandbox");
    if ("phoneNumberId" in target) joinIfUnowned(waba, target.phoneNumberId);
    return;
  }
  if (!mode.autoRegister) return;
  const owner = findWabaByToken(token);
  if ("wabaId" in target) {
    if (!owner && META_ID.test(target.wabaId) && !state.wabas.has(target.wabaId)) register(target.wabaId, token, "Local WABA");
  } else if (owner) {
    joinIfUnowned(owner, target.phoneNumberId);
  }
}

/** Whether a token opens a WABA: its own token, or in sandbox mode the sandbox token of its id. */
export function grantsAccess(waba: Waba, token: string, sandbox: boolean): boolean {
  return waba.accessToken === token || (sandbox && token === sandboxToken(waba.metaWabaId));
}

function register(wabaId: string, token: string, name: string): Waba {
  const result = registerWaba({ metaWabaId: wabaId, name, accessToken: token, phoneNumbers: [], templates: starterTemplates(wabaId) });
  if (result.kind !== "registered") throw new Error("a WABA without phone numbers cannot conflict");
  return result.waba;
}

function joinIfUnowned(waba: Waba, phoneNumberId: string): void {
  if (!META_ID.test(phoneNumberId) || state.phoneOwners.has(phoneNumberId)) return;
  addPhone(waba.metaWabaId, placeholderPhone(phoneNumberId, waba.name));
}

/**
 * A number that joined without saying what it is: a US 555-01xx number, which are reserved for fiction,
 * so it never collides with a real customer's (and recipient-cannot-be-sender stays Meta's rule).
 */
function placeholderPhone(phoneNumberId: string, verifiedName: string): PhoneNumber {
  return { metaPhoneNumberId: phoneNumberId, displayPhoneNumber: `+1 202-555-01${phoneNumberId.slice(-2).padStart(2, "0")}`, verifiedName };
}
