import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

// The control plane, in D1: workspaces and plans, WABAs (with the encrypted Meta token), phone numbers,
// API keys and scopes. Each WABA's own data (contacts, conversations, messages, templates, webhook
// endpoints and events) lives in that WABA's Durable Object: src/data-plane/schema.ts.
// Every id is a 24-hex-character, time-ordered string (see ids.ts), so `ORDER BY id` is creation order
// and id cursors sort. Times are Unix milliseconds; the API renders them as ISO 8601.

const id = () => text("id").primaryKey();
const createdAt = () => integer("created_at").notNull();

export const PLANS = ["starter", "growth", "scale"] as const;
export type Plan = (typeof PLANS)[number];

export const workspaces = sqliteTable("workspaces", {
  id: id(),
  name: text("name").notNull(),
  plan: text("plan", { enum: PLANS }).notNull(),
  createdAt: createdAt(),
});

export const wabas = sqliteTable("wabas", {
  id: id(),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id),
  metaWabaId: text("meta_waba_id").notNull().unique(),
  name: text("name").notNull(),
  /** Meta access token, AES-GCM under TOKEN_ENCRYPTION_KEY: base64(iv ‖ ciphertext). */
  accessTokenEnc: text("access_token_enc").notNull(),
  templatesSyncedAt: integer("templates_synced_at"),
  createdAt: createdAt(),
}, (t) => [index("wabas_workspace_idx").on(t.workspaceId)]);

export const phoneNumbers = sqliteTable("phone_numbers", {
  id: id(),
  wabaId: text("waba_id").notNull().references(() => wabas.id),
  metaPhoneNumberId: text("meta_phone_number_id").notNull().unique(),
  displayPhoneNumber: text("display_phone_number").notNull(),
  isDefault: integer("is_default", { mode: "boolean" }).notNull(),
  /** Meta's throughput for this number (messages/s) the relay paces it at; null: Meta's default, 80 */
  throughputMps: integer("throughput_mps"),
  /** who set throughputMps: an operator (kept), or Meta's reported level (read again on each template sync) */
  throughputSource: text("throughput_source", { enum: ["admin", "meta"] }),
  createdAt: createdAt(),
}, (t) => [
  index("phone_numbers_waba_idx").on(t.wabaId),
  uniqueIndex("phone_numbers_one_default_idx").on(t.wabaId).where(sql`is_default = 1`),
]);

/** live keys reach Meta; test keys reach the sandbox and their WABA's test-mode data, never Meta */
export const KEY_MODES = ["live", "test"] as const;
export type KeyMode = (typeof KEY_MODES)[number];

export const apiKeys = sqliteTable("api_keys", {
  id: id(),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id),
  wabaId: text("waba_id").notNull().references(() => wabas.id),
  name: text("name").notNull(),
  /** hex SHA-256 of the whole secret; the secret itself is never stored. */
  keyHash: text("key_hash").notNull().unique(),
  /** e.g. "wbiz_live_3xK9" — enough to recognise a key in a list, useless to an attacker. */
  displayPrefix: text("display_prefix").notNull(),
  mode: text("mode", { enum: KEY_MODES }).notNull(),
  /** space-separated scopes */
  scopes: text("scopes").notNull(),
  /** Rate-limit plan for this key only; null = the workspace's plan. */
  planOverride: text("plan_override", { enum: PLANS }),
  createdAt: createdAt(),
  revokedAt: integer("revoked_at"),
}, (t) => [index("api_keys_workspace_idx").on(t.workspaceId, t.id)]);
