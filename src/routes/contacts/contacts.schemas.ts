import { z } from "@hono/zod-openapi";
import { MAX_CUSTOM_FIELDS } from "../../data-plane/contacts";
import { E164, IsoDateTime, pageLimit, QueryBoolean, ResourceId } from "../../schemas/common";
import { Page } from "../../schemas/page";

const MAX_TAGS = 50;

const Name = z.string().trim().min(1).max(256).openapi({ example: "Aarav Sharma" });
const Email = z.email({ error: "must be a valid email address" }).max(254).openapi({ example: "aarav@example.com" });
const Tag = z.string().trim().min(1, "tags must be 1–50 characters").max(50, "tags must be 1–50 characters");
const Tags = z
  .array(Tag)
  .max(MAX_TAGS, `at most ${MAX_TAGS} tags`)
  .transform((tags) => [...new Set(tags)]);
const FieldKey = z.string().min(1, "field names must be 1–64 characters").max(64, "field names must be 1–64 characters");
const FieldValue = z.string().max(1024, "field values must be at most 1024 characters");
const atMostFields = (o: object) => Object.keys(o).length <= MAX_CUSTOM_FIELDS;
const fieldsMessage = `at most ${MAX_CUSTOM_FIELDS} custom fields`;

export const CreateContactBody = z
  .object({
    phone: E164.openapi({ description: "E.164 phone number — primary identifier. Spaces and dashes are ignored: +91 98123 45678 is +919812345678." }),
    name: Name.optional().openapi({ description: "Display name (1–256 characters)." }),
    email: Email.optional().openapi({ description: "Email address — must be a valid email format if provided." }),
    tags: Tags.optional().openapi({ description: "Initial tags (1–50 characters each, at most 50; duplicates are dropped).", example: ["vip", "delhi"] }),
    customFields: z
      .record(FieldKey, FieldValue)
      .refine(atMostFields, fieldsMessage)
      .optional()
      .openapi({ description: `Free-form string → string metadata: at most ${MAX_CUSTOM_FIELDS} fields, names 1–64 characters, values at most 1024.`, example: { city: "Delhi", tier: "gold" } }),
    optedIn: z.boolean().optional().openapi({ description: "Marketing opt-in state. Defaults to true on create.", example: true }),
  })
  .strict()
  .openapi("CreateContact", {
    example: { phone: "+919812345678", name: "Aarav Sharma", email: "aarav@example.com", tags: ["vip", "delhi"], customFields: { city: "Delhi", tier: "gold" }, optedIn: true },
  });

export const UpdateContactBody = z
  .object({
    name: Name.nullable().optional().openapi({ description: "New display name; null clears it." }),
    email: Email.nullable().optional().openapi({ description: "New email address; null clears it." }),
    tags: Tags.optional().openapi({ description: "Replaces the contact's tag set entirely ([] removes every tag).", example: ["vip", "gold"] }),
    customFields: z
      .record(FieldKey, FieldValue.nullable())
      .refine(atMostFields, fieldsMessage)
      .optional()
      .openapi({
        description: `Shallow-merged into the existing custom fields; a null value removes that field. The merged set may hold at most ${MAX_CUSTOM_FIELDS} fields.`,
        example: { tier: "platinum" },
      }),
    optedIn: z.boolean().optional().openapi({ description: "Update marketing opt-in state." }),
  })
  .strict()
  .openapi("UpdateContact", { example: { tags: ["vip", "gold"], customFields: { tier: "platinum" } } });

export const ContactSchema = z
  .object({
    id: z.string().openapi({ example: "65fc2e1b9a8b1c0d2e3f4a5b" }),
    phone: z.string().nullable().openapi({
      description: "E.164. null only for a customer who wrote from a WhatsApp username and whose number Meta does not share (reach them with userId)",
      example: "+919812345678",
    }),
    userId: z.string().nullable().openapi({ description: "Meta's business-scoped user id (BSUID), once Meta has shared it; sends accept it as `userId`", example: "IN.13491208655302741918" }),
    username: z.string().nullable().openapi({ description: "The customer's WhatsApp username, when they use one", example: "@aarav" }),
    name: z.string().nullable().openapi({ description: "null when the contact has no name", example: "Aarav Sharma" }),
    email: z.string().nullable().openapi({ description: "null when the contact has no email", example: "aarav@example.com" }),
    tags: z.array(z.string()).openapi({ description: "In the order they were set", example: ["vip", "delhi"] }),
    customFields: z.record(z.string(), z.string()).openapi({ example: { city: "Delhi", tier: "gold" } }),
    optedIn: z.boolean(),
    createdAt: IsoDateTime,
  })
  .openapi("Contact", {
    example: {
      id: "65fc2e1b9a8b1c0d2e3f4a5b",
      phone: "+919812345678",
      userId: "IN.13491208655302741918",
      username: null,
      name: "Aarav Sharma",
      email: "aarav@example.com",
      tags: ["vip", "delhi"],
      customFields: { city: "Delhi", tier: "gold" },
      optedIn: true,
      createdAt: "2026-04-12T08:32:11.420Z",
    },
  });

export const ContactPage = Page(ContactSchema, "65fc2e1b9a8b1c0d2e3f4a5b").openapi("ContactPage");

export const ListContactsQuery = z.object({
  search: z
    .string()
    .trim()
    .max(100)
    .optional()
    .openapi({ description: "Search by name (case-insensitive substring in any script: ZOË finds Zoë, STRASSE finds Straße) or phone digits. Empty is ignored.", example: "Aarav" }),
  tag: Tag.optional().openapi({ description: "Filter to contacts tagged with this label (exact).", example: "vip" }),
  optedIn: QueryBoolean.optional().openapi({ description: "Filter by opt-in state (true or false). Omit to include both." }),
  limit: pageLimit(25, 100),
  cursor: ResourceId.optional().openapi({ description: "Cursor returned by the previous page (last contact id)." }),
});
