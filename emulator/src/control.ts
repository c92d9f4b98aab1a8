// The control API under /__emulator: tests and local dev steer the emulator here (see emulator/README.md).
import { Hono, type Context } from "hono";
import { z } from "zod";
import {
  faultSchema, heldSchema, inboundSchema, phoneNumberSchema, settingsSchema, statusSchema, systemErrorSchema, templateCategorySchema,
  templateQualitySchema, templateReviewSchema, templateStatusSchema, userPreferencesSchema, userSchema, wabaPatchSchema, wabaSchema, windowSchema,
} from "./control-schemas";
import type { EmulatorEnv } from "./env";
import { addFault, clearFaults } from "./faults";
import { randomTemplateId } from "./ids";
import { emulateInbound } from "./inbound";
import { resetMedia } from "./media";
import { canonicalWaId, digitsOf, phoneKey } from "./phone";
import { settingsFor, updateSettings, type WabaSettings } from "./settings";
import { starterTemplates } from "./starter-templates";
import { postStatus, resolveHeld } from "./status-timeline";
import { addPhone, findPhone, pairKey, phoneStats, registerWaba, resetStore, state, type Template, type Waba } from "./store";
import { reviewFor, updateReview } from "./template-management";
import { changeTemplateCategory, changeTemplateQuality, changeTemplateStatus } from "./template-status";
import { BSUID_OR_PARENT, ensurePhoneUser, findUser, listUsers, setMarketingStop, sharedWaId, upsertUser, userKey } from "./users";
import { systemErrorPayload, userPreferencesPayload } from "./webhook-payloads";
import { postWebhook, type Posted } from "./webhooks";

export function problem(c: Context, status: 400 | 404 | 409, message: string, issues?: unknown): Response {
  return c.json({ error: { message, ...(issues === undefined ? {} : { issues }) } }, status);
}

async function parse<S extends z.ZodType>(c: Context, schema: S): Promise<{ ok: true; data: z.output<S> } | { ok: false; response: Response }> {
  const json: unknown = await c.req.json().catch(() => undefined);
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, response: problem(c, 400, z.prettifyError(result.error), result.error.issues) };
}

/** The log entry of a webhook just POSTed, as control routes answer it. */
function webhookRef(posted: Posted): { id: number; httpStatus: number | null } {
  return { id: posted.record.id, httpStatus: posted.record.httpStatus };
}

function findTemplate(waba: Waba, ref: { templateId?: string; name?: string; language?: string }): Template | undefined {
  return waba.templates.find((t) => (ref.templateId !== undefined ? t.metaId === ref.templateId : t.name === ref.name && t.language === ref.language));
}

export const controlRouter = new Hono<EmulatorEnv>();

controlRouter.post("/wabas", async (c) => {
  const body = await parse(c, wabaSchema);
  if (!body.ok) return body.response;
  const { starterTemplates: withStarters, ...waba } = body.data;
  const templates = [...waba.templates.map((t) => ({ ...t, metaId: t.metaId ?? randomTemplateId() })), ...(withStarters ? starterTemplates(waba.metaWabaId) : [])];
  const result = registerWaba({ ...waba, templates });
  if (result.kind === "phone_taken") {
    return problem(c, 409, `phone number ${result.phoneNumberId} already belongs to WABA ${result.ownerWabaId}`);
  }
  return c.json({ waba: result.waba }, 201);
});

controlRouter.get("/wabas", (c) => c.json({ data: [...state.wabas.values()] }));

controlRouter.get("/wabas/:wabaId", (c) => {
  const waba = state.wabas.get(c.req.param("wabaId"));
  return waba ? c.json({ waba }) : problem(c, 404, "unknown WABA");
});

controlRouter.patch("/wabas/:wabaId", async (c) => {
  const body = await parse(c, wabaPatchSchema);
  if (!body.ok) return body.response;
  const waba = state.wabas.get(c.req.param("wabaId"));
  if (!waba) return problem(c, 404, "unknown WABA");
  Object.assign(waba, body.data);
  return c.json({ waba });
});

