import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { newId } from "../../src/db/ids";
import { api, jsonOf } from "../helpers/api";
import { expectInvalid, expectOneReadAPage, walk, warm } from "../helpers/lists";
import { addKey, createTenant, type Tenant } from "../helpers/tenant";
import { schema, seedMessage, wabaDb } from "../helpers/waba";

const { conversations } = schema;

const inbound = (t: Tenant, phone: string, n: number, profileName?: string) =>
  seedMessage(t, {
    party: { phone, profileName }, metaPhoneNumberId: t.phones[0]!.metaPhoneNumberId, direction: "inbound", kind: "text",
    body: `message ${n}`, payload: {}, status: "delivered", wamid: `wamid.${t.waba.id}.${phone}.${n}`,
  });

const phone = (i: number) => `+1415555${String(1000 + i)}`;

/** n conversations recorded concurrently: many land in the same millisecond. */
async function burst(t: Tenant, n: number) {
  const recorded = await Promise.all(Array.from({ length: n }, (_, i) => inbound(t, phone(i), 0)));
  return recorded.map((r) => r!);
}

type Item = { id: string; contact: { phone: string; name: string | null }; channel: string; status: string; lastMessageAt: string; unreadCount: number };

async function list(t: Tenant, query = "") {
  const res = await api(`/v1/conversations${query}`, { key: t.secret });
  expect(res.status).toBe(200);
  return jsonOf<{ data: Item[]; nextCursor: string | null }>(res);
}

