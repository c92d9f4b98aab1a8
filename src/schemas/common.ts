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

/**
 * Meta's business-scoped user id (BSUID) of a WhatsApp user: the ISO 3166 country code, a period, and up
 * to 128 letters and digits (US.13491208655302741918), or a parent BSUID with ENT (US.ENT.1181…).
 */
export const BSUID_PATTERN = /^[A-Z]{2}\.(ENT\.)?[A-Za-z0-9]{1,128}$/;
export const Bsuid = z
  .string()
  .regex(BSUID_PATTERN, "must be a business-scoped user id such as US.13491208655302741918")
  .openapi({ example: "US.13491208655302741918" });

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

/** Milliseconds → ISO 8601. Never throws: a value outside Date's range is pinned to its end. */
export const iso = (ms: number) => new Date(Math.max(-8.64e15, Math.min(8.64e15, Number.isFinite(ms) ? ms : 0))).toISOString();

export const SendAccepted = z.object({ wamid: z.string().openapi({ example: "wamid.HBgMOTE5ODEyMzQ1Njc4FQIAERgSQjg5RTk0NDM2NjE2RDM3RkU0AA==" }) });
