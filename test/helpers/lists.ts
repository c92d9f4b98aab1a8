import { expect } from "vitest";
import { api, jsonOf } from "./api";

/** D1 queries the request cost, from Server-Timing (EXPOSE_TIMINGS is on in tests). */
export function d1Queries(res: Response): number {
  const header = res.headers.get("Server-Timing") ?? "";
  const m = /d1;[^,]*dur=(\d+)/.exec(header);
  if (!m) throw new Error(`no d1 figure in Server-Timing: ${header}`);
  return Number(m[1]);
}

/** The key's first request loads it into its gate; later ones cost no D1 query for auth. */
export async function warm(key: string): Promise<void> {
  expect((await api("/v1/key", { key })).status).toBe(200);
}

/**
 * Follows nextCursor from the first page to the last, checking every page's size and D1 cost.
 * Returns every item in the order served and the number of pages.
 */
export async function walk<T = any>(path: string, key: string, opts: { cursorParam?: string; limit: number; maxQueries?: number }) {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url = new URL(path, "https://x");
    url.searchParams.set("limit", String(opts.limit));
    if (cursor !== null) url.searchParams.set(opts.cursorParam ?? "cursor", cursor);
    const res = await api(url.pathname + url.search, { key });
    expect(res.status).toBe(200);
    expect(d1Queries(res)).toBeLessThanOrEqual(opts.maxQueries ?? 2);
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
 * SQLite's plan for a statement, top-level steps only (correlated subqueries, such as the per-contact
 * tag aggregate, are left out): what decides whether a page costs the same at any depth.
 */
export async function topLevelPlan(d1: D1Database, statement: { sql: string; params: unknown[] }): Promise<string[]> {
  const { results } = await d1.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`).bind(...statement.params).all<{ id: number; parent: number; detail: string }>();
  return results.filter((r) => r.parent === 0).map((r) => r.detail);
}

/** Every top-level step is an index search, and nothing is sorted outside an index. */
export function expectIndexed(plan: string[], firstIndex: string) {
  expect(plan[0]).toMatch(new RegExp(`^SEARCH \\w+ USING (COVERING )?INDEX ${firstIndex} `));
  for (const step of plan) {
    expect(step).not.toMatch(/^SCAN /);
    expect(step).not.toMatch(/TEMP B-TREE/);
  }
}
