import { z } from "zod";
import { EDITABLE_TYPES, INBOUND_TYPES } from "./inbound";
import { QUALITY_SCORES, TEMPLATE_CATEGORIES } from "./template-status";
import { BSUID } from "./users";

const id = z.string().regex(/^\d+$/, "a numeric id");
const waId = z.string().regex(/^\+?\d{7,15}$/, "a wa_id (digits, optional +)");
const bsuid = z.string().regex(BSUID, "a BSUID: ISO country code, a period, up to 128 letters and digits (US.13491208655302741918)");
const username = z.string().regex(/^@?[A-Za-z0-9._]{1,35}$/, "a username: letters, digits, . and _ (leading @ optional)");
const wamid = z.string().startsWith("wamid.");
const upper = <T extends readonly [string, ...string[]]>(values: T) => z.string().transform((s) => s.toUpperCase()).pipe(z.enum(values));

export const phoneNumberSchema = z.object({ metaPhoneNumberId: id, displayPhoneNumber: z.string().min(1), verifiedName: z.string().default("Test Business") });

export const wabaSchema = z.object({
  metaWabaId: id,
  name: z.string().default("Test WABA"),
  accessToken: z.string().min(1),
  phoneNumbers: z.array(phoneNumberSchema),
  /** add the starter templates (src/starter-templates.ts) to `templates` */
  starterTemplates: z.boolean().default(false),
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

export const wabaPatchSchema = z
  .object({ accessToken: z.string().min(1).optional(), name: z.string().min(1).optional() })
  .strict()
  .refine((b) => b.accessToken !== undefined || b.name !== undefined, { message: "give accessToken or name" });

const templateRef = {
  wabaId: id,
  templateId: id.optional(),
  name: z.string().optional(),
  language: z.string().optional(),
};
const namesTemplate = (b: { templateId?: string; name?: string; language?: string }) => b.templateId !== undefined || (b.name !== undefined && b.language !== undefined);
const templateRefMessage = { message: "give templateId, or name and language" };

export const templateStatusSchema = z
  .object({
    ...templateRef,
    /** any event: known ones (any case) change the template, others are posted as given */
    status: z.string().min(1),
    reason: z.string().nullable().optional(),
    webhook: z.boolean().default(true),
    disableDate: z.number().int().positive().optional(),
    otherInfo: z.object({ title: z.string().min(1), description: z.string() }).optional(),
  })
  .refine(namesTemplate, templateRefMessage);

export const templateCategorySchema = z
  .object({ ...templateRef, category: upper(TEMPLATE_CATEGORIES), impending: z.boolean().default(false) })
  .refine(namesTemplate, templateRefMessage);

export const templateQualitySchema = z
  .object({ ...templateRef, quality: upper(QUALITY_SCORES), metaDocField: z.boolean().default(false) })
  .refine(namesTemplate, templateRefMessage);

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
    isTransient: z.boolean().optional(),
  }),
  z.object({ ...match, action: z.literal("hang"), ms: z.number().int().min(0).max(120_000) }),
  z.object({ ...match, action: z.literal("slow"), ms: z.number().int().min(0).max(120_000) }),
  z.object({ ...match, action: z.literal("async_failure"), code: z.number().int(), details: z.string().optional() }),
  z.object({ ...match, action: z.literal("lost_answer"), ms: z.number().int().min(0).max(120_000) }),
  z.object({ ...match, action: z.literal("hold") }),
]).refine((f) => f.seed === undefined || f.rate !== undefined, { message: "seed only makes sense with rate", path: ["seed"] });

export const settingsSchema = z.object({
  wabaId: id,
  statusDelaysMs: z.union([z.array(z.number().int().min(0)).max(4), z.null(), z.literal("none")]).optional(),
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
  brazilLegacyWaIds: z.boolean().optional(),
  playVoiceNotes: z.boolean().optional(),
  throughputLevel: z.enum(["STANDARD", "HIGH", "NOT_APPLICABLE"]).optional(),
});

export const userSchema = z
  .object({
    wabaId: id,
    waId: waId.optional(),
    userId: bsuid.optional(),
    /** null removes the username */
    username: username.nullable().optional(),
    name: z.string().min(1).optional(),
    hidePhone: z.boolean().optional(),
  })
  .refine((b) => b.waId !== undefined || b.userId !== undefined || typeof b.username === "string", { message: "give waId, userId or username" });

const editedMessage = z
  .object({
    type: z.enum(EDITABLE_TYPES),
    text: z.union([z.string(), z.object({ body: z.string() })]).optional(),
    image: z.record(z.string(), z.unknown()).optional(),
    video: z.record(z.string(), z.unknown()).optional(),
    document: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((m) => m[m.type] !== undefined, { message: "the edited message needs the object named by its type" });

export const inboundSchema = z
  .object({
    phoneNumberId: id,
    from: waId.optional(),
    userId: bsuid.optional(),
    username: username.nullable().optional(),
    hidePhone: z.boolean().optional(),
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
    system: z
      .discriminatedUnion("type", [
        z.object({ type: z.literal("user_changed_number"), newWaId: waId }),
        z.object({ type: z.literal("user_changed_user_id") }),
      ])
      .optional(),
    edit: z.object({ originalMessageId: z.string().min(1), message: editedMessage }).optional(),
    revoke: z.object({ originalMessageId: z.string().min(1) }).optional(),
    context: z.object({ id: z.string(), from: z.string().optional() }).optional(),
    timestamp: z.number().int().optional(),
    id: wamid.optional(),
  })
  .refine((b) => b.from !== undefined || b.userId !== undefined || typeof b.username === "string", {
    message: "give from (the user's number), userId or username",
  });

export const windowSchema = z
  .object({ phoneNumberId: id, waId: z.string().optional(), userId: bsuid.optional(), open: z.boolean() })
  .refine((b) => b.waId !== undefined || b.userId !== undefined, { message: "give waId or userId" });

export const userPreferencesSchema = z
  .object({ phoneNumberId: id, waId: waId.optional(), userId: bsuid.optional(), value: z.enum(["stop", "resume"]) })
  .refine((b) => b.waId !== undefined || b.userId !== undefined, { message: "give waId or userId" });

export const systemErrorSchema = z.object({ wabaId: id, phoneNumberId: id, code: z.number().int(), details: z.string().optional() });

export const heldSchema = z.object({ wamid, outcome: z.enum(["release", "drop"]) });

export const statusSchema = z
  .object({
    wamid,
    status: z.string().min(1),
    errors: z.array(z.object({ code: z.number().int(), details: z.string().optional() })).min(1).optional(),
    codeAsString: z.boolean().default(false),
  })
  .refine((b) => b.status !== "failed" || b.errors !== undefined, { message: "a failed status needs errors", path: ["errors"] })
  .refine((b) => !b.codeAsString || b.errors !== undefined, { message: "codeAsString needs errors", path: ["codeAsString"] });

export const templateReviewSchema = z.object({
  wabaId: id,
  /** ms until the verdict; null: no automatic verdict */
  delayMs: z.number().int().min(0).max(600_000).nullable().optional(),
  rejectNames: z.array(z.string()).optional(),
  reason: z.string().min(1).optional(),
});
