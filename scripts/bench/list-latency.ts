// List latency on large data (one WABA's object holding 50 000 contacts and 50 000 messages): for each
// list, walk from the first page to the last, then time the first and the last page alternately and
// report p50/p95 of each, with the D1 queries and Durable Object calls each request cost (Server-Timing;
// EXPOSE_TIMINGS=true in local dev).
// Part of `npm run bench` (scripts/bench/run.ts); also runs alone against `npm run dev`, see the end.
import { pathToFileURL } from "node:url";
import { mark, table, type Figure, type SectionResult } from "./context";
import { fmtMs, percentile, serverTiming, sleep } from "./http";

export type PageTiming = { url: string; p50Ms: number; p95Ms: number; samples: number; d1Queries: number; doCalls: number };
export type ListLatency = { list: string; limit: number; pages: number; items: number; first: PageTiming; last: PageTiming; ratio: number };

type ListSpec = { list: string; path: string; limit: number; cursorParam: string };

/**
 * Issue 11: the last page within 2× the first, and one call to the WABA's object (the request's other
 * Durable Object call is the key's KeyGate, made once by the auth middleware for every request), no D1.
 */
export const LIST_TARGETS = { maxRatio: 2, maxD1Queries: 0, objectCalls: 1 };

/** WABA-object calls of a request: its Durable Object calls less the one KeyGate admission. */
export const objectCallsOf = (doCalls: number) => doCalls - 1;

/** GET with the key; waits out 429s (they are not timed). */
async function get(url: string, key: string): Promise<{ res: Response; body: any; ms: number }> {
  for (;;) {
    const started = performance.now();
    const res = await fetch(url, { headers: { Authorization: `Bearer ${key}` } });
    const body = await res.json();
    const ms = performance.now() - started;
    if (res.status === 429) {
      await sleep(1000 * Number(res.headers.get("Retry-After") ?? "1"));
      continue;
    }
    if (res.status !== 200) throw new Error(`GET ${url} → ${res.status} ${JSON.stringify(body)}`);
    return { res, body, ms };
  }
}

function costOf(res: Response): { d1: number; durableObject: number } {
  const st = serverTiming(res.headers);
  if (!st) throw new Error("no d1/do figures in Server-Timing: is EXPOSE_TIMINGS=true?");
  return st;
}

async function measureList(baseUrl: string, key: string, spec: ListSpec, samples: number): Promise<ListLatency> {
  const pageUrl = (cursor: string | null) => {
    const url = new URL(spec.path, baseUrl);
    url.searchParams.set("limit", String(spec.limit));
    if (cursor !== null) url.searchParams.set(spec.cursorParam, cursor);
    return url.toString();
  };
  // walk to the last page, remembering the cursor that leads to it
  let cursor: string | null = null;
  let lastCursor: string | null = null;
  let pages = 0;
  let items = 0;
  do {
    const { body } = await get(pageUrl(cursor), key);
    pages++;
    items += body.data.length;
    lastCursor = cursor;
    cursor = body.nextCursor;
  } while (cursor !== null);

  const firstUrl = pageUrl(null);
  const lastUrl = pageUrl(lastCursor);
  const times = { first: [] as number[], last: [] as number[] };
  const cost = { first: { d1: 0, durableObject: 0 }, last: { d1: 0, durableObject: 0 } };
  for (let i = 0; i < samples + 2; i++) {
    for (const which of ["first", "last"] as const) {
      const { res, ms } = await get(which === "first" ? firstUrl : lastUrl, key);
      const c = costOf(res);
      cost[which] = { d1: Math.max(cost[which].d1, c.d1), durableObject: Math.max(cost[which].durableObject, c.durableObject) };
      if (i >= 2) times[which].push(ms); // the first two rounds warm up
    }
  }
  const timing = (which: "first" | "last", url: string): PageTiming => ({
    url,
    p50Ms: percentile(times[which], 50),
    p95Ms: percentile(times[which], 95),
    samples,
    d1Queries: cost[which].d1,
    doCalls: cost[which].durableObject,
  });
  const first = timing("first", firstUrl);
  const last = timing("last", lastUrl);
  return { list: spec.list, limit: spec.limit, pages, items, first, last, ratio: last.p50Ms / first.p50Ms };
}

