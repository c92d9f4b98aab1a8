import { z } from "zod";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { openSecret } from "../crypto/secret-box";
import type { Database } from "../db/client";
import { apiKeys, wabas } from "../db/schema";
import { wabaStore, type DataMode } from "../data-plane/stub";
import type { UpstreamTemplate } from "../data-plane/templates";
import type { Env } from "../env";
import type { UpstreamError } from "../errors";
import { graphRequest, type GraphTarget } from "../meta/graph";
import { syncPhoneThroughput } from "../provisioning/phone-throughput";
import { messageErrorOf } from "../meta/error-policy";
import { upstreamOf } from "../messages/outcome";

// Mirrors the WABA's templates from Meta: GET /{waba-id}/message_templates, every page, handed to the
// WABA's object, which upserts them by (name, language) so our ids survive and marks templates Meta no
// longer lists as removed (cleared again if they come back).

const FIELDS = "id,name,language,status,category,components,parameter_format,rejected_reason";
const PAGE_SIZE = 100;
/** 6 000 templates is Meta's cap for a verified WABA; this is far above it and stops a paging loop. */
const MAX_PAGES = 200;

const MetaTemplate = z.object({
  id: z.union([z.string(), z.number()]).transform(String).optional(),
  name: z.string().min(1),
  language: z.string().min(1),
  status: z.string().min(1),
  category: z.string().min(1),
  parameter_format: z.string().optional(),
  components: z.array(z.record(z.string(), z.unknown())).optional(),
  rejected_reason: z.string().nullish(),
});

const MetaTemplatePage = z.object({
  data: z.array(MetaTemplate),
  paging: z.object({ cursors: z.object({ after: z.string().optional() }).partial().optional(), next: z.string().optional() }).optional(),
});

export type SyncSummary = { fetched: number; created: number; updated: number; unchanged: number; removed: number; syncedAt: number };

export type SyncResult =
  | { kind: "synced"; summary: SyncSummary }
  | { kind: "no_waba" }
  /** Meta refused, was unreachable, or answered something we cannot read; nothing was changed */
  | { kind: "upstream_error"; message: string; upstream?: UpstreamError };

type Fetched = z.infer<typeof MetaTemplate>;

/** Every template Meta lists for the WABA, following the `after` cursor while Meta says there is a next page. */
async function fetchAll(env: Env, metaWabaId: string, target: GraphTarget): Promise<{ ok: true; templates: Fetched[] } | { ok: false; message: string; upstream?: UpstreamError }> {
  const all: Fetched[] = [];
  const seenCursors = new Set<string>();
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({ fields: FIELDS, limit: String(PAGE_SIZE), ...(after ? { after } : {}) });
    // the cursor is taken from Meta's answer, never its `next` URL: the token goes only to our Graph base
    const res = await graphRequest<unknown>(env, `${metaWabaId}/message_templates?${query}`, { target });
    if (!res.ok) {
      if (res.kind === "graph") return { ok: false, message: `Meta refused the template listing: ${res.error.message}`, upstream: upstreamOf(messageErrorOf(res)) };
      return { ok: false, message: res.kind === "timeout" ? `Meta did not answer within ${res.timeoutMs} ms` : `Could not reach Meta: ${res.message}` };
    }
    const parsed = MetaTemplatePage.safeParse(res.data);
    if (!parsed.success) return { ok: false, message: `Unexpected template listing from Meta: ${parsed.error.issues[0]?.message ?? "bad shape"}` };
    all.push(...parsed.data.data);
    const paging = parsed.data.paging;
    let next = paging?.next ? paging.cursors?.after : undefined;
    if (paging?.next && !next) {
      try {
        next = new URL(paging.next).searchParams.get("after") ?? undefined;
      } catch {
        next = undefined;
      }
    }
    if (!next) return { ok: true, templates: all };
    if (seenCursors.has(next)) return { ok: false, message: "Meta's template paging repeated a cursor" };
    seenCursors.add(next);
    after = next;
  }
  return { ok: false, message: `Meta's template listing did not end within ${MAX_PAGES} pages` };
}

