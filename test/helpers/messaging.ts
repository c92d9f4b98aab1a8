import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import type { DemoTemplate } from "../../demo/dataset";
import { newId } from "../../src/db/ids";
import { emulatorSettings, registerWaba } from "./emulator";
import { createTenant, type Tenant } from "./tenant";
import { inWaba, schema, seedMessage, wabaDb } from "./waba";

let templateSeq = 0;
const body = (text: string) => ({ type: "BODY", text });

/** Templates every messaging tenant has, on both sides (our store and the emulator's "Meta"). */
export function testTemplates(): DemoTemplate[] {
  const t = (name: string, language: string, category: DemoTemplate["category"], status: DemoTemplate["status"], components: DemoTemplate["components"], parameterFormat: DemoTemplate["parameterFormat"] = "POSITIONAL"): DemoTemplate => ({
    metaId: String(900_000_000_000 + ++templateSeq),
    name,
    language,
    category,
    status,
    parameterFormat,
    components,
  });
  return [
    t("order_shipped_v2", "en_US", "UTILITY", "APPROVED", [body("Hi {{1}}! Order #{{2}} ships {{3}}.")]),
    t("order_shipped_v2", "hi_IN", "UTILITY", "APPROVED", [body("नमस्ते {{1}}! ऑर्डर #{{2}} {{3}} भेजा जाएगा।")]),
    t("spring_sale", "en_US", "MARKETING", "APPROVED", [body("Take {{1}} off everything.")]),
    t("payment_reminder", "en_US", "UTILITY", "PENDING", [body("Hi {{1}}, pay {{2}}.")]),
    t("delivery_update", "en_US", "UTILITY", "PAUSED", [body("Parcel {{1}} is out.")]),
    t("welcome_back", "en_US", "MARKETING", "APPROVED", [body("Welcome back, {{first_name}}! Code {{code}}.")], "NAMED"),
    t("book_visit", "en_US", "UTILITY", "APPROVED", [body("Book your visit."), { type: "BUTTONS", buttons: [{ type: "FLOW", text: "Book", flow_action: "navigate" }] }]),
    t("login_code", "en_US", "AUTHENTICATION", "APPROVED", [body("{{1}} is your verification code.")]),
  ];
}

export type MessagingTenant = Tenant & { metaWabaId: string; defaultPhone: string; templates: DemoTemplate[] };

/** A tenant that can send: its WABA, phones and templates exist in D1 and on the emulator. */
export async function createMessagingTenant(opts: Parameters<typeof createTenant>[0] & { statusWebhooks?: boolean } = {}): Promise<MessagingTenant> {
  const t = await createTenant({ phones: 2, ...opts });
  const list = testTemplates();
  await seedTemplates(t, list);
  await registerWaba({
    metaWabaId: t.waba.metaWabaId,
    accessToken: t.accessToken,
    phoneNumbers: t.phones.map((p) => ({ metaPhoneNumberId: p.metaPhoneNumberId, displayPhoneNumber: p.displayPhoneNumber })),
    templates: list,
  });
  // Meta's status webhooks would race assertions on a send's own status: only on when a test wants them
  if (!opts.statusWebhooks) await emulatorSettings(t.waba.metaWabaId, { statusDelaysMs: "none" });
  return { ...t, metaWabaId: t.waba.metaWabaId, defaultPhone: t.phones[0]!.metaPhoneNumberId, templates: list };
}

/** Stores templates in the WABA's store, as a template sync would. */
export async function seedTemplates(t: Tenant, list: DemoTemplate[]) {
  const now = Date.now();
  await inWaba(t, (s) => {
    for (const x of list) {
      s.sql.exec(
        `INSERT INTO templates (id, meta_template_id, name, language, category, status, parameter_format, components, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        newId(), x.metaId, x.name, x.language, x.category, x.status, x.parameterFormat, JSON.stringify(x.components), now, now,
      );
    }
  });
}

/** The contact wrote to the WABA `minutesAgo` minutes ago: their 24-hour window is open (or not). */
export async function inboundFrom(t: Tenant, phone: string, minutesAgo = 1) {
  return seedMessage(t, {
    party: { phone },
    metaPhoneNumberId: t.phones[0]!.metaPhoneNumberId,
    direction: "inbound",
    kind: "text",
    body: "hello",
    payload: { type: "text", text: { body: "hello" } },
    status: "delivered",
    wamid: `wamid.test-in-${newId()}`,
    at: Date.now() - minutesAgo * 60_000,
  });
}

/** A message row of the tenant's store (Drizzle's camelCase), by id. */
export async function messageRow(t: Tenant, id: string) {
  return wabaDb(t, (db) => db.select().from(schema.messages).where(eq(schema.messages.id, id)).get());
}

/** A message row of the tenant's store, by wamid. */
export async function messageByWamid(t: Tenant, wamid: string) {
  return wabaDb(t, (db) => db.select().from(schema.messages).where(eq(schema.messages.wamid, wamid)).get());
}

export { env };
