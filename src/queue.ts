import type { Env } from "./env";
import { logDeadMetaEvents, processMetaEvents } from "./meta-events/consume";
import { failDeadSends, relaySends } from "./relay/relay-sends";
import { queueKind, type QueueKind } from "./queues/queue-names";
import { log } from "./log";
import { deliverWebhooks, failDeadDeliveries } from "./webhooks/deliver";

type Consumer = (batch: MessageBatch<any>, env: Env, ctx: ExecutionContext) => Promise<void>;

const CONSUMERS: Record<QueueKind, Consumer> = {
  sends: relaySends,
  "sends-bulk": relaySends,
  "sends-dlq": failDeadSends,
  "meta-events": processMetaEvents,
  "meta-events-dlq": logDeadMetaEvents,
  webhooks: deliverWebhooks,
  "webhooks-dlq": failDeadDeliveries,
};

/** The Worker's one queue() entry: hands each batch to the consumer of the queue it came from. */
export async function handleQueueBatch(batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext): Promise<void> {
  const kind = queueKind(batch.queue);
  const consumer = kind ? CONSUMERS[kind] : undefined;
  if (!consumer) {
    log.error("no consumer for queue", { queue: batch.queue });
    batch.retryAll({ delaySeconds: 60 });
    return;
  }
  await consumer(batch, env, ctx);
}
