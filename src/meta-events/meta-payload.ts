import { z } from "zod";
import type { MetaEventJob } from "../queues/meta-event-job";

// Meta's webhook envelope (object, entry[].changes[]: Cloud API docs, "Webhooks"), parsed only after its signature has been checked.

export const MetaWebhookEnvelope = z.object({
  object: z.string(),
  entry: z.array(
    z.object({
      id: z.string(),
      changes: z.array(z.object({ field: z.string(), value: z.record(z.string(), z.unknown()) })),
    }),
  ),
});

/** Meta's error items (statuses[].errors, value.errors, messages[].errors). The code is an integer, but
 * Meta's template-pacing page writes it as a string ("132015"): both are read. */
export const MetaErrorItemSchema = z.object({
  code: z.union([z.number().int(), z.string().regex(/^\d{1,9}$/).transform(Number)]),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.object({ details: z.string().optional() }).partial().optional().catch(undefined),
});

/** A business-scoped user id as Meta sends it (lenient: one of Meta's own examples has a typo in it). */
const MetaUserId = z.string().regex(/^[A-Za-z0-9._-]{1,256}$/);
const WaId = z.string().regex(/^\d{5,20}$/);

export const MetaStatusSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  timestamp: z.string().optional(),
  /** omitted when the message went to a BSUID and Meta cannot share the number */
  recipient_id: z.string().optional(),
  recipient_user_id: MetaUserId.optional().catch(undefined),
  biz_opaque_callback_data: z.string().optional(),
  errors: z.array(MetaErrorItemSchema).optional(),
});

/**
 * An inbound message. Since 2026 (usernames) `from` is omitted when Meta cannot share the customer's
 * number; `from_user_id` (their BSUID) is then the only way to know them.
 */
export const MetaInboundSchema = z
  .object({
    from: WaId.optional(),
    from_user_id: MetaUserId.optional(),
    id: z.string().min(1),
    timestamp: z.string().regex(/^\d+$/),
    type: z.string(),
  })
  .passthrough()
  .refine((m) => m.from !== undefined || m.from_user_id !== undefined, "from or from_user_id is required");

export type MetaInbound = z.infer<typeof MetaInboundSchema> & Record<string, any>;

/** The parts of a messages change around its messages: which number received them, and who sent them. */
export const MetaMessagesContextSchema = z.object({
  metadata: z.object({ phone_number_id: z.string().min(1) }).catch({ phone_number_id: "" }).optional(),
  contacts: z
    .array(
      z
        .object({
          wa_id: WaId.optional().catch(undefined),
          user_id: MetaUserId.optional().catch(undefined),
          profile: z.object({ name: z.string(), username: z.string().max(100) }).partial().catch({}).optional(),
        })
        .nullable()
        .catch(null),
    )
    .catch([])
    .optional(),
  errors: z.array(MetaErrorItemSchema.passthrough().nullable().catch(null)).catch([]).optional(),
});

/** `system` messages: the customer changed their number (and so their BSUID), or only their BSUID changed. */
export const MetaSystemSchema = z.object({
  type: z.string(),
  body: z.string().optional(),
  wa_id: WaId.optional().catch(undefined),
  user_id: MetaUserId.optional().catch(undefined),
  previous_user_id: MetaUserId.optional().catch(undefined),
});

/** Coexistence (WhatsApp Business app): a customer edited or deleted (revoked) a message they sent. */
export const MetaEditSchema = z.object({ original_message_id: z.string().min(1), message: z.record(z.string(), z.unknown()) });
export const MetaRevokeSchema = z.object({ original_message_id: z.string().min(1) });

/** `user_preferences`: the customer stopped or resumed marketing messages in the WhatsApp app. */
export const UserPreferenceSchema = z.object({
  wa_id: WaId.optional().catch(undefined),
  user_id: MetaUserId.optional().catch(undefined),
  category: z.string().optional(),
  value: z.string(),
});

const TemplateRefShape = {
  message_template_id: z.union([z.string(), z.number()]).optional(),
  message_template_name: z.string().optional(),
  message_template_language: z.string().optional(),
};

export const TemplateStatusUpdateSchema = z.object({
  ...TemplateRefShape,
  event: z.string(),
  reason: z.string().nullable().optional(),
});

export const TemplateCategoryUpdateSchema = z.object({
  ...TemplateRefShape,
  new_category: z.string(),
  previous_category: z.string().optional(),
  correct_category: z.string().optional(),
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
