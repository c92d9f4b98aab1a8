import { z } from "@hono/zod-openapi";
import { Bsuid, E164 } from "../../schemas/common";

// Request and response bodies of the five send routes, exactly as the v1 reference states them.
// Length limits Meta enforces on interactive messages are checked after parsing (INTERACTIVE_LIMITS).

/** A schedule: an ISO time in the future, at most 30 days ahead. */
export const SCHEDULE_MAX_DAYS = 30;
export const SendAt = z
  .string()
  .datetime({ offset: true, error: "must be an ISO 8601 time, e.g. 2026-12-24T09:00:00Z" })
  .refine((v) => Date.parse(v) > Date.now(), "must be in the future")
  .refine((v) => Date.parse(v) <= Date.now() + SCHEDULE_MAX_DAYS * 86_400_000, `must be at most ${SCHEDULE_MAX_DAYS} days ahead`)
  .openapi({ example: "2026-12-24T09:00:00Z", description: "Schedule the send for this time (ISO 8601, in the future, at most 30 days ahead): the answer is 202 with status `scheduled`, and DELETE /v1/messages/{id} cancels it until then." });

const PhoneNumberId = z
  .string()
  .regex(/^\d{1,20}$/, "must be Meta's numeric phone-number-id")
  .optional()
  .openapi({ example: "107394529103847", description: "Pin the send to a phone number of your WABA. Absent: the WABA's default number." });

/**
 * Who receives a send: `to` (the v1 reference's E.164 number) or, for a customer who uses a WhatsApp
 * username and shares no number, `userId` (Meta's business-scoped user id, from an inbound message or
 * GET /v1/contacts). Exactly one of the two.
 */
const RECIPIENT = {
  to: E164.optional().openapi({ description: "Recipient phone number in E.164 format. Required unless userId is given." }),
  userId: Bsuid.optional().openapi({
    description: "The recipient's business-scoped user id (BSUID), for a customer who shares no phone number (WhatsApp usernames). Give this or `to`, not both.",
  }),
};

function oneRecipient(v: { to?: string; userId?: string }, ctx: z.RefinementCtx) {
  if (v.to === undefined && v.userId === undefined) ctx.addIssue({ code: "custom", path: ["to"], message: "Required: the recipient's E.164 number (or userId, their BSUID)" });
  if (v.to !== undefined && v.userId !== undefined) ctx.addIssue({ code: "custom", path: ["userId"], message: "give to or userId, not both" });
}

export const SendTextBody = z
  .object({
    ...RECIPIENT,
    body: z.string().min(1).max(4096).openapi({ example: "Hi! Your order #4827 has shipped." }),
    phoneNumberId: PhoneNumberId,
    sendAt: SendAt.optional(),
  })
  .strict()
  .superRefine(oneRecipient)
  .openapi("SendText", { example: { to: "+919812345678", body: "Hi! Your order #4827 has shipped.", phoneNumberId: "107394529103847" } });

// Template components in Meta's send shape (lower-case types), each element validated so a malformed
// one is a 400 naming its path. Text parameters also follow Meta's rule for template variables (error
// 132018): no newline, no tab, no more than four consecutive spaces.

/** Meta refuses a template text parameter with a newline, a tab or more than four consecutive spaces (132018). */
export const TEMPLATE_TEXT_RULE = "a template variable cannot contain a newline, a tab or more than four consecutive spaces (Meta error 132018)";
export const breaksTemplateTextRule = (s: string) => /[\n\r\t]| {5}/.test(s);
export const TemplateText = z.string().min(1).max(1024).refine((s) => !breaksTemplateTextRule(s), TEMPLATE_TEXT_RULE);

const ParameterName = z.string().regex(/^[a-z0-9_]{1,60}$/, "must be the template's variable name: lower-case letters, digits and _");
const MediaRef = (extra: z.ZodRawShape = {}) =>
  z
    .object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "must be a Meta media id").optional(), link: z.url({ protocol: /^https$/, error: "must be an https URL" }).max(2048).optional(), ...extra })
    .strict()
    .refine((m) => (m.id === undefined) !== (m.link === undefined), "exactly one of id or link");

