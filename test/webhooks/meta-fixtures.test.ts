import { env } from "cloudflare:workers";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { SCOPES } from "../../src/auth/scopes";
import { database } from "../../src/db/client";
import { newId } from "../../src/db/ids";
import { recordMessage, type NewMessage } from "../../src/data-plane/messages";
import * as provisioning from "../../src/provisioning/provisioning";
import { api, jsonOf } from "../helpers/api";
import { postMetaWebhook } from "../helpers/meta-webhook";
import { inWaba, schema, wabaDb, wabaSql } from "../helpers/waba";

// Meta's own webhook examples (test/fixtures/meta-webhooks, sources in its README), each signed as Meta
// signs, posted to POST /meta/webhook, and followed to the state it documents.

const FIXTURES = import.meta.glob<string>("../fixtures/meta-webhooks/*.json", { query: "?raw", import: "default", eager: true });
const fixture = (name: string) => {
  const raw = FIXTURES[`../fixtures/meta-webhooks/${name}.json`];
  if (raw === undefined) throw new Error(`no fixture ${name}`);
  return raw;
};

const META_WABA = "102290129340398";
const PHONE_ID = "106540352242922";
const WAMID_OUT = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=";
const SHEENA = "+16505551234";

const db = database(env.DB);
let waba: { id: string };
let key: string;

beforeAll(async () => {
  const workspace = await provisioning.createWorkspace(db, { name: "Meta fixtures", plan: "scale" });
  const created = await provisioning.createWaba(db, env, { workspaceId: workspace.id, metaWabaId: META_WABA, name: "Meta's demo WABA", accessToken: "EAAGfixtures" });
  if (created.kind !== "created") throw new Error(created.kind);
  waba = created.waba;
  await provisioning.addPhoneNumber(db, env, { wabaId: waba.id, metaPhoneNumberId: PHONE_ID, displayPhoneNumber: "+1 555 078 3881" });
  key = (await provisioning.createApiKey(db, env, { wabaId: waba.id, name: "fixtures", scopes: [...SCOPES], mode: "live" }))!.secret;
});

// several of Meta's examples share a wamid: each case starts from an empty WABA, once what the previous
// case posted has been processed
beforeEach(async () => {
  if (waba) await processed();
  // the WABA's tables live in its own object: emptied there, in one transaction
  await inWaba({ waba }, (s) => {
    for (const table of ["webhook_deliveries", "webhook_events", "pending_statuses", "messages", "conversations", "contact_tags", "contacts", "templates", "meta_alerts"]) {
      s.sql.exec(`DELETE FROM ${table}`);
    }
  });
});

/** Raw rows of the fixture WABA's object (snake_case columns, as SQLite returns them). */
const rows = (query: string, ...params: unknown[]) => wabaSql<any>({ waba }, query, ...params);
const first = async (query: string, ...params: unknown[]) => (await rows(query, ...params))[0] ?? null;
const messageCount = async () => (await first(`SELECT count(*) AS n FROM messages`)).n as number;

/** Stores a message in the fixture WABA's object as the data plane does, then gives it `status`. */
const seed = (m: Omit<NewMessage, "status">, status: string) =>
  inWaba({ waba }, (s) => {
    const recorded = recordMessage(s, { ...m, status: status === "delivered" ? "delivered" : "queued" });
    if (recorded) s.sql.exec(`UPDATE messages SET status = ? WHERE id = ?`, status, recorded.messageId);
    return recorded;
  });

/** Waits until everything posted so far is processed: a marker (a system-level error) posted after it shows up. */
async function processed() {
  const count = async () => (await first(`SELECT count(*) AS n FROM meta_alerts`)).n as number;
  const before = await count();
  await post("system_errors");
  await vi.waitFor(async () => expect(await count()).toBe(before + 1));
}

/** Posts a fixture's exact bytes, signed; Meta's answer must be 200. */
async function post(name: string) {
  const res = await postMetaWebhook(null, { raw: fixture(name) });
  expect(res.status).toBe(200);
}

const contactByPhone = (phone: string) => first(`SELECT * FROM contacts WHERE phone = ?`, phone);
const messageByWamid = (wamid: string) => first(`SELECT * FROM messages WHERE wamid = ?`, wamid);

async function inboundArrives(wamid: string) {
  await vi.waitFor(async () => expect(await messageByWamid(wamid)).not.toBeNull());
  return messageByWamid(wamid);
}

