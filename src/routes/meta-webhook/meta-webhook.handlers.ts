import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { DataMode } from "../../data-plane/stub";
import { timingSafeEqualStrings } from "../../crypto/hmac";
import type { AppEnv } from "../../env";
import { ApiError, malformedJson } from "../../errors";
import { MetaWebhookEnvelope, splitIntoJobs } from "../../meta-events/meta-payload";
import { verifyMetaSignature } from "../../meta-events/verify-signature";
import type * as routes from "./meta-webhook.routes";

export const verifyMetaWebhook: RouteHandler<typeof routes.verifyMetaWebhook, AppEnv> = (c) => {
  const q = c.req.valid("query");
  const ok = q["hub.mode"] === "subscribe" && !!c.env.META_VERIFY_TOKEN && timingSafeEqualStrings(q["hub.verify_token"] ?? "", c.env.META_VERIFY_TOKEN);
  if (!ok || q["hub.challenge"] === undefined) return c.text("Forbidden", 403);
  return c.text(q["hub.challenge"], 200);
};

export const receiveMetaWebhook: RouteHandler<typeof routes.receiveMetaWebhook, AppEnv> = (c) => receive(c, c.env.META_APP_SECRET, "live");

/** The sandbox's webhooks: the same envelope and checks, for the WABA's test-mode object. No secret set, nothing is accepted. */
export const receiveSandboxWebhook: RouteHandler<typeof routes.receiveSandboxWebhook, AppEnv> = (c) => receive(c, c.env.SANDBOX_APP_SECRET, "test");

async function receive(c: Context<AppEnv>, secret: string | undefined, mode: DataMode) {
  const raw = new Uint8Array(await c.req.arrayBuffer());
  if (!secret || !(await verifyMetaSignature(secret, raw, c.req.header("X-Hub-Signature-256")))) {
    throw new ApiError("INVALID_SIGNATURE", "Missing or invalid X-Hub-Signature-256");
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    throw malformedJson();
  }
  const envelope = MetaWebhookEnvelope.safeParse(json);
  if (!envelope.success) {
    throw new ApiError("VALIDATION_FAILED", "Request body is not a WhatsApp Business Account webhook envelope", { details: [{ message: "expected {object, entry[{id, changes[{field, value}]}]}" }] });
  }
  if (envelope.data.object !== "whatsapp_business_account") return c.json({ received: 0 }, 200);
  const jobs = splitIntoJobs(envelope.data, Date.now()).map((job) => (mode === "test" ? { ...job, mode } : job));
  for (const batch of sendBatches(jobs)) await c.env.META_EVENTS_QUEUE.sendBatch(batch.map((body) => ({ body, contentType: "json" as const })));
  return c.json({ received: jobs.length }, 200);
}

/** sendBatch takes at most 100 messages and 256 KB (of UTF-8) in all. */
function* sendBatches<T>(items: T[]): Generator<T[]> {
  const utf8 = new TextEncoder();
  let batch: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = utf8.encode(JSON.stringify(item)).length;
    if (batch.length > 0 && (batch.length === 100 || bytes + size > 200_000)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}