const TextParameter = z.object({ type: z.literal("text"), text: TemplateText, parameter_name: ParameterName.optional() }).strict();
const CurrencyParameter = z
  .object({
    type: z.literal("currency"),
    currency: z.object({ fallback_value: z.string().min(1).max(1024), code: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code"), amount_1000: z.number().int() }).strict(),
    parameter_name: ParameterName.optional(),
  })
  .strict();
const DateTimeParameter = z
  .object({ type: z.literal("date_time"), date_time: z.object({ fallback_value: z.string().min(1).max(1024) }).passthrough(), parameter_name: ParameterName.optional() })
  .strict();
const ImageParameter = z.object({ type: z.literal("image"), image: MediaRef() }).strict();
const VideoParameter = z.object({ type: z.literal("video"), video: MediaRef() }).strict();
const DocumentParameter = z.object({ type: z.literal("document"), document: MediaRef({ filename: z.string().min(1).max(240).optional() }) }).strict();
const LocationParameter = z
  .object({
    type: z.literal("location"),
    location: z.object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180), name: z.string().max(1000).optional(), address: z.string().max(1000).optional() }).strict(),
  })
  .strict();
const PayloadParameter = z.object({ type: z.literal("payload"), payload: z.string().min(1).max(1000) }).strict();
const CouponParameter = z.object({ type: z.literal("coupon_code"), coupon_code: z.string().min(1).max(15) }).strict();
const ActionParameter = z
  .object({ type: z.literal("action"), action: z.object({ flow_token: z.string().max(1000).optional(), flow_action_data: z.record(z.string(), z.unknown()).optional() }).strict() })
  .strict();
const ButtonTextParameter = z.object({ type: z.literal("text"), text: z.string().min(1).max(2000) }).strict();

const HeaderComponent = z
  .object({
    type: z.literal("header"),
    parameters: z.array(z.discriminatedUnion("type", [TextParameter, ImageParameter, VideoParameter, DocumentParameter, LocationParameter, CurrencyParameter, DateTimeParameter])).min(1).max(1),
  })
  .strict();
const BodyComponent = z
  .object({ type: z.literal("body"), parameters: z.array(z.discriminatedUnion("type", [TextParameter, CurrencyParameter, DateTimeParameter])).min(1).max(100) })
  .strict();
const ButtonComponent = z
  .object({
    type: z.literal("button"),
    sub_type: z.enum(["quick_reply", "url", "copy_code", "flow", "catalog", "mpm", "voice_call", "order_details", "reminder"]),
    index: z.union([z.string().regex(/^\d$/, "must be the button's position, 0–9"), z.number().int().min(0).max(9)]),
    parameters: z.array(z.discriminatedUnion("type", [PayloadParameter, ButtonTextParameter, CouponParameter, ActionParameter])).max(10).optional(),
  })
  .strict();
/** Components whose inner shape Meta defines per feature (carousel cards, offers, order status): passed through as objects. */
const PassThroughComponent = z.object({ type: z.enum(["carousel", "limited_time_offer", "order_status"]) }).passthrough();

const MetaComponent = z
  .discriminatedUnion("type", [HeaderComponent, BodyComponent, ButtonComponent, PassThroughComponent])
  .openapi("TemplateSendComponent", { description: "A component in Meta's send shape (lower-case type): header, body or button parameters; carousel, limited_time_offer and order_status are passed to Meta as given" });

export type TemplateSendComponent = z.infer<typeof MetaComponent>;

