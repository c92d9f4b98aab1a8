import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { validationError } from "../errors";

/** Every router shares the one validation hook: a failed parse is a 400 VALIDATION_FAILED naming the field. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    strict: true,
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error.issues, result.target === "json" ? "body" : result.target);
    },
  });
}

export const bearerSecurity = [{ bearerAuth: [] }];
