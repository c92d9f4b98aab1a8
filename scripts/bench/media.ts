// Media: a customer's 20 MB document, downloaded through the API (GET /v1/messages/{id}/media, our copy
// in R2, streamed) against the same bytes from the emulator directly (Meta's download URL), and how much
// the stack's workerd process grows while 20 MB pass through the API, downloaded and uploaded.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { provisionKey, table, DEMO, type BenchContext, type Figure, type SectionResult } from "./context";
import { bearer, expectStatus, median, postJson, sleep, timedFetch } from "./http";

const MB = 1024 * 1024;
const SIZE = 20 * MB;
const CUSTOMER = "919812345678";
/** Download throughput through the API, as a share of the emulator's own. */
const TARGET_RATIO = 0.8;
/** The API's own growth while 20 MB pass must stay far below the file: it streams. */
const MEMORY_TARGET_BYTES = 5 * MB;

export type MediaRun = {
  size: number;
  api: number[];
  emulator: number[];
  memory: { apiDownload: number; emulatorDownload: number; downloadShare: number; apiUpload: number; emulatorUpload: number; uploadShare: number; baseline: number };
  sha256Match: boolean;
  copySeconds: number;
};

/** Resident memory of a process (bytes), from /proc. */
function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Runs `fn` while sampling the process's RSS every 5 ms; the peak above the RSS just before. */
async function peakGrowth(pid: number, fn: () => Promise<void>): Promise<number> {
  const before = rss(pid);
  let peak = before;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, rss(pid));
      await sleep(5);
    }
  })();
  try {
    await fn();
  } finally {
    sampling = false;
    await sampler;
  }
  return Math.max(0, peak - before);
}

/** Reads a response's body to the end as it arrives (never held whole); seconds and bytes. */
async function drain(res: Response, hash?: ReturnType<typeof createHash>): Promise<number> {
  let bytes = 0;
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return bytes;
    bytes += value.byteLength;
    hash?.update(value);
  }
}

async function timedDownload(url: string, headers: Record<string, string>, hash?: ReturnType<typeof createHash>): Promise<number> {
  const started = performance.now();
  const res = await fetch(url, { headers });
  if (res.status !== 200) throw new Error(`GET ${url} → ${res.status}: ${await res.text()}`);
  const bytes = await drain(res, hash);
  if (bytes !== SIZE) throw new Error(`GET ${url}: ${bytes} bytes, expected ${SIZE}`);
  return (performance.now() - started) / 1000;
}

/** A 20 MB document a customer sent, copied into R2; its message id and Meta's download URL. */
async function inboundDocument(ctx: BenchContext, key: string) {
  const created = await postJson(`${ctx.emulator}/__emulator/media`, { phoneNumberId: DEMO.phoneNumberId, mimeType: "application/pdf", size: SIZE, filename: "bench.pdf" });
  const media = expectStatus(created, "emulator media", 200, 201).json.media as { id: string; sha256: string };
  const sent = performance.now();
  const inbound = await postJson(`${ctx.emulator}/__emulator/inbound`, { phoneNumberId: DEMO.phoneNumberId, from: CUSTOMER, type: "document", document: { id: media.id, filename: "bench.pdf" } });
  const wamid = expectStatus(inbound, "emulator inbound", 200).json.wamid as string;
  // the customer's conversation is the newest; its newest message is the document
  let messageId: string | null = null;
  for (let i = 0; i < 400 && messageId === null; i++) {
    const conversations = await timedFetch(`${ctx.api}/v1/conversations?limit=5`, { headers: bearer(key) });
    for (const c of (conversations.json?.data ?? []) as Array<{ id: string }>) {
      const page = await timedFetch(`${ctx.api}/v1/conversations/${c.id}/messages?limit=5`, { headers: bearer(key) });
      const found = ((page.json?.data ?? []) as Array<{ id: string; wamid: string | null }>).find((m) => m.wamid === wamid);
      if (found) messageId = found.id;
    }
    if (messageId === null) await sleep(50);
  }
  if (messageId === null) throw new Error(`the inbound document ${wamid} never reached history`);
  // stored: the route serves our copy (X-Media-Source: stored)
  for (let i = 0; ; i++) {
    const res = await fetch(`${ctx.api}/v1/messages/${messageId}/media`, { headers: bearer(key) });
    await res.body?.cancel();
    if (res.headers.get("X-Media-Source") === "stored") break;
    if (i > 600) throw new Error(`message ${messageId}: the copy never landed in R2`);
    await sleep(50);
  }
  const copySeconds = (performance.now() - sent) / 1000;
  const lookup = await timedFetch(`${ctx.emulator}/${DEMO.graphVersion}/${media.id}`, { headers: bearer(DEMO.accessToken) });
  const url = new URL(expectStatus(lookup, "emulator media lookup", 200).json.url as string);
  return { messageId, sha256: media.sha256, downloadUrl: `${ctx.emulator}${url.pathname}${url.search}`, copySeconds };
}

