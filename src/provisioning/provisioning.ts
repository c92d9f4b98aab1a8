import { and, asc, count, eq, gt } from "drizzle-orm";
import { displayPrefix, generateApiKey, hashApiKey, type KeyMode } from "../auth/api-key";
import type { Scope } from "../auth/scopes";
import { sealSecret } from "../crypto/secret-box";
import type { Database } from "../db/client";
import { newId } from "../db/ids";
import { apiKeys, phoneNumbers, wabas, workspaces, type Plan } from "../db/schema";
import { invalidateWabaControl, wabaStore } from "../data-plane/stub";
import type { Env } from "../env";
import { forgetUnknownWaba } from "../meta-events/waba-lookup";

// Provisioning used by the admin routes. Below HTTP: return values say what happened (null = not found).

export async function createWorkspace(db: Database, input: { name: string; plan: Plan }) {
  const row = { id: newId(), name: input.name, plan: input.plan, createdAt: Date.now() };
  await db.insert(workspaces).values(row);
  return row;
}

export function listWorkspaces(db: Database) {
  return db.select().from(workspaces).orderBy(asc(workspaces.id)).all();
}

/** Changes name and/or plan; a plan change reaches every key of the workspace on its next request. */
export async function updateWorkspace(db: Database, env: Env, id: string, patch: { name?: string; plan?: Plan }) {
  const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  const [row] = Object.keys(set).length
    ? await db.update(workspaces).set(set).where(eq(workspaces.id, id)).returning()
    : await db.select().from(workspaces).where(eq(workspaces.id, id)).all();
  if (!row) return null;
  if (patch.plan) {
    const keys = await db.select({ keyHash: apiKeys.keyHash }).from(apiKeys).where(eq(apiKeys.workspaceId, id)).all();
    await Promise.all(keys.map((k) => invalidateKey(env, k.keyHash)));
  }
  return row;
}

export async function createWaba(db: Database, env: Env, input: { workspaceId: string; metaWabaId: string; name: string; accessToken: string }) {
  const workspace = await db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, input.workspaceId)).get();
  if (!workspace) return { kind: "no_workspace" as const };
  const existing = await db.select({ id: wabas.id }).from(wabas).where(eq(wabas.metaWabaId, input.metaWabaId)).get();
  if (existing) return { kind: "duplicate" as const };
  const row = {
    id: newId(),
    workspaceId: input.workspaceId,
    metaWabaId: input.metaWabaId,
    name: input.name,
    accessTokenEnc: await sealSecret(env.TOKEN_ENCRYPTION_KEY, input.accessToken),
    createdAt: Date.now(),
  };
  await db.insert(wabas).values(row);
  forgetUnknownWaba(input.metaWabaId);
  return { kind: "created" as const, waba: publicWaba(row) };
}

export async function updateWaba(db: Database, env: Env, id: string, patch: { name?: string; accessToken?: string }) {
  const set: Partial<typeof wabas.$inferInsert> = {};
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.accessToken !== undefined) set.accessTokenEnc = await sealSecret(env.TOKEN_ENCRYPTION_KEY, patch.accessToken);
  const [row] = Object.keys(set).length
    ? await db.update(wabas).set(set).where(eq(wabas.id, id)).returning()
    : await db.select().from(wabas).where(eq(wabas.id, id)).all();
  // the WABA's object caches its token: a new one takes effect on its next send
  if (row && patch.accessToken !== undefined) await invalidateWabaControl(env, id);
  return row ? publicWaba(row) : null;
}

export function publicWaba(row: Pick<typeof wabas.$inferSelect, "id" | "workspaceId" | "metaWabaId" | "name" | "createdAt">) {
  return { id: row.id, workspaceId: row.workspaceId, metaWabaId: row.metaWabaId, name: row.name, createdAt: row.createdAt };
}

export async function listWabas(db: Database, workspaceId?: string) {
  const rows = await db.select().from(wabas).where(workspaceId ? eq(wabas.workspaceId, workspaceId) : undefined).orderBy(asc(wabas.id)).all();
  return rows.map(publicWaba);
}

/** The WABA's first phone number becomes its default; `isDefault: true` moves the default. */
export async function addPhoneNumber(db: Database, env: Env, input: { wabaId: string; metaPhoneNumberId: string; displayPhoneNumber: string; isDefault?: boolean; throughputMps?: number }) {
  const waba = await db.select({ id: wabas.id }).from(wabas).where(eq(wabas.id, input.wabaId)).get();
  if (!waba) return { kind: "no_waba" as const };
  const taken = await db.select({ id: phoneNumbers.id }).from(phoneNumbers).where(eq(phoneNumbers.metaPhoneNumberId, input.metaPhoneNumberId)).get();
  if (taken) return { kind: "duplicate" as const };
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(phoneNumbers).where(eq(phoneNumbers.wabaId, input.wabaId));
  const isDefault = n === 0 || input.isDefault === true;
  const row = { id: newId(), wabaId: input.wabaId, metaPhoneNumberId: input.metaPhoneNumberId, displayPhoneNumber: input.displayPhoneNumber, isDefault, throughputMps: input.throughputMps ?? null, throughputSource: input.throughputMps === undefined ? null : ("admin" as const), createdAt: Date.now() };
  const insert = db.insert(phoneNumbers).values(row);
  if (isDefault && n > 0) {
    await db.batch([db.update(phoneNumbers).set({ isDefault: false }).where(eq(phoneNumbers.wabaId, input.wabaId)), insert]);
  } else {
    await insert;
  }
  await invalidateWabaControl(env, input.wabaId);
  return { kind: "created" as const, phoneNumber: row };
}