/**
 * Measures GET /v1/contacts (also filtered by a tag held by a tenth of them), /v1/conversations,
 * /v1/conversations/:id/messages (the conversation with the longest history: by default the newest
 * one, as in the bench data set) and /v1/templates.
 */
export async function measureListLatency(
  baseUrl: string,
  key: string,
  opts: { conversationId?: string; samples?: number; limit?: Partial<Record<string, number>>; log?: (line: string) => void } = {},
): Promise<ListLatency[]> {
  const samples = opts.samples ?? 15;
  const conversationId = opts.conversationId ?? (await get(new URL("/v1/conversations?limit=1", baseUrl).toString(), key)).body.data[0]?.id;
  if (!conversationId) throw new Error("the key's WABA has no conversation to read messages from");
  const specs: ListSpec[] = [
    { list: "contacts", path: "/v1/contacts", limit: opts.limit?.contacts ?? 100, cursorParam: "cursor" },
    { list: "contacts?tag=group-3", path: "/v1/contacts?tag=group-3", limit: opts.limit?.contacts ?? 100, cursorParam: "cursor" },
    { list: "conversations", path: "/v1/conversations", limit: opts.limit?.conversations ?? 100, cursorParam: "cursor" },
    { list: "messages", path: `/v1/conversations/${conversationId}/messages`, limit: opts.limit?.messages ?? 200, cursorParam: "beforeId" },
    { list: "templates", path: "/v1/templates", limit: opts.limit?.templates ?? 100, cursorParam: "cursor" },
  ];
  const out: ListLatency[] = [];
  for (const spec of specs) {
    opts.log?.(`list latency: ${spec.list}`);
    out.push(await measureList(baseUrl, key, spec, samples));
  }
  return out;
}

const passes = (r: ListLatency) =>
  r.ratio <= LIST_TARGETS.maxRatio &&
  Math.max(r.first.d1Queries, r.last.d1Queries) <= LIST_TARGETS.maxD1Queries &&
  objectCallsOf(r.first.doCalls) === LIST_TARGETS.objectCalls &&
  objectCallsOf(r.last.doCalls) === LIST_TARGETS.objectCalls;

/** The issue's bar: last page within 2× the first, one WABA-object call and no D1 query per list request. */
export function verdict(results: ListLatency[]): { ok: boolean; problems: string[] } {
  const problems: string[] = [];
  for (const r of results) {
    if (r.ratio > LIST_TARGETS.maxRatio) problems.push(`${r.list}: last page p50 ${r.last.p50Ms.toFixed(1)} ms is ${r.ratio.toFixed(2)}× the first (${r.first.p50Ms.toFixed(1)} ms)`);
    for (const which of ["first", "last"] as const) {
      if (r[which].d1Queries > LIST_TARGETS.maxD1Queries) problems.push(`${r.list}: the ${which} page cost ${r[which].d1Queries} D1 queries`);
      if (objectCallsOf(r[which].doCalls) !== LIST_TARGETS.objectCalls) problems.push(`${r.list}: the ${which} page made ${r[which].doCalls} Durable Object calls`);
    }
  }
  return { ok: problems.length === 0, problems };
}

export function formatLatencyTable(results: ListLatency[]): string {
  const rows = results.map((r) =>
    [r.list.padEnd(22), String(r.items).padStart(7), String(r.pages).padStart(6), r.first.p50Ms.toFixed(1).padStart(10), r.last.p50Ms.toFixed(1).padStart(10), `${r.ratio.toFixed(2)}×`.padStart(7), `${r.first.d1Queries}/${r.last.d1Queries}`.padStart(8), `${r.first.doCalls}/${r.last.doCalls}`.padStart(8)].join(" "),
  );
  return [["list".padEnd(22), "items".padStart(7), "pages".padStart(6), "first p50".padStart(10), "last p50".padStart(10), "ratio".padStart(7), "D1 q".padStart(8), "DO".padStart(8)].join(" "), ...rows].join("\n");
}