export async function measureMedia(ctx: BenchContext, opts: { rounds: number; workerdPid: number }): Promise<MediaRun> {
  const key = await provisionKey(ctx, "scale", "bench: media");
  ctx.log(`[${ctx.stack}] media: a customer's ${SIZE / MB} MB document, copied into R2`);
  const doc = await inboundDocument(ctx, key);
  const hash = createHash("sha256");
  await timedDownload(`${ctx.api}/v1/messages/${doc.messageId}/media`, bearer(key), hash); // warm-up, and the bytes checked
  const sha256Match = hash.digest("hex") === doc.sha256;
  await timedDownload(doc.downloadUrl, bearer(DEMO.accessToken));
  const api: number[] = [];
  const emulator: number[] = [];
  for (let r = 0; r < opts.rounds; r++) {
    // alternated, so neither side gets the machine's quieter moments
    api.push(await timedDownload(`${ctx.api}/v1/messages/${doc.messageId}/media`, bearer(key)));
    emulator.push(await timedDownload(doc.downloadUrl, bearer(DEMO.accessToken)));
  }
  ctx.log(`[${ctx.stack}] media: download ${(SIZE / MB / median(api)).toFixed(0)} MB/s through the API, ${(SIZE / MB / median(emulator)).toFixed(0)} MB/s from the emulator`);

  // memory: the workerd process hosts the API, the emulator and local R2, so each transfer through the
  // API is set against the same transfer with the emulator alone, after one of each to warm the heap
  // (a first transfer grows it, and later ones reuse that room), in two alternated pairs; the API's share
  // is the median difference. The emulator keeps every upload (20 MB each), on both sides alike.
  const pid = opts.workerdPid;
  const baseline = rss(pid);
  const file = new Blob([new Uint8Array(SIZE).fill(0x25)], { type: "application/pdf" });
  const form = (meta: boolean) => {
    const f = new FormData();
    if (meta) f.set("messaging_product", "whatsapp");
    f.set("type", "application/pdf");
    f.set("file", file, "upload.pdf");
    return f;
  };
  const upload = async (url: string, token: string, meta: boolean) => {
    const res = await fetch(url, { method: "POST", headers: bearer(token), body: form(meta) });
    if (res.status !== 200) throw new Error(`POST ${url} → ${res.status}: ${await res.text()}`);
    await res.text();
  };
  const transfers = {
    apiDownload: () => timedDownload(`${ctx.api}/v1/messages/${doc.messageId}/media`, bearer(key)).then(() => {}),
    emulatorDownload: () => timedDownload(doc.downloadUrl, bearer(DEMO.accessToken)).then(() => {}),
    apiUpload: () => upload(`${ctx.api}/v1/media`, key, false),
    emulatorUpload: () => upload(`${ctx.emulator}/${DEMO.graphVersion}/${DEMO.phoneNumberId}/media`, DEMO.accessToken, true),
  };
  await transfers.apiUpload();
  await transfers.emulatorUpload();
  const pairs = async (ours: () => Promise<void>, theirs: () => Promise<void>) => {
    const a1 = await peakGrowth(pid, theirs);
    const b1 = await peakGrowth(pid, ours);
    const b2 = await peakGrowth(pid, ours);
    const a2 = await peakGrowth(pid, theirs);
    return { ours: median([b1, b2]), theirs: median([a1, a2]), share: median([b1 - a1, b2 - a2]) };
  };
  const down = await pairs(transfers.apiDownload, transfers.emulatorDownload);
  const up = await pairs(transfers.apiUpload, transfers.emulatorUpload);
  const memory = { apiDownload: down.ours, emulatorDownload: down.theirs, downloadShare: down.share, apiUpload: up.ours, emulatorUpload: up.theirs, uploadShare: up.share, baseline };
  return { size: SIZE, api, emulator, memory, sha256Match, copySeconds: doc.copySeconds };
}

