import type { Env } from "../env";
import { logDeadMetaEvents, processMetaEvents } from "../meta-events/process-meta-events";
import { failDeadSends } from "../relay/dead-letters";
import { deliverWebhooks, failDeadDeliveries } from "../webhooks/deliver";
import { relaySends } from "../relay/relay-sends";
import { queueKind, type QueueKind } from "./queue-names";

type Consumer = (batch: MessageBatch<any>, env: Env, ctx: ExecutionContext) => Promise<void>;

const CONSUMERS: Record<QueueKind, Consumer> = {
  sends: relaySends,
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
    console.error(JSON.stringify({ level: "error", msg: "no consumer for queue", queue: batch.queue }));
    batch.retryAll({ delaySeconds: 60 });
    return;
  }
  await consumer(batch, env, ctx);
}
