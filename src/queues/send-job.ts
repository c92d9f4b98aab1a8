import { z } from "zod";

const Id = z.string().regex(/^[0-9a-f]{24}$/);

/** A send waiting to be relayed to Meta. The message, in its WABA's object, holds everything else. */
export const SendJobSchema = z.object({
  /** the WABA whose object holds the message */
  wabaId: Id,
  messageId: Id,
  /** "test": the message is in the WABA's test-mode object and goes to the sandbox, never to Meta */
  mode: z.literal("test").optional(),
  /** set when Meta accepted the send but storing its wamid failed: only record it, never send again */
  recordWamid: z.string().optional(),
  /** with recordWamid: Meta held the message for quality assessment */
  recordHeld: z.boolean().optional(),
  /** a campaign's send: it travels on the bulk queue, so conversational sends never wait behind it */
  bulk: z.literal(true).optional(),
});

export type SendJob = z.infer<typeof SendJobSchema>;

/** The queue a send job travels on. */
export const sendQueueOf = (env: { SEND_QUEUE: Queue<SendJob>; BULK_SEND_QUEUE: Queue<SendJob> }, job: SendJob) => (job.bulk ? env.BULK_SEND_QUEUE : env.SEND_QUEUE);
