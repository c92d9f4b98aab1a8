import type { Context } from "hono";
import type { EmulatorEnv } from "./env";
import { faultResponse } from "./fault-response";
import { sleep } from "./webhooks";
import { takeFault, type FaultProbe } from "./faults";
import { registerOnFirstUse } from "./first-use";
import { accessToken, checkAccess, GRAPH_VERSION } from "./graph-auth";
import { graphErrorResponse, unknownPath, whatsappError } from "./graph-errors";
import { isObj } from "./json-params";
import { canonicalWaId, phoneKey, recipientWaId } from "./phone";
import { recordSend, withinPairRate, withinThroughput } from "./rate-limits";
import { magicRecipient, throttleThisAttempt } from "./sandbox";
import { emulatorMode, settingsFor, type WabaSettings } from "./settings";
import { runStatusTimeline, type AcceptedSend } from "./status-timeline";
import { findPhone, isWindowOpen, phoneStats, pushLog, rememberAccepted, state, type PhoneNumber, type SentRecord, type Waba } from "./store";
import { ensurePhoneUser, findUser, sharedWaId, stoppedMarketing, userKey } from "./users";
import { validateSend } from "./validate-message";
import { businessWamid } from "./wamid";

/** What a fault rule is matched on, read before validation so faults fire on any body. */
function probe(body: unknown, waba: Waba, phone: PhoneNumber, settings: WabaSettings): Omit<FaultProbe, "phoneNumberId"> {
  if (!isObj(body)) return { type: "text" };
  if (body.status !== undefined) return { type: "read" };
  const type = typeof body.type === "string" ? body.type.toLowerCase() : "text";
  if (typeof body.to === "string" && body.to !== "") {
    const digits = recipientWaId(body.to, phone.displayPhoneNumber);
    const waId = digits === undefined ? undefined : canonicalWaId(digits, settings);
    return { type, waId, userId: waId === undefined ? undefined : findUser(waba.metaWabaId, { waId })?.userId };
  }
  if (typeof body.recipient === "string") return { type, userId: body.recipient, waId: findUser(waba.metaWabaId, { userId: body.recipient })?.waId };
  return { type };
}

