import { newId } from "../db/ids";
import type { Env } from "../env";
import { applyTemplateEvent, sameState, templateLanguage, type TemplateState } from "../templates/template-events";
import { eventWritten, templateEventStatements } from "../webhooks/event-statements";
import { queueDeliveries } from "../webhooks/queue-deliveries";

type Row = { id: string; status: string; category: string; flaggedAt: number | null; archivedFrom: string | null };

type TemplateRef = { metaTemplateId?: string; name?: string; language?: string };

/** The stored template Meta's event is about: by Meta's id, else by name and language. */
async function findTemplate(env: Env, wabaId: string, ref: TemplateRef): Promise<Row | null> {
  return env.DB.prepare(
    `SELECT id, status, category, flagged_at AS flaggedAt, archived_from AS archivedFrom FROM templates
      WHERE waba_id = ?1 AND (meta_template_id = ?2 OR (name = ?3 AND language = ?4)) ORDER BY meta_template_id = ?2 DESC LIMIT 1`,
  )
    .bind(wabaId, ref.metaTemplateId ?? null, ref.name ?? null, ref.language === undefined ? null : templateLanguage(ref.language))
    .first<Row>();
}

/**
 * Meta's message_template_status_update: the stored template takes the state the event means
 * (template-events.ts) and, when that changed, a template.status_updated event goes out in the same
 * transaction. A template we have not synced yet is left to the next sync.
 */
export async function applyTemplateStatus(
  env: Env,
  wabaId: string,
  u: TemplateRef & { event: string; reason?: string | null },
): Promise<"applied" | "unchanged" | "unknown"> {
  const row = await findTemplate(env, wabaId, u);
  if (!row) return "unknown";
  const before: TemplateState = { status: row.status, flagged: row.flaggedAt !== null, archivedFrom: row.archivedFrom };
  const after = applyTemplateEvent(before, u.event);
  if (sameState(before, after)) return "unchanged";
  const now = Date.now();
  const eventId = newId(now);
  const reason = u.reason && u.reason !== "NONE" ? u.reason : null;
  const results = await env.DB.batch([
    env.DB.prepare(
      `UPDATE templates SET status = ?2, flagged_at = ?3, archived_from = ?4, rejected_reason = ?5, updated_at = ?6
        WHERE id = ?1 AND status = ?7 AND flagged_at IS ?8 AND archived_from IS ?9`,
    ).bind(row.id, after.status, after.flagged ? (row.flaggedAt ?? now) : null, after.archivedFrom, reason, now, row.status, row.flaggedAt, row.archivedFrom),
    ...templateEventStatements(env.DB, {
      eventId, now, templateId: row.id, type: "template.status_updated", previousStatus: row.status, previousCategory: row.category, event: u.event.toUpperCase(),
    }),
  ]);
  if (eventWritten(results, 1)) await queueDeliveries(env, [eventId]);
  return (results[0]?.meta.changes ?? 0) > 0 ? "applied" : "unchanged";
}

/**
 * Meta's template_category_update. The completed change (previous_category → new_category) updates the
 * category, which decides the marketing opt-out check, and emits template.category_updated. The warning
 * Meta sends a day before (with correct_category; its new_category is the current one) changes nothing.
 */
export async function applyTemplateCategory(
  env: Env,
  wabaId: string,
  u: TemplateRef & { newCategory: string; correctCategory?: string },
): Promise<"applied" | "unchanged" | "unknown"> {
  if (u.correctCategory !== undefined) return "unchanged";
  const row = await findTemplate(env, wabaId, u);
  if (!row) return "unknown";
  const category = u.newCategory.toUpperCase();
  if (row.category === category) return "unchanged";
  const now = Date.now();
  const eventId = newId(now);
  const results = await env.DB.batch([
    env.DB.prepare(`UPDATE templates SET category = ?2, updated_at = ?3 WHERE id = ?1 AND category = ?4`).bind(row.id, category, now, row.category),
    ...templateEventStatements(env.DB, {
      eventId, now, templateId: row.id, type: "template.category_updated", previousStatus: row.status, previousCategory: row.category, event: "CATEGORY_UPDATE",
    }),
  ]);
  if (eventWritten(results, 1)) await queueDeliveries(env, [eventId]);
  return (results[0]?.meta.changes ?? 0) > 0 ? "applied" : "unchanged";
}