const mbps = (size: number, seconds: number) => size / MB / seconds;
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

export function mediaSection(run: MediaRun, stack: string): SectionResult {
  const apiRate = mbps(run.size, median(run.api));
  const emuRate = mbps(run.size, median(run.emulator));
  const ratio = apiRate / emuRate;
  const m = run.memory;
  const downloadShare = Math.max(0, m.downloadShare);
  const uploadShare = Math.max(0, m.uploadShare);
  const figures: Figure[] = [
    { name: "Media: download throughput through the API (R2) vs the emulator directly", value: `${apiRate.toFixed(0)} MB/s vs ${emuRate.toFixed(0)} MB/s = ${ratio.toFixed(2)}×`, target: `≥ ${TARGET_RATIO}×`, pass: ratio >= TARGET_RATIO },
    { name: "Media: the downloaded bytes match Meta's sha256", value: run.sha256Match ? "yes" : "no", target: "yes", pass: run.sha256Match },
    {
      name: `Media: the API's own memory during a ${run.size / MB} MB download / upload (workerd growth beyond the emulator's own for the same transfer)`,
      value: `${mb(downloadShare)} / ${mb(uploadShare)}`,
      target: `< ${mb(MEMORY_TARGET_BYTES)} each (streamed, never the whole file)`,
      pass: downloadShare < MEMORY_TARGET_BYTES && uploadShare < MEMORY_TARGET_BYTES,
    },
  ];
  const markdown = [
    table(
      ["transfer", "median", "MB/s", "runs"],
      [
        ["`GET /v1/messages/{id}/media` (our copy in R2)", `${median(run.api).toFixed(3)} s`, apiRate.toFixed(0), run.api.length],
        ["the emulator's download URL (Meta's lookaside URL, with the token)", `${median(run.emulator).toFixed(3)} s`, emuRate.toFixed(0), run.emulator.length],
      ],
      ["l", "r", "r", "r"],
    ),
    "",
    table(
      ["20 MB through", "workerd peak growth", "the emulator alone, same transfer", "the API's share"],
      [
        ["download", mb(m.apiDownload), mb(m.emulatorDownload), mb(downloadShare)],
        ["upload (`POST /v1/media` → Meta's `POST /{phone}/media`)", mb(m.apiUpload), mb(m.emulatorUpload), mb(uploadShare)],
      ],
      ["l", "r", "r", "r"],
    ),
    "",
    `**How.** On the ${stack} stack. The emulator makes a ${run.size / MB} MB PDF (\`POST /__emulator/media\`) and a customer sends it (\`/__emulator/inbound\`, Meta's signed webhook); the Meta-event consumer copies it from Meta's URL into R2, streamed, checking size and sha256 (${run.copySeconds.toFixed(1)} s from the inbound webhook until the route served the copy, \`X-Media-Source: stored\`). Then ${run.api.length} downloads of each, alternated: through the API with a live key (one request: key gate, the WABA object's media row, R2's stream) and from the emulator's download URL with the WABA's token (the bytes served from the emulator's memory). The load generator reads each body as it arrives. Memory: the stack's single workerd process (it hosts the API, the emulator and local R2; workerd has no per-isolate figure) is sampled every 5 ms (\`VmRSS\` in /proc, from ${mb(m.baseline)}). After one upload of each kind to warm the heap (a first 20 MB transfer grows it; later ones reuse the room), each transfer through the API is set against the same transfer with the emulator alone, in two alternated pairs (the emulator keeps every upload, 20 MB each, on both sides alike); the table shows the medians, and the API's share is the median of the pairs' differences. An API that held the file would show about ${run.size / MB} MB there.`,
  ].join("\n");
  return { id: "media", title: "Media: downloads from R2 and 20 MB transfers", figures, markdown };
}

