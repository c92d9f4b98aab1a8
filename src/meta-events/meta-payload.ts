import { z } from "zod";
import type { MetaEventJob } from "../queues/meta-event-job";

// Meta's webhook envelope (reference §4), parsed only after its signature has been checked.

export const MetaWebhookEnvelope = z.object({
  object: z.string(),
  entry: z.array(
    z.object({
      id: z.string(),
      changes: z.array(z.object({ field: z.string(), value: z.record(z.string(), z.unknown()) })),
    }),
  ),
});

export const MetaStatusSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  timestamp: z.string().optional(),
  recipient_id: z.string().optional(),
  biz_opaque_callback_data: z.string().optional(),
  errors: z
    .array(z.object({ code: z.number(), title: z.string().optional(), message: z.string().optional(), error_data: z.object({ details: z.string().optional() }).optional() }))
    .optional(),
});

export const MetaInboundSchema = z
  .object({
    from: z.string().regex(/^\d{5,20}$/),
    id: z.string().min(1),
    timestamp: z.string().regex(/^\d+$/),
    type: z.string(),
  })
  .passthrough();

export type MetaInbound = z.infer<typeof MetaInboundSchema> & Record<string, any>;

/** The parts of a messages change around its messages: which number received them, and who sent them. */
export const MetaMessagesContextSchema = z.object({
  metadata: z.object({ phone_number_id: z.string().min(1) }).catch({ phone_number_id: "" }).optional(),
  contacts: z.array(z.object({ wa_id: z.string(), profile: z.object({ name: z.string() }).partial().catch({}).optional() }).nullable().catch(null)).catch([]).optional(),
});

export const TemplateStatusUpdateSchema = z.object({
  event: z.string(),
  message_template_id: z.union([z.string(), z.number()]).optional(),
  message_template_name: z.string().optional(),
  message_template_language: z.string().optional(),
  reason: z.string().nullable().optional(),
});

/** Queue messages are limited to 128 KB: keep each job's JSON under this. */
const MAX_JOB_BYTES = 100_000;

/** One job per change; a change with very many statuses or messages is cut into several. */
export function splitIntoJobs(envelope: z.infer<typeof MetaWebhookEnvelope>, receivedAt: number): MetaEventJob[] {
  const jobs: MetaEventJob[] = [];
  for (const entry of envelope.entry) {
    for (const change of entry.changes) {
      const job: MetaEventJob = { metaWabaId: entry.id, field: change.field, value: change.value, receivedAt };
      jobs.push(...cut(job));
    }
  }
  return jobs;
}

function cut(job: MetaEventJob): MetaEventJob[] {
  const size = new TextEncoder().encode(JSON.stringify(job)).length;
  if (size <= MAX_JOB_BYTES) return [job];
  const key = (["statuses", "messages"] as const).find((k) => Array.isArray(job.value[k]) && (job.value[k] as unknown[]).length > 1);
  if (!key) return [job]; // one enormous item: let the queue refuse it loudly
  const items = job.value[key] as unknown[];
  const half = Math.ceil(items.length / 2);
  return [items.slice(0, half), items.slice(half)].flatMap((part) => cut({ ...job, value: { ...job.value, [key]: part } }));
}
