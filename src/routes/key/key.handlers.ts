import type { RouteHandler } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { apiKeys, wabas } from "../../db/schema";
import type { AppEnv } from "../../env";
import { PLAN_LIMITS } from "../../rate-limit/plans";
import type { getKey } from "./key.routes";

export const describeKey: RouteHandler<typeof getKey, AppEnv> = async (c) => {
  const key = c.var.key;
  const row = await c.var.db
    .select({ name: apiKeys.name, prefix: apiKeys.displayPrefix, createdAt: apiKeys.createdAt, wabaName: wabas.name, metaWabaId: wabas.metaWabaId })
    .from(apiKeys)
    .innerJoin(wabas, eq(wabas.id, apiKeys.wabaId))
    .where(eq(apiKeys.id, key.id))
    .get();
  if (!row) throw new Error(`key ${key.id} admitted but not found`);
  const limits = PLAN_LIMITS[key.plan];
  return c.json(
    {
      id: key.id,
      name: row.name,
      prefix: row.prefix,
      scopes: key.scopes,
      plan: key.plan,
      mode: key.mode,
      rateLimit: { perMinute: limits.perMinute, burst: limits.burst, burstWindowSeconds: 10 as const },
      waba: { id: key.wabaId, metaWabaId: row.metaWabaId, name: row.wabaName },
      createdAt: new Date(row.createdAt).toISOString(),
    },
    200,
  );
};
