import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { recordMessage } from "../../src/data-plane/messages";
import { newId } from "../../src/db/ids";
import { api, jsonOf } from "../helpers/api";
import { expectInvalid, expectNotFound, expectOneReadAPage, warm } from "../helpers/lists";
import { messagesChange, postMetaWebhook } from "../helpers/meta-webhook";
import { addKey, createTenant, type Tenant } from "../helpers/tenant";
import { inWaba, schema, seedMessage, wabaDb } from "../helpers/waba";

const { contacts, conversations, messages } = schema;

type Item = { id: string; wamid: string | null; direction: string; kind: string; body: string | null; createdAt: string; status: string; error: unknown };
type PageBody = { data: Item[]; nextCursor: string | null };

/** n messages in one conversation, alternating inbound and outbound (read); returns their ids oldest first. */
async function thread(t: Tenant, n: number, phone = "+919812345678") {
  const ids: string[] = [];
  let conversationId = "";
  for (let i = 0; i < n; i++) {
    const inbound = i % 2 === 0;
    const r = await inWaba(t, (s) => {
      const recorded = recordMessage(s, {
        party: { phone }, metaPhoneNumberId: t.phones[0]!.metaPhoneNumberId, direction: inbound ? "inbound" : "outbound",
        kind: inbound ? "text" : "template", body: `message ${i}`, payload: {}, status: "delivered",
        wamid: `wamid.${t.waba.id}.${phone}.${i}`, at: 1_770_000_000_000 + i * 1000,
      });
      // the recipient has read it since
      if (recorded && !inbound) s.sql.exec(`UPDATE messages SET status = 'read' WHERE id = ?`, recorded.messageId);
      return recorded;
    });
    ids.push(r!.messageId);
    conversationId = r!.conversationId;
  }
  return { conversationId, ids };
}

async function page(t: Tenant, conversationId: string, query = "") {
  const res = await api(`/v1/conversations/${conversationId}/messages${query}`, { key: t.secret });
  expect(res.status).toBe(200);
  return jsonOf<PageBody>(res);
}

/** Newest page first, then beforeId = nextCursor until null; checks every page is chronological. */
async function walkBack(t: Tenant, conversationId: string, limit: number) {
  const pages: Item[][] = [];
  let before: string | null = null;
  do {
    const res = await api(`/v1/conversations/${conversationId}/messages?limit=${limit}${before ? `&beforeId=${before}` : ""}`, { key: t.secret });
    expect(res.status).toBe(200);
    expectOneReadAPage(res);
    const body = await jsonOf<PageBody>(res);
    const ids = body.data.map((m) => m.id);
    expect(ids).toEqual([...ids].sort());
    if (body.nextCursor !== null) {
      expect(body.data).toHaveLength(limit);
      expect(body.nextCursor).toBe(body.data[0]!.id);
    }
    pages.push(body.data);
    before = body.nextCursor;
  } while (before !== null);
  return { pages, all: pages.reverse().flat() };
}

