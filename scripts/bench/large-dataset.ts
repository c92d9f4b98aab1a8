// The list-latency data set: one bench tenant with 50 000 contacts (two or three tags each), one
// conversation holding 50 000 messages, 5 000 more conversations (one message each) and 500
// templates. Rows are generated inside SQLite by recursive CTEs, so the SQL stays small; each chunk
// is one `wrangler d1 execute --file` worth. Re-applying starts the bench tenant over.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { displayPrefix, formatApiKey, hashApiKey } from "../../src/auth/api-key";
import { SCOPES } from "../../src/auth/scopes";
import { sealSecret } from "../../src/crypto/secret-box";
import { localVar, ROOT, wrangler } from "../lib/wrangler";
import { lit, seedId } from "../seed/sql";

export const BENCH_SIZES = { contacts: 50_000, messages: 50_000, conversations: 5_000, templates: 500 } as const;

/** Seed-id kinds for bench rows (the demo seed uses 1–8). */
const KIND = { workspace: 11, waba: 12, phone: 13, key: 15, template: 14, contact: 16, conversation: 17, message: 18, smallMessage: 19 } as const;

export const BENCH_IDS = {
  workspaceId: seedId(KIND.workspace, 1),
  wabaId: seedId(KIND.waba, 1),
  /** the conversation with 50 000 messages: the newest conversation of the tenant */
  conversationId: seedId(KIND.conversation, 0),
  metaWabaId: "102290129349999",
  metaPhoneNumberId: "106540352249999",
};

/** The bench tenant's API key (scale plan, every scope): the same on every machine. */
export async function benchKey(): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode("wbiz-local-bench-key")));
  return formatApiKey("test", bytes);
}

/** SQLite expression for seedId(kind, n) with n a column: the same 24-hex ids, time-ordered by n. */
function idSql(kind: number, n: string): string {
  const base = Number.parseInt(seedId(kind, 0).slice(0, 12), 16);
  return `printf('%012x', ${base} + ${n}) || '5eed${kind.toString(16).padStart(2, "0")}' || printf('%06x', ${n})`;
}

/** `WITH RECURSIVE n(i)` over [from, to). */
const range = (from: number, to: number) => `WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ${to})`;

const CHUNK_ROWS = 10_000;

function chunked(total: number, build: (from: number, to: number) => string): string[] {
  const out: string[] = [];
  for (let from = 0; from < total; from += CHUNK_ROWS) out.push(build(from, Math.min(total, from + CHUNK_ROWS)));
  return out;
}

