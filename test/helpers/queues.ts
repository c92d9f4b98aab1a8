import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";

/** Vars to change for one run of a consumer (e.g. a retry delay the suite's config sets to 0). */
export type QueueVars = Partial<typeof env>;

/**
 * Runs the Worker's consumer of `queue` on these message bodies as the queue would (one batch, each
 * delivered `attempts` times so far), optionally with some vars changed. Returns what it did with each
 * message, and the delays it asked for on retry (getQueueResult does not say).
 */
export async function runQueue<T>(queue: string, bodies: T[], opts: { attempts?: number; vars?: QueueVars } = {}) {
  const batch = createMessageBatch<T>(
    queue,
    bodies.map((body) => ({ id: `job-${crypto.randomUUID()}`, timestamp: new Date(), attempts: opts.attempts ?? 1, body })),
  );
  const retryDelays: Array<number | undefined> = [];
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    message.retry = (options) => {
      retryDelays.push(options?.delaySeconds);
      retry(options);
    };
  }
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, ...opts.vars }, ctx);
  return { ...(await getQueueResult(batch, ctx)), retryDelays };
}
