import { newId } from "../db/ids";
import type { StoredTemplate } from "../messages/template-rules";
import { pageOf } from "../schemas/page";
import { applyTemplateEvent, sameState, templateLanguage, type TemplateState } from "../templates/template-events";
import { emitTemplateEvent } from "./events";
import { all, one, type Store } from "./store";

// The WABA's template mirror: what Meta lists (synced), kept up to date by Meta's template events, read
// by the list route and by template sends.

export type TemplateFilter = {
  /** Meta's upper case: APPROVED, PENDING, REJECTED */
  status?: string;
  /** Meta's upper case: MARKETING, UTILITY, AUTHENTICATION */
  category?: string;
  language?: string;
  /** template id: the page starts after it */
  after?: string;
  limit: number;
};

/**
 * components: Meta-shaped components as stored (JSON text: the route parses it once, for the response);
 * rejectedReason: Meta's reason while REJECTED (its webhook's `reason`, or the listing's rejected_reason)
 */
export type TemplateItem = { id: string } & Omit<UpstreamTemplate, "metaTemplateId">;

const ITEM_COLUMNS = `id, name, language, category, status, parameter_format AS parameterFormat, components, rejected_reason AS rejectedReason`;

/** One page in id order, served by the primary key or templates_status_idx. Templates gone upstream are not listed. */
export function templatesPageStatement(f: TemplateFilter): { sql: string; params: unknown[] } {
  const where = ["removed_upstream_at IS NULL"];
  const params: unknown[] = [];
  if (f.status !== undefined) (where.push("status = ?"), params.push(f.status));
  if (f.after !== undefined) (where.push("id > ?"), params.push(f.after));
  if (f.category !== undefined) (where.push("category = ?"), params.push(f.category));
  if (f.language !== undefined) (where.push("language = ?"), params.push(f.language));
  params.push(f.limit + 1);
  return { sql: `SELECT ${ITEM_COLUMNS} FROM templates WHERE ${where.join(" AND ")} ORDER BY id LIMIT ?`, params };
}

export function listTemplates(s: Store, f: TemplateFilter): { items: TemplateItem[]; nextCursor: string | null } {
  const { sql, params } = templatesPageStatement(f);
  return pageOf(all<TemplateItem>(s, sql, ...params), f.limit, (last) => last.id);
}

/** Every variant (language) of a template, for a template send's checks. */
export function templateVariants(s: Store, name: string): StoredTemplate[] {
  return all<Omit<StoredTemplate, "components"> & { components: string }>(
    s,
    `SELECT id, name, language, category, status, parameter_format AS parameterFormat, components FROM templates WHERE name = ? AND removed_upstream_at IS NULL`,
    name,
  ).map((row) => ({ ...row, components: JSON.parse(row.components) as Array<Record<string, unknown>> }));
}

/** The names of the WABA's templates (for "did you mean" when a send names one that does not exist). */
export function templateNames(s: Store): string[] {
  return all<{ name: string }>(s, `SELECT DISTINCT name FROM templates WHERE removed_upstream_at IS NULL ORDER BY name LIMIT 6000`).map((r) => r.name);
}

type TemplateRef = { metaTemplateId?: string; name?: string; language?: string };
type Row = { id: string; status: string; category: string; flaggedAt: number | null; archivedFrom: string | null };

/** The stored template Meta's event is about: by Meta's id, else by name and (Meta's hyphenated) language. */
function findTemplate(s: Store, ref: TemplateRef): Row | null {
  const columns = `SELECT id, status, category, flagged_at AS flaggedAt, archived_from AS archivedFrom FROM templates`;
  if (ref.metaTemplateId !== undefined) {
    const byId = one<Row>(s, `${columns} WHERE meta_template_id = ?`, ref.metaTemplateId);
    if (byId) return byId;
  }
  if (ref.name === undefined || ref.language === undefined) return null;
  return one<Row>(s, `${columns} WHERE name = ? AND language = ?`, ref.name, templateLanguage(ref.language));
}

/**
 * Meta's message_template_status_update: the template takes the state the event means
 * (template-events.ts) and, when that changed, template.status_updated goes out. A template not synced
 * yet is left to the next sync.
 */
