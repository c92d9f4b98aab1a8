import { z } from "@hono/zod-openapi";
import { E164 } from "../../schemas/common";

// Request and response bodies of the five send routes, exactly as the v1 reference states them.
// Length limits Meta enforces on interactive messages are checked after parsing (INTERACTIVE_LIMITS).

const PhoneNumberId = z
  .string()
  .regex(/^\d{1,20}$/, "must be Meta's numeric phone-number-id")
  .optional()
  .openapi({ example: "107394529103847", description: "Pin the send to a phone number of your WABA. Absent: the WABA's default number." });

export const SendTextBody = z
  .object({
    to: E164,
    body: z.string().min(1).max(4096).openapi({ example: "Hi! Your order #4827 has shipped." }),
    phoneNumberId: PhoneNumberId,
  })
  .strict()
  .openapi("SendText", { example: { to: "+919812345678", body: "Hi! Your order #4827 has shipped.", phoneNumberId: "107394529103847" } });

const MetaComponent = z
  .object({ type: z.enum(["header", "body", "button", "carousel", "limited_time_offer", "order_status"]) })
  .passthrough()
  .openapi({ description: "A component in Meta's send shape (lower-case type), passed to Meta as given" });

export const SendTemplateBody = z
  .object({
    to: E164,
    template: z.string().min(1).max(120).regex(/^[a-z0-9_]+$/, "must be a template name: lower-case letters, digits and _").openapi({ example: "order_shipped_v2" }),
    language: z
      .string()
      .max(8)
      .regex(/^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?$/, "unsupported language: expected a locale code like en, en_US or hi_IN")
      .openapi({ example: "en_US" }),
    variables: z.array(z.string().min(1).max(1024)).max(100).optional().openapi({ example: ["Aarav", "4827", "tomorrow"] }),
    phoneNumberId: PhoneNumberId,
    components: z.array(MetaComponent).max(20).optional(),
    flowAction: z.enum(["navigate", "data_exchange"]).optional(),
  })
  .strict()
  .openapi("SendTemplate", {
    example: { to: "+919812345678", template: "order_shipped_v2", language: "en_US", variables: ["Aarav", "4827", "tomorrow"], phoneNumberId: "107394529103847" },
  });

export const MEDIA_TYPES = ["image", "video", "document", "audio", "sticker"] as const;

export const SendMediaBody = z
  .object({
    to: E164,
    type: z.enum(MEDIA_TYPES),
    mediaId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "must be a Meta media id").optional().openapi({ example: "1042817329043512" }),
    link: z.url({ protocol: /^https?$/, error: "must be an absolute URL" }).max(2048).optional().openapi({ example: "https://cdn.example.com/promo.jpg" }),
    caption: z.string().min(1).max(1024).optional().openapi({ example: "Spring sale starts now!" }),
    filename: z.string().min(1).max(240).optional().openapi({ example: "invoice-april.pdf" }),
    phoneNumberId: PhoneNumberId,
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.mediaId === undefined && v.link === undefined) ctx.addIssue({ code: "custom", path: ["mediaId"], message: "exactly one of mediaId or link is required" });
    if (v.mediaId !== undefined && v.link !== undefined) ctx.addIssue({ code: "custom", path: ["link"], message: "give mediaId or link, not both" });
    if (v.caption !== undefined && !["image", "video", "document"].includes(v.type)) {
      ctx.addIssue({ code: "custom", path: ["caption"], message: `caption is only supported on image, video and document, not ${v.type}` });
    }
    if (v.filename !== undefined && v.type !== "document") {
      ctx.addIssue({ code: "custom", path: ["filename"], message: "filename is only supported on document" });
    }
  })
  .openapi("SendMedia", { example: { to: "+919812345678", type: "image", link: "https://cdn.example.com/promo.jpg", caption: "Spring sale starts now!" } });

const Button = z.object({ id: z.string().min(1), title: z.string().min(1) }).strict();
const Row = z.object({ id: z.string().min(1), title: z.string().min(1), description: z.string().min(1).optional() }).strict();
const Section = z.object({ title: z.string().min(1), rows: z.array(Row).min(1).max(10) }).strict();

export const SendInteractiveBody = z
  .object({
    to: E164,
    kind: z.enum(["buttons", "list"]),
    body: z.string().min(1).openapi({ description: "max 1024 chars (INTERACTIVE_LIMITS)" }),
    headerText: z.string().min(1).optional().openapi({ description: "max 60 chars (INTERACTIVE_LIMITS)" }),
    footer: z.string().min(1).optional().openapi({ description: "max 60 chars (INTERACTIVE_LIMITS)" }),
    buttons: z.array(Button).min(1).max(3).optional().openapi({ description: "Required when kind=buttons. 1–3 reply buttons; title ≤ 20, id ≤ 256." }),
    listSections: z
      .array(Section)
      .min(1)
      .max(10)
      .optional()
      .openapi({ description: "Required when kind=list. 1–10 sections of 1–10 rows, at most 10 rows in total; section and row title ≤ 24, row description ≤ 72, row id ≤ 200." }),
    phoneNumberId: PhoneNumberId,
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.kind === "buttons") {
      if (!v.buttons) ctx.addIssue({ code: "custom", path: ["buttons"], message: "buttons is required when kind=buttons" });
      if (v.listSections) ctx.addIssue({ code: "custom", path: ["listSections"], message: "listSections is only allowed when kind=list" });
    } else {
      if (!v.listSections) ctx.addIssue({ code: "custom", path: ["listSections"], message: "listSections is required when kind=list" });
      if (v.buttons) ctx.addIssue({ code: "custom", path: ["buttons"], message: "buttons is only allowed when kind=buttons" });
    }
  })
  .openapi("SendInteractive", {
    example: {
      to: "+919812345678",
      kind: "buttons",
      body: "Did your order arrive in good condition?",
      buttons: [{ id: "yes", title: "Yes, all good" }, { id: "no", title: "Report an issue" }],
    },
  });

export const SendLocationBody = z
  .object({
    to: E164,
    latitude: z.number().min(-90).max(90).openapi({ example: 12.9716 }),
    longitude: z.number().min(-180).max(180).openapi({ example: 77.5946 }),
    name: z.string().min(1).max(1000).optional().openapi({ example: "WBIZ HQ" }),
    address: z.string().min(1).max(1000).optional().openapi({ example: "Indiranagar, Bengaluru 560038" }),
    phoneNumberId: PhoneNumberId,
  })
  .strict()
  .openapi("SendLocation", { example: { to: "+919812345678", latitude: 12.9716, longitude: 77.5946, name: "WBIZ HQ", address: "Indiranagar, Bengaluru 560038" } });

export const SendAccepted = z
  .object({ wamid: z.string().openapi({ example: "wamid.HBgMOTE5ODEyMzQ1Njc4FQIAERgSQjg5RTk0NDM2NjE2RDM3RkU0AA==" }) })
  .openapi("SendAccepted");

export const SendQueued = z
  .object({
    id: z.string().openapi({ example: "019b7726f3a55eed05000065", description: "WBIZ message id; GET /v1/messages/{id} shows its status and wamid" }),
    status: z.literal("queued"),
  })
  .openapi("SendQueued");

export type SendTextInput = z.infer<typeof SendTextBody>;
export type SendTemplateInput = z.infer<typeof SendTemplateBody>;
export type SendMediaInput = z.infer<typeof SendMediaBody>;
export type SendInteractiveInput = z.infer<typeof SendInteractiveBody>;
export type SendLocationInput = z.infer<typeof SendLocationBody>;
