import { openSecret } from "../crypto/secret-box";
import { countingD1 } from "../db/client";
import type { Env } from "../env";
import { graphRequest } from "../meta/graph";
import { backoffSeconds, messageErrorOf, verdictFor } from "../meta/error-policy";
import type { MessageError, SendOutcome } from "../messages/outcome";
import { SendJobSchema, type SendJob } from "../queues/send-job";
import { markFailed, markSent } from "../messages/status-transitions";

/** A send being relayed holds its message for this long; a redelivery inside it waits instead of sending. */
export const SEND_LEASE_MS = 60_000;
const DEFAULT_META_TIMEOUT_MS = 15_000;
/** After a timeout, the earliest retry: Meta's `sent` webhook for a send it did accept comes within seconds. */
const DEFAULT_UNCERTAIN_RETRY_SECONDS = 30;

type Claimed = { payload: string; metaPhoneNumberId: string; attempts: number; tokenEnc: string };

/**
 * The send queue's consumer: relays each queued message to Meta exactly once. A message is claimed
 * (queued → sending) before the call, so a redelivered job whose send already reached Meta finds a
 * wamid or a live claim and never sends again. Transient failures go back on the queue with backoff;
 * after the last attempt the queue moves the job to the dead-letter queue (see dead-letters.ts).
 */
export async function relaySends(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  await Promise.all(batch.messages.map((msg) => relayOne(msg, env)));
}

