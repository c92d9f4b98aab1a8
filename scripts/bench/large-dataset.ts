// The list-latency data set, in ONE bench WABA's object: 50 000 contacts (two or three tags each), one
// conversation holding 50 000 messages, 5 000 more conversations (one message each) and 500 templates.
// The WABA, its phone number and its key are provisioned through the admin API; its data goes in
// through the product's own import route (POST /admin/wabas/{id}/import: JSON lines {"table","row"},
// ≤ 64 KiB per request, each request one transaction in the object), as `npm run dev` seeds the demo.
import { SCOPES } from "../../src/auth/scopes";
import { foldCase } from "../../src/domain/fold";
import { waIdOf } from "../../src/domain/phone";
import { localVar } from "../lib/wrangler";
import { seedId } from "../seed/sql";
import { admin, BENCH_PHONE_MPS } from "./context";
import { pool } from "./http";

export const BENCH_SIZES = { contacts: 50_000, messages: 50_000, conversations: 5_000, templates: 500 } as const;

/** Seed-id kinds for bench rows (the demo seed uses 1–8). */
const KIND = { template: 14, contact: 16, conversation: 17, message: 18, smallMessage: 19 } as const;

export const LARGE_WABA = {
  metaWabaId: "102290129349999",
  metaPhoneNumberId: "106540352249999",
  accessToken: "EAAGbenchLocalOnlyAccessToken000000000000000000000001",
  /** the conversation with 50 000 messages: the newest conversation of the WABA */
  conversationId: seedId(KIND.conversation, 0),
};

/** The admin import route refuses bodies over 64 KiB. */
const CHUNK_BYTES = 60_000;

type Group = string[];
const line = (table: string, row: Record<string, unknown>) => JSON.stringify({ table, row });

/**
 * The data set as groups of JSON lines in three phases (parents before children). A group never spans
 * two requests: a contact's tag lines are its whole tag set for the import, so they travel with it.
 */
export function largeDatasetLines(now = Date.now()): Group[][] {
  const { contacts, messages, conversations, templates } = BENCH_SIZES;
  const first: Group[] = [];
  for (let i = 0; i < templates; i++) {
    first.push([
      line("templates", {
        id: seedId(KIND.template, i), meta_template_id: String(1304694800000000 + i), name: `bench_template_${i}`,
        language: ["en_US", "hi_IN", "en"][i % 3], category: ["UTILITY", "MARKETING", "AUTHENTICATION"][i % 3],
        status: i % 4 === 3 ? "PENDING" : "APPROVED", parameter_format: "POSITIONAL",
        components: JSON.stringify([{ type: "BODY", text: `Hi {{1}}! Bench template ${i}.` }]), created_at: now, updated_at: now,
      }),
    ]);
  }
  for (let i = 0; i < contacts; i++) {
    const id = seedId(KIND.contact, i);
    const phone = `+9190${String(i).padStart(8, "0")}`;
    const name = `Bench Contact ${i}`;
    const group = [
      line("contacts", {
        id, phone, wa_id: waIdOf(phone), name, name_folded: foldCase(name), email: i % 2 === 0 ? `bench${i}@example.com` : null,
        custom_fields: JSON.stringify({ city: "Delhi", n: String(i) }), opted_in: i % 10 === 0 ? 0 : 1, last_inbound_at: null,
        created_at: now - contacts * 1000 + i * 1000, updated_at: now,
      }),
      line("contact_tags", { contact_id: id, tag: "bench" }),
      line("contact_tags", { contact_id: id, tag: `group-${i % 10}` }),
    ];
    if (i % 100 === 0) group.push(line("contact_tags", { contact_id: id, tag: "vip" }));
    first.push(group);
  }
  // conversation 0 (contact 0) is the newest and holds the long history; 1…5000 hold one message each
  const second: Group[] = [];
  for (let i = 0; i <= conversations; i++) {
    second.push([
      line("conversations", {
        id: seedId(KIND.conversation, i), contact_id: seedId(KIND.contact, i), channel: "whatsapp", status: i % 4 === 3 ? "closed" : "open",
        last_message_at: now - i * 1000, unread_count: i % 3, created_at: now - 90 * 86_400_000,
      }),
    ]);
  }
  const third: Group[] = [];
  for (let i = 1; i <= conversations; i++) {
    third.push([
      line("messages", {
        id: seedId(KIND.smallMessage, i), conversation_id: seedId(KIND.conversation, i), contact_id: seedId(KIND.contact, i),
        meta_phone_number_id: LARGE_WABA.metaPhoneNumberId, direction: "inbound", kind: "text", body: `Hello from contact ${i}`,
        payload: "{}", wamid: `wamid.BENCHSMALL${i}`, status: "delivered", attempts: 0, event_seq: 0, created_at: now - i * 1000, updated_at: now - i * 1000,
      }),
    ]);
  }
  for (let i = 0; i < messages; i++) {
    const inbound = i % 2 === 0;
    const at = now - messages * 1000 + i * 1000;
    third.push([
      line("messages", {
        id: seedId(KIND.message, i), conversation_id: LARGE_WABA.conversationId, contact_id: seedId(KIND.contact, 0),
        meta_phone_number_id: LARGE_WABA.metaPhoneNumberId, direction: inbound ? "inbound" : "outbound", kind: inbound ? "text" : "template",
        body: `Bench message ${i}`, payload: "{}", wamid: `wamid.BENCH${i}`, status: inbound ? "delivered" : "read", attempts: inbound ? 0 : 1,
        event_seq: 0, created_at: at, updated_at: at,
      }),
    ]);
  }
  return [first, second, third];
}

