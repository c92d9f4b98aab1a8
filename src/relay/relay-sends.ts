import { openSecret } from "../crypto/secret-box";
import { storeName, wabaStore } from "../data-plane/stub";
import { groupCalls, type GroupedCall } from "../domain/group-calls";
import type { RelayClaim, RelayResult } from "../durable-objects/waba-store";
import type { Env } from "../env";
import { errorFields, log } from "../log";
import { graphRequest, type GraphTarget } from "../meta/graph";
import { backoffSeconds, messageErrorOf, verdictFor } from "../meta/error-policy";
import { SendJobSchema, sendQueueOf, type SendJob } from "../queues/send-job";
import { settings } from "../settings";
import { INLINE_WAIT_MS } from "./pacing";

/**
 * The send queue's consumer: relays each queued message to Meta exactly once, in two calls to the
 * message's WABA object — a claim (queued → sending) before Meta, and the answer after — so a
 * redelivered job whose send already reached Meta finds a wamid or a live claim and never sends again.
 * Transient failures go back on the queue with backoff; after the last attempt the queue moves the job
 * to the dead-letter queue (failDeadSends), which fails the message with the last error.
 *
 * A batch's messages of one WABA share those calls: the claims made at once go as one call, and the
 * answers that come back while one is being stored go together in the next (src/domain/group-calls.ts),
 * so a batch of ten costs its WABA object about two calls, not twenty.
 */
export async function relaySends(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const stores = new Map<string, StoreCalls>();
  const callsOf = (job: SendJob): StoreCalls => {
    const name = storeName(job.wabaId, job.mode ?? "live");
    let calls = stores.get(name);
    if (!calls) stores.set(name, (calls = storeCalls(env, job)));
    return calls;
  };
  await Promise.all(batch.messages.map((msg) => relay(msg, env, callsOf)));
}

/** The relay's two calls to one WABA object, grouped; and its Meta token, opened once per batch. */
type StoreCalls = {
  claim: GroupedCall<string, RelayClaim>;
  complete: GroupedCall<{ messageId: string; result: RelayResult }, { retryAt?: number }>;
  token: (sealed: string) => Promise<string>;
};

function storeCalls(env: Env, job: SendJob): StoreCalls {
  const store = wabaStore(env, job.wabaId, job.mode ?? "live");
  const { pairPacing } = settings(env);
  const opened = new Map<string, Promise<string>>();
  return {
    claim: groupCalls((ids) => store.claimSends(job.wabaId, ids, pairPacing)),
    complete: groupCalls((results) => store.completeSends(job.wabaId, results, pairPacing)),
    token: (sealed) => {
      let token = opened.get(sealed);
      if (!token) opened.set(sealed, (token = openSecret(env.TOKEN_ENCRYPTION_KEY, sealed)));
      return token;
    },
  };
}