export const SendTemplateBody = z
  .object({
    ...RECIPIENT,
    template: z.string().min(1).max(120).regex(/^[a-z0-9_]+$/, "must be a template name: lower-case letters, digits and _").openapi({ example: "order_shipped_v2" }),
    language: z
      .string()
      .max(8)
      .regex(/^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?$/, "unsupported language: expected a locale code like en, en_US or hi_IN")
      .openapi({ example: "en_US" }),
    variables: z.array(TemplateText).max(100).optional().openapi({ example: ["Aarav", "4827", "tomorrow"] }),
    phoneNumberId: PhoneNumberId,
    sendAt: SendAt.optional(),
    components: z.array(MetaComponent).max(20).optional(),
    flowAction: z.enum(["navigate", "data_exchange"]).optional(),
  })
  .strict()
  .superRefine(oneRecipient)
  .openapi("SendTemplate", {
    example: { to: "+919812345678", template: "order_shipped_v2", language: "en_US", variables: ["Aarav", "4827", "tomorrow"], phoneNumberId: "107394529103847" },
  });

export const MEDIA_TYPES = ["image", "video", "document", "audio", "sticker"] as const;

// Media: exactly one of mediaId and link. The rule is the superRefine below (its messages are part of the
// contract); the document states it as a oneOf of the two complete shapes, SendMediaByLink and
// SendMediaById, built from the same fields.
const MediaId = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "must be a Meta media id").openapi({ example: "1042817329043512", description: "Meta media id of an earlier upload (survives several sends)." });
const MediaLink = z
  .url({ protocol: /^https?$/, error: "must be an absolute URL" })
  .max(2048)
  .openapi({ example: "https://cdn.example.com/promo.jpg", description: "Public HTTPS URL Meta fetches the media from (http is refused with MEDIA_FETCH_FAILED)." });
const MEDIA_FIELDS = {
  ...RECIPIENT,
  type: z.enum(MEDIA_TYPES).openapi({ description: "Media type: decides Meta's size and format limits." }),
  caption: z.string().min(1).max(1024).optional().openapi({ example: "Spring sale starts now!", description: "image, video and document only." }),
  filename: z.string().min(1).max(240).optional().openapi({ example: "invoice-april.pdf", description: "document only: the file name shown." }),
  phoneNumberId: PhoneNumberId,
  sendAt: SendAt.optional(),
};
const MEDIA_EXAMPLE = { to: "+919812345678", type: "image", link: "https://cdn.example.com/promo.jpg", caption: "Spring sale starts now!" };

export const SendMediaBody = z
  .object({
    to: MEDIA_FIELDS.to,
    userId: MEDIA_FIELDS.userId,
    type: MEDIA_FIELDS.type,
    mediaId: MediaId.optional(),
    link: MediaLink.optional(),
    caption: MEDIA_FIELDS.caption,
    filename: MEDIA_FIELDS.filename,
    phoneNumberId: MEDIA_FIELDS.phoneNumberId,
  })
  .strict()
  .superRefine((v, ctx) => {
    oneRecipient(v, ctx);
    if (v.mediaId === undefined && v.link === undefined) ctx.addIssue({ code: "custom", path: ["mediaId"], message: "exactly one of mediaId or link is required" });
    if (v.mediaId !== undefined && v.link !== undefined) ctx.addIssue({ code: "custom", path: ["link"], message: "give mediaId or link, not both" });
    if (v.caption !== undefined && !["image", "video", "document"].includes(v.type)) {
      ctx.addIssue({ code: "custom", path: ["caption"], message: `caption is only supported on image, video and document, not ${v.type}` });
    }
    if (v.filename !== undefined && v.type !== "document") {
      ctx.addIssue({ code: "custom", path: ["filename"], message: "filename is only supported on document" });
    }
  })
  .openapi("SendMedia", {
    type: "object",
    description: "Exactly one of `link` (an HTTPS URL Meta fetches) and `mediaId` (an earlier upload).",
    oneOf: [{ $ref: "#/components/schemas/SendMediaByLink" }, { $ref: "#/components/schemas/SendMediaById" }],
    example: MEDIA_EXAMPLE,
  });

const SendMediaByLink = z
  .object({ to: MEDIA_FIELDS.to, userId: MEDIA_FIELDS.userId, type: MEDIA_FIELDS.type, link: MediaLink, caption: MEDIA_FIELDS.caption, filename: MEDIA_FIELDS.filename, phoneNumberId: MEDIA_FIELDS.phoneNumberId })
  .strict()
  .openapi("SendMediaByLink", { example: MEDIA_EXAMPLE });