export async function largeDatasetSql(opts: { encryptionKey: string; now?: number }): Promise<{ chunks: string[]; key: string }> {
  const now = opts.now ?? Date.now();
  const key = await benchKey();
  const w = lit(BENCH_IDS.wabaId);
  const { contacts, messages, conversations, templates } = BENCH_SIZES;

  const setup = [
    // start over: children first
    `DELETE FROM messages WHERE waba_id = ${w};`,
    `DELETE FROM contact_tags WHERE waba_id = ${w};`,
    `DELETE FROM conversations WHERE waba_id = ${w};`,
    `DELETE FROM contacts WHERE waba_id = ${w};`,
    `DELETE FROM templates WHERE waba_id = ${w};`,
    `DELETE FROM api_keys WHERE waba_id = ${w};`,
    `DELETE FROM phone_numbers WHERE waba_id = ${w};`,
    `DELETE FROM wabas WHERE id = ${w};`,
    `DELETE FROM workspaces WHERE id = ${lit(BENCH_IDS.workspaceId)};`,
    `INSERT INTO workspaces (id, name, plan, created_at) VALUES (${lit(BENCH_IDS.workspaceId)}, 'Bench', 'scale', ${now});`,
    `INSERT INTO wabas (id, workspace_id, meta_waba_id, name, access_token_enc, templates_synced_at, created_at) VALUES (${w}, ${lit(BENCH_IDS.workspaceId)}, ${lit(BENCH_IDS.metaWabaId)}, 'Bench WABA', ${lit(await sealSecret(opts.encryptionKey, "EAAGbenchLocalOnlyAccessToken000000000000000000000001"))}, ${now}, ${now});`,
    `INSERT INTO phone_numbers (id, waba_id, meta_phone_number_id, display_phone_number, is_default, created_at) VALUES (${lit(seedId(KIND.phone, 1))}, ${w}, ${lit(BENCH_IDS.metaPhoneNumberId)}, '+1 555 010 9999', 1, ${now});`,
    `INSERT INTO api_keys (id, workspace_id, waba_id, name, key_hash, display_prefix, mode, scopes, plan_override, created_at, revoked_at) VALUES (${lit(seedId(KIND.key, 1))}, ${lit(BENCH_IDS.workspaceId)}, ${w}, 'bench', ${lit(await hashApiKey(key))}, ${lit(displayPrefix(key))}, 'test', ${lit(SCOPES.join(" "))}, 'scale', ${now}, NULL);`,
    `${range(0, templates)}
     INSERT INTO templates (id, waba_id, meta_template_id, name, language, category, status, parameter_format, components, rejected_reason, removed_upstream_at, created_at, updated_at)
     SELECT ${idSql(KIND.template, "i")}, ${w}, CAST(1304694800000000 + i AS TEXT), 'bench_template_' || i, CASE i % 3 WHEN 0 THEN 'en_US' WHEN 1 THEN 'hi_IN' ELSE 'en' END,
            CASE i % 3 WHEN 0 THEN 'UTILITY' WHEN 1 THEN 'MARKETING' ELSE 'AUTHENTICATION' END,
            CASE i % 4 WHEN 3 THEN 'PENDING' ELSE 'APPROVED' END, 'POSITIONAL',
            '[{"type":"BODY","text":"Hi {{1}}! Bench template ' || i || '."}]', NULL, NULL, ${now}, ${now} FROM n;`,
  ].join("\n");

  const contactChunks = chunked(contacts, (from, to) => `${range(from, to)}
    INSERT INTO contacts (id, waba_id, phone, name, email, custom_fields, opted_in, last_inbound_at, created_at, updated_at)
    SELECT ${idSql(KIND.contact, "i")}, ${w}, '+9190' || printf('%08d', i), 'Bench Contact ' || i,
           CASE WHEN i % 2 = 0 THEN 'bench' || i || '@example.com' END, '{"city":"Delhi","n":"' || i || '"}', i % 10 <> 0, NULL,
           ${now - contacts * 1000} + i * 1000, ${now} FROM n;
    ${range(from, to)}
    INSERT INTO contact_tags (contact_id, waba_id, tag)
    SELECT ${idSql(KIND.contact, "i")}, ${w}, 'bench' FROM n
    UNION ALL SELECT ${idSql(KIND.contact, "i")}, ${w}, 'group-' || (i % 10) FROM n
    UNION ALL SELECT ${idSql(KIND.contact, "i")}, ${w}, 'vip' FROM n WHERE i % 100 = 0;`);

  // conversation 0 (contact 0) is the newest and holds the long history; 1…5000 are one message each
  const conversationChunk = `${range(0, conversations + 1)}
    INSERT INTO conversations (id, waba_id, contact_id, channel, status, last_message_at, unread_count, created_at)
    SELECT ${idSql(KIND.conversation, "i")}, ${w}, ${idSql(KIND.contact, "i")}, 'whatsapp', CASE WHEN i % 4 = 3 THEN 'closed' ELSE 'open' END,
           ${now} - i * 1000, i % 3, ${now - 90 * 86_400_000} FROM n;
    ${range(1, conversations + 1)}
    INSERT INTO messages (id, waba_id, conversation_id, contact_id, meta_phone_number_id, direction, kind, body, payload, wamid, status, error, attempts, event_seq, api_key_id, created_at, updated_at)
    SELECT ${idSql(KIND.smallMessage, "i")}, ${w}, ${idSql(KIND.conversation, "i")}, ${idSql(KIND.contact, "i")}, ${lit(BENCH_IDS.metaPhoneNumberId)},
           'inbound', 'text', 'Hello from contact ' || i, '{}', 'wamid.BENCHSMALL' || i, 'received', NULL, 0, 0, NULL, ${now} - i * 1000, ${now} - i * 1000 FROM n;`;

  const messageChunks = chunked(messages, (from, to) => `${range(from, to)}
    INSERT INTO messages (id, waba_id, conversation_id, contact_id, meta_phone_number_id, direction, kind, body, payload, wamid, status, error, attempts, event_seq, api_key_id, created_at, updated_at)
    SELECT ${idSql(KIND.message, "i")}, ${w}, ${lit(BENCH_IDS.conversationId)}, ${idSql(KIND.contact, "0")}, ${lit(BENCH_IDS.metaPhoneNumberId)},
           CASE WHEN i % 2 = 0 THEN 'inbound' ELSE 'outbound' END, CASE WHEN i % 2 = 0 THEN 'text' ELSE 'template' END,
           'Bench message ' || i, '{}', 'wamid.BENCH' || i, CASE WHEN i % 2 = 0 THEN 'received' ELSE 'read' END, NULL, 0, 0, NULL,
           ${now - messages * 1000} + i * 1000, ${now - messages * 1000} + i * 1000 FROM n;`);

  return { chunks: [setup, ...contactChunks, conversationChunk, ...messageChunks], key };
}

/** `--local`, plus `--persist-to <dir>` when the data set goes somewhere other than `npm run dev`'s state. */
export function localD1Args(persistTo?: string): string[] {
  return persistTo ? ["--local", `--persist-to=${persistTo}`] : ["--local"];
}

/**
 * Loads the data set into the local D1 (`wrangler d1 execute --local`), chunk by chunk, after applying
 * the migrations. `persistTo` targets another state directory than `npm run dev`'s (the bench's own).
 * Returns the bench key.
 */
export async function applyLargeDataset(opts: { log?: (line: string) => void; persistTo?: string } = {}): Promise<string> {
  const { chunks, key } = await largeDatasetSql({ encryptionKey: localVar("TOKEN_ENCRYPTION_KEY") });
  const dir = path.join(ROOT, ".wrangler/bench");
  mkdirSync(dir, { recursive: true });
  const local = localD1Args(opts.persistTo);
  wrangler(["d1", "migrations", "apply", "DB", ...local], { quiet: true });
  for (const [i, sql] of chunks.entries()) {
    const file = path.join(dir, `chunk-${String(i).padStart(2, "0")}.sql`);
    writeFileSync(file, sql + "\n");
    opts.log?.(`bench data ${i + 1}/${chunks.length}`);
    wrangler(["d1", "execute", "DB", ...local, "--yes", `--file=${file}`], { quiet: true });
  }
  return key;
}