/** An outbound message Meta accepted, with the wamid Meta's status examples use. */
async function sentMessage(opts: { phone?: string | null; userId?: string } = {}) {
  const recorded = await seed({
    party: { phone: opts.phone === undefined ? SHEENA : opts.phone, userId: opts.userId ?? null }, metaPhoneNumberId: PHONE_ID,
    direction: "outbound", kind: "template", body: "hello", payload: {}, wamid: WAMID_OUT,
  }, "sent");
  return recorded!.messageId;
}

async function statusBecomes(messageId: string, status: string) {
  await vi.waitFor(async () => expect((await jsonOf(await api(`/v1/messages/${messageId}`, { key }))).status).toBe(status));
  return jsonOf(await api(`/v1/messages/${messageId}`, { key }));
}

async function template(t: { metaTemplateId: string; name: string; language: string; category: string; status: string }) {
  const now = Date.now();
  const id = newId();
  await wabaDb({ waba }, (wdb) => wdb.insert(schema.templates).values({ id, ...t, parameterFormat: "POSITIONAL", components: "[]", createdAt: now, updatedAt: now }).run());
  return id;
}
const templateRow = (id: string) => first(`SELECT * FROM templates WHERE id = ?`, id);

/** The inbound examples: each is stored once, in the contact's conversation, readable through the API. */
const INBOUND: Array<[string, { wamid: string; kind: string; body: string | null }]> = [
  ["inbound_text", { wamid: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", kind: "text", body: "Does it come in another color?" }],
  ["inbound_image", { wamid: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", kind: "image", body: "Taj Mahal" }],
  ["inbound_contacts", { wamid: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", kind: "contacts", body: null }],
  ["inbound_location", { wamid: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTU2MjZEMDBGRkE3MENEMDE0RQA=", kind: "location", body: "Philz Coffee, 101 Forest Ave, Palo Alto, CA 94301" }],
  ["inbound_reaction", { wamid: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", kind: "reaction", body: "👍" }],
  ["inbound_interactive_button_reply", { wamid: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTZBQzg0MzQ4QjRCM0NGNkVGOAA=", kind: "interactive", body: "Cancel" }],
  ["inbound_interactive_list_reply", { wamid: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUJDQ0NDM0FEODY4ODkzOTc5RgA=", kind: "interactive", body: "Priority Mail Express" }],
  ["inbound_order", { wamid: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTEyQjFGNzI1QTQxMjI5QTMyOQA=", kind: "order", body: null }],
  ["inbound_unsupported", { wamid: "wamid.HBgLMTQyMDU1NTA3NDkVAgASGBI5N0MwRjg0RTVBNUI1RDA2OTkA", kind: "unsupported", body: null }],
  ["inbound_text_product_inquiry", { wamid: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTA2NTUwRkNEMDdFQjJCRUU0NQA=", kind: "text", body: "Is this still available?" }],
  ["inbound_text_ctwa_referral", { wamid: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUQ0N0VFMDA2MTQ0RkJFNkNDNAA=", kind: "text", body: "Hello! Can I get more info on this?" }],
  ["inbound_button_quick_reply", { wamid: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUU0M0MxQzQzMUJCMTMwNUZFOQA=", kind: "button", body: "Unsubscribe" }],
];

describe("Meta's inbound message examples", () => {
  for (const [name, expected] of INBOUND) {
    it(`${name}: stored once with its contact, conversation and 24-hour window`, async () => {
      const raw = JSON.parse(fixture(name));
      const m = raw.entry[0].changes[0].value.messages[0];
      await post(name);
      expect(m.id).toBe(expected.wamid);
      const row = await inboundArrives(m.id);
      expect(row).toMatchObject({ direction: "inbound", kind: expected.kind, status: "delivered", body: expected.body });
      // Meta's raw message is kept as received, its timestamp included
      expect(JSON.parse(row.payload)).toEqual(m);
      const contact = await contactByPhone(SHEENA);
      expect(contact).toMatchObject({ wa_id: "16505551234", name: raw.entry[0].changes[0].value.contacts?.[0]?.profile?.name ?? null });
      // Meta's examples date from 2025: older than Meta retries a webhook, so their time is the receive time
      expect(Math.abs(row.created_at - Date.now())).toBeLessThan(60_000);
      expect(contact.last_inbound_at).toBe(row.created_at);
      const page = await jsonOf(await api(`/v1/conversations/${row.conversation_id}/messages`, { key }));
      expect(page.data.map((x: { wamid: string }) => x.wamid)).toEqual([m.id]);
      // a re-delivery (Meta delivers at least once) changes nothing
      await post(name);
      await processed();
      expect(await messageCount()).toBe(1);
    });
  }

  it("inbound_button_quick_reply: Meta's example taps a quick reply labelled Unsubscribe, which opts the contact out of marketing", async () => {
    await post("inbound_button_quick_reply");
    await inboundArrives("wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUU0M0MxQzQzMUJCMTMwNUZFOQA=");
    expect((await contactByPhone(SHEENA)).opted_in).toBe(0);
  });

  it("inbound_text_username: a username user with no phone number becomes a contact keyed by BSUID", async () => {
    await post("inbound_text_username");
    const row = await inboundArrives("wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=");
    const contact = await first(`SELECT * FROM contacts WHERE id = ?`, row.contact_id);
    expect(contact).toMatchObject({ phone: null, wa_id: null, user_id: "US.13491208655302741918", username: "@realsheenanelson", name: "Sheena Nelson" });
    const listed = await jsonOf(await api(`/v1/contacts/${contact.id}`, { key }));
    expect(listed).toMatchObject({ phone: null, userId: "US.13491208655302741918", username: "@realsheenanelson", name: "Sheena Nelson" });
    const conversations = await jsonOf(await api("/v1/conversations", { key }));
    expect(conversations.data[0].contact).toEqual({ phone: null, userId: "US.13491208655302741918", name: "Sheena Nelson" });
  });

  it("inbound_system_user_changed_number: the contact moves to the new number; no message, no window", async () => {
    const before = await seed({
      party: { phone: SHEENA, waId: "16505551234" }, metaPhoneNumberId: PHONE_ID, direction: "inbound", kind: "text", body: "hi", payload: {},
      wamid: "wamid.before-change", at: Date.now() - 3 * 24 * 3600_000,
    }, "delivered");
    await post("inbound_system_user_changed_number");
    await vi.waitFor(async () => expect(await contactByPhone("+12195555358")).not.toBeNull());
    const contact = await contactByPhone("+12195555358");
    expect(contact).toMatchObject({ id: before!.contactId, wa_id: "12195555358" });
    expect(contact.last_inbound_at).toBeLessThan(Date.now() - 2 * 24 * 3600_000);
    expect(await contactByPhone(SHEENA)).toBeNull();
    expect(await messageByWamid("wamid.HBgLMTk4MzU1NTE5NzQVAgASGAoxMTgyMDg2MjY3AA==")).toBeNull();
  });

  it("inbound_edit and inbound_revoke: the original message is edited, then deleted", async () => {
    const original = "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=";
    const stored = await seed({
      party: { phone: SHEENA }, metaPhoneNumberId: PHONE_ID, direction: "inbound", kind: "image", body: "Old caption", payload: {}, wamid: original,
    }, "delivered");
    await post("inbound_edit");
    await vi.waitFor(async () => expect((await messageByWamid(original)).body).toBe("Updated image caption"));
    expect((await messageByWamid(original)).edited_at).not.toBeNull();
    await post("inbound_revoke");
    await vi.waitFor(async () => expect((await messageByWamid(original)).deleted_at).not.toBeNull());
    const page = await jsonOf(await api(`/v1/conversations/${stored!.conversationId}/messages`, { key }));
    expect(page.data).toEqual([expect.objectContaining({ wamid: original, body: null, editedAt: expect.any(String), deletedAt: expect.any(String) })]);
    // neither is a message of its own
    expect(await messageCount()).toBe(1);
  });
});

describe("Meta's status examples", () => {
  it("status_sent_pricing: sent (pricing rides on sent too)", async () => {
    const id = await seed({
      party: { phone: SHEENA }, metaPhoneNumberId: PHONE_ID, direction: "outbound", kind: "template", body: "hi", payload: {}, wamid: WAMID_OUT,
    }, "sending");
    await post("status_sent_pricing");
    expect(await statusBecomes(id!.messageId, "sent")).toMatchObject({ wamid: WAMID_OUT, error: null });
  });

  it("status_delivered_username: delivered to a BSUID recipient, whose contact learns the BSUID", async () => {
    const id = await sentMessage();
    await post("status_delivered_username");
    await statusBecomes(id, "delivered");
    expect((await contactByPhone(SHEENA)).user_id).toBe("US.13491208655302741918");
  });

  it("status_failed_131049: failed, with Meta's error", async () => {
    const id = await sentMessage();
    await post("status_failed_131049");
    const m = await statusBecomes(id, "failed");
    expect(m.error).toMatchObject({ source: "meta", code: 131049, details: "In order to maintain a healthy ecosystem engagement, the message failed to be delivered." });
  });

  it("status_failed_132015_string_code: an error code sent as a string is applied", async () => {
    const id = await sentMessage();
    await post("status_failed_132015_string_code");
    expect((await statusBecomes(id, "failed")).error).toMatchObject({ code: 132015 });
  });

  it("status_played: a voice note played after it was read", async () => {
    const id = await sentMessage();
    await rows(`UPDATE messages SET status = 'read' WHERE id = ?`, id);
    await post("status_played");
    await statusBecomes(id, "played");
  });
});

describe("Meta's template examples", () => {
  it("template_status_approved: a pending template becomes sendable (Meta's hyphenated language matched too)", async () => {
    const id = await template({ metaTemplateId: "9", name: "order_confirmation", language: "en_US", category: "UTILITY", status: "PENDING" });
    await post("template_status_approved");
    await vi.waitFor(async () => expect((await templateRow(id)).status).toBe("APPROVED"));
  });

  it("template_status_rejected: rejected, with Meta's reason", async () => {
    const id = await template({ metaTemplateId: "1689556908129835", name: "abandoned_cart", language: "en", category: "MARKETING", status: "PENDING" });
    await post("template_status_rejected");
    await vi.waitFor(async () => expect(await templateRow(id)).toMatchObject({ status: "REJECTED", rejected_reason: "INVALID_FORMAT" }));
  });

  it("template_status_flagged: quality at risk, still APPROVED and sendable", async () => {
    const id = await template({ metaTemplateId: "1689556908129832", name: "order_confirmation", language: "en_US", category: "UTILITY", status: "APPROVED" });
    await post("template_status_flagged");
    await vi.waitFor(async () => expect((await templateRow(id)).flagged_at).not.toBeNull());
    expect((await templateRow(id)).status).toBe("APPROVED");
  });

  it("template_quality_update (labelled message_template_status_update by Meta) changes no status", async () => {
    const id = await template({ metaTemplateId: "806312974732579", name: "welcome_template", language: "en_US", category: "MARKETING", status: "APPROVED" });
    await post("template_quality_update");
    await post("template_category_update"); // processed after it
    await vi.waitFor(async () => expect((await templateRow(id)).category).toBe("MARKETING"));
    expect((await templateRow(id)).status).toBe("APPROVED");
  });

  it("template_category_update_impending changes nothing; template_category_update re-categorises", async () => {
    const id = await template({ metaTemplateId: "278077987957091", name: "welcome_template", language: "en_US", category: "UTILITY", status: "APPROVED" });
    await post("template_category_update_impending");
    await post("template_category_update");
    await vi.waitFor(async () => expect((await templateRow(id)).category).toBe("MARKETING"));
    const page = await jsonOf(await api("/v1/templates", { key }));
    expect(page.data).toEqual([expect.objectContaining({ name: "welcome_template", category: "MARKETING" })]);
  });
});

describe("Meta's account examples", () => {
  it("user_preferences_stop and _resume set the contact's marketing opt-in", async () => {
    await post("user_preferences_stop");
    await vi.waitFor(async () => expect((await contactByPhone(SHEENA))?.opted_in).toBe(0));
    await post("user_preferences_resume");
    await vi.waitFor(async () => expect((await contactByPhone(SHEENA))?.opted_in).toBe(1));
  });

  it("system_errors: recorded for the operator", async () => {
    await post("system_errors");
    await vi.waitFor(async () => {
      const alerts = await jsonOf(await api(`/admin/wabas/${waba.id}/alerts`, { key: "wbiz-local-admin-token" }));
      expect(alerts.data).toEqual([expect.objectContaining({ code: 130429, title: "Rate limit hit", metaPhoneNumberId: PHONE_ID })]);
    });
  });
});
