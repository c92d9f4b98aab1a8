import { newId } from "../db/ids";
import { foldCase } from "../domain/fold";
import { e164OfWaId, waIdOf } from "../domain/phone";
import { pageOf } from "../schemas/page";
import { emitContactEvent, type ContactChange } from "./events";
import { all, one, type Store } from "./store";

// The WABA's contacts: reads (one statement each, tags aggregated in it), the integrator's writes
// (create = upsert by phone, PATCH), the contact a message belongs to (found by BSUID or phone, or
// created), and the changes Meta reports (a new number or BSUID, a marketing preference).

/** A contact holds at most this many custom fields (after a PATCH's merge too). */
export const MAX_CUSTOM_FIELDS = 50;

export type Contact = {
  id: string;
  /** null for a customer who uses a WhatsApp username and shares no number */
  phone: string | null;
  /** Meta's business-scoped user id (BSUID), once Meta shared it */
  userId: string | null;
  username: string | null;
  name: string | null;
  email: string | null;
  tags: string[];
  customFields: Record<string, string>;
  optedIn: boolean;
  createdAt: number;
};

type ContactRow = Omit<Contact, "tags" | "customFields" | "optedIn"> & { tags: string; customFields: string; optedIn: number };

/** The columns of a Contact, from `contacts c`; tags in insertion (rowid) order. */
const CONTACT_COLUMNS = `c.id AS id, c.phone AS phone, c.user_id AS userId, c.username AS username, c.name AS name, c.email AS email,
  c.custom_fields AS customFields, c.opted_in AS optedIn, c.created_at AS createdAt,
  (SELECT json_group_array(tag) FROM (SELECT tag FROM contact_tags WHERE contact_id = c.id ORDER BY rowid)) AS tags`;

/** In the reference's field order, with the additions after the phone. */
function contactOf(r: ContactRow): Contact {
  return {
    id: r.id, phone: r.phone, userId: r.userId, username: r.username, name: r.name, email: r.email, tags: JSON.parse(r.tags) as string[],
    customFields: JSON.parse(r.customFields) as Record<string, string>, optedIn: r.optedIn === 1, createdAt: r.createdAt,
  };
}

export function getContact(s: Store, id: string): Contact | null {
  const row = one<ContactRow>(s, `SELECT ${CONTACT_COLUMNS} FROM contacts c WHERE c.id = ?`, id);
  return row ? contactOf(row) : null;
}

export type ContactFilter = {
  /** case-insensitive substring of the name (any script: both sides are case-folded), or of the phone */
  search?: string;
  tag?: string;
  optedIn?: boolean;
  /** contact id: the page starts after it */
  after?: string;
  limit: number;
};

/**
 * One page in id order, as one statement. A tag filter drives the query from contact_tags_tag_idx
 * (CROSS JOIN fixes the loop order), so a rare tag costs no scan; otherwise the primary key or, with
 * optedIn, contacts_opted_idx. A search is a substring match: it filters rows in id order as it walks.
 */
export function contactsPageStatement(f: ContactFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return "?";
  };
  const where: string[] = [];
  let from = "contacts c";
  let order = "c.id";
  if (f.tag !== undefined) {
    from = "contact_tags ct CROSS JOIN contacts c ON c.id = ct.contact_id";
    where.push(`ct.tag = ${p(f.tag)}`);
    if (f.after !== undefined) where.push(`ct.contact_id > ${p(f.after)}`);
    order = "ct.contact_id";
  } else if (f.after !== undefined) {
    where.push(`c.id > ${p(f.after)}`);
  }
  if (f.optedIn !== undefined) where.push(`c.opted_in = ${p(f.optedIn ? 1 : 0)}`);
  if (f.search !== undefined && f.search !== "") {
    // instr, not LIKE: nothing to escape. The name is matched in its folded copy, folded in code like
    // the term (SQLite's lower() folds ASCII only)
    const inName = `instr(c.name_folded, ${p(foldCase(f.search))}) > 0`;
    // "+91 98123" finds +919812345678: phones are stored without spaces or dashes
    const digits = f.search.replace(/[\s().-]/g, "");
    where.push(/^\+?\d+$/.test(digits) ? `(${inName} OR instr(c.phone, ${p(digits)}) > 0)` : inName);
  }
  const whereSql = where.length ? `WHERE ${where.join(" AND ")}` : "";
  return { sql: `SELECT ${CONTACT_COLUMNS} FROM ${from} ${whereSql} ORDER BY ${order} LIMIT ${p(f.limit + 1)}`, params };
}

