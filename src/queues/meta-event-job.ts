import { z } from "zod";

/** One change of a verified Meta webhook (split so each job stays well under the queue's message size). */
export const MetaEventJobSchema = z.object({
  metaWabaId: z.string(),
  field: z.string(),
  value: z.record(z.string(), z.unknown()),
  receivedAt: z.number(),
  /** "test": posted by the sandbox (POST /meta/sandbox/webhook), for the WABA's test-mode object */
  mode: z.literal("test").optional(),
});

export type MetaEventJob = z.infer<typeof MetaEventJobSchema>;