export function applyTemplateStatus(s: Store, u: TemplateRef & { event: string; reason?: string | null }): "applied" | "unchanged" | "unknown" {
  const row = findTemplate(s, u);
  if (!row) return "unknown";
  const before: TemplateState = { status: row.status, flagged: row.flaggedAt !== null, archivedFrom: row.archivedFrom };
  const after = applyTemplateEvent(before, u.event);
  if (sameState(before, after)) return "unchanged";
  const reason = u.reason && u.reason !== "NONE" ? u.reason : null;
  s.sql.exec(
    `UPDATE templates SET status = ?, flagged_at = ?, archived_from = ?, rejected_reason = ?, updated_at = ? WHERE id = ?`,
    after.status, after.flagged ? (row.flaggedAt ?? s.now) : null, after.archivedFrom, reason, s.now, row.id,
  );
  emitTemplateEvent(s, "template.status_updated", row.id, { previousStatus: row.status, previousCategory: row.category, event: u.event.toUpperCase() });
  return "applied";
}

/**
 * Meta's template_category_update. The completed change updates the category, which decides the
 * marketing opt-out check, and emits template.category_updated; the warning Meta sends a day before
 * (with correct_category; its new_category is the current one) changes nothing.
 */
export function applyTemplateCategory(s: Store, u: TemplateRef & { newCategory: string; correctCategory?: string }): "applied" | "unchanged" | "unknown" {
  if (u.correctCategory !== undefined) return "unchanged";
  const row = findTemplate(s, u);
  if (!row) return "unknown";
  const category = u.newCategory.toUpperCase();
  if (row.category === category) return "unchanged";
  s.sql.exec(`UPDATE templates SET category = ?, updated_at = ? WHERE id = ?`, category, s.now, row.id);
  emitTemplateEvent(s, "template.category_updated", row.id, { previousStatus: row.status, previousCategory: row.category, event: "CATEGORY_UPDATE" });
  return "applied";
}

/** A template as Meta lists it, normalised by the sync. */
export type UpstreamTemplate = {
  metaTemplateId: string | null;
  name: string;
  language: string;
  category: string;
  status: string;
  parameterFormat: string;
  components: string;
  rejectedReason: string | null;
};

export type SyncCounts = { fetched: number; created: number; updated: number; unchanged: number; removed: number };

/**
 * Mirrors Meta's list: upserts by (name, language) so our ids survive, and marks templates Meta no longer
 * lists as removed (clearing the mark if they come back). One transaction (the caller's).
 */
