import { nearestNames } from "../domain/nearest";
import { compose, isRefusal } from "../messages/compose";
import type { SendContent } from "../messages/inputs";
import { partyOf } from "../messages/recipient";
import { windowRefusal, type Refusal, type SendContext } from "../messages/send";
import { findContact } from "./contacts";
import { sendingPhone, type WabaControl } from "./control";
import { recordMessage } from "./messages";
import type { Store } from "./store";
import { templateNames, templateVariants } from "./templates";

// The route half of a send, in the WABA's object: everything the checks need is local, so it is one
// call that resolves the phone number, refuses what Meta would refuse, stores the message (queued) with
// its conversation, and queues the relay's job once that has committed.

export type Admission =
  | { kind: "no_phone" }
  | { kind: "refused"; refusal: Refusal }
  | { kind: "queued"; messageId: string; draftKind: string }
  | { kind: "scheduled"; messageId: string; sendAt: number }
  | { kind: "dry_run"; phoneNumberId: string; draftKind: string; sendAt: number | null };

/**
 * A send's checks, then (unless `dryRun`) its message: queued for the relay, or scheduled when the input
 * has a `sendAt` (the alarm of the WABA's object queues it then). A scheduled text, media, interactive or
 * location send is checked against the 24-hour window as it will be at `sendAt`.
 */
export function admitSend(s: Store, control: WabaControl, content: SendContent, apiKeyId: string, opts: { dryRun?: boolean } = {}): Admission {
  const input = content.input;
  const sendAt = input.sendAt === undefined ? null : Date.parse(input.sendAt);
  const metaPhoneNumberId = sendingPhone(control, input.phoneNumberId);
  if (!metaPhoneNumberId) return { kind: "no_phone" };
  const contact = findContact(s, { phone: input.to ?? null, userId: input.userId ?? null });
  const ctx: SendContext = {
    now: s.now,
    metaPhoneNumberId,
    contact: contact ? { lastInboundAt: contact.lastInboundAt, optedIn: contact.optedIn === 1 } : null,
    templates: content.route === "template" ? templateVariants(s, content.input.template) : [],
  };
  const draft = compose(content, ctx);
  if (isRefusal(draft)) return { kind: "refused", refusal: draft.code === "TEMPLATE_NOT_FOUND" && content.route === "template" ? withSuggestions(s, draft, content.input.template) : draft };
  if (content.route !== "template") {
    const closed = windowRefusal(sendAt === null ? ctx : { ...ctx, now: sendAt });
    if (closed) return { kind: "refused", refusal: closed };
  }
  if (opts.dryRun) return { kind: "dry_run", phoneNumberId: metaPhoneNumberId, draftKind: draft.kind, sendAt };
  const recorded = recordMessage(s, {
    party: partyOf(input), contact, metaPhoneNumberId, direction: "outbound", kind: draft.kind, body: draft.body, payload: draft.payload, apiKeyId,
    ...(sendAt === null ? { status: "queued" } : { status: "scheduled", sendAt }),
  })!;
  if (sendAt !== null) return { kind: "scheduled", messageId: recorded.messageId, sendAt };
  s.effects.sends.push({ wabaId: s.wabaId, messageId: recorded.messageId });
  return { kind: "queued", messageId: recorded.messageId, draftKind: draft.kind };
}

/** TEMPLATE_NOT_FOUND names the WABA's templates closest to the one asked for. */
function withSuggestions(s: Store, refusal: Refusal, name: string): Refusal {
  const near = nearestNames(name, templateNames(s));
  if (near.length === 0) return { ...refusal, message: `${refusal.message}; GET /v1/templates lists the templates you can send` };
  const list = near.join(", ");
  return { ...refusal, message: `${refusal.message}; did you mean ${list}?`, details: [{ field: "template", message: `did you mean: ${list}` }] };
}
