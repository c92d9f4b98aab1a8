import type { Context } from "hono";
import type { EmulatorEnv } from "./env";
import { faultResponse } from "./fault-response";
import { sleep } from "./webhooks";
import { takeFault } from "./faults";
import { accessToken, checkAccess, GRAPH_VERSION } from "./graph-auth";
import { graphErrorResponse, unknownPath, whatsappError } from "./graph-errors";
import { isObj } from "./json-params";
import { digitsOf, recipientWaId } from "./phone";
import { recordSend, withinPairRate, withinThroughput } from "./rate-limits";
import { settingsFor } from "./settings";
import { runStatusTimeline } from "./status-timeline";
import { findPhone, isWindowOpen, pushLog, state, type PhoneNumber } from "./store";
import { validateSend } from "./validate-message";
import { businessWamid } from "./wamid";

/** What a fault rule is matched on, read before validation so faults fire on any body. */
function probe(body: unknown, phone: PhoneNumber): { type: string; waId?: string } {
  if (!isObj(body)) return { type: "text" };
  if (body.status !== undefined) return { type: "read" };
  const type = typeof body.type === "string" ? body.type.toLowerCase() : "text";
  return { type, waId: typeof body.to === "string" ? recipientWaId(body.to, phone.displayPhoneNumber) : undefined };
}

/** POST /{version}/{phone-number-id}/messages */
export async function sendMessage(c: Context<EmulatorEnv>): Promise<Response> {
  const version = c.req.param("version") ?? "";
  const phoneNumberId = c.req.param("phoneNumberId") ?? "";
  if (!GRAPH_VERSION.test(version)) return graphErrorResponse(c, unknownPath(`/${version}/${phoneNumberId}/messages`));
  c.header("facebook-api-version", version);

  const found = findPhone(phoneNumberId);
  const denied = checkAccess(accessToken(c), found?.waba, phoneNumberId, "post");
  if (denied || !found) return graphErrorResponse(c, denied ?? whatsappError(1));
  const { waba, phone } = found;

  const body: unknown = await c.req.json().catch(() => undefined);
  const fault = takeFault({ phoneNumberId, ...probe(body, phone) });
  if (fault) {
    const early = await faultResponse(c, fault);
    if (early) return early;
  }

  const result = validateSend(body, { waba, phone });
  if (!result.ok) return graphErrorResponse(c, result.error);
  const send = result.value;
  const at = new Date().toISOString();
  if (send.kind === "read") {
    pushLog(state.reads, { phoneNumberId, wabaId: waba.metaWabaId, messageId: send.messageId, typingIndicator: send.typingIndicator, at });
    return c.json({ success: true });
  }

  const settings = settingsFor(c.env, waba.metaWabaId);
  const now = Date.now();
  const windowOpen = isWindowOpen(phoneNumberId, send.waId, now);
  const windowClosed = settings.enforceWindow && send.type !== "template" && !windowOpen;
  if (windowClosed && settings.windowErrorMode === "sync") return graphErrorResponse(c, whatsappError(131047));
  if (!withinThroughput(phoneNumberId, settings.mpsLimit, now)) return graphErrorResponse(c, whatsappError(130429));
  if (settings.pairRateLimit && !withinPairRate(phoneNumberId, send.waId, settings.pairIntervalMs, now)) {
    return graphErrorResponse(c, whatsappError(131056));
  }
  recordSend(phoneNumberId, send.waId, now);

  let failure: { code: number; details?: string } | undefined;
  if (fault?.action === "async_failure") failure = { code: fault.code, details: fault.details };
  else if (settings.undeliverable.some((n) => digitsOf(n) === send.waId)) failure = { code: 131026 };
  else if (windowClosed) failure = { code: 131047 };
  else if (send.reactionTarget !== undefined && !send.reactionTarget.startsWith("wamid.")) {
    failure = { code: 131009, details: "Reaction message_id does not refer to a valid message" };
  }

  const wamid = businessWamid(send.waId);
  pushLog(state.sent, {
    wamid,
    phoneNumberId,
    wabaId: waba.metaWabaId,
    to: send.to,
    waId: send.waId,
    type: send.type,
    body,
    graphVersion: version,
    ...(failure ? { asyncFailure: { code: failure.code, details: failure.details ?? "" } } : {}),
    at,
  });
  c.executionCtx.waitUntil(
    runStatusTimeline(c.env, {
      wabaId: waba.metaWabaId,
      phone,
      wamid,
      waId: send.waId,
      type: send.type,
      template: send.template,
      bizOpaqueCallbackData: send.bizOpaqueCallbackData,
      graphVersion: version,
      windowOpen,
      failure,
      settings,
    }),
  );
  if (fault?.action === "lost_answer") await sleep(fault.ms);
  return c.json({
    messaging_product: "whatsapp",
    contacts: [{ input: send.to, wa_id: send.waId }],
    messages: [{ id: wamid, ...(send.template ? { message_status: "accepted" } : {}) }],
  });
}
