import type { RouteHandler } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { wabaStore } from "../../data-plane/stub";
import { wabas } from "../../db/schema";
import type { AppEnv } from "../../env";
import { ApiError } from "../../errors";
import { log } from "../../log";
import * as provisioning from "../../provisioning/provisioning";
import { syncTemplates as syncWabaTemplates } from "../../templates/sync-templates";
import type * as routes from "./admin.routes";

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
const withIso = <T extends { createdAt: number }>(row: T): Omit<T, "createdAt"> & { createdAt: string } => ({ ...row, createdAt: iso(row.createdAt) });
const keyOut = <T extends { createdAt: number; revokedAt: number | null }>(k: T): Omit<T, "createdAt" | "revokedAt"> & { createdAt: string; revokedAt: string | null } =>
  ({ ...k, createdAt: iso(k.createdAt), revokedAt: isoOrNull(k.revokedAt) });
const notFound = (what: string) => new ApiError("NOT_FOUND", `${what} not found`);

export const createWorkspace: RouteHandler<typeof routes.createWorkspace, AppEnv> = async (c) => {
  const row = await provisioning.createWorkspace(c.var.db, c.req.valid("json"));
  return c.json(withIso(row), 201);
};

export const listWorkspaces: RouteHandler<typeof routes.listWorkspaces, AppEnv> = async (c) => {
  const rows = await provisioning.listWorkspaces(c.var.db);
  return c.json({ data: rows.map(withIso) }, 200);
};

export const updateWorkspace: RouteHandler<typeof routes.updateWorkspace, AppEnv> = async (c) => {
  const row = await provisioning.updateWorkspace(c.var.db, c.env, c.req.valid("param").id, c.req.valid("json"));
  if (!row) throw notFound("Workspace");
  return c.json(withIso(row), 200);
};

export const createWaba: RouteHandler<typeof routes.createWaba, AppEnv> = async (c) => {
  const result = await provisioning.createWaba(c.var.db, c.env, c.req.valid("json"));
  if (result.kind === "no_workspace") throw notFound("Workspace");
  if (result.kind === "duplicate") throw new ApiError("ALREADY_EXISTS", "metaWabaId is already registered");
  return c.json(withIso(result.waba), 201);
};

export const listWabas: RouteHandler<typeof routes.listWabas, AppEnv> = async (c) => {
  const rows = await provisioning.listWabas(c.var.db, c.req.valid("query").workspaceId);
  return c.json({ data: rows.map(withIso) }, 200);
};

export const updateWaba: RouteHandler<typeof routes.updateWaba, AppEnv> = async (c) => {
  const row = await provisioning.updateWaba(c.var.db, c.env, c.req.valid("param").id, c.req.valid("json"));
  if (!row) throw notFound("WABA");
  return c.json(withIso(row), 200);
};

export const addPhoneNumber: RouteHandler<typeof routes.addPhoneNumber, AppEnv> = async (c) => {
  const result = await provisioning.addPhoneNumber(c.var.db, c.env, { wabaId: c.req.valid("param").id, ...c.req.valid("json") });
  if (result.kind === "no_waba") throw notFound("WABA");
  if (result.kind === "duplicate") throw new ApiError("ALREADY_EXISTS", "metaPhoneNumberId is already registered");
  return c.json(withIso(result.phoneNumber), 201);
};

export const listPhoneNumbers: RouteHandler<typeof routes.listPhoneNumbers, AppEnv> = async (c) => {
  const rows = await provisioning.listPhoneNumbers(c.var.db, c.req.valid("param").id);
  return c.json({ data: rows.map(withIso) }, 200);
};

export const createKey: RouteHandler<typeof routes.createKey, AppEnv> = async (c) => {
  const key = await provisioning.createApiKey(c.var.db, c.env, c.req.valid("json"));
  if (!key) throw notFound("WABA");
  if (key.mode === "test") {
    // a test key's first GET /v1/templates shows the sandbox's templates, not an empty mirror until the cron
    const synced = await syncWabaTemplates(c.var.db, c.env, key.wabaId, { mode: "test" });
    if (synced.kind !== "synced") log.warn("test-mode template sync after key creation failed", { wabaId: key.wabaId, result: synced });
  }
  return c.json(keyOut(key), 201);
};

