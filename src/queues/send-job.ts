import { z } from "zod";

/** A send waiting to be relayed to Meta. The message row in D1 holds everything else. */
export const SendJobSchema = z.object({
  messageId: z.string().regex(/^[0-9a-f]{24}$/),
  /** names the API key's Durable Object, where the route may be waiting for the outcome */
  keyHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** false for `Prefer: respond-async`: nobody is waiting */
  notify: z.boolean(),
  /** set when Meta accepted the send but storing its wamid failed: only record it, never send again */
  recordWamid: z.string().optional(),
  /** with recordWamid: Meta held the message for quality assessment */
  recordHeld: z.boolean().optional(),
});

export type SendJob = z.infer<typeof SendJobSchema>;
