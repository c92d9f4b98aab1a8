/// <reference types="vite/client" />
import type { D1Migration } from "cloudflare:test";
import type { Env as AppBindings } from "../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends AppBindings {
      TEST_MIGRATIONS: D1Migration[];
      /** the test webhook receiver (test/fixtures/webhook-receiver.ts) */
      RECEIVER: Fetcher;
      /** the property-based tests' seed: a number, or "random" (vitest.config.ts) */
      FUZZ_SEED: string;
    }
    interface GlobalProps {
      mainModule: typeof import("../src/index");
      durableNamespaces: "KeyGate" | "WabaStore";
    }
  }
}
