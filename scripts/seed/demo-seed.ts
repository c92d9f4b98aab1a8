import { demoWaba, otherWaba, type DemoWaba } from "../../demo/dataset";
import { displayPrefix, hashApiKey } from "../../src/auth/api-key";
import { sealSecret } from "../../src/crypto/secret-box";
import { foldCase } from "../../src/domain/fold";
import { waIdOf } from "../../src/domain/phone";
import { demoKeys, type DemoKey } from "./demo-keys";
import { seedId, upsert } from "./sql";

// The local demo tenant: what `npm run dev` seeds. Every row has a fixed id and is upserted, so a
// re-run brings the demo rows back to this state (and refreshes the 24-hour windows) without touching
// anything created since.

type Msg = { dir: "in" | "out"; kind: "text" | "template"; body: string; minsAgo: number; status: string };
type Person = {
  name: string; phone: string; email?: string; tags: string[]; fields: Record<string, string>; optedIn?: boolean;
  conversation?: { status: "open" | "closed"; unread: number; messages: Msg[] };
};

/** Seed times are written in minutes ago (H hours, D days, in minutes); MINUTE turns minutes into ms. */
const H = 60;
const D = 24 * H;
const MINUTE = 60_000;

const demoPeople: Person[] = [
  {
    name: "Aarav Sharma", phone: "+919812345678", email: "aarav@example.com", tags: ["vip", "delhi"], fields: { city: "Delhi", tier: "gold" },
    conversation: { status: "open", unread: 2, messages: [
      { dir: "out", kind: "template", body: "Hi Aarav! Order #4827 ships tomorrow.", minsAgo: 26 * H, status: "read" },
      { dir: "in", kind: "text", body: "Has my order shipped?", minsAgo: 25, status: "delivered" },
      { dir: "in", kind: "text", body: "Tracking link please 🙏", minsAgo: 20, status: "delivered" },
    ] },
  },
  {
    name: "Priya Patel", phone: "+919876543210", email: "priya@example.com", tags: ["vip", "mumbai"], fields: { city: "Mumbai", tier: "silver" },
    conversation: { status: "open", unread: 0, messages: [
      { dir: "in", kind: "text", body: "Do you deliver to Bandra?", minsAgo: 3 * H + 5, status: "delivered" },
      { dir: "out", kind: "text", body: "Yes, next-day delivery to Bandra.", minsAgo: 3 * H, status: "read" },
    ] },
  },
  {
    name: "John Smith", phone: "+14155550123", email: "john@example.com", tags: ["us"], fields: { city: "San Francisco" },
    conversation: { status: "open", unread: 1, messages: [
      { dir: "in", kind: "text", body: "Is the blue one back in stock?", minsAgo: 5 * H, status: "delivered" },
    ] },
  },
  {
    name: "Rohan Mehta", phone: "+919900112233", tags: ["delhi"], fields: { city: "Delhi" },
    conversation: { status: "open", unread: 0, messages: [
      { dir: "in", kind: "text", body: "Thanks!", minsAgo: 3 * D, status: "delivered" },
      { dir: "out", kind: "text", body: "You're welcome, Rohan.", minsAgo: 3 * D - 2, status: "delivered" },
    ] },
  },
  {
    name: "Emma Müller", phone: "+4915112345678", email: "emma@example.de", tags: ["eu"], fields: { city: "Berlin" },
    conversation: { status: "open", unread: 0, messages: [
      { dir: "in", kind: "text", body: "Kann ich in Euro bezahlen?", minsAgo: 30 * H, status: "delivered" },
      { dir: "out", kind: "text", body: "Ja, natürlich.", minsAgo: 30 * H - 3, status: "read" },
    ] },
  },
  {
    name: "Ana Souza", phone: "+5511912345678", tags: ["br"], fields: { city: "São Paulo" },
    conversation: { status: "closed", unread: 0, messages: [
      { dir: "in", kind: "text", body: "Problema resolvido, obrigada.", minsAgo: 10 * D, status: "delivered" },
      { dir: "out", kind: "text", body: "Que bom! Até logo.", minsAgo: 10 * D - 1, status: "read" },
    ] },
  },
  { name: "Sara Khan", phone: "+971501234567", tags: ["uae"], fields: { city: "Dubai" }, optedIn: false },
  { name: "Liam O'Brien", phone: "+353861234567", tags: ["eu"], fields: {} },
  { name: "Carlos Díaz", phone: "+525512345678", tags: ["mx", "vip"], fields: { city: "CDMX" } },
  { name: "Yuki Tanaka", phone: "+819012345678", tags: [], fields: { city: "Tokyo" } },
  { name: "Chloé Martin", phone: "+33612345678", email: "chloe@example.fr", tags: ["eu"], fields: {} },
  { name: "Wei Chen", phone: "+8613812345678", tags: ["cn"], fields: {} },
];

const otherPeople: Person[] = [
  {
    name: "Ada Lovelace", phone: "+447911123456", tags: ["vip"], fields: {},
    conversation: { status: "open", unread: 1, messages: [{ dir: "in", kind: "text", body: "Hello Globex", minsAgo: 40, status: "delivered" }] },
  },
];

export const DEMO_WORKSPACE_ID = seedId(1, 1);