controlRouter.post("/wabas/:wabaId/phone-numbers", async (c) => {
  const body = await parse(c, phoneNumberSchema);
  if (!body.ok) return body.response;
  const wabaId = c.req.param("wabaId");
  const result = addPhone(wabaId, body.data);
  switch (result.kind) {
    case "unknown_waba":
      return problem(c, 404, `unknown WABA ${wabaId}`);
    case "phone_taken":
      return problem(c, 409, `phone number ${body.data.metaPhoneNumberId} already belongs to WABA ${result.ownerWabaId}`);
    default:
      return c.json({ waba: result.waba, phone: result.phone }, result.kind === "added" ? 201 : 200);
  }
});

controlRouter.post("/templates/status", async (c) => {
  const body = await parse(c, templateStatusSchema);
  if (!body.ok) return body.response;
  const { wabaId, status, reason, webhook, disableDate, otherInfo } = body.data;
  const waba = state.wabas.get(wabaId);
  if (!waba) return problem(c, 404, `unknown WABA ${wabaId}`);
  const template = findTemplate(waba, body.data);
  if (!template) return problem(c, 404, "unknown template");
  const posted = await changeTemplateStatus(c.env, waba, template, { event: status, reason, webhook, disableDate, otherInfo });
  if (posted) c.executionCtx.waitUntil(posted.retries);
  return c.json({ template, webhook: posted ? webhookRef(posted) : null });
});

controlRouter.post("/templates/category", async (c) => {
  const body = await parse(c, templateCategorySchema);
  if (!body.ok) return body.response;
  const waba = state.wabas.get(body.data.wabaId);
  if (!waba) return problem(c, 404, `unknown WABA ${body.data.wabaId}`);
  const template = findTemplate(waba, body.data);
  if (!template) return problem(c, 404, "unknown template");
  const posted = await changeTemplateCategory(c.env, waba, template, { category: body.data.category, impending: body.data.impending });
  c.executionCtx.waitUntil(posted.retries);
  return c.json({ template, webhook: webhookRef(posted) });
});

controlRouter.post("/templates/quality", async (c) => {
  const body = await parse(c, templateQualitySchema);
  if (!body.ok) return body.response;
  const waba = state.wabas.get(body.data.wabaId);
  if (!waba) return problem(c, 404, `unknown WABA ${body.data.wabaId}`);
  const template = findTemplate(waba, body.data);
  if (!template) return problem(c, 404, "unknown template");
  const previous = state.templates.get(template.metaId)?.quality ?? "UNKNOWN";
  const posted = await changeTemplateQuality(c.env, waba, template, { quality: body.data.quality, metaDocField: body.data.metaDocField });
  c.executionCtx.waitUntil(posted.retries);
  return c.json({ template, quality: { previous, current: body.data.quality }, webhook: webhookRef(posted) });
});

// How Meta's review of new and edited templates goes for a WABA: the delay before the verdict (null: none,
// POST /templates/status decides), the names it rejects and the rejection's reason.
controlRouter.post("/templates/review", async (c) => {
  const body = await parse(c, templateReviewSchema);
  if (!body.ok) return body.response;
  const { wabaId, ...patch } = body.data;
  if (!state.wabas.has(wabaId)) return problem(c, 404, `unknown WABA ${wabaId}`);
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  return c.json({ wabaId, review: updateReview(wabaId, defined) });
});

controlRouter.get("/templates/review", (c) => {
  const wabaId = c.req.query("wabaId");
  if (!wabaId || !state.wabas.has(wabaId)) return problem(c, 404, "unknown WABA (pass ?wabaId=)");
  return c.json({ wabaId, review: reviewFor(wabaId) });
});

controlRouter.post("/faults", async (c) => {
  const body = await parse(c, faultSchema);
  if (!body.ok) return body.response;
  return c.json({ fault: addFault(body.data) }, 201);
});

controlRouter.get("/faults", (c) => {
  const phoneNumberId = c.req.query("phoneNumberId");
  return c.json({ data: state.faults.filter((f) => !phoneNumberId || f.phoneNumberId === phoneNumberId) });
});

controlRouter.delete("/faults", (c) => c.json({ deleted: clearFaults(c.req.query("phoneNumberId")) }));

controlRouter.post("/inbound", async (c) => {
  const body = await parse(c, inboundSchema);
  if (!body.ok) return body.response;
  const req = body.data;
  const found = findPhone(req.phoneNumberId);
  if (!found) return problem(c, 404, `unknown phone number ${req.phoneNumberId}`);
  const content = req[req.type];
  if (content === undefined && req.type !== "unsupported") return problem(c, 400, `"${req.type}" is required for type ${req.type}`);
  const result = await emulateInbound(c.env, found.waba, found.phone, { ...req, content });
  if (result.kind === "conflict") return problem(c, 409, result.message);
  if (result.kind === "invalid") return problem(c, 400, result.message);
  c.executionCtx.waitUntil(result.retries);
  return c.json({ wamid: result.wamid, delivered: result.delivered, webhookId: result.webhookId, userId: result.user.userId });
});

