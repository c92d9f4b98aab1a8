import type { Env } from "./env";

/** Cron Triggers: see wrangler.toml [triggers]. */
export async function runScheduled(_controller: ScheduledController, _env: Env, _ctx: ExecutionContext): Promise<void> {}