/** The bench section: one figure per list (ratio, D1 queries and object calls together). */
export function listLatencySection(results: ListLatency[], sizes: Record<string, number>, seeding: { rows: number; requests: number; seconds: number; bytes: number; objectBytes: number | null }, stack: string): SectionResult {
  const figures: Figure[] = results.map((r) => {
    const d1 = Math.max(r.first.d1Queries, r.last.d1Queries);
    const calls = Math.max(objectCallsOf(r.first.doCalls), objectCallsOf(r.last.doCalls));
    return {
      name: `List latency, ${r.list}: last page vs first (p50), D1 queries, WABA-object calls`,
      value: `${r.ratio.toFixed(2)}× (${fmtMs(r.last.p50Ms)} vs ${fmtMs(r.first.p50Ms)} ms), ${d1} D1, ${calls} object call${calls === 1 ? "" : "s"}`,
      target: `≤ ${LIST_TARGETS.maxRatio}×, ${LIST_TARGETS.maxD1Queries} D1, ${LIST_TARGETS.objectCalls} object call`,
      pass: passes(r),
    };
  });
  const rows = results.map((r) => [
    `\`GET ${new URL(r.first.url).pathname.replace(/[0-9a-f]{24}/, "{id}")}${r.list.includes("?") ? `?${r.list.split("?")[1]}` : ""}\``,
    r.items,
    `${r.pages} × ${r.limit}`,
    fmtMs(r.first.p50Ms),
    fmtMs(r.first.p95Ms),
    fmtMs(r.last.p50Ms),
    fmtMs(r.last.p95Ms),
    `${r.ratio.toFixed(2)}×`,
    `${r.first.d1Queries} / ${r.last.d1Queries}`,
    `${r.first.doCalls} / ${r.last.doCalls}`,
    mark(passes(r)),
  ]);
  const samples = results[0]?.first.samples ?? 0;
  const markdown = [
    table(["list", "items", "pages", "first p50 ms", "first p95 ms", "last p50 ms", "last p95 ms", "last / first", "D1 (first / last)", "DO calls (first / last)", "result"], rows, ["l", "r", "r", "r", "r", "r", "r", "r", "r", "r", "l"]),
    "",
    `**Data.** One bench WABA, provisioned through the admin API, whose object holds ${sizes.contacts!.toLocaleString("en")} contacts with two or three tags each (\`group-3\`: a tenth of them), one conversation with ${sizes.messages!.toLocaleString("en")} messages, ${sizes.conversations!.toLocaleString("en")} more conversations of one message each and ${sizes.templates} templates (scripts/bench/large-dataset.ts). It went in through the product's own import route, \`POST /admin/wabas/{id}/import\` (JSON lines, ≤ 64 KiB per request, each request one transaction in the object): ${seeding.rows.toLocaleString("en")} rows in ${seeding.requests} requests (${(seeding.bytes / 2 ** 20).toFixed(1)} MiB of JSON lines) in ${seeding.seconds.toFixed(1)} s, ${Math.round(seeding.rows / seeding.seconds).toLocaleString("en")} rows/s${seeding.objectBytes !== null ? `; the object's SQLite file is then ${(seeding.objectBytes / 2 ** 20).toFixed(1)} MiB on disk` : ""}.`,
    "",
    `**How.** On the ${stack} stack, with the bench WABA's own scale-plan key. Each list is first walked from the first page to the last with its cursor (\`cursor\`, or \`beforeId\` for messages) — which also proves the cursor reaches every item — then the first and the last page are requested alternately, ${samples} timed times each after 2 warm-up rounds; p50 and p95 are client-side. D1 queries and DO calls are the highest \`Server-Timing\` counts seen: the DO calls are the key's KeyGate (1, the auth middleware's admission) plus the WABA's object. Targets (issue 11): the last page within ${LIST_TARGETS.maxRatio}× the first, ${LIST_TARGETS.objectCalls} object call, ${LIST_TARGETS.maxD1Queries} D1 queries.`,
  ].join("\n");
  return { id: "lists", title: "List latency on 50,000 contacts and 50,000 messages in one WABA", figures, markdown };
}

// `npx tsx scripts/bench/list-latency.ts` against a running `npm run dev` (WBIZ_API_URL, default
// http://localhost:8787): provisions the bench WABA (once: its Meta WABA id must be free) and measures.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { seedLargeDataset, LARGE_WABA } = await import("./large-dataset");
  const api = process.env.WBIZ_API_URL ?? "http://localhost:8787";
  const { key } = await seedLargeDataset(api, (l) => console.error(l));
  const results = await measureListLatency(api, key, { conversationId: LARGE_WABA.conversationId });
  console.log(formatLatencyTable(results));
  const { ok, problems } = verdict(results);
  for (const p of problems) console.log(`✗ ${p}`);
  process.exit(ok ? 0 : 1);
}
