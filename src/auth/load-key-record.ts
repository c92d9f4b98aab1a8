import { eq, sql } from "drizzle-orm";
import { database } from "../db/client";
import { apiKeys, workspaces, type Plan } from "../db/schema";
import type { KeyRecord } from "./key-record";
import { parseScopes } from "./scopes";

/** One indexed read: the key by its hash, with the effective plan (the key's override, else its workspace's). */
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
    })
    .from(apiKeys)
    .innerJoin(workspaces, eq(workspaces.id, apiKeys.workspaceId))
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
  };
}
