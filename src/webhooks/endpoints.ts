import { and, asc, desc, eq, lt, gt, sql } from "drizzle-orm";
import { openSecret, sealSecret } from "../crypto/secret-box";
import type { Database } from "../db/client";
import { newId } from "../db/ids";
import { webhookDeliveries, webhookEndpoints, webhookEvents } from "../db/schema";
import type { Env } from "../env";
import type { WebhookDeliveryJob } from "../queues/webhook-delivery-job";
import type { EventType } from "./event-statements";
import { generateWebhookSecret } from "./signing";

// Webhook endpoints of one WABA (webhooks:manage). Every read and write is scoped by the WABA, so a
// foreign id behaves exactly like a missing one. Returns null for "not found".

export const MAX_ENDPOINTS_PER_WABA = 10;

export type EndpointView = { id: string; url: string; events: EventType[]; enabled: boolean; description: string | null; createdAt: number; updatedAt: number };

function view(row: typeof webhookEndpoints.$inferSelect): EndpointView {
  return { id: row.id, url: row.url, events: JSON.parse(row.events), enabled: row.enabled, description: row.description, createdAt: row.createdAt, updatedAt: row.updatedAt };
}

const own = (wabaId: string, id: string) => and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.wabaId, wabaId));

/**
 * Creates the endpoint unless the WABA already has MAX_ENDPOINTS_PER_WABA. The count and the insert
 * are one statement, which D1 runs atomically: a count followed by an insert let 20 concurrent creates
 * store 19 or 20 endpoints.
 */
export async function createEndpoint(db: Database, env: Env, wabaId: string, input: { url: string; events: EventType[]; description?: string; enabled?: boolean }) {
  const secret = generateWebhookSecret();
  const now = Date.now();
  const row = {
    id: newId(now),
    wabaId,
    url: input.url,
    events: JSON.stringify([...new Set(input.events)]),
    enabled: input.enabled ?? true,
    description: input.description ?? null,
    secretEnc: await sealSecret(env.TOKEN_ENCRYPTION_KEY, secret),
    createdAt: now,
    updatedAt: now,
  };
  const inserted = await db.run(sql`
    INSERT INTO webhook_endpoints (id, waba_id, url, events, enabled, description, secret_enc, created_at, updated_at)
    SELECT ${row.id}, ${row.wabaId}, ${row.url}, ${row.events}, ${row.enabled ? 1 : 0}, ${row.description}, ${row.secretEnc}, ${row.createdAt}, ${row.updatedAt}
     WHERE (SELECT count(*) FROM webhook_endpoints WHERE waba_id = ${wabaId}) < ${MAX_ENDPOINTS_PER_WABA}`);
  if (inserted.meta.changes === 0) return { kind: "limit" as const };
  return { kind: "created" as const, endpoint: view(row), secret };
}

export async function listEndpoints(db: Database, wabaId: string, page: { cursor?: string; limit: number }) {
  const rows = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.wabaId, wabaId), page.cursor ? gt(webhookEndpoints.id, page.cursor) : undefined))
    .orderBy(asc(webhookEndpoints.id))
    .limit(page.limit + 1)
    .all();
  const items = rows.slice(0, page.limit).map(view);
  return { items, nextCursor: rows.length > page.limit ? items[items.length - 1]!.id : null };
}

export async function getEndpoint(db: Database, wabaId: string, id: string) {
  const row = await db.select().from(webhookEndpoints).where(own(wabaId, id)).get();
  return row ? view(row) : null;
}

export async function updateEndpoint(db: Database, wabaId: string, id: string, patch: { url?: string; events?: EventType[]; enabled?: boolean; description?: string | null }) {
  const set: Partial<typeof webhookEndpoints.$inferInsert> = { updatedAt: Date.now() };
  if (patch.url !== undefined) set.url = patch.url;
  if (patch.events !== undefined) set.events = JSON.stringify([...new Set(patch.events)]);
  if (patch.enabled !== undefined) set.enabled = patch.enabled;
  if (patch.description !== undefined) set.description = patch.description;
  const [row] = await db.update(webhookEndpoints).set(set).where(own(wabaId, id)).returning();
  return row ? view(row) : null;
}

export async function deleteEndpoint(db: Database, wabaId: string, id: string): Promise<boolean> {
  const deleted = await db.delete(webhookEndpoints).where(own(wabaId, id)).returning({ id: webhookEndpoints.id });
  return deleted.length > 0;
}

/** A new signing secret; the old one stops working at once. */
export async function rotateSecret(db: Database, env: Env, wabaId: string, id: string): Promise<string | null> {
  const secret = generateWebhookSecret();
  const [row] = await db
    .update(webhookEndpoints)
    .set({ secretEnc: await sealSecret(env.TOKEN_ENCRYPTION_KEY, secret), updatedAt: Date.now() })
    .where(own(wabaId, id))
    .returning({ id: webhookEndpoints.id });
  return row ? secret : null;
}

export async function endpointSecret(env: Env, secretEnc: string): Promise<string> {
  return openSecret(env.TOKEN_ENCRYPTION_KEY, secretEnc);
}

const deliveryColumns = {
  id: webhookDeliveries.id,
  eventId: webhookDeliveries.eventId,
  eventType: webhookEvents.type,
  wamid: webhookEvents.wamid,
  sequence: webhookEvents.sequence,
  status: webhookDeliveries.status,
  attempts: webhookDeliveries.attempts,
  lastStatusCode: webhookDeliveries.lastStatusCode,
  lastError: webhookDeliveries.lastError,
  nextAttemptAt: webhookDeliveries.nextAttemptAt,
  deliveredAt: webhookDeliveries.deliveredAt,
  createdAt: webhookDeliveries.createdAt,
  updatedAt: webhookDeliveries.updatedAt,
};

export type DeliveryView = NonNullable<Awaited<ReturnType<typeof listDeliveries>>>["items"][number];

/** Newest first; `cursor` is the last delivery id of the previous page. */
export async function listDeliveries(db: Database, wabaId: string, endpointId: string, page: { status?: "pending" | "succeeded" | "failed"; cursor?: string; limit: number }) {
  if (!(await getEndpoint(db, wabaId, endpointId))) return null;
  const rows = await db
    .select(deliveryColumns)
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(
      and(
        eq(webhookDeliveries.endpointId, endpointId),
        page.status ? eq(webhookDeliveries.status, page.status) : undefined,
        page.cursor ? lt(webhookDeliveries.id, page.cursor) : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.id))
    .limit(page.limit + 1)
    .all();
  const items = rows.slice(0, page.limit);
  return { items, nextCursor: rows.length > page.limit ? items[items.length - 1]!.id : null };
}

/** Sends the delivery's event again: back to pending with a fresh attempt budget, then queued. */
export async function replayDelivery(db: Database, env: Env, wabaId: string, endpointId: string, deliveryId: string) {
  if (!(await getEndpoint(db, wabaId, endpointId))) return null;
  const now = Date.now();
  const [updated] = await db
    .update(webhookDeliveries)
    .set({ status: "pending", attempts: 0, lastError: null, lastStatusCode: null, nextAttemptAt: now, deliveredAt: null, createdAt: now, updatedAt: now })
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.endpointId, endpointId)))
    .returning({ id: webhookDeliveries.id });
  if (!updated) return null;
  await env.WEBHOOK_QUEUE.send({ deliveryId } satisfies WebhookDeliveryJob, { contentType: "json" });
  const row = await db
    .select(deliveryColumns)
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(eq(webhookDeliveries.id, deliveryId))
    .get();
  return row ?? null;
}
