import type { Party } from "../data-plane/contacts";

/** A send's recipient: the customer's E.164 number, or their business-scoped user id (BSUID). */
export type Recipient = { to?: string; userId?: string };

/**
 * Meta's recipient fields: `to` for a phone number; `recipient` for a BSUID (Meta, "Business-scoped
 * user IDs": "BSUIDs must now be assigned to dedicated properties/fields in message send requests").
 */
export function metaRecipient(r: Recipient): { to: string } | { recipient: string } {
  return r.to !== undefined ? { to: r.to } : { recipient: r.userId! };
}

/** The contact a send is for, as record-message finds it. */
export function partyOf(r: Recipient): Party {
  return { phone: r.to ?? null, userId: r.userId ?? null };
}

/** How the recipient is named in messages and errors. */
export const describeRecipient = (r: Recipient) => r.to ?? r.userId!;