const SendMediaById = z
  .object({ to: MEDIA_FIELDS.to, userId: MEDIA_FIELDS.userId, type: MEDIA_FIELDS.type, mediaId: MediaId, caption: MEDIA_FIELDS.caption, filename: MEDIA_FIELDS.filename, phoneNumberId: MEDIA_FIELDS.phoneNumberId })
  .strict()
  .openapi("SendMediaById", { example: { to: "+919812345678", type: "document", mediaId: "1042817329043512", filename: "invoice-april.pdf" } });

const Button = z.object({ id: z.string().min(1), title: z.string().min(1) }).strict().openapi("InteractiveButton", { description: "A reply button: title ≤ 20 (unique), id ≤ 256." });
const Row = z
  .object({ id: z.string().min(1), title: z.string().min(1), description: z.string().min(1).optional() })
  .strict()
  .openapi("InteractiveListRow", { description: "A list row: title ≤ 24, description ≤ 72, id ≤ 200 (unique)." });
const Section = z.object({ title: z.string().min(1), rows: z.array(Row).min(1).max(10) }).strict().openapi("InteractiveListSection", { description: "A list section: title ≤ 24, 1–10 rows." });

// Interactive: `kind` says which of buttons and listSections is given. As for media, the rule is the
// superRefine and the document states it as a oneOf of the two shapes, discriminated by kind.
const INTERACTIVE_FIELDS = {
  body: z.string().min(1).openapi({ description: "max 1024 chars (INTERACTIVE_LIMITS)" }),
  headerText: z.string().min(1).optional().openapi({ description: "max 60 chars (INTERACTIVE_LIMITS)" }),
  footer: z.string().min(1).optional().openapi({ description: "max 60 chars (INTERACTIVE_LIMITS)" }),
};
const Buttons = z.array(Button).min(1).max(3).openapi({ description: "kind=buttons: 1–3 reply buttons; title ≤ 20, id ≤ 256." });
const ListSections = z
  .array(Section)
  .min(1)
  .max(10)
  .openapi({ description: "kind=list: 1–10 sections of 1–10 rows, at most 10 rows in total; section and row title ≤ 24, row description ≤ 72, row id ≤ 200." });
const INTERACTIVE_EXAMPLE = {
  to: "+919812345678",
  kind: "buttons",
  body: "Did your order arrive in good condition?",
  buttons: [{ id: "yes", title: "Yes, all good" }, { id: "no", title: "Report an issue" }],
};

export const SendInteractiveBody = z
  .object({
    ...RECIPIENT,
    kind: z.enum(["buttons", "list"]),
    ...INTERACTIVE_FIELDS,
    buttons: Buttons.optional(),
    listSections: ListSections.optional(),
    phoneNumberId: PhoneNumberId,
    sendAt: SendAt.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    oneRecipient(v, ctx);
    if (v.kind === "buttons") {
      if (!v.buttons) ctx.addIssue({ code: "custom", path: ["buttons"], message: "buttons is required when kind=buttons" });
      if (v.listSections) ctx.addIssue({ code: "custom", path: ["listSections"], message: "listSections is only allowed when kind=list" });
    } else {
      if (!v.listSections) ctx.addIssue({ code: "custom", path: ["listSections"], message: "listSections is required when kind=list" });
      if (v.buttons) ctx.addIssue({ code: "custom", path: ["buttons"], message: "buttons is only allowed when kind=buttons" });
    }
  })
  .openapi("SendInteractive", {
    type: "object",
    description: "Reply buttons (`kind: buttons` with `buttons`) or a list menu (`kind: list` with `listSections`).",
    oneOf: [{ $ref: "#/components/schemas/SendInteractiveButtons" }, { $ref: "#/components/schemas/SendInteractiveList" }],
    discriminator: {
      propertyName: "kind",
      mapping: { buttons: "#/components/schemas/SendInteractiveButtons", list: "#/components/schemas/SendInteractiveList" },
    },
    example: INTERACTIVE_EXAMPLE,
  });

