import { database } from "./db/client";
import type { Env } from "./env";
import { sweep } from "./maintenance/sweep";
import { syncAllTemplates } from "./templates/sync-templates";

/** Cron Triggers (wrangler.toml [triggers]): re-queue lost work, and mirror every WABA's templates from Meta. */
export async function runScheduled(controller: ScheduledController, env: Env, _ctx: ExecutionContext): Promise<void> {
  const swept = await sweep(env);
  console.log(JSON.stringify({ level: "info", job: "sweep", cron: controller.cron, ...swept }));

  const results = await syncAllTemplates(database(env.DB), env);
  const failed = results.filter((r) => r.result.kind !== "synced");
  for (const { wabaId, result } of failed) {
    console.warn(JSON.stringify({ level: "warn", job: "templates.sync", cron: controller.cron, wabaId, result }));
  }
  console.log(JSON.stringify({ level: "info", job: "templates.sync", cron: controller.cron, wabas: results.length, failed: failed.length }));
}