const upper = (s: string) => s.toUpperCase();
const rejectedReasonOf = (t: Fetched) => (t.rejected_reason && t.rejected_reason !== "NONE" ? t.rejected_reason : null);

/**
 * Mirrors one WABA's templates into its live object from Meta, or (mode "test") into its test-mode
 * object from the sandbox, which has test mode's own templates.
 */
export async function syncTemplates(db: Database, env: Env, wabaId: string, opts: { mode?: DataMode; now?: number } = {}): Promise<SyncResult> {
  const { mode = "live", now = Date.now() } = opts;
  const waba = await db.select({ metaWabaId: wabas.metaWabaId, accessTokenEnc: wabas.accessTokenEnc }).from(wabas).where(eq(wabas.id, wabaId)).get();
  if (!waba) return { kind: "no_waba" };
  const target: GraphTarget = mode === "test" ? { mode, metaWabaId: waba.metaWabaId } : { mode, token: await openSecret(env.TOKEN_ENCRYPTION_KEY, waba.accessTokenEnc) };
  const fetched = await fetchAll(env, waba.metaWabaId, target);
  if (!fetched.ok) return { kind: "upstream_error", message: fetched.message, ...(fetched.upstream ? { upstream: fetched.upstream } : {}) };
  const upstream: UpstreamTemplate[] = fetched.templates.map((t) => ({
    metaTemplateId: t.id ?? null,
    name: t.name,
    language: t.language,
    category: upper(t.category),
    status: upper(t.status),
    parameterFormat: upper(t.parameter_format ?? "POSITIONAL"),
    components: JSON.stringify(t.components ?? []),
    rejectedReason: rejectedReasonOf(t),
  }));
  // Meta lists (name, language) once; if paging shifted under us, the last copy is kept
  const counts = await wabaStore(env, wabaId, mode).syncTemplates(wabaId, [...new Map(upstream.map((t) => [`${t.name}\u0000${t.language}`, t])).values()]);
  if (mode === "live") {
    await db.update(wabas).set({ templatesSyncedAt: sql`MAX(COALESCE(${wabas.templatesSyncedAt}, 0), ${now})` }).where(eq(wabas.id, wabaId));
    // the same pass reads each number's throughput level, which sets its sending pace
    await syncPhoneThroughput(db, env, wabaId, target);
  }
  return { kind: "synced", summary: { ...counts, syncedAt: now } };
}

/**
 * The cron: every WABA, least recently synced first, a few at a time; then the test-mode mirror of each
 * WABA that has a test key. One WABA's failure does not stop the rest.
 */
export async function syncAllTemplates(db: Database, env: Env, opts: { concurrency?: number; now?: number } = {}) {
  const live = await db
    .select({ id: wabas.id })
    .from(wabas)
    .orderBy(sql`${wabas.templatesSyncedAt} IS NOT NULL`, asc(wabas.templatesSyncedAt), asc(wabas.id))
    .all();
  const test = await db.selectDistinct({ id: apiKeys.wabaId }).from(apiKeys).where(and(eq(apiKeys.mode, "test"), isNull(apiKeys.revokedAt))).all();
  const rows: Array<{ id: string; mode: DataMode }> = [...live.map((r) => ({ id: r.id, mode: "live" as const })), ...test.map((r) => ({ id: r.id, mode: "test" as const }))];
  const results: Array<{ wabaId: string; mode: DataMode; result: SyncResult | { kind: "failed"; message: string } }> = [];
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const { id: wabaId, mode } = rows[next++]!;
      try {
        results.push({ wabaId, mode, result: await syncTemplates(db, env, wabaId, { mode, now: opts.now }) });
      } catch (err) {
        results.push({ wabaId, mode, result: { kind: "failed", message: String((err as Error)?.message ?? err) } });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, rows.length) }, worker));
  return results;
}
