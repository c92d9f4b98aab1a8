import { staleMediaCopies } from "./media";
import { applyPendingStatuses } from "./messages";
import { all, type Store } from "./store";

// The safety net behind "nothing accepted is lost", run by each WABA object's alarm: work that should
// be on a queue but whose queue message went missing (a failed send() after a commit, a crash) is
// queued again — every consumer is idempotent, so queueing something twice is harmless — statuses that
// came before their send are applied, and what is past its retention age is pruned, so an object stays
// far below its storage limit (docs/scaling.md).

/** Longer than any queue retry delay the relay or the webhook sender uses for a live job. */
export const STALE_AFTER_MS = 75 * 60_000;
const PENDING_STATUS_TTL_MS = 7 * 24 * 60 * 60_000;
/** Integrator events (and their deliveries) are kept this long: deliveries give up after 24 hours. */
export const EVENT_RETENTION_MS = 30 * 24 * 60 * 60_000;
/** Rows changed per alarm at most, so one alarm stays short; the next alarm continues. */
const BATCH = 500;

export type SweepResult = { sends: number; deliveries: number; mediaCopies: number; pendingStatuses: number; pruned: number; eventsDeleted: number; more: boolean };

export function sweep(s: Store, opts: { retentionMs: number }): SweepResult {
  const stale = s.now - STALE_AFTER_MS;
  const sends = all<{ id: string; campaignId: string | null }>(
    s,
    `SELECT id, campaign_id AS campaignId FROM messages WHERE status IN ('queued', 'sending') AND updated_at < ? AND wamid IS NULL LIMIT ?`,
    stale, BATCH,
  );
  for (const m of sends) s.effects.sends.push({ wabaId: s.wabaId, messageId: m.id, ...(m.campaignId ? { bulk: true as const } : {}) });

  const deliveries = all<{ id: string }>(s, `SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at < ? LIMIT ?`, stale, BATCH);
  for (const d of deliveries) s.effects.deliveries.push(d.id);

  // media copies whose job went missing: queued again (touched, so the next alarm does not queue them twice)
  const copies = staleMediaCopies(s, BATCH);
  for (const id of copies) {
    s.sql.exec(`UPDATE media SET updated_at = ? WHERE message_id = ?`, s.now, id);
    s.effects.mediaCopies.push(id);
  }

  const early = all<{ wamid: string }>(s, `SELECT DISTINCT p.wamid FROM pending_statuses p JOIN messages m ON m.wamid = p.wamid LIMIT ?`, BATCH);
  for (const { wamid } of early) applyPendingStatuses(s, wamid);
  s.sql.exec(`DELETE FROM pending_statuses WHERE received_at < ?`, s.now - PENDING_STATUS_TTL_MS);

  // retention: the message stays (its status, times and ids keep history and counts right); its text goes
  const cutoff = s.now - opts.retentionMs;
  const pruned = all<{ id: string }>(
    s,
    `UPDATE messages SET body = NULL, payload = '{}', pruned_at = ? WHERE id IN (SELECT id FROM messages WHERE created_at < ? AND pruned_at IS NULL LIMIT ?) RETURNING id`,
    s.now, cutoff, BATCH,
  ).length;
  const oldEvents = all<{ id: string }>(s, `SELECT id FROM webhook_events WHERE created_at < ? LIMIT ?`, s.now - EVENT_RETENTION_MS, BATCH);
  for (const e of oldEvents) {
    s.sql.exec(`DELETE FROM webhook_deliveries WHERE event_id = ?`, e.id);
    s.sql.exec(`DELETE FROM webhook_events WHERE id = ?`, e.id);
  }
  const more = sends.length === BATCH || deliveries.length === BATCH || copies.length === BATCH || pruned === BATCH || oldEvents.length === BATCH;
  return { sends: sends.length, deliveries: deliveries.length, mediaCopies: copies.length, pendingStatuses: early.length, pruned, eventsDeleted: oldEvents.length, more };
}

/** Whether anything is in flight that the next alarm must look after. */
export function hasWorkInFlight(s: Pick<Store, "sql">): boolean {
  return (
    all(s, `SELECT 1 AS x FROM messages WHERE status IN ('queued', 'sending') LIMIT 1`).length > 0 ||
    all(s, `SELECT 1 AS x FROM webhook_deliveries WHERE status = 'pending' LIMIT 1`).length > 0 ||
    all(s, `SELECT 1 AS x FROM pending_statuses LIMIT 1`).length > 0 ||
    all(s, `SELECT 1 AS x FROM media WHERE status = 'pending' LIMIT 1`).length > 0
  );
}
