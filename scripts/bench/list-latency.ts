// List latency against a running `wrangler dev` (npm run dev): for each list, walk from the first page
// to the last, then time the first and the last page alternately and report the p50 of each, with the
// D1 queries each request cost (Server-Timing; EXPOSE_TIMINGS=true in local dev).
import { pathToFileURL } from "node:url";

export type PageTiming = { url: string; p50Ms: number; samples: number; d1Queries: number };
export type ListLatency = { list: string; limit: number; pages: number; items: number; first: PageTiming; last: PageTiming; ratio: number };

type ListSpec = { list: string; path: string; limit: number; cursorParam: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function d1QueriesOf(res: Response): number {
  const m = /d1;[^,]*dur=(\d+)/.exec(res.headers.get("Server-Timing") ?? "");
  if (!m) throw new Error("no d1 figure in Server-Timing: is EXPOSE_TIMINGS=true?");
  return Number(m[1]);
}

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

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

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
  const queries = { first: 0, last: 0 };
  for (let i = 0; i < samples + 2; i++) {
    for (const which of ["first", "last"] as const) {
      const { res, ms } = await get(which === "first" ? firstUrl : lastUrl, key);
      queries[which] = Math.max(queries[which], d1QueriesOf(res));
      if (i >= 2) times[which].push(ms); // the first two rounds warm up
    }
  }
  const first = { url: firstUrl, p50Ms: median(times.first), samples, d1Queries: queries.first };
  const last = { url: lastUrl, p50Ms: median(times.last), samples, d1Queries: queries.last };
  return { list: spec.list, limit: spec.limit, pages, items, first, last, ratio: last.p50Ms / first.p50Ms };
}

/**
 * Measures GET /v1/contacts, /v1/conversations, /v1/conversations/:id/messages (the conversation with
 * the longest history: by default the newest one, as in the bench data set) and /v1/templates.
 */
export async function measureListLatency(baseUrl: string, key: string, opts: { conversationId?: string; samples?: number; limit?: Partial<Record<string, number>> } = {}): Promise<ListLatency[]> {
  const samples = opts.samples ?? 15;
  const conversationId = opts.conversationId ?? (await get(new URL("/v1/conversations?limit=1", baseUrl).toString(), key)).body.data[0]?.id;
  if (!conversationId) throw new Error("the key's WABA has no conversation to read messages from");
  const specs: ListSpec[] = [
    { list: "contacts", path: "/v1/contacts", limit: opts.limit?.contacts ?? 100, cursorParam: "cursor" },
    { list: "conversations", path: "/v1/conversations", limit: opts.limit?.conversations ?? 100, cursorParam: "cursor" },
    { list: "messages", path: `/v1/conversations/${conversationId}/messages`, limit: opts.limit?.messages ?? 200, cursorParam: "beforeId" },
    { list: "templates", path: "/v1/templates", limit: opts.limit?.templates ?? 100, cursorParam: "cursor" },
  ];
  const out: ListLatency[] = [];
  for (const spec of specs) out.push(await measureList(baseUrl, key, spec, samples));
  return out;
}

/** The bar: last page within 2× the first, at most two D1 queries per list request. */
export function verdict(results: ListLatency[]): { ok: boolean; problems: string[] } {
  const problems: string[] = [];
  for (const r of results) {
    if (r.ratio > 2) problems.push(`${r.list}: last page p50 ${r.last.p50Ms.toFixed(1)} ms is ${r.ratio.toFixed(2)}× the first (${r.first.p50Ms.toFixed(1)} ms)`);
    for (const which of ["first", "last"] as const) {
      if (r[which].d1Queries > 2) problems.push(`${r.list}: the ${which} page cost ${r[which].d1Queries} D1 queries`);
    }
  }
  return { ok: problems.length === 0, problems };
}

export function formatLatencyTable(results: ListLatency[]): string {
  const rows = results.map((r) =>
    [r.list.padEnd(14), String(r.items).padStart(7), String(r.pages).padStart(6), r.first.p50Ms.toFixed(1).padStart(10), r.last.p50Ms.toFixed(1).padStart(10), `${r.ratio.toFixed(2)}×`.padStart(7), `${r.first.d1Queries}/${r.last.d1Queries}`.padStart(8)].join(" "),
  );
  return [["list".padEnd(14), "items".padStart(7), "pages".padStart(6), "first p50".padStart(10), "last p50".padStart(10), "ratio".padStart(7), "D1 q".padStart(8)].join(" "), ...rows].join("\n");
}

// `npx tsx scripts/bench/list-latency.ts [--seed]` against `npm run dev` (WBIZ_API_URL, default http://localhost:8787)
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { applyLargeDataset, benchKey, BENCH_IDS } = await import("./large-dataset");
  const key = process.argv.includes("--seed") ? await applyLargeDataset({ log: (l) => console.error(l) }) : await benchKey();
  const results = await measureListLatency(process.env.WBIZ_API_URL ?? "http://localhost:8787", key, { conversationId: BENCH_IDS.conversationId });
  console.log(formatLatencyTable(results));
  const { ok, problems } = verdict(results);
  for (const p of problems) console.log(`✗ ${p}`);
  process.exit(ok ? 0 : 1);
}
