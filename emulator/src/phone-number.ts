import type { Context } from "hono";
import type { EmulatorEnv } from "./env";
import { accessToken, checkAccess, GRAPH_VERSION } from "./graph-auth";
import { graphErrorResponse, unknownPath } from "./graph-errors";
import { emulatorMode, settingsFor } from "./settings";
import { findPhone } from "./store";

/**
 * GET /{version}/{phone-number-id}?fields=… — Meta's WhatsApp Business Phone Number node, the fields the
 * gateway reads: `throughput` ({"level": "STANDARD" | "HIGH" | "NOT_APPLICABLE"}, Meta's "Getting
 * Throughput Level"), `display_phone_number`, `verified_name`. `id` always comes back.
 */
export function readPhoneNumber(c: Context<EmulatorEnv>): Response {
  const version = c.req.param("version") ?? "";
  const phoneNumberId = c.req.param("phoneNumberId") ?? "";
  if (!GRAPH_VERSION.test(version) || !/^\d+$/.test(phoneNumberId)) return graphErrorResponse(c, unknownPath(c.req.path));
  c.header("facebook-api-version", version);
  const found = findPhone(phoneNumberId);
  const denied = checkAccess(accessToken(c), found?.waba, phoneNumberId, "get", emulatorMode(c.env));
  if (denied || !found) return graphErrorResponse(c, denied!);
  const fields = (c.req.query("fields") ?? "").split(",").map((f) => f.trim()).filter(Boolean);
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (field === "throughput") out.throughput = { level: settingsFor(c.env, found.waba.metaWabaId).throughputLevel };
    else if (field === "display_phone_number") out.display_phone_number = found.phone.displayPhoneNumber;
    else if (field === "verified_name") out.verified_name = found.phone.verifiedName;
  }
  out.id = phoneNumberId;
  return c.json(out);
}
