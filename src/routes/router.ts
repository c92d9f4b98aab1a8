import { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { Scope } from "../auth/scopes";
import type { AppEnv } from "../env";
import { validationError } from "../errors";
import { requireScope } from "../middleware/authenticate";
import { unfaithfulJson } from "../schemas/well-formed";

/** Every router shares the one validation hook: a failed parse is a 400 VALIDATION_FAILED naming the field. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    strict: true,
    defaultHook: async (result, c) => {
      if (!result.success) throw validationError(result.error.issues, result.target === "json" ? "body" : result.target);
      if (result.target === "json") {
        const unfaithful = unfaithfulJson(await c.req.text().catch(() => ""));
        if (unfaithful) throw validationError([unfaithful], "body");
      }
    },
  });
}

/**
 * The parts of a createRoute config that make a route authenticated: Bearer security and the
 * required scope in the OpenAPI document (`x-required-scope`), and the middleware that enforces them
 * (then any route-specific middleware).
 */
export function authenticated(scope: Scope | null, ...more: MiddlewareHandler<AppEnv>[]) {
  return {
    security: [{ bearerAuth: [] }],
    middleware: [requireScope(scope), ...more],
    ...(scope ? { "x-required-scope": scope } : {}),
  };
}
