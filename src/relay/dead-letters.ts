import type { Env } from "../env";
import type { MessageError } from "../messages/outcome";
import { SendJobSchema } from "../queues/send-job";
import { markFailed } from "../messages/status-transitions";
import { notify } from "./relay-sends";

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
      const row = await env.DB.prepare(`SELECT error, attempts FROM messages WHERE id = ?1`).bind(job.messageId).first<{ error: string | null; attempts: number }>();
      const last = row?.error ? (JSON.parse(row.error) as MessageError) : null;
      const error: MessageError = {
        source: "relay",
        code: last?.code ?? null,
        ...(last?.subcode !== undefined ? { subcode: last.subcode } : {}),
        message: `Gave up after ${row?.attempts ?? msg.attempts} attempts${last ? `; last error: ${last.details ?? last.message}` : ""}`,
        ...(last?.details !== undefined ? { details: last.details } : {}),
        ...(last?.fbtraceId !== undefined ? { fbtraceId: last.fbtraceId } : {}),
      };
      if (await markFailed(env, job.messageId, error)) await notify(env, job, { status: "failed", error });
      msg.ack();
    } catch (err) {
      console.error(JSON.stringify({ level: "error", msg: "dead-letter handling failed", messageId: job.messageId, error: String(err) }));
      msg.retry({ delaySeconds: 30 });
    }
  }
}