/** One demo tenant: its control-plane rows (D1 SQL) and its data plane (JSON lines for its WABA's object). */
async function tenantSeed(opts: {
  index: number; workspaceName: string; plan: string; waba: DemoWaba; people: Person[]; keys: DemoKey[]; encryptionKey: string; now: number; keyMode: "test" | "live";
}): Promise<{ sql: string[]; data: WabaData }> {
  const { index, waba, now } = opts;
  const sql: string[] = [];
  const lines: string[] = [];
  const row = (table: string, r: Record<string, unknown>) => lines.push(JSON.stringify({ table, row: r }));
  const workspaceId = seedId(1, index);
  const wabaId = seedId(2, index);
  sql.push(upsert("workspaces", { id: workspaceId, name: opts.workspaceName, plan: opts.plan, created_at: now }));
  sql.push(upsert("wabas", {
    id: wabaId, workspace_id: workspaceId, meta_waba_id: waba.metaWabaId, name: waba.name,
    access_token_enc: await sealSecret(opts.encryptionKey, waba.accessToken), templates_synced_at: now, created_at: now,
  }));
  waba.phoneNumbers.forEach((p, i) => {
    sql.push(upsert("phone_numbers", {
      id: seedId(3, index * 100 + i), waba_id: wabaId, meta_phone_number_id: p.metaPhoneNumberId,
      display_phone_number: p.displayPhoneNumber, is_default: i === 0, created_at: now,
    }));
  });
  for (const k of opts.keys) {
    sql.push(upsert("api_keys", {
      id: seedId(5, index * 100 + opts.keys.indexOf(k)), workspace_id: workspaceId, waba_id: wabaId, name: `demo: ${k.label}`,
      key_hash: await hashApiKey(k.secret), display_prefix: displayPrefix(k.secret), mode: opts.keyMode, scopes: k.scopes.join(" "),
      plan_override: k.planOverride, created_at: now, revoked_at: null,
    }));
  }
  waba.templates.forEach((t, i) => {
    row("templates", {
      id: seedId(4, index * 1000 + i), meta_template_id: t.metaId, name: t.name, language: t.language,
      category: t.category, status: t.status, parameter_format: t.parameterFormat, components: JSON.stringify(t.components),
      rejected_reason: t.status === "REJECTED" ? "INVALID_FORMAT" : null, removed_upstream_at: null, created_at: now, updated_at: now,
    });
  });
  const defaultPhone = waba.phoneNumbers[0]!.metaPhoneNumberId;
  let lastAtOffset = 0;
  opts.people.forEach((p, i) => {
    const contactId = seedId(6, index * 1000 + i);
    const inbound = p.conversation?.messages.filter((m) => m.dir === "in").map((m) => m.minsAgo) ?? [];
    const lastInboundAt = inbound.length ? now - Math.min(...inbound) * MINUTE : null;
    row("contacts", {
      id: contactId, phone: p.phone, wa_id: waIdOf(p.phone), name: p.name, name_folded: foldCase(p.name), email: p.email ?? null, custom_fields: JSON.stringify(p.fields),
      opted_in: p.optedIn === false ? 0 : 1, last_inbound_at: lastInboundAt, created_at: now - 40 * D * MINUTE + i * MINUTE, updated_at: now,
    });
    // a contact's tag lines are its whole set: the import replaces the tags it had
    for (const tag of p.tags) row("contact_tags", { contact_id: contactId, tag });
    if (!p.conversation) return;
    const conversationId = seedId(7, index * 1000 + i);
    const last = Math.min(...p.conversation.messages.map((m) => m.minsAgo));
    // distinct milliseconds keep lastMessageAt unique per WABA, as the API guarantees
    const lastMessageAt = now - last * MINUTE + (lastAtOffset += 7);
    row("conversations", {
      id: conversationId, contact_id: contactId, channel: "whatsapp", status: p.conversation.status,
      last_message_at: lastMessageAt, unread_count: p.conversation.unread, created_at: now - 40 * D * MINUTE,
    });
    p.conversation.messages.forEach((m, j) => {
      const at = m.minsAgo === last ? lastMessageAt : now - m.minsAgo * MINUTE;
      row("messages", {
        id: seedId(8, (index * 1000 + i) * 100 + j), conversation_id: conversationId, contact_id: contactId,
        meta_phone_number_id: defaultPhone, direction: m.dir === "in" ? "inbound" : "outbound", kind: m.kind, body: m.body,
        payload: JSON.stringify(m.dir === "in" ? { type: "text", text: { body: m.body } } : { seeded: true }),
        wamid: `wamid.SEED${index}${String(i).padStart(3, "0")}${j}`, status: m.status, error: null, attempts: m.dir === "out" ? 1 : 0,
        event_seq: 0, api_key_id: null, created_at: at, updated_at: at,
      });
    });
  });
  return { sql, data: { wabaId, lines } };
}

/** A WABA's demo data, for POST /admin/wabas/{id}/import. */
export type WabaData = { wabaId: string; lines: string[] };

/** The demo tenants: control-plane SQL for D1, and each WABA's data for its object. */
/**
 * The demo tenants: control-plane SQL, their data-plane rows, their keys. The demo keys are test keys
 * (`npm run dev`: the sandbox answers them); `keyMode: "live"` makes them live keys instead (the bench
 * measures the path real traffic takes: WBIZ → the Graph API, here the emulator).
 */
export async function demoSeed(encryptionKey: string, now = Date.now(), keyMode: "test" | "live" = "test"): Promise<{ sql: string; data: WabaData[]; keys: DemoKey[] }> {
  const keys = await demoKeys();
  const tenants = [
    await tenantSeed({ index: 1, workspaceName: "WBIZ Demo", plan: "growth", waba: demoWaba, people: demoPeople, keys: keys.filter((k) => k.tenant === "demo"), encryptionKey, now, keyMode }),
    await tenantSeed({ index: 2, workspaceName: "Globex (another tenant)", plan: "starter", waba: otherWaba, people: otherPeople, keys: keys.filter((k) => k.tenant === "other"), encryptionKey, now, keyMode }),
  ];
  return { sql: tenants.flatMap((t) => t.sql).join("\n") + "\n", data: tenants.map((t) => t.data), keys };
}