export const listKeys: RouteHandler<typeof routes.listKeys, AppEnv> = async (c) => {
  const { cursor, limit, ...filter } = c.req.valid("query");
  const rows = await provisioning.listApiKeys(c.var.db, { ...filter, after: cursor, limit: limit + 1 });
  const page = rows.slice(0, limit);
  return c.json({ data: page.map(keyOut), nextCursor: rows.length > limit ? page[page.length - 1]!.id : null }, 200);
};

export const revokeKey: RouteHandler<typeof routes.revokeKey, AppEnv> = async (c) => {
  const key = await provisioning.revokeApiKey(c.var.db, c.env, c.req.valid("param").id);
  if (!key) throw notFound("API key");
  return c.json(keyOut(key), 200);
};

export const syncTemplates: RouteHandler<typeof routes.syncTemplates, AppEnv> = async (c) => {
  const wabaId = c.req.valid("param").id;
  const { mode } = c.req.valid("query");
  const result = await syncWabaTemplates(c.var.db, c.env, wabaId, { mode });
  if (result.kind === "no_waba") throw notFound("WABA");
  if (result.kind === "upstream_error") throw new ApiError("META_UPSTREAM_ERROR", result.message, result.upstream ? { upstream: result.upstream } : {});
  const { syncedAt, ...counts } = result.summary;
  return c.json({ wabaId, mode, ...counts, syncedAt: iso(syncedAt) }, 200);
};

/** 404 unless the WABA exists in the control plane (an object for any id would answer, empty). */
async function knownWaba(c: { var: AppEnv["Variables"] }, id: string): Promise<void> {
  if (!(await c.var.db.select({ id: wabas.id }).from(wabas).where(eq(wabas.id, id)).get())) throw notFound("WABA");
}

export const listAlerts: RouteHandler<typeof routes.listAlerts, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  await knownWaba(c, id);
  const alerts = await wabaStore(c.env, id, c.req.valid("query").mode).listAlerts(id);
  return c.json({ data: alerts.map((a) => ({ ...a, createdAt: iso(a.createdAt) })) }, 200);
};

// a stream, not JSON: a plain Response, which the route's typed handler does not describe
export const exportWaba = (async (c: Context<AppEnv, "/admin/wabas/:id/export", { out: { param: { id: string }; query: { mode: "live" | "test" } } }>) => {
  const { id } = c.req.valid("param");
  const { mode } = c.req.valid("query");
  await knownWaba(c, id);
  const stream = await wabaStore(c.env, id, mode).exportData(id);
  const file = mode === "test" ? `waba-${id}-test.jsonl` : `waba-${id}.jsonl`;
  return new Response(stream, { status: 200, headers: { "Content-Type": "application/x-ndjson", "Content-Disposition": `attachment; filename="${file}"` } });
}) as unknown as RouteHandler<typeof routes.exportWaba, AppEnv>;

export const importWaba: RouteHandler<typeof routes.importWaba, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  await knownWaba(c, id);
  let lines: string[];
  try {
    lines = (await c.req.text()).split("\n").filter((l) => l.trim() !== "");
    for (const line of lines) JSON.parse(line);
  } catch {
    throw new ApiError("VALIDATION_FAILED", "Request body: every line must be a JSON object {\"table\", \"row\"}", { details: [{ message: "not JSON lines" }] });
  }
  const { mode } = c.req.valid("query");
  const result = await wabaStore(c.env, id, mode).importData(id, lines);
  if (result.kind === "refused") throw new ApiError("VALIDATION_FAILED", `Request body: ${result.message}`, { details: [{ message: result.message }] });
  return c.json({ wabaId: id, mode, rows: result.rows, byTable: result.byTable }, 200);
};

export const eraseWaba: RouteHandler<typeof routes.eraseWaba, AppEnv> = async (c) => {
  const erased = await provisioning.eraseWaba(c.var.db, c.env, c.req.valid("param").id);
  if (!erased) throw notFound("WABA");
  return c.json(erased, 200);
};
