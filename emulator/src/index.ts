import { createApp } from "./app";
import type { EmulatorBindings } from "./env";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<EmulatorBindings>;
