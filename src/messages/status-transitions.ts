import { newId } from "../db/ids";
import type { Env } from "../env";
import { MAY_REPLACE, META_STATUSES, type MetaStatus } from "./lifecycle";
import { eventWritten, messageEventStatements, type EventType } from "../webhooks/event-statements";
import { queueDeliveries } from "../webhooks/queue-deliveries";
import type { MessageError } from "./outcome";

// Every change of an outbound message's status goes through here, so statuses only move forward (the
// table in lifecycle.ts) and each change emits exactly one webhook event, in the same transaction,
// numbered by the message's event sequence.

export type { MetaStatus };

type Change = MetaStatus | "held";

const sqlList = (statuses: readonly string[]) => statuses.map((x) => `'${x}'`).join(", ");

type Target = { id: string; wamid?: never } | { wamid: string; id?: never };

async function transition(
  env: Env,
  target: Target,
  opts: { status: Change; error: MessageError | null; setWamid?: string; onlyWithoutWamid?: boolean; recipientUserId?: string },
): Promise<boolean> {
  const d1 = env.DB;
  const now = Date.now();
  const eventId = newId(now);
  const column = target.id !== undefined ? "id" : "wamid";
  const key = (target.id ?? target.wamid)!;
  const guard = opts.onlyWithoutWamid ? "AND wamid IS NULL" : opts.setWamid ? "AND (wamid IS NULL OR wamid = ?5)" : "";
  const update = d1
    .prepare(
      `UPDATE messages SET status = ?2, event_seq = event_seq + 1, updated_at = ?3,
              error = CASE WHEN ?2 = 'failed' THEN ?4 WHEN ?2 = 'sent' THEN NULL ELSE error END,
              wamid = COALESCE(wamid, ?5)
        WHERE ${column} = ?1 ${guard} AND status IN (${sqlList(MAY_REPLACE[opts.status])})`,
    )
    .bind(key, opts.status, now, opts.error ? JSON.stringify(opts.error) : null, opts.setWamid ?? null);
  const type: EventType = `message.${opts.status}`;
  const events = messageEventStatements(d1, { eventId, type, now, messageWhere: `m.${column} = ?5`, param: key });
  // Meta's statuses name the recipient's BSUID: the contact learns it unless another contact has it
  const learn = opts.recipientUserId
    ? [
        d1
          .prepare(
            `UPDATE contacts SET user_id = ?2 WHERE id = (SELECT contact_id FROM messages WHERE ${column} = ?1) AND user_id IS NULL
               AND NOT EXISTS (SELECT 1 FROM contacts o WHERE o.waba_id = contacts.waba_id AND o.user_id = ?2)`,
          )
          .bind(key, opts.recipientUserId),
      ]
    : [];
  const results = await d1.batch([update, ...events, ...learn]);
  if (eventWritten(results, 1)) await queueDeliveries(env, [eventId]);
  return (results[0]?.meta.changes ?? 0) > 0;
}

/**
 * Meta accepted the send: store its wamid and mark it sent — or held, when Meta holds a template for
 * quality assessment (it is not sent yet, but has a wamid, so it is never sent again) — then apply any
 * statuses that came first.
 */
export async function markSent(env: Env, messageId: string, wamid: string, status: "sent" | "held" = "sent"): Promise<void> {
  await transition(env, { id: messageId }, { status, error: null, setWamid: wamid });
  await applyPendingStatuses(env, wamid);
}

/** The send will not happen: terminal, with the reason. Returns false if it had already moved on. */
export async function markFailed(env: Env, messageId: string, error: MessageError): Promise<boolean> {
  return transition(env, { id: messageId }, { status: "failed", error, onlyWithoutWamid: true });
}

export type StatusResult = "applied" | "unchanged" | "pending";

/**
 * A status from Meta's webhook. Applied to the message with that wamid if it moves it forward. If no
 * message has the wamid yet, the send's `biz_opaque_callback_data` (our message id) links it; failing
 * that, the status is kept and applied once the relay stores the wamid.
 */
export async function applyMetaStatus(
  env: Env,
  s: { wamid: string; status: MetaStatus; error: MessageError | null; callbackData?: string; recipientUserId?: string; raw: unknown },
): Promise<StatusResult> {
  const known = await env.DB.prepare(`SELECT id FROM messages WHERE wamid = ?1`).bind(s.wamid).first<{ id: string }>();
  if (known) return (await transition(env, { wamid: s.wamid }, { status: s.status, error: s.error, recipientUserId: s.recipientUserId })) ? "applied" : "unchanged";

  if (s.callbackData && /^[0-9a-f]{24}$/.test(s.callbackData)) {
    const linked = await env.DB.prepare(`UPDATE messages SET wamid = ?2 WHERE id = ?1 AND wamid IS NULL AND direction = 'outbound'`).bind(s.callbackData, s.wamid).run();
    if (linked.meta.changes > 0) {
      await transition(env, { wamid: s.wamid }, { status: "sent", error: null });
      if (s.status === "sent") return "applied";
      return (await transition(env, { wamid: s.wamid }, { status: s.status, error: s.error, recipientUserId: s.recipientUserId })) ? "applied" : "unchanged";
    }
  }
  await env.DB.prepare(`INSERT INTO pending_statuses (wamid, status, payload, received_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (wamid, status) DO NOTHING`)
    .bind(s.wamid, s.status, JSON.stringify({ error: s.error, raw: s.raw }), Date.now())
    .run();
  // the relay may have stored the wamid between our read and this insert
  const nowKnown = await env.DB.prepare(`SELECT 1 AS x FROM messages WHERE wamid = ?1`).bind(s.wamid).first();
  if (nowKnown) await applyPendingStatuses(env, s.wamid);
  return "pending";
}

/** Applies (in status order) and clears the statuses that arrived before this wamid was stored. */
export async function applyPendingStatuses(env: Env, wamid: string): Promise<void> {
  const { results } = await env.DB.prepare(`SELECT status, payload FROM pending_statuses WHERE wamid = ?1`).bind(wamid).all<{ status: MetaStatus; payload: string }>();
  for (const p of results.sort((a, b) => META_STATUSES.indexOf(a.status) - META_STATUSES.indexOf(b.status))) {
    const { error } = JSON.parse(p.payload) as { error: MessageError | null };
    await transition(env, { wamid }, { status: p.status, error });
    await env.DB.prepare(`DELETE FROM pending_statuses WHERE wamid = ?1 AND status = ?2`).bind(wamid, p.status).run();
  }
}