controlRouter.post("/users", async (c) => {
  const body = await parse(c, userSchema);
  if (!body.ok) return body.response;
  const { wabaId, waId, ...rest } = body.data;
  if (!state.wabas.has(wabaId)) return problem(c, 404, `unknown WABA ${wabaId}`);
  const canonical = waId === undefined ? undefined : canonicalWaId(digitsOf(waId), settingsFor(c.env, wabaId));
  const result = upsertUser(wabaId, { ...rest, waId: canonical });
  if (result.kind === "conflict") return problem(c, 409, result.message);
  if (result.kind === "invalid") return problem(c, 400, result.message);
  return c.json({ user: result.user }, result.kind === "created" ? 201 : 200);
});

controlRouter.get("/users", (c) => {
  const wabaId = c.req.query("wabaId");
  if (!wabaId || !state.wabas.has(wabaId)) return problem(c, 404, "unknown WABA (pass ?wabaId=)");
  return c.json({ data: listUsers(wabaId) });
});

controlRouter.post("/user-preferences", async (c) => {
  const body = await parse(c, userPreferencesSchema);
  if (!body.ok) return body.response;
  const { phoneNumberId, waId, userId, value } = body.data;
  const found = findPhone(phoneNumberId);
  if (!found) return problem(c, 404, `unknown phone number ${phoneNumberId}`);
  const wabaId = found.waba.metaWabaId;
  const canonical = waId === undefined ? undefined : canonicalWaId(digitsOf(waId), settingsFor(c.env, wabaId));
  const byUserId = userId === undefined ? undefined : findUser(wabaId, { userId });
  if (userId !== undefined && !byUserId) return problem(c, 404, `no user ${userId} on WABA ${wabaId} (register it with POST /__emulator/users)`);
  if (byUserId && canonical !== undefined && byUserId.waId !== canonical) return problem(c, 409, `user ${userId} does not have wa_id ${canonical}`);
  const user = byUserId ?? ensurePhoneUser(wabaId, canonical!);
  setMarketingStop(user, value === "stop");
  const payload = userPreferencesPayload(wabaId, found.phone, { waId: sharedWaId(user), userId: user.userId }, value);
  const posted = await postWebhook(c.env, { wabaId, phoneNumberId, kind: "user_preferences" }, payload, settingsFor(c.env, wabaId));
  c.executionCtx.waitUntil(posted.retries);
  return c.json({ user, webhook: webhookRef(posted) });
});

controlRouter.post("/system-errors", async (c) => {
  const body = await parse(c, systemErrorSchema);
  if (!body.ok) return body.response;
  const { wabaId, phoneNumberId, code, details } = body.data;
  const found = findPhone(phoneNumberId);
  if (!found || found.waba.metaWabaId !== wabaId) return problem(c, 404, `phone number ${phoneNumberId} is not a number of WABA ${wabaId}`);
  const payload = systemErrorPayload(wabaId, found.phone, code, details);
  const posted = await postWebhook(c.env, { wabaId, phoneNumberId, kind: "errors" }, payload, settingsFor(c.env, wabaId));
  c.executionCtx.waitUntil(posted.retries);
  return c.json({ webhook: webhookRef(posted) });
});

controlRouter.post("/held", async (c) => {
  const body = await parse(c, heldSchema);
  if (!body.ok) return body.response;
  const { wamid, outcome } = body.data;
  const result = await resolveHeld(c.env, wamid, outcome);
  switch (result.kind) {
    case "unknown":
      return problem(c, 404, `no accepted send ${wamid}`);
    case "not_held":
      return problem(c, 409, `${wamid} is not held (${result.held ?? "it never was"})`);
    case "released":
      c.executionCtx.waitUntil(result.timeline);
      return c.json({ wamid, held: "released" });
    case "dropped":
      c.executionCtx.waitUntil(result.posted.retries);
      return c.json({ wamid, held: "dropped", webhook: webhookRef(result.posted) });
  }
});

