import { expect } from "vitest";
import { api, jsonOf } from "./api";
import { wabaSql } from "./waba";

/** D1 queries the request cost, from Server-Timing (EXPOSE_TIMINGS is on in tests). */
export function d1Queries(res: Response): number {
  const header = res.headers.get("Server-Timing") ?? "";
  const m = /d1;[^,]*dur=(\d+)/.exec(header);
  if (!m) throw new Error(`no d1 figure in Server-Timing: ${header}`);
  return Number(m[1]);
}

/** Durable Object calls the request cost, from Server-Timing (the key's gate, the WABA's object, …). */
export function doCalls(res: Response): number {
  const header = res.headers.get("Server-Timing") ?? "";
  const m = /(?:^|,\s*)do;[^,]*dur=(\d+)/.exec(header);
  if (!m) throw new Error(`no do figure in Server-Timing: ${header}`);
  return Number(m[1]);
}

/**
 * What a list page costs a warm key: no D1 query and two Durable Object calls — the key's gate
 * (auth and rate limit) and one read of the WABA's object.
 */
export function expectOneReadAPage(res: Response) {
  expect({ d1: d1Queries(res), durableObjectCalls: doCalls(res) }).toEqual({ d1: 0, durableObjectCalls: 2 });
}

/** The key's first request loads it into its gate; later ones cost no D1 query for auth. */
export async function warm(key: string): Promise<void> {
  expect((await api("/v1/key", { key })).status).toBe(200);
}

/**
 * Follows nextCursor from the first page to the last, checking every page's size and cost (with
 * `onePerPage`: every page is one read of the WABA's object and no D1 query — call warm(key) first).
 * Returns every item in the order served and the number of pages.
 */
export async function walk<T = any>(path: string, key: string, opts: { cursorParam?: string; limit: number; onePerPage?: boolean }) {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url = new URL(path, "https://x");
    url.searchParams.set("limit", String(opts.limit));
    if (cursor !== null) url.searchParams.set(opts.cursorParam ?? "cursor", cursor);
    const res = await api(url.pathname + url.search, { key });
    expect(res.status).toBe(200);
    if (opts.onePerPage) expectOneReadAPage(res);
    else expect(d1Queries(res)).toBeLessThanOrEqual(1);
    const body = await jsonOf<{ data: T[]; nextCursor: string | null }>(res);
    pages++;
    expect(body.data.length).toBeLessThanOrEqual(opts.limit);
    if (body.nextCursor !== null) expect(body.data.length).toBe(opts.limit);
    items.push(...body.data);
    cursor = body.nextCursor;
    if (pages > 1000) throw new Error("pagination did not end");
  } while (cursor !== null);
  return { items, pages };
}

/** Asserts a 400 VALIDATION_FAILED naming the field. */
export async function expectInvalid(res: Response, field: string) {
  expect(res.status).toBe(400);
  const body = await jsonOf(res);
  expect(body.error.code).toBe("VALIDATION_FAILED");
  expect(body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  return body;
}

/** Asserts the one 404 answer for unknown, foreign and malformed ids; returns the body without its request id. */
export async function expectNotFound(res: Response) {
  expect(res.status).toBe(404);
  const body = await jsonOf(res);
  expect(body.error.code).toBe("NOT_FOUND");
  const { requestId: _, ...rest } = body.error;
  return rest;
}

/**
 * SQLite's plan for a statement on a WABA object's storage, top-level steps only (correlated
 * subqueries, such as the per-contact tag aggregate, are left out): what decides whether a page costs
 * the same at any depth.
 */
export async function topLevelPlan(t: { waba: { id: string } }, statement: { sql: string; params: unknown[] }): Promise<string[]> {
  const rows = await wabaSql<{ id: number; parent: number; detail: string }>(t, `EXPLAIN QUERY PLAN ${statement.sql}`, ...statement.params);
  return rows.filter((r) => r.parent === 0).map((r) => r.detail);
}

/** The index SQLite makes for a table's text primary key (ids are time-ordered: id order is age order). */
export const primaryKeyIndex = (table: string) => `sqlite_autoindex_${table}_1`;

/**
 * Every top-level step is an index search, and nothing is sorted outside an index. With `fromStart`
 * (a first page with no filter: the whole table is the list) the first step may instead walk
 * `firstIndex` in order from its start — SQLite's "SCAN … USING INDEX", which the LIMIT ends after one
 * page; a SCAN of the table itself, or of any later step, still fails.
 */
export function expectIndexed(plan: string[], firstIndex: string, opts: { fromStart?: boolean } = {}) {
  const [first, ...rest] = plan;
  const search = new RegExp(`^SEARCH \\w+ USING (COVERING )?INDEX ${firstIndex} `);
  const walkFromStart = new RegExp(`^SCAN \\w+ USING (COVERING )?INDEX ${firstIndex}$`);
  expect(first).toMatch(opts.fromStart ? walkFromStart : search);
  expect(first).not.toMatch(/TEMP B-TREE/);
  for (const step of rest) {
    expect(step).not.toMatch(/^SCAN /);
    expect(step).not.toMatch(/TEMP B-TREE/);
  }
}
