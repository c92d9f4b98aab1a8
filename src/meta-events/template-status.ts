import { newId } from "../db/ids";
import type { Env } from "../env";
import { eventWritten, templateEventStatements } from "../webhooks/event-statements";
import { queueDeliveries } from "../webhooks/queue-deliveries";

/**
 * Meta's message_template_status_update: the stored template takes the new status (and reason) and a
 * template.status_updated event goes out. A template we have not synced yet is left to the next sync.
 */
export async function applyTemplateStatus(
  env: Env,
  wabaId: string,
  u: { status: string; metaTemplateId?: string; name?: string; language?: string; reason?: string | null },
): Promise<"applied" | "unchanged" | "unknown"> {
  const row = await env.DB.prepare(
    `SELECT id, status FROM templates WHERE waba_id = ?1 AND (meta_template_id = ?2 OR (name = ?3 AND language = ?4)) ORDER BY meta_template_id = ?2 DESC LIMIT 1`,
  )
    .bind(wabaId, u.metaTemplateId ?? null, u.name ?? null, u.language ?? null)
    .first<{ id: string; status: string }>();
  if (!row) return "unknown";
  const status = u.status.toUpperCase();
  const reason = u.reason && u.reason !== "NONE" ? u.reason : null;
  if (row.status === status) return "unchanged";
  const now = Date.now();
  const eventId = newId(now);
  const results = await env.DB.batch([
    env.DB.prepare(`UPDATE templates SET status = ?2, rejected_reason = ?3, updated_at = ?4 WHERE id = ?1 AND status = ?5`).bind(row.id, status, reason, now, row.status),
    ...templateEventStatements(env.DB, { eventId, now, templateId: row.id, previousStatus: row.status }),
  ]);
  if (eventWritten(results, 1)) await queueDeliveries(env, [eventId]);
  return (results[0]?.meta.changes ?? 0) > 0 ? "applied" : "unchanged";
}
