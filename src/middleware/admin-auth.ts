import { createMiddleware } from "hono/factory";
import { timingSafeEqualStrings } from "../crypto/hmac";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";

/** Admin routes: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const m = /^Bearer[ ]+(\S+)$/i.exec(c.req.header("Authorization") ?? "");
  const expected = c.env.ADMIN_TOKEN;
  if (!expected || !m || !timingSafeEqualStrings(m[1]!, expected)) {
    throw new ApiError("INVALID_ADMIN_TOKEN", "Admin routes need `Authorization: Bearer <ADMIN_TOKEN>`");
  }
  await next();
});
