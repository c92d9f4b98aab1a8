import type { Database } from "../db/client";
import { foldCase } from "../domain/fold";
import { pageOf } from "../schemas/page";

// Contacts as the API shows them: one row each, tags aggregated in the same query (one D1 query per
// read), tags in the order they were set.

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

export type ContactRow = {
  id: string;
  phone: string | null;
  userId: string | null;
  username: string | null;
  name: string | null;
  email: string | null;
  customFields: string;
  optedIn: number;
  createdAt: number;
  tags: string;
};

/** The columns of a Contact, from `contacts c`; tags in insertion (rowid) order via the primary-key index. */
export const CONTACT_COLUMNS = `c.id AS id, c.phone AS phone, c.user_id AS userId, c.username AS username, c.name AS name, c.email AS email, c.custom_fields AS customFields,
  c.opted_in AS optedIn, c.created_at AS createdAt,
  (SELECT json_group_array(tag) FROM (SELECT tag FROM contact_tags WHERE contact_id = c.id ORDER BY rowid)) AS tags`;

export function contactOf(row: ContactRow): Contact {
  return {
    id: row.id,
    phone: row.phone,
    userId: row.userId,
    username: row.username,
    name: row.name,
    email: row.email,
    tags: JSON.parse(row.tags) as string[],
    customFields: JSON.parse(row.customFields) as Record<string, string>,
    optedIn: row.optedIn === 1,
    createdAt: row.createdAt,
  };
}

export async function getContact(db: Database, wabaId: string, id: string): Promise<Contact | null> {
  const row = await db.$client.prepare(`SELECT ${CONTACT_COLUMNS} FROM contacts c WHERE c.id = ?1 AND c.waba_id = ?2`).bind(id, wabaId).first<ContactRow>();
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
 * One page in id order, as one statement. A tag filter drives the query from contact_tags_waba_tag_idx
 * (CROSS JOIN fixes the loop order), so a rare tag costs no scan; otherwise contacts_waba_id_idx or,
 * with optedIn, contacts_waba_opted_idx. A search cannot use an index (it is a substring match) and
 * filters rows in id order as it walks.
 */
export function contactsPageStatement(wabaId: string, f: ContactFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [wabaId];
  const p = (value: unknown) => {
    params.push(value);
    return `?${params.length}`;
  };
  const where: string[] = ["c.waba_id = ?1"];
  let from = "contacts c";
  let order = "c.id";
  if (f.tag !== undefined) {
    from = "contact_tags ct CROSS JOIN contacts c ON c.id = ct.contact_id";
    where.unshift(`ct.waba_id = ?1`, `ct.tag = ${p(f.tag)}`);
    if (f.after !== undefined) where.push(`ct.contact_id > ${p(f.after)}`);
    order = "ct.contact_id";
  } else if (f.after !== undefined) {
    where.push(`c.id > ${p(f.after)}`);
  }
  if (f.optedIn !== undefined) where.push(`c.opted_in = ${p(f.optedIn ? 1 : 0)}`);
  if (f.search !== undefined && f.search !== "") {
    // instr, not LIKE: nothing to escape, and D1 refuses LIKE patterns beyond a few dozen bytes. The
    // name is matched in its folded copy, folded in code like the term (SQLite's lower() folds ASCII only)
    const inName = `instr(c.name_folded, ${p(foldCase(f.search))}) > 0`;
    // "+91 98123" finds +919812345678: phones are stored without spaces or dashes
    const digits = f.search.replace(/[\s().-]/g, "");
    where.push(/^\+?\d+$/.test(digits) ? `(${inName} OR instr(c.phone, ${p(digits)}) > 0)` : inName);
  }
  return { sql: `SELECT ${CONTACT_COLUMNS} FROM ${from} WHERE ${where.join(" AND ")} ORDER BY ${order} LIMIT ${p(f.limit + 1)}`, params };
}

export async function listContacts(db: Database, wabaId: string, f: ContactFilter): Promise<{ items: Contact[]; nextCursor: string | null }> {
  const { sql, params } = contactsPageStatement(wabaId, f);
  const { results } = await db.$client.prepare(sql).bind(...params).all<ContactRow>();
  const page = pageOf(results, f.limit, (last) => last.id);
  return { items: page.items.map(contactOf), nextCursor: page.nextCursor };
}
