import { createApp } from "./app";
import type { Env } from "./env";
import { handleQueueBatch } from "./queue";
import { runScheduled } from "./scheduled";

export { KeyGate } from "./durable-objects/key-gate";
export { WabaStore } from "./durable-objects/waba-store";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: handleQueueBatch,
  scheduled: runScheduled,
} satisfies ExportedHandler<Env>;
