import type { KeyGate } from "./durable-objects/key-gate";
import type { WabaStore } from "./durable-objects/waba-store";
import type { KeyRecord } from "./auth/key-record";
import type { SendJob } from "./queues/send-job";
import type { MetaEventJob } from "./queues/meta-event-job";
import type { MediaCopyJob } from "./queues/media-copy-job";
import type { WebhookDeliveryJob } from "./queues/webhook-delivery-job";

export interface Env {
  DB: D1Database;
  KEY_GATE: DurableObjectNamespace<KeyGate>;
  /** the data plane: one SQLite Durable Object per WABA, named by our WABA id */
  WABA_STORE: DurableObjectNamespace<WabaStore>;
  /** Workers Rate Limiting: failed authentications per client address (src/auth/failure-throttle.ts) */
  AUTH_FAILURE_LIMITER: RateLimit;
  SEND_QUEUE: Queue<SendJob>;
  /** campaigns' sends (`bulk: true`): the same relay, a queue of their own */
  BULK_SEND_QUEUE: Queue<SendJob>;
  /** Meta-event jobs, and the copy of an inbound message's media into MEDIA (src/media/copy-inbound.ts) */
  META_EVENTS_QUEUE: Queue<MetaEventJob | MediaCopyJob>;
  /** R2: inbound media kept per WABA and message (src/media/store-key.ts) */
  MEDIA: R2Bucket;
  WEBHOOK_QUEUE: Queue<WebhookDeliveryJob>;
  /** Local dev and tests: a service binding to the Cloud API emulator. Absent in production. */
  META?: Fetcher;
  /** Test mode's Graph API: a service binding to the sandbox (the emulator's code, deployed as wbiz-sandbox). */
  SANDBOX?: Fetcher;
  /** HMAC key of the sandbox's webhooks (POST /meta/sandbox/webhook), as META_APP_SECRET is of Meta's */
  SANDBOX_APP_SECRET?: string;
  META_GRAPH_URL: string;
  META_GRAPH_VERSION: string;
  META_APP_SECRET: string;
  META_VERIFY_TOKEN: string;
  /** base64 of 32 random bytes: AES-GCM key for WABA access tokens and webhook secrets */
  TOKEN_ENCRYPTION_KEY: string;
  ADMIN_TOKEN: string;
  ENVIRONMENT: string;
  /** how long a send route waits for Meta's answer before replying 202 (ms) */
  SEND_WAIT_BUDGET_MS?: string;
  /** how long the relay waits for Meta before treating the call as a (retryable) timeout (ms) */
  META_TIMEOUT_MS?: string;
  /** base of the relay's exponential backoff (seconds) */
  RELAY_BACKOFF_BASE_SECONDS?: string;
  /** after a Meta timeout (outcome unknown), the earliest retry in seconds (default 30): time for Meta's `sent` webhook to link the send */
  RELAY_UNCERTAIN_RETRY_SECONDS?: string;
  /** pair rate: one message per this many ms from one number to one customer (default 6000; "0": not paced), after a burst of PAIR_BURST (default 10) */
  PAIR_INTERVAL_MS?: string;
  PAIR_BURST?: string;
  /** "true": add Server-Timing with D1 query and Durable Object call counts (local dev and benchmarks) */
  EXPOSE_TIMINGS?: string;
  /** outbound webhooks: backoff base (seconds, default 30), retry window (ms, default 24 h), timeout (ms, default 10 s) */
  WEBHOOK_BACKOFF_BASE_SECONDS?: string;
  WEBHOOK_RETRY_WINDOW_MS?: string;
  WEBHOOK_TIMEOUT_MS?: string;
  /** "true": webhook endpoints may use http:// on loopback (local dev only) */
  WEBHOOKS_ALLOW_LOOPBACK_HTTP?: string;
  /** DNS over HTTPS (JSON API) used to see where webhook host names resolve; default https://cloudflare-dns.com/dns-query */
  DNS_RESOLVER_URL?: string;
  /** message bodies older than this are pruned by each WABA object (days, default 180) */
  MESSAGE_RETENTION_DAYS?: string;
  /** inbound media kept in R2 is deleted after this many days (default 90); older media answers 410 MEDIA_EXPIRED */
  MEDIA_RETENTION_DAYS?: string;
  /** the Meta app id Resumable Uploads are made for (template header media from a media id) */
  META_APP_ID?: string;
  /** local dev only (ENVIRONMENT "local"): an API key /docs pre-fills for "Test Request" (npm run dev passes the growth demo key) */
  DOCS_DEMO_KEY?: string;
}

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    key: KeyRecord;
    counters: { d1: number; durableObject: number };
    db: import("./db/client").Database;
    /** the key's WABA object (set by authentication), its calls counted for Server-Timing */
    store: DurableObjectStub<WabaStore>;
    /** the request's Idempotency-Key and fingerprint (src/middleware/idempotency.ts), for the handler's call to the WABA object */
    idempotency?: import("./durable-objects/idempotency-store").IdempotencyRequest;
  };
};
