import { z } from "zod";

/**
 * Copy an inbound message's media from Meta into R2 (src/media/copy-inbound.ts). It rides the
 * meta-events queue (its consumer tells the two shapes apart by `kind`), so it shares that queue's
 * retries with backoff and its dead-letter queue.
 */
export const MediaCopyJobSchema = z.object({
  kind: z.literal("media_copy"),
  /** our WABA id */
  wabaId: z.string(),
  messageId: z.string(),
  mode: z.literal("test").optional(),
});

export type MediaCopyJob = z.infer<typeof MediaCopyJobSchema>;