async function relayOne(msg: Message<unknown>, env: Env): Promise<void> {
  if (env.LOG_RELAY_COSTS !== "true") return relay(msg, env);
  // benchmarks: log what relaying this message cost in D1 statements and Durable Object calls (the
  // route's own share is in its Server-Timing header)
  const counters = { d1: 0, durableObject: 0 };
  const keyGate = new Proxy(env.KEY_GATE, {
    get(target, prop) {
      if (prop === "get") counters.durableObject++; // every stub the relay gets is called once
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  await relay(msg, { ...env, DB: countingD1(env.DB, counters), KEY_GATE: keyGate });
  console.log(JSON.stringify({ level: "info", msg: "relay costs", d1: counters.d1, durableObject: counters.durableObject, attempt: msg.attempts }));
}

async function relay(msg: Message<unknown>, env: Env): Promise<void> {
  const parsed = SendJobSchema.safeParse(msg.body);
  if (!parsed.success) {
    console.error(JSON.stringify({ level: "error", msg: "malformed send job dropped", body: msg.body }));
    return msg.ack();
  }
  const job = parsed.data;
  try {
    if (job.recordWamid) {
      await markSent(env, job.messageId, job.recordWamid, job.recordHeld ? "held" : "sent");
      await notify(env, job, { status: "sent", wamid: job.recordWamid });
      return msg.ack();
    }
    const claimed = await claim(env.DB, job.messageId);
    if (!claimed) return settleUnclaimed(env.DB, job, msg);

    const token = await openSecret(env.TOKEN_ENCRYPTION_KEY, claimed.tokenEnc);
    const body = { ...JSON.parse(claimed.payload), biz_opaque_callback_data: job.messageId };
    const result = await graphRequest<{ messages?: Array<{ id?: string; message_status?: string }> }>(env, `${claimed.metaPhoneNumberId}/messages`, {
      method: "POST",
      token,
      body,
      timeoutMs: Number(env.META_TIMEOUT_MS) || DEFAULT_META_TIMEOUT_MS,
    });

    if (result.ok) {
      const accepted = result.data.messages?.[0];
      const wamid = accepted?.id;
      if (!wamid) return fail(env, job, msg, { source: "meta", code: null, message: "Meta answered 200 without a message id" });
      // Template pacing: Meta holds the message for quality assessment ("held_for_quality_assessment",
      // or "paused"), then sends (a `sent` status) or drops it (`failed`, 132015). It has a wamid either
      // way, so it is never sent again.
      const held = accepted.message_status === "held_for_quality_assessment" || accepted.message_status === "paused";
      try {
        await markSent(env, job.messageId, wamid, held ? "held" : "sent");
      } catch (err) {
        // Meta has it: never send again. Record the wamid from a follow-up job instead.
        console.error(JSON.stringify({ level: "error", msg: "storing wamid failed; queued a record job", messageId: job.messageId, error: String(err) }));
        await env.SEND_QUEUE.send({ ...job, recordWamid: wamid, ...(held ? { recordHeld: true } : {}) }, { contentType: "json" });
        return msg.ack();
      }
      await notify(env, job, { status: "sent", wamid });
      return msg.ack();
    }

    const error = messageErrorOf(result);
    if (verdictFor(result, claimed.attempts) === "fail") return fail(env, job, msg, error);
    await env.DB.prepare(`UPDATE messages SET status = 'queued', error = ?2, updated_at = ?3 WHERE id = ?1 AND status = 'sending' AND wamid IS NULL`)
      .bind(job.messageId, JSON.stringify(error), Date.now())
      .run();
    const backoff = backoffSeconds(claimed.attempts, Number(env.RELAY_BACKOFF_BASE_SECONDS ?? 2));
    // A timeout leaves the outcome unknown: Meta may have accepted the message and only its answer was
    // lost. Its `sent` webhook carries our message id (biz_opaque_callback_data) and links the wamid,
    // after which this retry finds the message sent and does nothing. Give that webhook time to come.
    const uncertain = result.kind === "timeout" ? Number(env.RELAY_UNCERTAIN_RETRY_SECONDS ?? DEFAULT_UNCERTAIN_RETRY_SECONDS) : 0;
    msg.retry({ delaySeconds: Math.max(backoff, uncertain) });
  } catch (err) {
    console.error(JSON.stringify({ level: "error", msg: "send relay failed", messageId: job.messageId, error: String(err) }));
    msg.retry({ delaySeconds: backoffSeconds(msg.attempts, Number(env.RELAY_BACKOFF_BASE_SECONDS ?? 2)) });
  }
}

/** queued → sending, unless it already has a wamid, is terminal, or another delivery holds a live claim. */
async function claim(d1: D1Database, messageId: string): Promise<Claimed | null> {
  const now = Date.now();
  return d1
    .prepare(
      `UPDATE messages SET status = 'sending', attempts = attempts + 1, updated_at = ?2
        WHERE id = ?1 AND wamid IS NULL AND (status = 'queued' OR (status = 'sending' AND updated_at < ?3))
        RETURNING payload, meta_phone_number_id AS metaPhoneNumberId, attempts,
                  (SELECT access_token_enc FROM wabas WHERE wabas.id = messages.waba_id) AS tokenEnc`,
    )
    .bind(messageId, now, now - SEND_LEASE_MS)
    .first<Claimed>();
}

async function settleUnclaimed(d1: D1Database, job: SendJob, msg: Message<unknown>) {
  const row = await d1.prepare(`SELECT status, wamid, updated_at AS updatedAt FROM messages WHERE id = ?1`).bind(job.messageId).first<{ status: string; wamid: string | null; updatedAt: number }>();
  if (row?.status === "sending" && row.wamid === null) {
    // another delivery of this job is talking to Meta right now; look again when its claim lapses
    return msg.retry({ delaySeconds: Math.max(1, Math.ceil((row.updatedAt + SEND_LEASE_MS - Date.now()) / 1000)) });
  }
  msg.ack(); // already sent, failed, or gone: never send twice
}

async function fail(env: Env, job: SendJob, msg: Message<unknown>, error: MessageError) {
  await markFailed(env, job.messageId, error);
  await notify(env, job, { status: "failed", error });
  msg.ack();
}

export async function notify(env: Env, job: Pick<SendJob, "keyHash" | "notify" | "messageId">, outcome: SendOutcome) {
  if (!job.notify) return;
  try {
    await env.KEY_GATE.get(env.KEY_GATE.idFromName(job.keyHash)).deliverOutcome(job.messageId, outcome);
  } catch (err) {
    // the waiting route will time out and answer 202; the outcome is in D1 either way
    console.warn(JSON.stringify({ level: "warn", msg: "could not hand outcome to the waiting route", messageId: job.messageId, error: String(err) }));
  }
}
