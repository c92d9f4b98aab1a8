import type { WabaData } from "./demo-seed";

/** The admin import route takes bodies up to 64 KiB: lines are sent in chunks below that. */
const CHUNK_BYTES = 60_000;

/**
 * Seeds each WABA's data plane through the running API (POST /admin/wabas/{id}/import): its object
 * upserts the rows by id, so a re-run restores the demo rows and keeps anything created since. The demo
 * keys are test keys, so by default the demo data goes to each WABA's test-mode data.
 */
export async function importWabaData(apiUrl: string, adminToken: string, data: WabaData[], mode: "live" | "test" = "test"): Promise<number> {
  let rows = 0;
  for (const { wabaId, lines } of data) {
    for (const chunk of chunks(lines)) {
      const res = await fetch(`${apiUrl}/admin/wabas/${wabaId}/import?mode=${mode}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${adminToken}`, "Content-Type": "application/x-ndjson" },
        body: chunk.join("\n"),
      });
      if (!res.ok) throw new Error(`importing the demo data of WABA ${wabaId} failed: HTTP ${res.status} ${await res.text()}`);
      rows += ((await res.json()) as { rows: number }).rows;
    }
  }
  return rows;
}

function* chunks(lines: string[]): Generator<string[]> {
  let chunk: string[] = [];
  let size = 0;
  for (const line of lines) {
    const bytes = Buffer.byteLength(line) + 1;
    if (chunk.length && size + bytes > CHUNK_BYTES) {
      yield chunk;
      chunk = [];
      size = 0;
    }
    chunk.push(line);
    size += bytes;
  }
  if (chunk.length) yield chunk;
}
