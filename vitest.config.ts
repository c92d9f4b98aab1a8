import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { buildSync } from "esbuild";
import path from "node:path";
import { defineConfig } from "vitest/config";

// The Cloud API emulator and the sandbox run as real auxiliary Workers beside the API under test, with
// service bindings both ways as in `npm run dev`. Auxiliary Workers must be plain JavaScript, so bundle it first.
// A test-only stand-in for integrators' webhook endpoints receives every outbound fetch of the API.
const emulatorBundle = path.join(import.meta.dirname, ".test-build/emulator.mjs");
const receiverBundle = path.join(import.meta.dirname, ".test-build/webhook-receiver.mjs");
buildSync({
  entryPoints: { emulator: path.join(import.meta.dirname, "emulator/src/index.ts"), "webhook-receiver": path.join(import.meta.dirname, "test/fixtures/webhook-receiver.ts") },
  outdir: path.join(import.meta.dirname, ".test-build"),
  outExtension: { ".js": ".mjs" },
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  mainFields: ["module", "main"],
  conditions: ["workerd", "worker", "import"],
  external: ["cloudflare:*"],
  logLevel: "warning",
});

/** The name vitest-pool-workers gives the Worker under test (project name "api"). */
const API_WORKER = "vitest-pool-workers-runner-api";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    plugins: [
      cloudflareTest({
        main: "./src/index.ts",
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            // the fuzzers replay the same requests on every run unless told otherwise:
            // FUZZ_SEED=random npm test explores (fast-check prints the seed of any failure to replay it)
            FUZZ_SEED: process.env.FUZZ_SEED ?? "20261130",
            RELAY_BACKOFF_BASE_SECONDS: "0",
            // retry timeouts at once; test/messages/relay.test.ts drives the delayed retry with its own value
            RELAY_UNCERTAIN_RETRY_SECONDS: "0",
            SEND_WAIT_BUDGET_MS: "5000",
            META_TIMEOUT_MS: "1500",
            WEBHOOK_BACKOFF_BASE_SECONDS: "0",
            // the suite sends to the same few customers many times a second; test/relay/pacing.test.ts
            // turns pair pacing on with its own values (throughput pacing stays on everywhere)
            PAIR_INTERVAL_MS: "0",
          },
          outboundService: "webhook-receiver",
          serviceBindings: { RECEIVER: "webhook-receiver" },
          workers: [
            {
              name: "wbiz-meta-emulator",
              modules: true,
              scriptPath: emulatorBundle,
              compatibilityDate: "2026-04-20",
              bindings: { META_APP_SECRET: "demo-meta-app-secret-local-only", WEBHOOK_PATH: "/meta/webhook", DEFAULT_GRAPH_VERSION: "v24.0" },
              serviceBindings: { API: API_WORKER },
            },
            // The sandbox (emulator/sandbox.wrangler.toml): the same bundle as a second Worker, with module
            // state of its own (test/emulator/sandbox.test.ts checks it), reached as env.SANDBOX.
            {
              name: "wbiz-sandbox",
              modules: true,
              scriptPath: emulatorBundle,
              compatibilityDate: "2026-04-20",
              bindings: {
                META_APP_SECRET: "demo-sandbox-app-secret-local-only",
                WEBHOOK_PATH: "/meta/sandbox/webhook",
                DEFAULT_GRAPH_VERSION: "v24.0",
                SANDBOX: "true",
                CONTROL: "true",
              },
              serviceBindings: { API: API_WORKER },
            },
            { name: "webhook-receiver", modules: true, scriptPath: receiverBundle, compatibilityDate: "2026-04-20" },
          ],
        },
      }),
    ],
    test: {
      name: "api",
      include: ["test/**/*.test.ts"],
      setupFiles: ["./test/setup/apply-migrations.ts", "./test/setup/wait-for.ts"],
      testTimeout: 20_000,
      // two test files at a time (vitest's default on a 2-core machine is one): the suite waits on queues
      // and Meta's emulated latency more than it computes, and every test has its own tenant
      maxWorkers: 2,
    },
  };
});