export function listContacts(s: Store, f: ContactFilter): { items: Contact[]; nextCursor: string | null } {
  const { sql, params } = contactsPageStatement(f);
  const page = pageOf(all<ContactRow>(s, sql, ...params), f.limit, (last) => last.id);
  return { items: page.items.map(contactOf), nextCursor: page.nextCursor };
}

export type NewContact = {
  /** E.164, already normalised */
  phone: string;
  name?: string;
  email?: string;
  /** trimmed and deduplicated */
  tags?: string[];
  customFields?: Record<string, string>;
  optedIn?: boolean;
};

/** Creates the contact unless one has this phone, in which case that one is returned untouched (`created: false`). */
export function upsertContact(s: Store, input: NewContact): { created: boolean; contact: Contact } {
  const existing = one<{ id: string }>(s, `SELECT id FROM contacts WHERE phone = ?`, input.phone);
  if (existing) return { created: false, contact: getContact(s, existing.id)! };
  const id = newId(s.now);
  s.sql.exec(
    `INSERT INTO contacts (id, phone, wa_id, name, name_folded, email, custom_fields, opted_in, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    id, input.phone, waIdOf(input.phone), input.name ?? null, input.name === undefined ? null : foldCase(input.name), input.email ?? null,
    JSON.stringify(input.customFields ?? {}), input.optedIn === false ? 0 : 1, s.now, s.now,
  );
  for (const tag of input.tags ?? []) s.sql.exec(`INSERT INTO contact_tags (contact_id, tag) VALUES (?, ?)`, id, tag);
  return { created: true, contact: getContact(s, id)! };
}

export type ContactPatch = {
  name?: string | null;
  email?: string | null;
  /** replaces the set; trimmed and deduplicated */
  tags?: string[];
  /** shallow-merged; a null value removes that field */
  customFields?: Record<string, string | null>;
  optedIn?: boolean;
};

export type PatchResult = { kind: "patched"; contact: Contact } | { kind: "not_found" } | { kind: "too_many_custom_fields"; count: number };

/** A partial update, all of it or nothing (the caller's transaction). */
export function patchContact(s: Store, id: string, patch: ContactPatch): PatchResult {
  const current = getContact(s, id);
  if (!current) return { kind: "not_found" };
  if (Object.keys(patch).length === 0) return { kind: "patched", contact: current };
  const fields: Record<string, string> = { ...current.customFields };
  for (const [k, v] of Object.entries(patch.customFields ?? {})) {
    if (v === null) delete fields[k];
    else fields[k] = v;
  }
  if (Object.keys(fields).length > MAX_CUSTOM_FIELDS) return { kind: "too_many_custom_fields", count: Object.keys(fields).length };
  const name = patch.name === undefined ? current.name : patch.name;
  s.sql.exec(
    `UPDATE contacts SET name = ?, name_folded = ?, email = ?, custom_fields = ?, opted_in = ?, updated_at = ? WHERE id = ?`,
    name, name === null ? null : foldCase(name), patch.email === undefined ? current.email : patch.email, JSON.stringify(fields),
    (patch.optedIn ?? current.optedIn) ? 1 : 0, s.now, id,
  );
  if (patch.tags !== undefined) {
    s.sql.exec(`DELETE FROM contact_tags WHERE contact_id = ?`, id);
    for (const tag of patch.tags) s.sql.exec(`INSERT INTO contact_tags (contact_id, tag) VALUES (?, ?)`, id, tag);
  }
  return { kind: "patched", contact: getContact(s, id)! };
}

/**
 * Who is on the other side of a message, as far as Meta or the integrator told us: the customer's real
 * E.164 number, Meta's wa_id, and Meta's business-scoped user id (BSUID). At least one of phone and
 * userId is known: a username user may share only a BSUID.
 */
export type Party = {
  phone: string | null;
  waId?: string | null;
  userId?: string | null;
  username?: string | null;
  /** inbound: the WhatsApp profile name, kept if the contact has no name */
  profileName?: string | null;
};

export type IdentityRow = { id: string; phone: string | null; waId: string | null; userId: string | null; optedIn: number; lastInboundAt: number | null };

const IDENTITY = `SELECT id, phone, wa_id AS waId, user_id AS userId, opted_in AS optedIn, last_inbound_at AS lastInboundAt FROM contacts`;

/** The contact known by any of these: by BSUID first, then phone, then wa_id. */
export function findContact(s: Store, who: { phone?: string | null; waId?: string | null; userId?: string | null }): IdentityRow | null {
  if (who.userId) {
    const byUser = one<IdentityRow>(s, `${IDENTITY} WHERE user_id = ?`, who.userId);
    if (byUser) return byUser;
  }
  if (who.phone) {
    const byPhone = one<IdentityRow>(s, `${IDENTITY} WHERE phone = ?`, who.phone);
    if (byPhone) return byPhone;
  }
  return who.waId ? one<IdentityRow>(s, `${IDENTITY} WHERE wa_id = ? LIMIT 1`, who.waId) : null;
}

const taken = (s: Store, column: "phone" | "user_id", value: string, except: string) => one(s, `SELECT 1 AS x FROM contacts WHERE ${column} = ? AND id != ?`, value, except) !== null;

/**
 * The contact a message belongs to, found (by BSUID or phone) or created. It learns what it lacked: a
 * phone Meta now shares, the BSUID, the latest wa_id and username — never taking an identifier another
 * contact holds. An inbound message (at = its time) opens the 24-hour window. `known`: findContact's
 * answer for this party, when the caller already has it (in the same transaction).
 */
export function contactForMessage(s: Store, party: Party, inboundAt: number | null, known?: IdentityRow | null): string {
  const found = known === undefined ? findContact(s, party) : known;
  const profileName = party.profileName ?? null;
  if (!found) {
    const id = newId(s.now);
    s.sql.exec(
      `INSERT INTO contacts (id, phone, wa_id, user_id, username, name, name_folded, custom_fields, opted_in, last_inbound_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, '{}', 1, ?, ?, ?)`,
      id, party.phone, party.waId ?? (party.phone ? waIdOf(party.phone) : null), party.userId ?? null, party.username ?? null, profileName,
      profileName === null ? null : foldCase(profileName), inboundAt, s.now, s.now,
    );
    return id;
  }
  const phone = found.phone ?? (party.phone && !taken(s, "phone", party.phone, found.id) ? party.phone : null);
  const userId = found.userId ?? (party.userId && !taken(s, "user_id", party.userId, found.id) ? party.userId : null);
  // a send to a known contact (nothing new to learn, no inbound time) changes nothing: no write
  const learns = phone !== found.phone || userId !== found.userId || Boolean(party.waId && party.waId !== found.waId) || Boolean(party.username) || profileName !== null || inboundAt !== null;
  if (!learns) return found.id;
  s.sql.exec(
    `UPDATE contacts SET phone = ?, user_id = ?, wa_id = COALESCE(?, wa_id), username = COALESCE(?, username),
            name_folded = CASE WHEN name IS NULL THEN ? ELSE name_folded END, name = COALESCE(name, ?),
            last_inbound_at = CASE WHEN ? IS NULL THEN last_inbound_at ELSE MAX(COALESCE(last_inbound_at, 0), ?) END,
            updated_at = CASE WHEN ? IS NULL THEN updated_at ELSE ? END
      WHERE id = ?`,
    phone, userId, party.waId ?? null, party.username ?? null, profileName === null ? null : foldCase(profileName), profileName,
    inboundAt, inboundAt, inboundAt, s.now, found.id,
  );
  return found.id;
}

/** Meta's statuses name the recipient's BSUID: the contact learns it unless another contact has it. */
export function learnUserId(s: Store, contactId: string, userId: string): void {
  if (taken(s, "user_id", userId, contactId)) return;
  s.sql.exec(`UPDATE contacts SET user_id = ? WHERE id = ? AND user_id IS NULL`, userId, contactId);
}

/** Sets an opt-in from a STOP/START keyword. */
export function setOptIn(s: Store, contactId: string, optedIn: boolean): void {
  s.sql.exec(`UPDATE contacts SET opted_in = ?, updated_at = ? WHERE id = ?`, optedIn ? 1 : 0, s.now, contactId);
}

/** Writes a change Meta reported and announces it, if it changes anything. */
function change(s: Store, before: IdentityRow, after: Partial<Pick<IdentityRow, "phone" | "waId" | "userId" | "optedIn">>, kind: ContactChange): boolean {
  const next = { ...before, ...after };
  if (next.phone === before.phone && next.waId === before.waId && next.userId === before.userId && next.optedIn === before.optedIn) return false;
  s.sql.exec(`UPDATE contacts SET phone = ?, wa_id = ?, user_id = ?, opted_in = ?, updated_at = ? WHERE id = ?`, next.phone, next.waId, next.userId, next.optedIn, s.now, before.id);
  emitContactEvent(s, before.id, kind, { phone: before.phone, waId: before.waId, userId: before.userId, optedIn: before.optedIn === 1 });
  return true;
}

/**
 * `system` user_changed_number: `from` is the old number, `system.wa_id` the new one; Meta also reports
 * the BSUID the change regenerated. The contact keeps its history under its new number, unless another
 * contact already has that number (then only the BSUID moves).
 */
export function numberChanged(s: Store, m: { oldWaId?: string; newWaId?: string; userId?: string; previousUserId?: string }): boolean {
  const contact = findContact(s, { phone: m.oldWaId ? e164OfWaId(m.oldWaId) : null, waId: m.oldWaId, userId: m.previousUserId });
  if (!contact) return false;
  const after: Partial<IdentityRow> = {};
  if (m.newWaId) {
    const phone = e164OfWaId(m.newWaId);
    if (!taken(s, "phone", phone, contact.id)) Object.assign(after, { phone, waId: m.newWaId });
  }
  if (m.userId && !taken(s, "user_id", m.userId, contact.id)) after.userId = m.userId;
  return change(s, contact, after, "number_changed");
}

/** `system` user_changed_user_id: only the customer's BSUID changed. */
export function userIdChanged(s: Store, m: { previousUserId?: string; userId?: string; waId?: string }): boolean {
  if (!m.userId) return false;
  const contact = findContact(s, { userId: m.previousUserId, waId: m.waId, phone: m.waId ? e164OfWaId(m.waId) : null });
  if (!contact || taken(s, "user_id", m.userId, contact.id)) return false;
  return change(s, contact, { userId: m.userId }, "user_id_changed");
}

/**
 * `user_preferences`: the customer stopped or resumed marketing messages in the WhatsApp app. A customer
 * not known yet becomes a contact with that preference, so a later marketing send honours it.
 */
export function marketingPreference(s: Store, p: { waId?: string; userId?: string; optedIn: boolean }): boolean {
  const phone = p.waId ? e164OfWaId(p.waId) : null;
  const kind: ContactChange = p.optedIn ? "marketing_resumed" : "marketing_stopped";
  const contact = findContact(s, { phone, waId: p.waId, userId: p.userId });
  if (contact) return change(s, contact, { optedIn: p.optedIn ? 1 : 0 }, kind);
  const id = newId(s.now);
  s.sql.exec(
    `INSERT INTO contacts (id, phone, wa_id, user_id, custom_fields, opted_in, created_at, updated_at) VALUES (?, ?, ?, ?, '{}', ?, ?, ?)`,
    id, phone, p.waId ?? null, p.userId ?? null, p.optedIn ? 1 : 0, s.now, s.now,
  );
  emitContactEvent(s, id, kind, { phone: null, waId: null, userId: null, optedIn: null });
  return true;
}
