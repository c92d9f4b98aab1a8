import type { RouteHandler } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { apiKeys, wabas } from "../../db/schema";
import type { KeyRecord } from "../../auth/key-record";
import type { AppEnv } from "../../env";
import { PLAN_LIMITS } from "../../rate-limit/plans";
import type { getKey } from "./key.routes";

/** From the key's cached record (no D1 query; a WABA renamed in the last minute may show its old name). */
export const describeKey: RouteHandler<typeof getKey, AppEnv> = async (c) => {
  const key = c.var.key;
  const profile = key.profile ?? (await readProfile(c.var.db, key.id));
  const limits = PLAN_LIMITS[key.plan];
  return c.json(
    {
      id: key.id,
      name: profile.name,
      prefix: profile.displayPrefix,
      scopes: key.scopes,
      plan: key.plan,
      mode: key.mode,
      rateLimit: { perMinute: limits.perMinute, burst: limits.burst, burstWindowSeconds: 10 as const },
      waba: { id: key.wabaId, metaWabaId: profile.metaWabaId, name: profile.wabaName },
      createdAt: new Date(profile.createdAt).toISOString(),
    },
    200,
  );
};

/** A record cached by an older build has no profile: read it. */
async function readProfile(db: AppEnv["Variables"]["db"], keyId: string): Promise<NonNullable<KeyRecord["profile"]>> {
  const row = await db
    .select({ name: apiKeys.name, displayPrefix: apiKeys.displayPrefix, createdAt: apiKeys.createdAt, wabaName: wabas.name, metaWabaId: wabas.metaWabaId })
    .from(apiKeys)
    .innerJoin(wabas, eq(wabas.id, apiKeys.wabaId))
    .where(eq(apiKeys.id, keyId))
    .get();
  if (!row) throw new Error(`key ${keyId} admitted but not found`);
  return row;
}
