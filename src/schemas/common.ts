import { z } from "@hono/zod-openapi";
import { toE164 } from "../domain/phone";

// Shapes shared by many routes. Each is written once and serves validation and the OpenAPI document.

/** E.164 phone, validated with libphonenumber and normalised ("+91 98123 45678" → "+919812345678"). */
export const E164 = z
  .string()
  .min(8)
  .max(20)
  .transform((value, ctx) => {
    const e164 = toE164(value);
    if (!e164) {
      ctx.addIssue({ code: "custom", message: "Invalid E.164 phone number (expected e.g. +919812345678)" });
      return z.NEVER;
    }
    return e164;
  })
  .openapi({ type: "string", example: "+919812345678", description: "Phone number in E.164 format" });

export const ResourceId = z
  .string()
  .regex(/^[0-9a-f]{24}$/, "must be a 24-character hex id")
  .openapi({ example: "65fc2e1b9a8b1c0d2e3f4a5b" });

/** An id in a path. Malformed ids answer 404 like unknown ones: nothing to learn from probing. */
export const PathId = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "65fc2e1b9a8b1c0d2e3f4a5b" }) });

export const isResourceId = (id: string) => /^[0-9a-f]{24}$/.test(id);

/** `limit` query parameter: integer in [1, max], default `def`; anything else is a 400. */
export const pageLimit = (def: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be an integer between 1 and ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(1, `must be between 1 and ${max}`).max(max, `must be between 1 and ${max}`))
    .optional()
    .transform((v) => v ?? def)
    .openapi({ type: "integer", minimum: 1, maximum: max, default: def, description: `Page size. Default ${def}, max ${max}.` });

/** Query-string boolean: only "true" and "false". */
export const QueryBoolean = z.enum(["true", "false"]).transform((v) => v === "true").openapi({ type: "boolean" });

export const IsoDateTime = z.string().openapi({ format: "date-time", example: "2026-04-28T17:42:12.108Z" });

export const iso = (ms: number) => new Date(ms).toISOString();

export const SendAccepted = z.object({ wamid: z.string().openapi({ example: "wamid.HBgMOTE5ODEyMzQ1Njc4FQIAERgSQjg5RTk0NDM2NjE2RDM3RkU0AA==" }) });
