import { expect, vi } from "vitest";
import { api } from "../helpers/api";
import { emulatorSends, type SentRecord } from "../helpers/emulator";
import { inboundFrom, type MessagingTenant } from "../helpers/messaging";
import { wabaSql } from "../helpers/waba";

// What the fault and concurrency suites check about sends: the rows the API stored, and what the
// emulator ("Meta") accepted for each of them.

export type Row = { id: string; to: string; kind: string; body: string | null; status: string; wamid: string | null; error: string | null; attempts: number };

/** `n` recipients (+9198<series>…) who wrote in the last minute: free-form sends need the 24-hour window. */
export async function openWindows(t: MessagingTenant, n: number, series: number): Promise<string[]> {
  const phones = recipients(n, series);
  for (const phone of phones) await inboundFrom(t, phone);
  return phones;
}

/** `n` recipients (+9198<series>…) who never wrote: templates only. */
export function recipients(n: number, series: number): string[] {
  return Array.from({ length: n }, (_, i) => `+9198${series}${String(i).padStart(7, "0")}`);
}

/** Send number `i`: a text when `i` is even and `text` allowed, else a template; `i` is in its content either way. */
export function sendNumbered(t: MessagingTenant, i: number, to: string, opts: { headers?: Record<string, string>; text?: boolean } = {}) {
  const headers = opts.headers ?? {};
  return i % 2 === 0 && opts.text !== false
    ? api("/v1/messages/text", { key: t.secret, method: "POST", json: { to, body: `message ${i}` }, headers })
    : api("/v1/messages/template", { key: t.secret, method: "POST", json: { to, template: "order_shipped_v2", language: "en_US", variables: ["Aarav", String(i), "today"] }, headers });
}

/** The `i` a sendNumbered() send carried, read from what Meta received. */
export function numberOf(sent: SentRecord): number {
  const body = sent.body as { text?: { body: string }; template?: { components: Array<{ parameters: Array<{ text: string }> }> } };
  const raw = body.text ? body.text.body.replace("message ", "") : body.template!.components[0]!.parameters[1]!.text;
  return Number(raw);
}

export async function outbound(t: MessagingTenant): Promise<Row[]> {
  return wabaSql<Row>(
    t,
    `SELECT m.id, c.phone AS "to", m.kind, m.body, m.status, m.wamid, m.error, m.attempts FROM messages m JOIN contacts c ON c.id = m.contact_id
      WHERE m.direction = 'outbound' ORDER BY m.id`,
  );
}

/** Waits until all `count` outbound messages have left queued/sending, and returns them. */
export async function settled(t: MessagingTenant, count: number, timeout = 30_000): Promise<Row[]> {
  return vi.waitFor(
    async () => {
      const rows = await outbound(t);
      expect(rows).toHaveLength(count);
      expect(rows.filter((r) => r.status === "queued" || r.status === "sending").map((r) => r.id)).toEqual([]);
      return rows;
    },
    { timeout, interval: 200 },
  );
}

/** Meta's side: the accepted sends carrying each of our message ids (the relay puts it in biz_opaque_callback_data). */
export async function acceptedByMessage(t: MessagingTenant): Promise<Map<string, SentRecord[]>> {
  const byId = new Map<string, SentRecord[]>();
  for (const s of await emulatorSends(t.defaultPhone)) {
    const id = (s.body as { biz_opaque_callback_data?: string }).biz_opaque_callback_data ?? "(none)";
    byId.set(id, [...(byId.get(id) ?? []), s]);
  }
  return byId;
}

/** Meta accepted each of these messages exactly once, under the wamid we stored, and nothing else. */
export async function expectAcceptedOnce(t: MessagingTenant, rows: Row[]): Promise<Map<string, SentRecord>> {
  const accepted = await acceptedByMessage(t);
  expect([...accepted.keys()].sort()).toEqual(rows.map((r) => r.id).sort());
  for (const row of rows) expect(accepted.get(row.id)!.map((s) => s.wamid), `message ${row.id}`).toEqual([row.wamid]);
  return new Map([...accepted].map(([id, [s]]) => [id, s!]));
}

export const errorOf = (row: Row) => JSON.parse(row.error ?? "null");