/** POST /{version}/{phone-number-id}/messages */
export async function sendMessage(c: Context<EmulatorEnv>): Promise<Response> {
  const version = c.req.param("version") ?? "";
  const phoneNumberId = c.req.param("phoneNumberId") ?? "";
  if (!GRAPH_VERSION.test(version)) return graphErrorResponse(c, unknownPath(`/${version}/${phoneNumberId}/messages`));
  c.header("facebook-api-version", version);

  const mode = emulatorMode(c.env);
  const token = accessToken(c);
  registerOnFirstUse(c.env, token, { phoneNumberId });
  const found = findPhone(phoneNumberId);
  const denied = checkAccess(token, found?.waba, phoneNumberId, "post", mode);
  if (denied || !found) return graphErrorResponse(c, denied ?? whatsappError(1));
  const { waba, phone } = found;
  const settings = settingsFor(c.env, waba.metaWabaId);

  const body: unknown = await c.req.json().catch(() => undefined);
  const fault = takeFault({ phoneNumberId, ...probe(body, waba, phone, settings) });
  if (fault) {
    const early = await faultResponse(c, fault);
    if (early) return early;
  }

  const result = validateSend(body, { waba, phone, brazilLegacyWaIds: settings.brazilLegacyWaIds });
  if (!result.ok) return graphErrorResponse(c, result.error);
  const send = result.value;
  const at = new Date().toISOString();
  if (send.kind === "read") {
    pushLog(state.reads, { phoneNumberId, wabaId: waba.metaWabaId, messageId: send.messageId, typingIndicator: send.typingIndicator, at });
    return c.json({ success: true });
  }

  const now = Date.now();
  const existing = send.bsuidUser ?? findUser(waba.metaWabaId, { waId: send.waId });
  const key = existing ? userKey(existing) : send.waId!;
  const windowOpen = isWindowOpen(phoneNumberId, key, now);
  // In sandbox mode the gateway enforces the 24-hour window itself (it knows the test customer's window).
  const windowClosed = settings.enforceWindow && !mode.sandbox && send.type !== "template" && !windowOpen;
  if (windowClosed && settings.windowErrorMode === "sync") return graphErrorResponse(c, whatsappError(131047));
  const recipientWaId = existing ? existing.waId : send.waId;
  const magic = mode.sandbox && recipientWaId !== undefined ? magicRecipient(recipientWaId) : undefined;
  if (magic?.result === "throttled_once" && throttleThisAttempt(phoneNumberId, recipientWaId!)) return graphErrorResponse(c, whatsappError(magic.code));
  const stats = phoneStats(phoneNumberId);
  const refuse = (code: 130429 | 131056) => {
    stats.refused[code] = (stats.refused[code] ?? 0) + 1;
    return graphErrorResponse(c, whatsappError(code));
  };
  if (!withinThroughput(phoneNumberId, settings.mpsLimit, now)) return refuse(130429);
  if (settings.pairRateLimit && !withinPairRate(phoneNumberId, key, settings.pairIntervalMs, now)) return refuse(131056);
  recordSend(phoneNumberId, key, now);
  stats.accepted++;
  const callback = isObj(body) && typeof body.biz_opaque_callback_data === "string" ? body.biz_opaque_callback_data : null;
  if (callback !== null) {
    if (stats.callbacks.has(callback)) stats.duplicates++;
    else stats.callbacks.add(callback);
  }
  // Every phone user has a BSUID from the first time the business meets them.
  const user = existing ?? ensurePhoneUser(waba.metaWabaId, send.waId!);
  const viaBsuid = send.to === undefined;

  let failure: { code: number; details?: string } | undefined;
  if (fault?.action === "async_failure") failure = { code: fault.code, details: fault.details };
  else if (magic?.result === "failed") failure = { code: magic.code };
  else if (user.waId !== undefined && settings.undeliverable.some((n) => phoneKey(n) === phoneKey(user.waId!))) failure = { code: 131026 };
  else if (windowClosed) failure = { code: 131047 };
  else if (send.template?.category === "MARKETING" && stoppedMarketing(user)) failure = { code: 131050 };
  else if (send.reactionTarget !== undefined && !send.reactionTarget.startsWith("wamid.")) {
    failure = { code: 131009, details: "Reaction message_id does not refer to a valid message" };
  }
  const held = fault?.action === "hold";

  const recipient = { userId: user.userId, waId: viaBsuid ? sharedWaId(user) : user.waId, name: user.name, username: user.username, viaBsuid };
  const wamid = businessWamid(recipient.waId ?? user.userId);
  const record: SentRecord = {
    wamid,
    phoneNumberId,
    wabaId: waba.metaWabaId,
    ...(viaBsuid ? { recipient: user.userId } : { to: send.to }),
    ...(user.waId === undefined ? {} : { waId: user.waId }),
    userId: user.userId,
    type: send.type,
    body,
    graphVersion: version,
    ...(failure ? { asyncFailure: { code: failure.code, details: failure.details ?? "" } } : {}),
    ...(held ? { held: "held" as const } : {}),
    at,
  };
  pushLog(state.sent, record);
  const accepted: AcceptedSend = {
    wabaId: waba.metaWabaId,
    phone,
    wamid,
    userKey: key,
    recipient,
    type: send.type,
    template: send.template,
    voice: send.voice,
    bizOpaqueCallbackData: send.bizOpaqueCallbackData,
    graphVersion: version,
    windowOpen,
    failure,
    settings,
  };
  rememberAccepted(accepted, record);
  if (!held) c.executionCtx.waitUntil(runStatusTimeline(c.env, accepted));
  if (fault?.action === "lost_answer") await sleep(fault.ms);
  const messageStatus = held ? "held_for_quality_assessment" : send.template ? "accepted" : undefined;
  return c.json({
    messaging_product: "whatsapp",
    contacts: [viaBsuid ? { input: user.userId, user_id: user.userId } : { input: send.to, wa_id: user.waId }],
    messages: [{ id: wamid, ...(messageStatus ? { message_status: messageStatus } : {}) }],
  });
}
