import { eq, sql } from "drizzle-orm";
import { database } from "../db/client";
import { apiKeys, wabas, workspaces, type Plan } from "../db/schema";
import type { KeyRecord } from "./key-record";
import { parseScopes } from "./scopes";

/** One indexed read: the key by its hash, with the effective plan (the key's override, else its workspace's) and what GET /v1/key shows. */
export async function loadKeyRecord(d1: D1Database, keyHash: string): Promise<KeyRecord | null> {
  const row = await database(d1)
    .select({
      id: apiKeys.id,
      workspaceId: apiKeys.workspaceId,
      wabaId: apiKeys.wabaId,
      scopes: apiKeys.scopes,
      mode: apiKeys.mode,
      revokedAt: apiKeys.revokedAt,
      plan: sql<Plan>`coalesce(${apiKeys.planOverride}, ${workspaces.plan})`,
      name: apiKeys.name,
      displayPrefix: apiKeys.displayPrefix,
      createdAt: apiKeys.createdAt,
      wabaName: wabas.name,
      metaWabaId: wabas.metaWabaId,
    })
    .from(apiKeys)
    .innerJoin(workspaces, eq(workspaces.id, apiKeys.workspaceId))
    .innerJoin(wabas, eq(wabas.id, apiKeys.wabaId))
    .where(eq(apiKeys.keyHash, keyHash))
    .get();
  if (!row) return null;
  return {
    id: row.id,
    keyHash,
    workspaceId: row.workspaceId,
    wabaId: row.wabaId,
    scopes: parseScopes(row.scopes),
    plan: row.plan,
    mode: row.mode,
    revoked: row.revokedAt !== null,
    profile: { name: row.name, displayPrefix: row.displayPrefix, createdAt: row.createdAt, wabaName: row.wabaName, metaWabaId: row.metaWabaId },
  };
}
