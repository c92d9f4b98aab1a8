import { z } from "zod";
import type { Env } from "./env";
import { DEFAULT_RESOLVER_URL } from "./net/dns";
import type { PairPacing } from "./relay/pacing";

// Every tunable read from the environment, parsed once per environment object into typed values with
// their defaults, so no caller writes Number(env.X ?? d) itself. A value that does not parse falls back
// to its default rather than failing a request.

const num = (def: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) =>
  z.preprocess((v) => (v === undefined || v === "" ? def : Number(v)), z.number().min(min).max(max)).catch(def);
const flag = z.preprocess((v) => v === "true" || v === true, z.boolean()).catch(false);

const SettingsSchema = z.object({
  /** how long a send route waits for Meta's answer before replying 202 (ms) */
  SEND_WAIT_BUDGET_MS: num(10_000, { max: 25_000 }),
  /** how long the relay waits for Meta before treating the call as a (retryable) timeout (ms) */
  META_TIMEOUT_MS: num(15_000, { min: 1 }),
  /** base of the relay's exponential backoff (seconds) */
  RELAY_BACKOFF_BASE_SECONDS: num(2),
  /** after a Meta timeout (outcome unknown), the earliest retry (s): time for Meta's `sent` webhook to link the send */
  RELAY_UNCERTAIN_RETRY_SECONDS: num(30),
  /** pair rate: one message per this many ms from one number to one customer (0: not paced), after a burst of PAIR_BURST */
  PAIR_INTERVAL_MS: num(6_000),
  PAIR_BURST: num(10, { min: 1 }),
  /** outbound webhooks: backoff base (s), retry window (ms), timeout (ms) */
  WEBHOOK_BACKOFF_BASE_SECONDS: num(30),
  WEBHOOK_RETRY_WINDOW_MS: num(24 * 60 * 60_000, { min: 1 }),
  WEBHOOK_TIMEOUT_MS: num(10_000, { min: 1 }),
  /** message bodies and payloads older than this are pruned by each WABA object's alarm (days) */
  MESSAGE_RETENTION_DAYS: num(180, { min: 1 }),
  /** inbound media kept in R2 is deleted by each WABA object's alarm after this many days */
  MEDIA_RETENTION_DAYS: num(90, { min: 1 }),
  /** the Meta app Resumable Uploads are made for (digits; absent: header handles cannot be made) */
  META_APP_ID: z.string().regex(/^\d+$/).optional().catch(undefined),
  /** add Server-Timing with D1 queries and Durable Object calls (local dev, benchmarks) */
  EXPOSE_TIMINGS: flag,
  /** webhook endpoints may use http:// on loopback (local dev only) */
  WEBHOOKS_ALLOW_LOOPBACK_HTTP: flag,
  /** DNS over HTTPS (JSON API) used to see where webhook host names resolve */
  DNS_RESOLVER_URL: z.string().url().catch(DEFAULT_RESOLVER_URL).default(DEFAULT_RESOLVER_URL),
  /** Meta's Graph API: base URL and version */
  META_GRAPH_URL: z.string().url().catch("https://graph.facebook.com").default("https://graph.facebook.com"),
  META_GRAPH_VERSION: z.string().regex(/^v\d+\.\d+$/).catch("v24.0").default("v24.0"),
});

export type Settings = {
  sendWaitBudgetMs: number;
  metaTimeoutMs: number;
  relayBackoffBaseSeconds: number;
  relayUncertainRetrySeconds: number;
  pairPacing: PairPacing;
  webhookBackoffBaseSeconds: number;
  webhookRetryWindowMs: number;
  webhookTimeoutMs: number;
  messageRetentionMs: number;
  mediaRetentionMs: number;
  metaAppId: string | undefined;
  exposeTimings: boolean;
  webhooksAllowLoopbackHttp: boolean;
  dnsResolverUrl: string;
  metaGraphUrl: string;
  metaGraphVersion: string;
};

const cache = new WeakMap<object, Settings>();

export function settings(env: Env): Settings {
  const hit = cache.get(env);
  if (hit) return hit;
  const v = SettingsSchema.parse(env);
  const parsed: Settings = {
    sendWaitBudgetMs: v.SEND_WAIT_BUDGET_MS,
    metaTimeoutMs: v.META_TIMEOUT_MS,
    relayBackoffBaseSeconds: v.RELAY_BACKOFF_BASE_SECONDS,
    relayUncertainRetrySeconds: v.RELAY_UNCERTAIN_RETRY_SECONDS,
    pairPacing: { intervalMs: v.PAIR_INTERVAL_MS, burst: v.PAIR_BURST },
    webhookBackoffBaseSeconds: v.WEBHOOK_BACKOFF_BASE_SECONDS,
    webhookRetryWindowMs: v.WEBHOOK_RETRY_WINDOW_MS,
    webhookTimeoutMs: v.WEBHOOK_TIMEOUT_MS,
    messageRetentionMs: v.MESSAGE_RETENTION_DAYS * 24 * 60 * 60_000,
    mediaRetentionMs: v.MEDIA_RETENTION_DAYS * 24 * 60 * 60_000,
    metaAppId: v.META_APP_ID,
    exposeTimings: v.EXPOSE_TIMINGS,
    webhooksAllowLoopbackHttp: v.WEBHOOKS_ALLOW_LOOPBACK_HTTP,
    dnsResolverUrl: v.DNS_RESOLVER_URL,
    metaGraphUrl: v.META_GRAPH_URL.replace(/\/$/, ""),
    metaGraphVersion: v.META_GRAPH_VERSION,
  };
  cache.set(env, parsed);
  return parsed;
}
