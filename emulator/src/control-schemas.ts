import { z } from "zod";
import { INBOUND_TYPES } from "./inbound";
import { TEMPLATE_EVENTS } from "./template-status";

const id = z.string().regex(/^\d+$/, "a numeric id");

export const wabaSchema = z.object({
  metaWabaId: id,
  name: z.string().default("Test WABA"),
  accessToken: z.string().min(1),
  phoneNumbers: z.array(
    z.object({ metaPhoneNumberId: id, displayPhoneNumber: z.string().min(1), verifiedName: z.string().default("Test Business") }),
  ),
  templates: z
    .array(
      z.object({
        metaId: id.optional(),
        name: z.string().min(1),
        language: z.string().min(1),
        category: z.string().transform((s) => s.toUpperCase()).pipe(z.enum(["MARKETING", "UTILITY", "AUTHENTICATION"])).default("UTILITY"),
        status: z.string().transform((s) => s.toUpperCase()).default("APPROVED"),
        parameterFormat: z.string().transform((s) => s.toUpperCase()).pipe(z.enum(["POSITIONAL", "NAMED"])).default("POSITIONAL"),
        components: z.array(z.record(z.string(), z.unknown())).default([]),
      }),
    )
    .default([]),
});

export const templateStatusSchema = z
  .object({
    wabaId: id,
    templateId: id.optional(),
    name: z.string().optional(),
    language: z.string().optional(),
    status: z.string().transform((s) => s.toUpperCase()).pipe(z.enum(TEMPLATE_EVENTS)),
    reason: z.string().nullable().optional(),
    webhook: z.boolean().default(true),
  })
  .refine((b) => b.templateId !== undefined || (b.name !== undefined && b.language !== undefined), {
    message: "give templateId, or name and language",
  });

const match = {
  phoneNumberId: id,
  to: z.string().optional(),
  type: z.string().optional(),
  times: z.union([z.number().int().min(1), z.literal("always")]).optional(),
  rate: z.number().gt(0).max(1).optional(),
  seed: z.number().int().min(0).max(0xffff_ffff).optional(),
};

export const faultSchema = z.discriminatedUnion("action", [
  z.object({
    ...match,
    action: z.literal("error"),
    status: z.number().int().min(100).max(599).optional(),
    code: z.number().int(),
    subcode: z.number().int().optional(),
    message: z.string().optional(),
    details: z.string().optional(),
    errorType: z.string().optional(),
  }),
  z.object({ ...match, action: z.literal("hang"), ms: z.number().int().min(0).max(120_000) }),
  z.object({ ...match, action: z.literal("slow"), ms: z.number().int().min(0).max(120_000) }),
  z.object({ ...match, action: z.literal("async_failure"), code: z.number().int(), details: z.string().optional() }),
  z.object({ ...match, action: z.literal("lost_answer"), ms: z.number().int().min(0).max(120_000) }),
]).refine((f) => f.seed === undefined || f.rate !== undefined, { message: "seed only makes sense with rate", path: ["seed"] });

export const settingsSchema = z.object({
  wabaId: id,
  statusDelaysMs: z.union([z.array(z.number().int().min(0)).max(3), z.null(), z.literal("none")]).optional(),
  duplicates: z.boolean().optional(),
  outOfOrder: z.boolean().optional(),
  skipDelivered: z.boolean().optional(),
  enforceWindow: z.boolean().optional(),
  windowErrorMode: z.enum(["async", "sync"]).optional(),
  pairRateLimit: z.boolean().optional(),
  pairIntervalMs: z.number().int().min(0).optional(),
  mpsLimit: z.number().int().min(0).optional(),
  undeliverable: z.array(z.string()).optional(),
  webhookRetries: z.number().int().min(0).max(10).optional(),
  webhookPath: z.string().startsWith("/").optional(),
});

export const inboundSchema = z.object({
  phoneNumberId: id,
  from: z.string().regex(/^\+?\d{7,15}$/, "a wa_id (digits, optional +)"),
  name: z.string().optional(),
  type: z.enum(INBOUND_TYPES),
  text: z.union([z.string(), z.object({ body: z.string() })]).optional(),
  image: z.record(z.string(), z.unknown()).optional(),
  video: z.record(z.string(), z.unknown()).optional(),
  audio: z.record(z.string(), z.unknown()).optional(),
  document: z.record(z.string(), z.unknown()).optional(),
  sticker: z.record(z.string(), z.unknown()).optional(),
  interactive: z
    .discriminatedUnion("type", [
      z.object({ type: z.literal("button_reply"), button_reply: z.object({ id: z.string(), title: z.string() }) }),
      z.object({ type: z.literal("list_reply"), list_reply: z.object({ id: z.string(), title: z.string(), description: z.string().optional() }) }),
    ])
    .optional(),
  button: z.object({ text: z.string(), payload: z.string().optional() }).optional(),
  location: z
    .object({ latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional(), url: z.string().optional() })
    .optional(),
  reaction: z.object({ message_id: z.string(), emoji: z.string().optional() }).optional(),
  contacts: z.array(z.record(z.string(), z.unknown())).optional(),
  unsupported: z.object({ type: z.string() }).optional(),
  context: z.object({ id: z.string(), from: z.string().optional() }).optional(),
  timestamp: z.number().int().optional(),
  id: z.string().startsWith("wamid.").optional(),
});

export const windowSchema = z.object({ phoneNumberId: id, waId: z.string(), open: z.boolean() });