export function applyTemplateSync(s: Store, upstream: UpstreamTemplate[]): SyncCounts {
  const key = (name: string, language: string) => `${name}\u0000${language}`;
  const stored = new Map(
    all<UpstreamTemplate & { id: string; removedUpstreamAt: number | null }>(
      s,
      `SELECT id, meta_template_id AS metaTemplateId, name, language, category, status, parameter_format AS parameterFormat, components,
              rejected_reason AS rejectedReason, removed_upstream_at AS removedUpstreamAt FROM templates`,
    ).map((r) => [key(r.name, r.language), r]),
  );
  const seen = new Set<string>();
  let created = 0;
  let updated = 0;
  for (const t of upstream) {
    const k = key(t.name, t.language);
    if (seen.has(k)) continue; // if paging shifted under the sync, the first copy wins
    seen.add(k);
    const existing = stored.get(k);
    if (!existing) {
      created++;
      s.sql.exec(
        `INSERT INTO templates (id, meta_template_id, name, language, category, status, parameter_format, components, rejected_reason, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        newId(s.now), t.metaTemplateId, t.name, t.language, t.category, t.status, t.parameterFormat, t.components, t.rejectedReason, s.now, s.now,
      );
      continue;
    }
    const changed =
      existing.removedUpstreamAt !== null || existing.metaTemplateId !== t.metaTemplateId || existing.category !== t.category || existing.status !== t.status ||
      existing.parameterFormat !== t.parameterFormat || existing.components !== t.components || existing.rejectedReason !== t.rejectedReason;
    if (!changed) continue;
    updated++;
    s.sql.exec(
      `UPDATE templates SET meta_template_id = ?, category = ?, status = ?, parameter_format = ?, components = ?, rejected_reason = ?,
              archived_from = CASE WHEN ? = 'ARCHIVED' THEN archived_from ELSE NULL END, removed_upstream_at = NULL, updated_at = ? WHERE id = ?`,
      t.metaTemplateId, t.category, t.status, t.parameterFormat, t.components, t.rejectedReason, t.status, s.now, existing.id,
    );
  }
  let removed = 0;
  for (const [k, row] of stored) {
    if (seen.has(k) || row.removedUpstreamAt !== null) continue;
    removed++;
    s.sql.exec(`UPDATE templates SET removed_upstream_at = ?, updated_at = ? WHERE id = ?`, s.now, s.now, row.id);
  }
  return { fetched: seen.size, created, updated, unchanged: seen.size - created - updated, removed };
}

// ---- templates created, edited and deleted through the API (src/templates/manage-templates.ts) ----------

/** A stored template and Meta's id for it: what the management routes read. */
export type ManagedTemplate = TemplateItem & { metaTemplateId: string | null };

const MANAGED_COLUMNS = `${ITEM_COLUMNS}, meta_template_id AS metaTemplateId`;

/** One template by our id; a template gone upstream (deleted) is not found. */
export function getTemplate(s: Store, id: string): ManagedTemplate | null {
  return one<ManagedTemplate>(s, `SELECT ${MANAGED_COLUMNS} FROM templates WHERE id = ? AND removed_upstream_at IS NULL`, id);
}

/** The live templates of a name: every language, or the one given. */
export function templatesNamed(s: Store, name: string, language?: string): ManagedTemplate[] {
  return language === undefined
    ? all<ManagedTemplate>(s, `SELECT ${MANAGED_COLUMNS} FROM templates WHERE name = ? AND removed_upstream_at IS NULL ORDER BY id`, name)
    : all<ManagedTemplate>(s, `SELECT ${MANAGED_COLUMNS} FROM templates WHERE name = ? AND language = ? AND removed_upstream_at IS NULL`, name, language);
}

/** A template Meta accepted for review (PENDING): stored under its (name, language), reusing the row of a deleted one. */
export type SubmittedTemplate = { metaTemplateId: string; name: string; language: string; category: string; status: string; parameterFormat: string; components: string };

export function storeSubmittedTemplate(s: Store, t: SubmittedTemplate): ManagedTemplate {
  const existing = one<{ id: string }>(s, `SELECT id FROM templates WHERE name = ? AND language = ?`, t.name, t.language);
  const id = existing?.id ?? newId(s.now);
  if (existing) {
    s.sql.exec(
      `UPDATE templates SET meta_template_id = ?, category = ?, status = ?, parameter_format = ?, components = ?, rejected_reason = NULL, flagged_at = NULL,
              archived_from = NULL, removed_upstream_at = NULL, updated_at = ? WHERE id = ?`,
      t.metaTemplateId, t.category, t.status, t.parameterFormat, t.components, s.now, id,
    );
  } else {
    s.sql.exec(
      `INSERT INTO templates (id, meta_template_id, name, language, category, status, parameter_format, components, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      id, t.metaTemplateId, t.name, t.language, t.category, t.status, t.parameterFormat, t.components, s.now, s.now,
    );
  }
  return getTemplate(s, id)!;
}

/**
 * Meta accepted an edit: the new components and category, and the template is reviewed again (PENDING,
 * as Meta sets it); template.status_updated goes out when the status changed.
 */
export function applyTemplateEdit(s: Store, id: string, edit: { category?: string; components?: string }): ManagedTemplate | null {
  const row = getTemplate(s, id);
  if (!row) return null;
  s.sql.exec(
    `UPDATE templates SET category = ?, components = ?, status = 'PENDING', rejected_reason = NULL, updated_at = ? WHERE id = ?`,
    edit.category ?? row.category, edit.components ?? row.components, s.now, id,
  );
  if (row.status !== "PENDING") emitTemplateEvent(s, "template.status_updated", id, { previousStatus: row.status, previousCategory: row.category, event: "PENDING" });
  return getTemplate(s, id);
}

/** Meta deleted these templates: no longer listed nor sendable (a later sync that still finds one brings it back). */
export function markTemplatesDeleted(s: Store, ids: string[]): number {
  let n = 0;
  for (const id of ids) n += s.sql.exec(`UPDATE templates SET removed_upstream_at = ?, updated_at = ? WHERE id = ? AND removed_upstream_at IS NULL`, s.now, s.now, id).rowsWritten;
  return n;
}