const SendInteractiveButtons = z
  .object({ ...RECIPIENT, kind: z.literal("buttons"), ...INTERACTIVE_FIELDS, buttons: Buttons, phoneNumberId: PhoneNumberId, sendAt: SendAt.optional() })
  .strict()
  .openapi("SendInteractiveButtons", { example: INTERACTIVE_EXAMPLE });
const SendInteractiveList = z
  .object({ ...RECIPIENT, kind: z.literal("list"), ...INTERACTIVE_FIELDS, listSections: ListSections, phoneNumberId: PhoneNumberId, sendAt: SendAt.optional() })
  .strict()
  .openapi("SendInteractiveList", {
    example: {
      to: "+919812345678",
      kind: "list",
      body: "Pick a delivery slot",
      listSections: [{ title: "Tomorrow", rows: [{ id: "am", title: "Morning", description: "9am–12pm" }, { id: "pm", title: "Afternoon" }] }],
    },
  });

/** The complete shapes the document's oneOfs name (SendMedia, SendInteractive): registered as components by the document. */
export const SEND_BODY_VARIANTS = { SendMediaByLink, SendMediaById, SendInteractiveButtons, SendInteractiveList };

export const SendLocationBody = z
  .object({
    ...RECIPIENT,
    latitude: z.number().min(-90).max(90).openapi({ example: 12.9716 }),
    longitude: z.number().min(-180).max(180).openapi({ example: 77.5946 }),
    name: z.string().min(1).max(1000).optional().openapi({ example: "WBIZ HQ" }),
    address: z.string().min(1).max(1000).optional().openapi({ example: "Indiranagar, Bengaluru 560038" }),
    phoneNumberId: PhoneNumberId,
    sendAt: SendAt.optional(),
  })
  .strict()
  .superRefine(oneRecipient)
  .openapi("SendLocation", { example: { to: "+919812345678", latitude: 12.9716, longitude: 77.5946, name: "WBIZ HQ", address: "Indiranagar, Bengaluru 560038" } });

export const SendAccepted = z
  .object({ wamid: z.string().openapi({ example: "wamid.HBgMOTE5ODEyMzQ1Njc4FQIAERgSQjg5RTk0NDM2NjE2RDM3RkU0AA==" }) })
  .openapi("SendAccepted");

export const SendQueued = z
  .object({
    id: z.string().openapi({ example: "019b7726f3a55eed05000065", description: "WBIZ message id; GET /v1/messages/{id} shows its status and wamid" }),
    status: z.enum(["queued", "scheduled"]).openapi({ description: "`queued`: on its way to Meta; `scheduled`: a send with `sendAt`, not yet due" }),
  })
  .openapi("SendQueued");

/** `?dryRun=true`: every check of a send, nothing stored or sent. */
export const SendDryRun = z
  .object({
    dryRun: z.literal(true),
    status: z.literal("would_send").openapi({ description: "Every check passed: this send would be accepted (a refusal answers the error a real send would)" }),
    kind: z.string().openapi({ example: "template", description: "The message type Meta would receive" }),
    phoneNumberId: z.string().openapi({ example: "107394529103847", description: "The number it would go from" }),
    sendAt: z.string().nullable().openapi({ description: "When it would be sent, for a scheduled send" }),
    estimatedWaitMs: z.number().int().openapi({ example: 0, description: "How long it would wait for its number's next pacing slot right now" }),
  })
  .openapi("SendDryRun");

export type SendTextInput = z.infer<typeof SendTextBody>;
export type SendTemplateInput = z.infer<typeof SendTemplateBody>;
export type SendMediaInput = z.infer<typeof SendMediaBody>;
export type SendInteractiveInput = z.infer<typeof SendInteractiveBody>;
export type SendLocationInput = z.infer<typeof SendLocationBody>;
