import { newId } from "../db/ids";
import { e164OfWaId } from "../domain/phone";
import type { Env } from "../env";
import { contactEventStatements, eventWritten, type ContactChange } from "../webhooks/event-statements";
import { queueDeliveries } from "../webhooks/queue-deliveries";

// Changes to a contact that Meta reports rather than the integrator makes: a new phone number (which
// also gives the customer a new BSUID), a new BSUID, a marketing preference set in the WhatsApp app.
// Each is applied once (a re-delivered webhook finds nothing left to change) and announced as
// contact.updated in the same transaction.

type ContactRow = { id: string; phone: string | null; waId: string | null; userId: string | null; optedIn: number };

const SELECT = `SELECT id, phone, wa_id AS waId, user_id AS userId, opted_in AS optedIn FROM contacts`;

/** The WABA's contact known by any of these (BSUID first). */
async function findContact(env: Env, wabaId: string, who: { phone?: string | null; waId?: string | null; userId?: string | null }): Promise<ContactRow | null> {
  return env.DB.prepare(
    `${SELECT} WHERE waba_id = ?1 AND (user_id = ?2 OR phone = ?3 OR wa_id = ?4) ORDER BY user_id IS ?2 DESC, phone IS ?3 DESC LIMIT 1`,
  )
    .bind(wabaId, who.userId ?? null, who.phone ?? null, who.waId ?? null)
    .first<ContactRow>();
}

async function taken(env: Env, wabaId: string, column: "phone" | "user_id", value: string, except: string): Promise<boolean> {
  return (await env.DB.prepare(`SELECT 1 AS x FROM contacts WHERE waba_id = ?1 AND ${column} = ?2 AND id != ?3`).bind(wabaId, value, except).first()) !== null;
}

/** Writes the change if the contact still is as read, with its contact.updated event. */
async function write(env: Env, before: ContactRow, after: Partial<Omit<ContactRow, "id">>, change: ContactChange): Promise<boolean> {
  const next = { ...before, ...after };
  if (next.phone === before.phone && next.waId === before.waId && next.userId === before.userId && next.optedIn === before.optedIn) return false;
  const now = Date.now();
  const eventId = newId(now);
  const results = await env.DB.batch([
    env.DB.prepare(
      `UPDATE contacts SET phone = ?2, wa_id = ?3, user_id = ?4, opted_in = ?5, updated_at = ?6
        WHERE id = ?1 AND phone IS ?7 AND wa_id IS ?8 AND user_id IS ?9 AND opted_in = ?10`,
    ).bind(before.id, next.phone, next.waId, next.userId, next.optedIn, now, before.phone, before.waId, before.userId, before.optedIn),
    ...contactEventStatements(env.DB, {
      eventId, now, contactId: before.id, change,
      previous: { phone: before.phone, waId: before.waId, userId: before.userId, optedIn: before.optedIn === 1 },
    }),
  ]);
  if (eventWritten(results, 1)) await queueDeliveries(env, [eventId]);
  return (results[0]?.meta.changes ?? 0) > 0;
}

/**
 * `system` user_changed_number: `from` is the old number, `system.wa_id` the new one; Meta also reports
 * the BSUID the change regenerated. The contact keeps its history under its new number, unless another
 * contact already has that number (then only the BSUID moves, and the operator sees a warning).
 */
export async function numberChanged(env: Env, wabaId: string, s: { oldWaId?: string; newWaId?: string; userId?: string; previousUserId?: string }) {
  const contact = await findContact(env, wabaId, { phone: s.oldWaId ? e164OfWaId(s.oldWaId) : null, waId: s.oldWaId, userId: s.previousUserId });
  if (!contact) return false;
  const after: Partial<ContactRow> = {};
  if (s.newWaId) {
    const phone = e164OfWaId(s.newWaId);
    if (await taken(env, wabaId, "phone", phone, contact.id)) {
      console.warn(JSON.stringify({ level: "warn", msg: "number change to a number another contact has; contact not moved", wabaId, contactId: contact.id }));
    } else {
      after.phone = phone;
      after.waId = s.newWaId;
    }
  }
  if (s.userId && !(await taken(env, wabaId, "user_id", s.userId, contact.id))) after.userId = s.userId;
  return write(env, contact, after, "number_changed");
}

/** `system` user_changed_user_id: only the customer's BSUID changed. */
export async function userIdChanged(env: Env, wabaId: string, s: { previousUserId?: string; userId?: string; waId?: string }) {
  if (!s.userId) return false;
  const contact = await findContact(env, wabaId, { userId: s.previousUserId, waId: s.waId, phone: s.waId ? e164OfWaId(s.waId) : null });
  if (!contact || (await taken(env, wabaId, "user_id", s.userId, contact.id))) return false;
  return write(env, contact, { userId: s.userId }, "user_id_changed");
}

/**
 * `user_preferences`: the customer stopped or resumed marketing messages in the WhatsApp app. A customer
 * we do not know yet becomes a contact with that preference, so a later marketing send honours it.
 */
export async function marketingPreference(env: Env, wabaId: string, p: { waId?: string; userId?: string; optedIn: boolean }) {
  const phone = p.waId ? e164OfWaId(p.waId) : null;
  const contact = await findContact(env, wabaId, { phone, waId: p.waId, userId: p.userId });
  const change: ContactChange = p.optedIn ? "marketing_resumed" : "marketing_stopped";
  if (contact) return write(env, contact, { optedIn: p.optedIn ? 1 : 0 }, change);
  const now = Date.now();
  const id = newId(now);
  const eventId = newId(now);
  const results = await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO contacts (id, waba_id, phone, wa_id, user_id, custom_fields, opted_in, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, '{}', ?6, ?7, ?7) ON CONFLICT DO NOTHING`,
    ).bind(id, wabaId, phone, p.waId ?? null, p.userId ?? null, p.optedIn ? 1 : 0, now),
    ...contactEventStatements(env.DB, { eventId, now, contactId: id, change, previous: { phone: null, waId: null, userId: null, optedIn: null } }),
  ]);
  if (eventWritten(results, 1)) await queueDeliveries(env, [eventId]);
  return (results[0]?.meta.changes ?? 0) > 0;
}