function chunks(groups: Group[]): string[] {
  const out: string[] = [];
  let chunk: string[] = [];
  let size = 0;
  for (const group of groups) {
    const bytes = group.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    if (chunk.length && size + bytes > CHUNK_BYTES) {
      out.push(chunk.join("\n"));
      chunk = [];
      size = 0;
    }
    chunk.push(...group);
    size += bytes;
  }
  if (chunk.length) out.push(chunk.join("\n"));
  return out;
}

export type LargeDataset = { wabaId: string; key: string; rows: number; requests: number; seconds: number; bytes: number };

/**
 * Provisions the bench WABA (workspace, WABA, phone number, scale-plan key) through the admin API and
 * imports the data set into its object, two requests in flight (the object applies them one at a time).
 */
export async function seedLargeDataset(api: string, log: (line: string) => void): Promise<LargeDataset> {
  const ctx = { api };
  const workspace = await admin(ctx, "POST", "/admin/workspaces", { name: "Bench: large data set", plan: "scale" });
  const waba = await admin(ctx, "POST", "/admin/wabas", { workspaceId: workspace.id, metaWabaId: LARGE_WABA.metaWabaId, name: "Bench: large data set", accessToken: LARGE_WABA.accessToken });
  await admin(ctx, "POST", `/admin/wabas/${waba.id}/phone-numbers`, { metaPhoneNumberId: LARGE_WABA.metaPhoneNumberId, displayPhoneNumber: "+1 555 010 9999", throughputMps: BENCH_PHONE_MPS });
  const key = (await admin(ctx, "POST", "/admin/keys", { wabaId: waba.id, name: "bench: lists", scopes: [...SCOPES], mode: "live", planOverride: "scale" })).secret as string;
  const token = localVar("ADMIN_TOKEN");
  const t0 = performance.now();
  let rows = 0;
  let requests = 0;
  let bytes = 0;
  const phases = largeDatasetLines();
  for (const [p, groups] of phases.entries()) {
    const bodies = chunks(groups);
    log(`large data set: phase ${p + 1}/${phases.length}, ${bodies.length} import requests`);
    await pool(bodies.length, 2, async (i) => {
      const res = await fetch(`${api}/admin/wabas/${waba.id}/import`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/x-ndjson" },
        body: bodies[i]!,
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`import into the bench WABA → HTTP ${res.status}: ${text.slice(0, 500)}`);
      rows += (JSON.parse(text) as { rows: number }).rows;
      requests++;
      bytes += Buffer.byteLength(bodies[i]!);
    });
  }
  return { wabaId: waba.id as string, key, rows, requests, seconds: (performance.now() - t0) / 1000, bytes };
}
