import { describe, expect, it } from "vitest";
import { recordMessage } from "../../src/inbox/record-message";
import { createTenant } from "../helpers/tenant";

describe("recordMessage", () => {
  it("creates the contact and conversation, opens the window and counts unread on inbound", async () => {
    const t = await createTenant();
    const base = { wabaId: t.waba.id, party: { phone: "+919812345678" }, metaPhoneNumberId: t.phones[0]!.metaPhoneNumberId, kind: "text", payload: {} };
    const first = await recordMessage(t.db, { ...base, direction: "inbound", body: "hi", status: "delivered", wamid: "wamid.in1", party: { phone: "+919812345678", profileName: "Aarav" }, at: 1_700_000_000_000 });
    expect(first).not.toBeNull();
    const again = await recordMessage(t.db, { ...base, direction: "inbound", body: "hi", status: "delivered", wamid: "wamid.in1", party: { phone: "+919812345678", profileName: "Aarav" } });
    expect(again).toBeNull();
    const reply = await recordMessage(t.db, { ...base, direction: "outbound", body: "hello", status: "queued" });
    expect(reply?.conversationId).toBe(first!.conversationId);
    expect(reply!.lastMessageAt).toBeGreaterThan(first!.lastMessageAt);
    const contact = await t.db.query.contacts.findFirst({ where: (c, { eq }) => eq(c.id, first!.contactId) });
    expect(contact).toMatchObject({ name: "Aarav", lastInboundAt: 1_700_000_000_000 });
    const conversation = await t.db.query.conversations.findFirst({ where: (c, { eq }) => eq(c.id, first!.conversationId) });
    expect(conversation).toMatchObject({ unreadCount: 1, status: "open" });
  });

  it("keeps lastMessageAt unique per WABA even when many conversations are bumped at once", async () => {
    const t = await createTenant();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        recordMessage(t.db, {
          wabaId: t.waba.id, party: { phone: `+9198123${String(45000 + i)}` }, metaPhoneNumberId: t.phones[0]!.metaPhoneNumberId,
          direction: "inbound", kind: "text", body: "x", payload: {}, status: "delivered", wamid: `wamid.burst${i}`,
        }),
      ),
    );
    const times = results.map((r) => r!.lastMessageAt);
    expect(new Set(times).size).toBe(40);
  });
});
