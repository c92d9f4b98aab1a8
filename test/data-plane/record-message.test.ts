import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { recordMessage } from "../../src/data-plane/messages";
import { createTenant } from "../helpers/tenant";
import { inWaba, schema, seedMessage, wabaDb } from "../helpers/waba";

describe("recordMessage", () => {
  it("creates the contact and conversation, opens the window and counts unread on inbound", async () => {
    const t = await createTenant();
    const base = { party: { phone: "+919812345678" }, metaPhoneNumberId: t.phones[0]!.metaPhoneNumberId, kind: "text", payload: {} };
    const first = await seedMessage(t, { ...base, direction: "inbound", body: "hi", status: "delivered", wamid: "wamid.in1", party: { phone: "+919812345678", profileName: "Aarav" }, at: 1_700_000_000_000 });
    expect(first).not.toBeNull();
    const again = await seedMessage(t, { ...base, direction: "inbound", body: "hi", status: "delivered", wamid: "wamid.in1", party: { phone: "+919812345678", profileName: "Aarav" } });
    expect(again).toBeNull();
    const reply = await seedMessage(t, { ...base, direction: "outbound", body: "hello", status: "queued" });
    expect(reply?.conversationId).toBe(first!.conversationId);
    expect(reply!.lastMessageAt).toBeGreaterThan(first!.lastMessageAt);
    const contact = await wabaDb(t, (db) => db.select().from(schema.contacts).where(eq(schema.contacts.id, first!.contactId)).get());
    expect(contact).toMatchObject({ name: "Aarav", lastInboundAt: 1_700_000_000_000 });
    const conversation = await wabaDb(t, (db) => db.select().from(schema.conversations).where(eq(schema.conversations.id, first!.conversationId)).get());
    expect(conversation).toMatchObject({ unreadCount: 1, status: "open" });
  });

  it("keeps lastMessageAt unique per WABA even when many conversations are bumped at once", async () => {
    const t = await createTenant();
    const message = (i: number) => ({
      party: { phone: `+9198123${String(45000 + i)}` }, metaPhoneNumberId: t.phones[0]!.metaPhoneNumberId,
      direction: "inbound" as const, kind: "text", body: "x", payload: {}, status: "delivered" as const, wamid: `wamid.burst${i}`,
    });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => seedMessage(t, message(i))));
    // and 40 more recorded at one and the same instant
    const sameInstant = await inWaba(t, (s) => Array.from({ length: 40 }, (_, i) => recordMessage(s, message(40 + i))), Date.now());
    const times = [...results, ...sameInstant].map((r) => r!.lastMessageAt);
    expect(new Set(times).size).toBe(80);
  });
});
