import { database } from "./db/client";
import type { Env } from "./env";
import { log } from "./log";
import { syncAllTemplates } from "./templates/sync-templates";

/**
 * Cron Triggers (wrangler.toml [triggers]): mirror every WABA's templates from Meta. (Lost work is
 * re-queued and retention enforced by each WABA object's own alarm: src/data-plane/maintenance.ts.)
 */
export async function runScheduled(controller: ScheduledController, env: Env, _ctx: ExecutionContext): Promise<void> {
  const results = await syncAllTemplates(database(env.DB), env);
  const failed = results.filter((r) => r.result.kind !== "synced");
  for (const { wabaId, mode, result } of failed) log.warn("template sync failed", { job: "templates.sync", cron: controller.cron, wabaId, mode, result });
  log.info("templates synced", { job: "templates.sync", cron: controller.cron, wabas: results.length, failed: failed.length });
}