describe("GET /v1/conversations", () => {
  it("lists conversations newest lastMessageAt first, with contact, channel, status and unread count", async () => {
    const t = await createTenant();
    const aarav = await inbound(t, "+919812345678", 1, "Aarav Sharma");
    const john = await inbound(t, "+14155550123", 1);
    await inbound(t, "+919812345678", 2);
    const body = await list(t);
    expect(body.nextCursor).toBeNull();
    expect(body.data).toEqual([
      { id: aarav!.conversationId, contact: { phone: "+919812345678", userId: null, name: "Aarav Sharma" }, channel: "whatsapp", status: "open", lastMessageAt: expect.any(String), unreadCount: 2 },
      { id: john!.conversationId, contact: { phone: "+14155550123", userId: null, name: null }, channel: "whatsapp", status: "open", lastMessageAt: new Date(john!.lastMessageAt).toISOString(), unreadCount: 1 },
    ]);
    expect(Date.parse(body.data[0]!.lastMessageAt)).toBeGreaterThan(Date.parse(body.data[1]!.lastMessageAt));
  });

  it("a walk visits every conversation exactly once, newest first, when many were bumped in the same millisecond", async () => {
    const t = await createTenant();
    const recorded = await burst(t, 60);
    await warm(t.secret);
    const { items, pages } = await walk<Item>("/v1/conversations", t.secret, { limit: 7, onePerPage: true });
    expect(pages).toBe(9);
    expect(items.map((i) => i.id).sort()).toEqual(recorded.map((r) => r.conversationId).sort());
    const times = items.map((i) => Date.parse(i.lastMessageAt));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeLessThan(times[i - 1]!);

    // nextCursor is the last item's lastMessageAt, and the next page starts strictly before it
    const first = await list(t, "?limit=10");
    const second = await list(t, `?limit=10&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(first.nextCursor).toBe(first.data[9]!.lastMessageAt);
    expect(Date.parse(second.data[0]!.lastMessageAt)).toBeLessThan(Date.parse(first.nextCursor!));
  });

  it("pages 25 by default and up to 100", async () => {
    const t = await createTenant();
    await burst(t, 105);
    const first = await list(t);
    expect(first.data).toHaveLength(25);
    expect(first.nextCursor).toBe(first.data[24]!.lastMessageAt);
    const big = await list(t, "?limit=100");
    expect(big.data).toHaveLength(100);
    const rest = await list(t, `?limit=100&cursor=${encodeURIComponent(big.nextCursor!)}`);
    expect(rest.data).toHaveLength(5);
    expect(rest.nextCursor).toBeNull();
  });

  it("filters by status, and walks a filtered list exactly once", async () => {
    const t = await createTenant();
    const recorded = await burst(t, 30);
    const closed = recorded.filter((_, i) => i % 3 === 0).map((r) => r.conversationId);
    for (const id of closed) await wabaDb(t, (db) => db.update(conversations).set({ status: "closed" }).where(eq(conversations.id, id)).run());
    const { items } = await walk<Item>("/v1/conversations?status=closed", t.secret, { limit: 4 });
    expect(items.map((i) => i.id).sort()).toEqual([...closed].sort());
    expect(items.every((i) => i.status === "closed")).toBe(true);
    const open = await walk<Item>("/v1/conversations?status=open", t.secret, { limit: 6 });
    expect(open.items).toHaveLength(20);
    expect(open.items.every((i) => i.status === "open")).toBe(true);
  });

  it("filters by channel", async () => {
    const t = await createTenant();
    const wa = await inbound(t, "+919812345678", 1);
    // a Messenger thread with the same contact (not produced by the WhatsApp relay yet)
    const id = newId();
    await wabaDb(t, (db) => db.insert(conversations).values({ id, contactId: wa!.contactId, channel: "messenger", status: "open", lastMessageAt: wa!.lastMessageAt - 5, unreadCount: 0, createdAt: Date.now() }).run());
    expect((await list(t, "?channel=messenger")).data.map((i) => i.id)).toEqual([id]);
    expect((await list(t, "?channel=whatsapp")).data.map((i) => i.id)).toEqual([wa!.conversationId]);
    expect((await list(t, "?channel=instagram")).data).toEqual([]);
    expect((await list(t, "?channel=messenger&status=closed")).data).toEqual([]);
    expect((await list(t)).data.map((i) => i.channel)).toEqual(["whatsapp", "messenger"]);
  });

  it("the cursor is any ISO time: the page holds conversations strictly older than it", async () => {
    const t = await createTenant();
    const a = await inbound(t, phone(1), 1);
    const b = await inbound(t, phone(2), 1);
    const c = await inbound(t, phone(3), 1);
    const iso = (ms: number) => new Date(ms).toISOString();
    expect((await list(t, `?cursor=${iso(c!.lastMessageAt)}`)).data.map((i) => i.id)).toEqual([b!.conversationId, a!.conversationId]);
    expect((await list(t, `?cursor=${iso(b!.lastMessageAt)}`)).data.map((i) => i.id)).toEqual([a!.conversationId]);
    expect((await list(t, `?cursor=${iso(a!.lastMessageAt)}`)).data).toEqual([]);
    // the same instant written with an offset
    const shifted = new Date(c!.lastMessageAt + 5.5 * 3600_000).toISOString().replace("Z", "+05:30");
    expect((await list(t, `?cursor=${encodeURIComponent(shifted)}`)).data).toHaveLength(2);
  });

  it("400 VALIDATION_FAILED naming the param; unknown params are ignored", async () => {
    const t = await createTenant();
    for (const limit of ["0", "101", "abc"]) await expectInvalid(await api(`/v1/conversations?limit=${limit}`, { key: t.secret }), "limit");
    for (const cursor of ["yesterday", "2026-13-01T00:00:00Z", "1714326132108", "65fc2e1b9a8b1c0d2e3f4a5b"]) {
      await expectInvalid(await api(`/v1/conversations?cursor=${cursor}`, { key: t.secret }), "cursor");
    }
    await expectInvalid(await api("/v1/conversations?status=pending", { key: t.secret }), "status");
    await expectInvalid(await api("/v1/conversations?channel=sms", { key: t.secret }), "channel");
    expect((await api("/v1/conversations?unread=true", { key: t.secret })).status).toBe(200);
  });

  it("one read of the WABA's object a page and no D1 query, filters included", async () => {
    const t = await createTenant();
    await burst(t, 3);
    await warm(t.secret);
    for (const q of ["", "?status=open", "?channel=whatsapp", "?status=open&channel=whatsapp&limit=1"]) {
      const res = await api(`/v1/conversations${q}`, { key: t.secret });
      expect(res.status).toBe(200);
      expectOneReadAPage(res);
    }
  });

  it("never lists another WABA's conversations", async () => {
    const t = await createTenant();
    const other = await createTenant();
    await burst(other, 5);
    const mine = await inbound(t, "+919812345678", 1);
    expect((await list(t)).data.map((i) => i.id)).toEqual([mine!.conversationId]);
  });

  it("is described in /v1/openapi.json", async () => {
    const doc = await jsonOf(await api("/v1/openapi.json"));
    const op = doc.paths["/v1/conversations"].get;
    expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(["status", "channel", "limit", "cursor"]);
    expect(op.security).toEqual([{ bearerAuth: [] }]);
  });

  it("401 without a key, 403 without inbox:read", async () => {
    const t = await createTenant();
    expect((await api("/v1/conversations")).status).toBe(401);
    const key = await addKey(t, ["contacts:read", "messages:send"]);
    const res = await api("/v1/conversations", { key: key.secret });
    expect(res.status).toBe(403);
    expect((await jsonOf(res)).error.code).toBe("INSUFFICIENT_SCOPE");
  });
});
