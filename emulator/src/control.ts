// The control API under /__emulator: tests and local dev steer the emulator here (see emulator/README.md).
import { Hono, type Context } from "hono";
import { z } from "zod";
import {
  faultSchema, inboundSchema, settingsSchema, templateStatusSchema, wabaSchema, windowSchema,
} from "./control-schemas";
import type { EmulatorEnv } from "./env";
import { addFault, clearFaults } from "./faults";
import { randomTemplateId } from "./ids";
import { emulateInbound } from "./inbound";
import { digitsOf } from "./phone";
import { settingsFor, updateSettings, type WabaSettings } from "./settings";
import { findPhone, pairKey, registerWaba, resetStore, state } from "./store";
import { changeTemplateStatus } from "./template-status";

export function problem(c: Context, status: 400 | 404 | 409, message: string, issues?: unknown): Response {
  return c.json({ error: { message, ...(issues === undefined ? {} : { issues }) } }, status);
}

async function parse<S extends z.ZodType>(c: Context, schema: S): Promise<{ ok: true; data: z.output<S> } | { ok: false; response: Response }> {
  const json: unknown = await c.req.json().catch(() => undefined);
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, response: problem(c, 400, z.prettifyError(result.error), result.error.issues) };
}

export const controlRouter = new Hono<EmulatorEnv>();

controlRouter.post("/wabas", async (c) => {
  const body = await parse(c, wabaSchema);
  if (!body.ok) return body.response;
  const templates = body.data.templates.map((t) => ({ ...t, metaId: t.metaId ?? randomTemplateId() }));
  const result = registerWaba({ ...body.data, templates });
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

controlRouter.post("/templates/status", async (c) => {
  const body = await parse(c, templateStatusSchema);
  if (!body.ok) return body.response;
  const { wabaId, templateId, name, language, status, reason, webhook } = body.data;
  const waba = state.wabas.get(wabaId);
  if (!waba) return problem(c, 404, `unknown WABA ${wabaId}`);
  const template = waba.templates.find((t) => (templateId !== undefined ? t.metaId === templateId : t.name === name && t.language === language));
  if (!template) return problem(c, 404, "unknown template");
  const posted = await changeTemplateStatus(c.env, waba, template, { event: status, reason, webhook });
  if (posted) c.executionCtx.waitUntil(posted.retries);
  return c.json({ template, webhook: posted ? { id: posted.record.id, httpStatus: posted.record.httpStatus } : null });
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
  c.executionCtx.waitUntil(result.retries);
  return c.json({ wamid: result.wamid, delivered: result.delivered, webhookId: result.webhookId });
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
  const key = pairKey(body.data.phoneNumberId, digitsOf(body.data.waId));
  if (body.data.open) state.windows.set(key, Date.now());
  else state.windows.delete(key);
  return c.json({ phoneNumberId: body.data.phoneNumberId, waId: digitsOf(body.data.waId), open: body.data.open });
});

controlRouter.get("/sent", (c) => {
  const phoneNumberId = c.req.query("phoneNumberId");
  const to = c.req.query("to");
  const data = state.sent.filter((s) => (!phoneNumberId || s.phoneNumberId === phoneNumberId) && (!to || s.waId === digitsOf(to)));
  return c.json({ data });
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
  return c.json({ ok: true, wabas: [...state.wabas.keys()] });
});