async function relay(msg: Message<unknown>, env: Env, callsOf: (job: SendJob) => StoreCalls): Promise<void> {
  const parsed = SendJobSchema.safeParse(msg.body);
  if (!parsed.success) {
    log.error("malformed send job dropped", { body: msg.body });
    return msg.ack();
  }
  const job = parsed.data;
  const calls = callsOf(job);
  const complete = (result: RelayResult) => calls.complete({ messageId: job.messageId, result });
  const config = settings(env);
  try {
    if (job.recordWamid) {
      await complete({ kind: "accepted", wamid: job.recordWamid, held: job.recordHeld === true });
      return msg.ack();
    }
    let claim = await calls.claim(job.messageId);
    // Not its turn (src/relay/pacing.ts): wait here when the turn is close, else come back as a new queue
    // message at its turn. Waiting is not an attempt: it never moves the message towards the dead-letter queue.
    for (let waited = 0; claim.kind === "paced"; ) {
      const wait = claim.until - Date.now();
      if (wait > INLINE_WAIT_MS || waited + wait > MAX_INLINE_WAIT_MS) return later(env, job, msg, claim.until);
      await sleep(wait);
      waited += Math.max(wait, 0);
      claim = await calls.claim(job.messageId);
    }
    if (claim.kind === "done") return msg.ack(); // already sent, failed, or gone: never send twice
    // another delivery of this job is talking to Meta right now; look again when its claim lapses
    if (claim.kind === "busy") return msg.retry({ delaySeconds: claim.retryAfterSeconds });
    await sleep(claim.at - Date.now()); // the slot pacing gave it: at most INLINE_WAIT_MS ahead

    const target: GraphTarget =
      claim.mode === "test" ? { mode: "test", metaWabaId: claim.metaWabaId } : { mode: "live", token: await calls.token(claim.accessTokenEnc) };
    const body = { ...JSON.parse(claim.payload), biz_opaque_callback_data: job.messageId };
    const result = await graphRequest<{ messages?: Array<{ id?: string; message_status?: string }> }>(env, `${claim.metaPhoneNumberId}/messages`, {
      method: "POST",
      target,
      body,
      timeoutMs: config.metaTimeoutMs,
    });

    if (result.ok) {
      const accepted = result.data.messages?.[0];
      if (!accepted?.id) return report(complete, msg, { kind: "failed", error: { source: "meta", code: null, message: "Meta answered 200 without a message id" } });
      // Template pacing: Meta holds the message for quality assessment ("held_for_quality_assessment",
      // or "paused"), then sends (a `sent` status) or drops it (`failed`, 132015). It has a wamid either
      // way, so it is never sent again.
      const held = accepted.message_status === "held_for_quality_assessment" || accepted.message_status === "paused";
      try {
        await complete({ kind: "accepted", wamid: accepted.id, held });
      } catch (err) {
        // Meta has it: never send again. Record the wamid from a follow-up job instead.
        log.error("storing the wamid failed; queued a record job", { messageId: job.messageId, ...errorFields(err) });
        await sendQueueOf(env, job).send({ ...job, recordWamid: accepted.id, ...(held ? { recordHeld: true } : {}) }, { contentType: "json" });
      }
      return msg.ack();
    }

    const error = messageErrorOf(result);
    // Meta refused for pace alone: slow the number (or the customer's lane) down and try again at the
    // next slot, without spending an attempt
    const lane = error.code === THROUGHPUT_EXCEEDED ? "phone" : error.code === PAIR_RATE_EXCEEDED ? "pair" : null;
    if (lane) {
      const { retryAt } = await complete({ kind: "throttled", lane, error });
      return retryAt === undefined ? msg.ack() : later(env, job, msg, retryAt);
    }
    if (verdictFor(result, claim.attempts) === "fail") return report(complete, msg, { kind: "failed", error });
    await complete({ kind: "retry", error });
    const backoff = backoffSeconds(claim.attempts, config.relayBackoffBaseSeconds);
    // A timeout leaves the outcome unknown: Meta may have accepted the message and only its answer was
    // lost. Its `sent` webhook carries our message id (biz_opaque_callback_data) and links the wamid,
    // after which this retry finds the message sent and does nothing. Give that webhook time to come.
    const uncertain = result.kind === "timeout" ? config.relayUncertainRetrySeconds : 0;
    msg.retry({ delaySeconds: Math.max(backoff, uncertain) });
  } catch (err) {
    log.error("send relay failed", { messageId: job.messageId, ...errorFields(err) });
    msg.retry({ delaySeconds: backoffSeconds(msg.attempts, config.relayBackoffBaseSeconds) });
  }
}

/** Meta's codes for sending faster than the number's throughput, and than the customer's pair rate. */
const THROUGHPUT_EXCEEDED = 130429;
const PAIR_RATE_EXCEEDED = 131056;
/** A job waits in the consumer at most this long in all for its turn before going back on the queue. */
const MAX_INLINE_WAIT_MS = 10_000;
/** Queues delay a message by at most 12 hours. */
const MAX_QUEUE_DELAY_SECONDS = 12 * 60 * 60;

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

/**
 * The job comes back as a new queue message at `until` (whole seconds, rounded down: a moment early, the
 * claim then waits the rest in place); this delivery is done. If queueing fails, the delivery is retried.
 */
async function later(env: Env, job: SendJob, msg: Message<unknown>, until: number): Promise<void> {
  const delaySeconds = Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(0, Math.floor((until - Date.now()) / 1000)));
  await sendQueueOf(env, job).send(job, { contentType: "json", delaySeconds });
  msg.ack();
}

async function report(complete: (result: RelayResult) => Promise<unknown>, msg: Message<unknown>, result: RelayResult) {
  await complete(result);
  msg.ack();
}

/**
 * The send dead-letter queue's consumer: the relay gave up (every attempt hit a transient failure, or
 * the consumer kept crashing). The message becomes failed with the last error seen, so nothing the API
 * accepted is left without a terminal state.
 */
export async function failDeadSends(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const msg of batch.messages) {
    const parsed = SendJobSchema.safeParse(msg.body);
    if (!parsed.success) {
      msg.ack();
      continue;
    }
    const job = parsed.data;
    try {
      await wabaStore(env, job.wabaId, job.mode ?? "live").giveUp(job.wabaId, job.messageId, msg.attempts);
      msg.ack();
    } catch (err) {
      log.error("dead-letter handling failed", { messageId: job.messageId, ...errorFields(err) });
      msg.retry({ delaySeconds: 30 });
    }
  }
}
