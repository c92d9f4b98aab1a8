import type { Database } from "../db/client";
import { newId } from "../db/ids";
import { foldCase } from "../domain/fold";
import { waIdOf } from "../domain/phone";
import { CONTACT_COLUMNS, contactOf, type Contact, type ContactRow } from "./read-contacts";

// Contact writes. Each is one D1 batch, which D1 runs as a transaction: concurrent creates of one
// phone make one row, and a PATCH's tags and fields change together or not at all.

/** A contact holds at most this many custom fields (after a PATCH's merge too). */
export const MAX_CUSTOM_FIELDS = 50;

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

/**
 * Creates the contact unless the WABA already has one with this phone, in which case that one is
 * returned untouched (`created: false`). Race-safe: the unique (waba_id, phone) index decides.
 */
export async function upsertContact(db: Database, wabaId: string, input: NewContact, now = Date.now()): Promise<{ created: boolean; contact: Contact }> {
  const d1 = db.$client;
  const id = newId(now);
  const statements = [
    d1.prepare(
      `INSERT INTO contacts (id, waba_id, phone, wa_id, name, name_folded, email, custom_fields, opted_in, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10) ON CONFLICT (waba_id, phone) DO NOTHING`,
    ).bind(
      id, wabaId, input.phone, waIdOf(input.phone), input.name ?? null, input.name === undefined ? null : foldCase(input.name), input.email ?? null,
      JSON.stringify(input.customFields ?? {}), input.optedIn === false ? 0 : 1, now,
    ),
  ];
  if (input.tags?.length) {
    // only if the row above is ours: an existing contact keeps its tags
    statements.push(
      d1.prepare(
        `INSERT INTO contact_tags (contact_id, waba_id, tag)
         SELECT ?1, ?2, value FROM json_each(?3) WHERE EXISTS (SELECT 1 FROM contacts WHERE id = ?1)`,
      ).bind(id, wabaId, JSON.stringify(input.tags)),
    );
  }
  statements.push(d1.prepare(`SELECT ${CONTACT_COLUMNS} FROM contacts c WHERE c.waba_id = ?1 AND c.phone = ?2`).bind(wabaId, input.phone));
  const results = await d1.batch<ContactRow>(statements);
  const row = results[results.length - 1]!.results[0];
  if (!row) throw new Error(`contact ${input.phone} neither inserted nor found`);
  return { created: row.id === id, contact: contactOf(row) };
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

/**
 * Applies a partial update in one transaction. Every statement is guarded by the same condition — the
 * contact is this WABA's and the merged custom fields stay within the cap — evaluated before any of
 * them writes, so either all apply or none does.
 */
export async function patchContact(db: Database, wabaId: string, id: string, patch: ContactPatch, now = Date.now()): Promise<PatchResult> {
  const d1 = db.$client;
  const select = d1.prepare(
    `SELECT ${CONTACT_COLUMNS}, (SELECT count(*) FROM json_each(json_patch(c.custom_fields, ?3))) AS mergedFieldCount
     FROM contacts c WHERE c.id = ?1 AND c.waba_id = ?2`,
  );
  const fields = JSON.stringify(patch.customFields ?? {});
  const changes = Object.keys(patch).length > 0;
  if (!changes) {
    const row = await select.bind(id, wabaId, fields).first<ContactRow & { mergedFieldCount: number }>();
    return row ? { kind: "patched", contact: contactOf(row) } : { kind: "not_found" };
  }

  // ?1 contact id, ?2 WABA id, ?3 the customFields patch (JSON merge patch)
  const FITS = `(SELECT count(*) FROM json_each(json_patch(custom_fields, ?3))) <= ${MAX_CUSTOM_FIELDS}`;
  const GUARD = `EXISTS (SELECT 1 FROM contacts WHERE id = ?1 AND waba_id = ?2 AND ${FITS})`;
  const statements: D1PreparedStatement[] = [];
  if (patch.tags !== undefined) {
    statements.push(d1.prepare(`DELETE FROM contact_tags WHERE contact_id = ?1 AND ${GUARD}`).bind(id, wabaId, fields));
    if (patch.tags.length) {
      statements.push(
        d1.prepare(`INSERT INTO contact_tags (contact_id, waba_id, tag) SELECT ?1, ?2, value FROM json_each(?4) WHERE ${GUARD}`)
          .bind(id, wabaId, fields, JSON.stringify(patch.tags)),
      );
    }
  }
  const sets = ["custom_fields = json_patch(custom_fields, ?3)", "updated_at = ?4"];
  const values: unknown[] = [id, wabaId, fields, now];
  const set = (column: string, value: unknown) => {
    values.push(value);
    sets.push(`${column} = ?${values.length}`);
  };
  if (patch.name !== undefined) {
    set("name", patch.name);
    set("name_folded", patch.name === null ? null : foldCase(patch.name));
  }
  if (patch.email !== undefined) set("email", patch.email);
  if (patch.optedIn !== undefined) set("opted_in", patch.optedIn ? 1 : 0);
  // the guard is evaluated against the row before this update: the same answer the tag statements got
  statements.push(d1.prepare(`UPDATE contacts SET ${sets.join(", ")} WHERE id = ?1 AND waba_id = ?2 AND ${FITS}`).bind(...values));
  statements.push(select.bind(id, wabaId, fields));

  const results = await d1.batch<ContactRow & { mergedFieldCount: number }>(statements);
  const update = results[results.length - 2]!;
  const row = results[results.length - 1]!.results[0];
  if (!row) return { kind: "not_found" };
  if (update.meta.changes === 0) return { kind: "too_many_custom_fields", count: row.mergedFieldCount };
  return { kind: "patched", contact: contactOf(row) };
}
