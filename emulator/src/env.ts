export interface EmulatorBindings {
  /** Key of the X-Hub-Signature-256 HMAC on every webhook, as Meta signs with the app secret. */
  META_APP_SECRET: string;
  /** Path on the API Worker that receives webhooks. */
  WEBHOOK_PATH: string;
  /** Version used where a request carries none (the facebook-api-version header on errors). */
  DEFAULT_GRAPH_VERSION: string;
  /** The API Worker; webhooks are POSTed through it. */
  API?: Fetcher;
  /** Used with the global fetch when there is no API binding. */
  WEBHOOK_URL?: string;
  /** "sent,delivered,read[,played]" offsets in ms after a send is accepted, e.g. "0,300,1000"; "none" for no statuses. */
  STATUS_DELAYS_MS?: string;
  /** Messages per second per phone number before 130429 (default 80). */
  MPS_LIMIT?: string;
  /** Extra attempts for a webhook POST answered with a non-2xx (default 3). */
  WEBHOOK_RETRIES?: string;
  /** "true": sandbox mode, the stand-in Meta for test-mode keys (src/sandbox.ts). */
  SANDBOX?: string;
  /** "true": the control API stays reachable in sandbox mode (local dev and tests only; always on otherwise). */
  CONTROL?: string;
  /** "true": an unknown token registers the WABA it is used on (local dev only; src/first-use.ts). */
  AUTO_REGISTER?: string;
}

export type EmulatorEnv = { Bindings: EmulatorBindings };