controlRouter.post("/statuses", async (c) => {
  const body = await parse(c, statusSchema);
  if (!body.ok) return body.response;
  const { wamid, status, errors, codeAsString } = body.data;
  const accepted = state.accepted.get(wamid);
  if (!accepted) return problem(c, 404, `no accepted send ${wamid}`);
  const send = { ...accepted.send, settings: settingsFor(c.env, accepted.send.wabaId) };
  const item = { wamid, status, recipient: send.recipient, bizOpaqueCallbackData: send.bizOpaqueCallbackData, errors, codeAsString };
  const [posted] = await postStatus(c.env, send, item, 1);
  c.executionCtx.waitUntil(posted!.retries);
  return c.json({ webhook: webhookRef(posted!) });
});

controlRouter.post("/settings", async (c) => {
  const body = await parse(c, settingsSchema);
  if (!body.ok) return body.response;
  const { wabaId, statusDelaysMs, ...rest } = body.data;
  if (!state.wabas.has(wabaId)) return problem(c, 404, `unknown WABA ${wabaId}`);
  const patch: Partial<WabaSettings> = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  if (statusDelaysMs !== undefined) patch.statusDelaysMs = Array.isArray(statusDelaysMs) ? statusDelaysMs : [];
  if (patch.undeliverable) patch.undeliverable = patch.undeliverable.map(digitsOf);
  updateSettings(wabaId, patch);
  return c.json({ wabaId, settings: settingsFor(c.env, wabaId) });
});

controlRouter.get("/settings", (c) => {
  const wabaId = c.req.query("wabaId");
  if (!wabaId || !state.wabas.has(wabaId)) return problem(c, 404, "unknown WABA (pass ?wabaId=)");
  return c.json({ wabaId, settings: settingsFor(c.env, wabaId) });
});

controlRouter.post("/windows", async (c) => {
  const body = await parse(c, windowSchema);
  if (!body.ok) return body.response;
  const { phoneNumberId, waId, userId, open } = body.data;
  const found = findPhone(phoneNumberId);
  let key: string;
  if (userId !== undefined) {
    const user = found ? findUser(found.waba.metaWabaId, { userId }) : undefined;
    if (!user) return problem(c, 404, `no user ${userId} for phone number ${phoneNumberId}`);
    key = userKey(user);
  } else {
    const digits = digitsOf(waId!);
    key = found ? canonicalWaId(digits, settingsFor(c.env, found.waba.metaWabaId)) : phoneKey(digits);
  }
  if (open) state.windows.set(pairKey(phoneNumberId, key), Date.now());
  else state.windows.delete(pairKey(phoneNumberId, key));
  return c.json({ phoneNumberId, ...(userId === undefined ? { waId: key } : { userId }), open });
});

controlRouter.get("/sent", (c) => {
  const phoneNumberId = c.req.query("phoneNumberId");
  const to = c.req.query("to");
  const sameUser = (s: (typeof state.sent)[number]) =>
    to === undefined || (BSUID_OR_PARENT.test(to) ? s.userId === to : s.waId !== undefined && phoneKey(s.waId) === phoneKey(to));
  return c.json({ data: state.sent.filter((s) => (!phoneNumberId || s.phoneNumberId === phoneNumberId) && sameUser(s)) });
});

/** What a phone number was asked to send: accepted, refused for pace (130429, 131056), accepted twice for one callback. */
controlRouter.get("/stats", (c) => {
  const phoneNumberId = c.req.query("phoneNumberId") ?? "";
  const { accepted, refused, duplicates } = phoneStats(phoneNumberId);
  return c.json({ phoneNumberId, accepted, refused: { 130429: refused[130429] ?? 0, 131056: refused[131056] ?? 0 }, duplicates });
});

controlRouter.get("/reads", (c) => {
  const phoneNumberId = c.req.query("phoneNumberId");
  return c.json({ data: state.reads.filter((r) => !phoneNumberId || r.phoneNumberId === phoneNumberId) });
});

controlRouter.get("/webhooks", (c) => {
  const { wabaId, wamid, kind } = c.req.query();
  const data = state.webhooks.filter((w) => (!wabaId || w.wabaId === wabaId) && (!wamid || w.wamid === wamid) && (!kind || w.kind === kind));
  return c.json({ data });
});

controlRouter.post("/reset", (c) => {
  resetStore();
  resetMedia();
  return c.json({ ok: true, wabas: [...state.wabas.keys()] });
});
