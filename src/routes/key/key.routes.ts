import { createRoute, z } from "@hono/zod-openapi";
import { SCOPES } from "../../auth/scopes";
import { KEY_MODES, PLANS } from "../../db/schema";
import { AUTH_ERRORS, errorResponses, rateLimitHeaders } from "../../errors";
import { withScope } from "../../schemas/operation";
import { authenticated } from "../router";

export const KeyInfoSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ description: "First characters of the key, for telling keys apart" }),
    scopes: z.array(z.enum(SCOPES)),
    plan: z.enum(PLANS),
    mode: z.enum(KEY_MODES).openapi({
      description:
        "`live`: sends reach WhatsApp users through Meta. `test`: sends never leave WBIZ — the sandbox answers them like Meta and moves them to sent, delivered and read — and the key sees only its WABA's test-mode data.",
    }),
    rateLimit: z.object({ perMinute: z.number().int(), burst: z.number().int(), burstWindowSeconds: z.literal(10) }),
    waba: z.object({ id: z.string(), metaWabaId: z.string(), name: z.string() }),
    createdAt: z.string().datetime(),
  })
  .openapi("KeyInfo");

export const getKey = createRoute({
  method: "get",
  path: "/v1/key",
  operationId: "getKey",
  tags: ["Authentication"],
  summary: "Describe the calling API key",
  description: withScope(null, "Returns the key's scopes, plan limits and the WABA it is bound to. Needs no scope: use it to check a key."),
  ...authenticated(null),
  responses: {
    200: { description: "The calling key", headers: rateLimitHeaders, content: { "application/json": { schema: KeyInfoSchema } } },
    ...errorResponses(...AUTH_ERRORS),
  },
});
