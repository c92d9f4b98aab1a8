import { newId } from "../db/ids";
import { pageOf } from "../schemas/page";
import type { EventType } from "./schema";
import { all, one, run, type Store } from "./store";

// The WABA's integrator webhook endpoints (webhooks:manage) and the deliveries of its events. A foreign
// id is simply not in this object: it behaves exactly like a missing one.

export const MAX_ENDPOINTS_PER_WABA = 10;

export type EndpointView = { id: string; url: string; events: EventType[]; enabled: boolean; description: string | null; createdAt: number; updatedAt: number };

type EndpointRow = { id: string; url: string; events: string; enabled: number; description: string | null; createdAt: number; updatedAt: number };
const ENDPOINT = `SELECT id, url, events, enabled, description, created_at AS createdAt, updated_at AS updatedAt FROM webhook_endpoints`;
const view = (r: EndpointRow): EndpointView => ({ ...r, events: JSON.parse(r.events) as EventType[], enabled: r.enabled === 1 });

/** Creates the endpoint unless the WABA already has MAX_ENDPOINTS_PER_WABA (one writer: the count and insert cannot interleave). */
export function createEndpoint(s: Store, input: { url: string; events: EventType[]; description?: string; enabled?: boolean; secretEnc: string }): EndpointView | "limit" {
  if ((one<{ n: number }>(s, `SELECT count(*) AS n FROM webhook_endpoints`)?.n ?? 0) >= MAX_ENDPOINTS_PER_WABA) return "limit";
  const id = newId(s.now);
  s.sql.exec(
    `INSERT INTO webhook_endpoints (id, url, events, enabled, description, secret_enc, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    id, input.url, JSON.stringify([...new Set(input.events)]), input.enabled === false ? 0 : 1, input.description ?? null, input.secretEnc, s.now, s.now,
  );
  return getEndpoint(s, id)!;
}

export function listEndpoints(s: Store, page: { cursor?: string; limit: number }) {
  const rows = page.cursor
    ? all<EndpointRow>(s, `${ENDPOINT} WHERE id > ? ORDER BY id LIMIT ?`, page.cursor, page.limit + 1)
    : all<EndpointRow>(s, `${ENDPOINT} ORDER BY id LIMIT ?`, page.limit + 1);
  const p = pageOf(rows.map(view), page.limit, (last) => last.id);
  return { items: p.items, nextCursor: p.nextCursor };
}

export function getEndpoint(s: Store, id: string): EndpointView | null {
  const row = one<EndpointRow>(s, `${ENDPOINT} WHERE id = ?`, id);
  return row ? view(row) : null;
}

export function updateEndpoint(s: Store, id: string, patch: { url?: string; events?: EventType[]; enabled?: boolean; description?: string | null }): EndpointView | null {
  const current = getEndpoint(s, id);
  if (!current) return null;
  s.sql.exec(
    `UPDATE webhook_endpoints SET url = ?, events = ?, enabled = ?, description = ?, updated_at = ? WHERE id = ?`,
    patch.url ?? current.url, JSON.stringify([...new Set(patch.events ?? current.events)]), (patch.enabled ?? current.enabled) ? 1 : 0,
    patch.description === undefined ? current.description : patch.description, s.now, id,
  );
  return getEndpoint(s, id);
}

export function deleteEndpoint(s: Store, id: string): boolean {
  s.sql.exec(`DELETE FROM webhook_deliveries WHERE endpoint_id = ?`, id);
  return run(s, `DELETE FROM webhook_endpoints WHERE id = ? RETURNING id`, id).length > 0;
}

/** A new signing secret (sealed by the caller); the old one stops working at once. */
export function setEndpointSecret(s: Store, id: string, secretEnc: string): boolean {
  return run(s, `UPDATE webhook_endpoints SET secret_enc = ?, updated_at = ? WHERE id = ? RETURNING id`, secretEnc, s.now, id).length > 0;
}

export type DeliveryView = {
  id: string; eventId: string; eventType: EventType; wamid: string | null; sequence: number | null; status: "pending" | "succeeded" | "failed"; attempts: number;
  lastStatusCode: number | null; lastError: string | null; nextAttemptAt: number | null; deliveredAt: number | null; createdAt: number; updatedAt: number;
};

const DELIVERY = `SELECT d.id AS id, d.event_id AS eventId, ev.type AS eventType, ev.wamid AS wamid, ev.sequence AS sequence, d.status AS status, d.attempts AS attempts,
  d.last_status_code AS lastStatusCode, d.last_error AS lastError, d.next_attempt_at AS nextAttemptAt, d.delivered_at AS deliveredAt,
  d.created_at AS createdAt, d.updated_at AS updatedAt
  FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id`;

/** Newest first; `cursor` is the last delivery id of the previous page. Null: no such endpoint. */
export function listDeliveries(s: Store, endpointId: string, page: { status?: "pending" | "succeeded" | "failed"; cursor?: string; limit: number }) {
  if (!getEndpoint(s, endpointId)) return null;
  const where = ["d.endpoint_id = ?"];
  const params: unknown[] = [endpointId];
  if (page.status) (where.push("d.status = ?"), params.push(page.status));
  if (page.cursor) (where.push("d.id < ?"), params.push(page.cursor));
  const rows = all<DeliveryView>(s, `${DELIVERY} WHERE ${where.join(" AND ")} ORDER BY d.id DESC LIMIT ?`, ...params, page.limit + 1);
  const p = pageOf(rows.map((r) => ({ ...r, sequence: r.sequence || null })), page.limit, (last) => last.id);
  return { items: p.items, nextCursor: p.nextCursor };
}

/** Sends the delivery's event again: back to pending with a fresh attempt budget, then queued. */
export function replayDelivery(s: Store, endpointId: string, deliveryId: string): DeliveryView | null {
  if (!getEndpoint(s, endpointId)) return null;
  const [updated] = run<{ id: string }>(
    s,
    `UPDATE webhook_deliveries SET status = 'pending', attempts = 0, last_error = NULL, last_status_code = NULL, next_attempt_at = ?, delivered_at = NULL,
            created_at = ?, updated_at = ? WHERE id = ? AND endpoint_id = ? RETURNING id`,
    s.now, s.now, s.now, deliveryId, endpointId,
  );
  if (!updated) return null;
  s.effects.deliveries.push(deliveryId);
  const row = one<DeliveryView>(s, `${DELIVERY} WHERE d.id = ?`, deliveryId);
  return row ? { ...row, sequence: row.sequence || null } : null;
}

/** What the webhook consumer needs to attempt a delivery; null when there is nothing left to deliver. */
export type PendingDelivery = { attempts: number; createdAt: number; url: string; secretEnc: string; enabled: boolean; body: string; eventId: string; type: EventType };

export function pendingDelivery(s: Store, deliveryId: string): PendingDelivery | null {
  const row = one<Omit<PendingDelivery, "enabled"> & { enabled: number; status: string }>(
    s,
    `SELECT d.status, d.attempts, d.created_at AS createdAt, e.url, e.secret_enc AS secretEnc, e.enabled, ev.body, ev.id AS eventId, ev.type
       FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id JOIN webhook_events ev ON ev.id = d.event_id WHERE d.id = ?`,
    deliveryId,
  );
  if (!row || row.status !== "pending") return null; // delivered already, given up, or endpoint deleted
  const { status: _, ...rest } = row;
  return { ...rest, enabled: row.enabled === 1 };
}

/** The outcome of one attempt: done (succeeded or failed for good), or to be retried at nextAttemptAt. */
export type AttemptOutcome =
  | { kind: "succeeded"; attempts: number; statusCode: number }
  | { kind: "failed"; attempts: number; statusCode: number | null; error: string }
  | { kind: "retry"; attempts: number; statusCode: number | null; error: string; nextAttemptAt: number };

export function recordAttempt(s: Store, deliveryId: string, o: AttemptOutcome): void {
  if (o.kind === "retry") {
    s.sql.exec(
      `UPDATE webhook_deliveries SET attempts = ?, last_status_code = ?, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ? AND status = 'pending'`,
      o.attempts, o.statusCode, o.error, o.nextAttemptAt, s.now, deliveryId,
    );
    return;
  }
  s.sql.exec(
    `UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status_code = ?, last_error = ?, next_attempt_at = NULL,
            delivered_at = CASE WHEN ? = 'succeeded' THEN ? ELSE delivered_at END, updated_at = ?
      WHERE id = ? AND status = 'pending'`,
    o.kind, o.attempts, o.statusCode, o.kind === "failed" ? o.error : null, o.kind, s.now, s.now, deliveryId,
  );
}