describe("GET /v1/conversations/:id/messages", () => {
  it("returns the history in chronological order with the spec's fields", async () => {
    const t = await createTenant();
    const { conversationId, ids } = await thread(t, 3);
    const body = await page(t, conversationId);
    expect(body.nextCursor).toBeNull();
    expect(body.data).toEqual([
      { id: ids[0], wamid: `wamid.${t.waba.id}.+919812345678.0`, direction: "inbound", kind: "text", body: "message 0", createdAt: new Date(1_770_000_000_000).toISOString(), status: "delivered", error: null, editedAt: null, deletedAt: null },
      { id: ids[1], wamid: `wamid.${t.waba.id}.+919812345678.1`, direction: "outbound", kind: "template", body: "message 1", createdAt: new Date(1_770_000_001_000).toISOString(), status: "read", error: null, editedAt: null, deletedAt: null },
      { id: ids[2], wamid: `wamid.${t.waba.id}.+919812345678.2`, direction: "inbound", kind: "text", body: "message 2", createdAt: new Date(1_770_000_002_000).toISOString(), status: "delivered", error: null, editedAt: null, deletedAt: null },
    ]);
  });

  it("a failed message carries Meta's error; a queued one has no wamid yet", async () => {
    const t = await createTenant();
    const { conversationId, ids } = await thread(t, 2);
    const error = { code: 131047, title: "Re-engagement message", message: "Re-engagement message", details: "More than 24 hours have passed." };
    await wabaDb(t, (db) => db.update(messages).set({ status: "failed", error: JSON.stringify(error) }).where(eq(messages.id, ids[1]!)).run());
    const queued = await seedMessage(t, {
      party: { phone: "+919812345678" }, metaPhoneNumberId: t.phones[0]!.metaPhoneNumberId, direction: "outbound", kind: "text", body: "later", payload: {}, status: "queued",
    });
    const body = await page(t, conversationId);
    expect(body.data[1]).toMatchObject({ id: ids[1], status: "failed", error });
    expect(body.data[2]).toMatchObject({ id: queued!.messageId, wamid: null, status: "queued", error: null });
  });

  it("pages 50 by default, newest page first; beforeId walks back through every message exactly once", async () => {
    const t = await createTenant();
    const { conversationId, ids } = await thread(t, 130);
    await warm(t.secret);
    const first = await page(t, conversationId);
    expect(first.data.map((m) => m.id)).toEqual(ids.slice(80));
    expect(first.nextCursor).toBe(ids[80]);
    const second = await page(t, conversationId, `?beforeId=${first.nextCursor}`);
    expect(second.data.map((m) => m.id)).toEqual(ids.slice(30, 80));
    const third = await page(t, conversationId, `?beforeId=${second.nextCursor}`);
    expect(third.data.map((m) => m.id)).toEqual(ids.slice(0, 30));
    expect(third.nextCursor).toBeNull();

    for (const limit of [1, 7, 13, 65, 130, 200]) {
      const { all, pages } = await walkBack(t, conversationId, limit);
      expect(all.map((m) => m.id)).toEqual(ids);
      expect(pages.length).toBe(Math.ceil(130 / limit));
    }
  });

  it("messages stored concurrently with the same timestamp page exactly once", async () => {
    const t = await createTenant();
    const recorded = await Promise.all(Array.from({ length: 45 }, (_, i) =>
      seedMessage(t, {
        party: { phone: "+919812345678" }, metaPhoneNumberId: t.phones[0]!.metaPhoneNumberId, direction: "inbound", kind: "text",
        body: `burst ${i}`, payload: {}, status: "delivered", wamid: `wamid.${t.waba.id}.burst.${i}`, at: 1_770_000_000_000,
      }),
    ));
    const ids = recorded.map((r) => r!.messageId).sort();
    await warm(t.secret); // walkBack counts each page's cost: the key's own first read is not part of it
    const { all } = await walkBack(t, recorded[0]!.conversationId, 4);
    expect(all.map((m) => m.id)).toEqual(ids);
    expect(new Set(all.map((m) => m.createdAt)).size).toBe(1);
  });

  it("is described in /v1/openapi.json", async () => {
    const doc = await jsonOf(await api("/v1/openapi.json"));
    const op = doc.paths["/v1/conversations/{id}/messages"].get;
    expect(op.parameters.map((p: { name: string }) => p.name).sort()).toEqual(["beforeId", "id", "limit"]);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(["200", "400", "401", "403", "404", "429"]));
  });

  it("beforeId is exclusive: the oldest message's id gives an empty last page", async () => {
    const t = await createTenant();
    const { conversationId, ids } = await thread(t, 4);
    expect((await page(t, conversationId, `?beforeId=${ids[2]}`)).data.map((m) => m.id)).toEqual([ids[0], ids[1]]);
    expect(await page(t, conversationId, `?beforeId=${ids[0]}`)).toEqual({ data: [], nextCursor: null });
  });

  it("a conversation without messages is an empty page", async () => {
    const t = await createTenant();
    const { conversationId } = await thread(t, 1);
    const [contact] = await wabaDb(t, (db) => db.select({ contactId: conversations.contactId }).from(conversations).where(eq(conversations.id, conversationId)).all());
    const empty = newId();
    await wabaDb(t, (db) => db.insert(conversations).values({ id: empty, contactId: contact!.contactId, channel: "instagram", status: "open", lastMessageAt: 1, unreadCount: 0, createdAt: 1 }).run());
    expect(await page(t, empty)).toEqual({ data: [], nextCursor: null });
  });

  it("400 VALIDATION_FAILED naming the param: limit bounds, malformed beforeId, or one from another conversation", async () => {
    const t = await createTenant();
    const { conversationId } = await thread(t, 3);
    const other = await thread(t, 2, "+14155550123");
    for (const limit of ["0", "201", "abc"]) await expectInvalid(await api(`/v1/conversations/${conversationId}/messages?limit=${limit}`, { key: t.secret }), "limit");
    expect((await page(t, conversationId, "?limit=200")).data).toHaveLength(3);
    await expectInvalid(await api(`/v1/conversations/${conversationId}/messages?beforeId=nope`, { key: t.secret }), "beforeId");
    const foreign = await expectInvalid(await api(`/v1/conversations/${conversationId}/messages?beforeId=${other.ids[1]}`, { key: t.secret }), "beforeId");
    expect(foreign.error.message).toMatch(/not a message of this conversation/);
    await expectInvalid(await api(`/v1/conversations/${conversationId}/messages?beforeId=${conversationId}`, { key: t.secret }), "beforeId");
    expect((await api(`/v1/conversations/${conversationId}/messages?after=x`, { key: t.secret })).status).toBe(200);
  });

  it("unknown, another WABA's and malformed conversation ids answer the same 404", async () => {
    const t = await createTenant();
    const other = await createTenant();
    const theirs = await thread(other, 2);
    const answers = [
      await expectNotFound(await api(`/v1/conversations/${theirs.conversationId}/messages`, { key: t.secret })),
      await expectNotFound(await api(`/v1/conversations/${theirs.conversationId}/messages?beforeId=${theirs.ids[1]}`, { key: t.secret })),
      await expectNotFound(await api("/v1/conversations/0123456789abcdef01234567/messages", { key: t.secret })),
      await expectNotFound(await api("/v1/conversations/nope/messages", { key: t.secret })),
    ];
    for (const a of answers) expect(a).toEqual({ code: "NOT_FOUND", message: "Conversation not found" });
  });

  it("401 without a key, 403 without inbox:read", async () => {
    const t = await createTenant();
    const { conversationId } = await thread(t, 1);
    expect((await api(`/v1/conversations/${conversationId}/messages`)).status).toBe(401);
    const key = await addKey(t, ["contacts:read", "templates:read"]);
    const res = await api(`/v1/conversations/${conversationId}/messages`, { key: key.secret });
    expect(res.status).toBe(403);
    expect((await jsonOf(res)).error.code).toBe("INSUFFICIENT_SCOPE");
  });

  describe("messages Meta delivers late or with an absurd timestamp", () => {
    /** An inbound text through the real pipeline: signed webhook → queue → store. */
    async function inbound(t: Tenant, id: string, timestamp: string, body = id) {
      const res = await postMetaWebhook(
        messagesChange(t.waba.metaWabaId, t.phones[0]!.metaPhoneNumberId, {
          contacts: [{ profile: { name: "Aarav" }, wa_id: "919812345678" }],
          messages: [{ from: "919812345678", id, timestamp, type: "text", text: { body } }],
        }),
      );
      expect(res.status).toBe(200);
    }
    const conversationOf = async (t: Tenant) => (await jsonOf(await api("/v1/conversations", { key: t.secret }))).data[0]?.id as string | undefined;

    it("are listed in the order they were written, whatever order they arrived in, and paging stays exact", async () => {
      const t = await createTenant();
      const now = Math.floor(Date.now() / 1000);
      await inbound(t, "wamid.first", String(now - 120));
      await inbound(t, "wamid.third", String(now));
      await inbound(t, "wamid.second", String(now - 60)); // Meta delivered it last
      let conversationId: string | undefined;
      await vi.waitFor(async () => {
        conversationId = await conversationOf(t);
        expect((await page(t, conversationId!)).data).toHaveLength(3);
      });
      const listed = (await page(t, conversationId!)).data;
      expect(listed.map((m) => m.wamid)).toEqual(["wamid.first", "wamid.second", "wamid.third"]);
      const times = listed.map((m) => Date.parse(m.createdAt));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      // one at a time through beforeId: each exactly once, newest first
      const seen: string[] = [];
      let before: string | null = null;
      do {
        const body = await page(t, conversationId!, `?limit=1${before ? `&beforeId=${before}` : ""}`);
        seen.push(...body.data.map((m) => m.wamid!));
        before = body.nextCursor;
      } while (before !== null);
      expect(seen).toEqual(["wamid.third", "wamid.second", "wamid.first"]);
    });

    it("an absurd timestamp (99999999999999) is stored as the receive time: history reads, and the 24-hour window is the real one", async () => {
      const t = await createTenant();
      const before = Date.now();
      await inbound(t, "wamid.absurd", "99999999999999");
      let conversationId: string | undefined;
      await vi.waitFor(async () => {
        conversationId = await conversationOf(t);
        expect(conversationId).toBeDefined();
      });
      const res = await api(`/v1/conversations/${conversationId}/messages`, { key: t.secret });
      expect(res.status).toBe(200);
      const [m] = (await jsonOf<PageBody>(res)).data;
      expect(Date.parse(m!.createdAt)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(m!.createdAt)).toBeLessThanOrEqual(Date.now());
      const contact = await wabaDb(t, (db) => db.select().from(contacts).get());
      expect(contact!.lastInboundAt).toBe(Date.parse(m!.createdAt));
      // Meta's raw value is kept in the stored payload
      const row = await wabaDb(t, (db) => db.select().from(messages).where(eq(messages.wamid, "wamid.absurd")).get());
      expect(JSON.parse(row!.payload).timestamp).toBe("99999999999999");
    });
  });
});