export function listPhoneNumbers(db: Database, wabaId: string) {
  return db.select().from(phoneNumbers).where(eq(phoneNumbers.wabaId, wabaId)).orderBy(asc(phoneNumbers.id)).all();
}

export type KeyView = {
  id: string;
  name: string;
  prefix: string;
  mode: KeyMode;
  workspaceId: string;
  wabaId: string;
  scopes: Scope[];
  planOverride: Plan | null;
  createdAt: number;
  revokedAt: number | null;
};

function keyView(row: typeof apiKeys.$inferSelect): KeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.displayPrefix,
    mode: row.mode,
    workspaceId: row.workspaceId,
    wabaId: row.wabaId,
    scopes: row.scopes.split(" ").filter(Boolean) as Scope[],
    planOverride: row.planOverride,
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
  };
}

/** Creates a key and returns its secret: the only time the secret exists outside the caller's hands. */
export async function createApiKey(
  db: Database,
  env: Env,
  input: { wabaId: string; name: string; scopes: Scope[]; mode: KeyMode; planOverride?: Plan; secret?: string },
) {
  const waba = await db.select({ id: wabas.id, workspaceId: wabas.workspaceId }).from(wabas).where(eq(wabas.id, input.wabaId)).get();
  if (!waba) return null;
  const secret = input.secret ?? generateApiKey(input.mode);
  const keyHash = await hashApiKey(secret);
  const row = {
    id: newId(),
    workspaceId: waba.workspaceId,
    wabaId: waba.id,
    name: input.name,
    keyHash,
    displayPrefix: displayPrefix(secret),
    mode: input.mode,
    scopes: [...new Set(input.scopes)].join(" "),
    planOverride: input.planOverride ?? null,
    createdAt: Date.now(),
    revokedAt: null,
  };
  await db.insert(apiKeys).values(row);
  // the object may have cached "no such key" for this hash
  await invalidateKey(env, keyHash);
  return { ...keyView(row), secret };
}

export async function listApiKeys(db: Database, filter: { workspaceId?: string; wabaId?: string; after?: string; limit: number }) {
  const rows = await db
    .select()
    .from(apiKeys)
    .where(
      and(
        filter.workspaceId ? eq(apiKeys.workspaceId, filter.workspaceId) : undefined,
        filter.wabaId ? eq(apiKeys.wabaId, filter.wabaId) : undefined,
        filter.after ? gt(apiKeys.id, filter.after) : undefined,
      ),
    )
    .orderBy(asc(apiKeys.id))
    .limit(filter.limit)
    .all();
  return rows.map(keyView);
}

/** Revokes a key; its very next request fails. Revoking twice is harmless. */
export async function revokeApiKey(db: Database, env: Env, id: string) {
  const row = await db.select().from(apiKeys).where(eq(apiKeys.id, id)).get();
  if (!row) return null;
  const revokedAt = row.revokedAt ?? Date.now();
  if (row.revokedAt === null) await db.update(apiKeys).set({ revokedAt }).where(eq(apiKeys.id, id));
  await invalidateKey(env, row.keyHash);
  return keyView({ ...row, revokedAt });
}

export async function invalidateKey(env: Env, keyHash: string) {
  await env.KEY_GATE.get(env.KEY_GATE.idFromName(keyHash)).invalidate();
}

/**
 * Offboarding, or a data-protection request: the WABA's data plane (every contact, message, template,
 * endpoint and event in its live and its test-mode object) and its control-plane rows (keys, phone numbers, the WABA) are
 * deleted. Its keys stop working at once. Null: no such WABA.
 */
export async function eraseWaba(db: Database, env: Env, id: string) {
  const waba = await db.select({ id: wabas.id, metaWabaId: wabas.metaWabaId }).from(wabas).where(eq(wabas.id, id)).get();
  if (!waba) return null;
  await Promise.all([wabaStore(env, id, "live").erase(id), wabaStore(env, id, "test").erase(id)]);
  const keys = await db.select({ keyHash: apiKeys.keyHash }).from(apiKeys).where(eq(apiKeys.wabaId, id)).all();
  await db.batch([
    db.delete(apiKeys).where(eq(apiKeys.wabaId, id)),
    db.delete(phoneNumbers).where(eq(phoneNumbers.wabaId, id)),
    db.delete(wabas).where(eq(wabas.id, id)),
  ]);
  await Promise.all(keys.map((k) => invalidateKey(env, k.keyHash)));
  return { wabaId: id, metaWabaId: waba.metaWabaId, keysDeleted: keys.length };
}
