import { createApp } from "./app";
import type { Env } from "./env";
import { handleQueueBatch } from "./queues/dispatch";
import { runScheduled } from "./scheduled";

export { KeyGate } from "./durable-objects/key-gate";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: handleQueueBatch,
  scheduled: runScheduled,
} satisfies ExportedHandler<Env>;
