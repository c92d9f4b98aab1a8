import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { migrateStore } from "../../src/durable-objects/waba-store";
import migrations from "../../src/data-plane/migrations/bundle";
import { api, jsonOf } from "../helpers/api";
import { addFault, emulatorSends } from "../helpers/emulator";
import { createMessagingTenant, inboundFrom, messageRow } from "../helpers/messaging";
import { messagesChange, postMetaWebhook, statusItem } from "../helpers/meta-webhook";
import { runQueue } from "../helpers/queues";
import { createTenant } from "../helpers/tenant";
import { storeOf, wabaSql } from "../helpers/waba";

const TO = "+919812345678";

describe("a WABA object's schema", () => {
  it("an object created on an older schema is upgraded when it starts, keeping its rows", async () => {
    const t = await createTenant();
    const entries = migrations.journal.entries;
    expect(entries.length).toBeGreaterThanOrEqual(2);
    const result = await runInDurableObject(storeOf(t), async (_instance, state) => {
      const sql = state.storage.sql;
      // back to the object as the first migration left it, with a message in it
      for (const { name } of sql.exec(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'`).toArray() as Array<{ name: string }>) {
        sql.exec(`DROP TABLE IF EXISTS "${name}"`);
      }
      const first = entries[0]!;
      for (const stmt of migrations.migrations.m0000.split("--> statement-breakpoint")) if (stmt.trim()) sql.exec(stmt);
      sql.exec(`CREATE TABLE "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`);
      sql.exec(`INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES ('', ?)`, first.when);
      sql.exec(`INSERT INTO contacts (id, phone, custom_fields, opted_in, created_at, updated_at) VALUES ('c1', '+919812345678', '{}', 1, 1, 1)`);
      sql.exec(`INSERT INTO conversations (id, contact_id, channel, status, last_message_at, unread_count, created_at) VALUES ('v1', 'c1', 'whatsapp', 'open', 1, 0, 1)`);
      sql.exec(
        `INSERT INTO messages (id, conversation_id, contact_id, meta_phone_number_id, direction, kind, body, payload, status, created_at, updated_at)
         VALUES ('m1', 'v1', 'c1', '1', 'inbound', 'text', 'kept', '{}', 'delivered', 1, 1)`,
      );
      const before = (sql.exec(`SELECT name FROM pragma_table_info('messages')`).toArray() as Array<{ name: string }>).map((c) => c.name);
      // what the object's constructor does when it starts
      await migrateStore(state.storage);
      const after = (sql.exec(`SELECT name FROM pragma_table_info('messages')`).toArray() as Array<{ name: string }>).map((c) => c.name);
      const applied = sql.exec(`SELECT count(*) AS n FROM "__drizzle_migrations"`).one() as { n: number };
      const row = sql.exec(`SELECT body, pruned_at FROM messages WHERE id = 'm1'`).one();
      return { before, after, applied: applied.n, row };
    });
    expect(result.before).not.toContain("pruned_at");
    expect(result.after).toContain("pruned_at");
    expect(result.applied).toBe(entries.length);
    expect(result.row).toEqual({ body: "kept", pruned_at: null });
    // and the object serves it
    await runInDurableObject(storeOf(t), (_i, state) => migrateStore(state.storage)); // idempotent
  });
});

describe("an object that restarts mid-relay", () => {
  /** The object is evicted: memory (waiters, cached control record) is gone, storage stays. */
  const restart = (t: { waba: { id: string } }) => runInDurableObject(storeOf(t), (_i, state) => state.abort("restart")).catch(() => undefined);

  it("a claim survives the restart: a redelivered job waits for its lease, then finds the send done — Meta gets it once", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    // Meta accepts the send but its answer is lost (outcome unknown to the relay)
    await addFault({ phoneNumberId: t.defaultPhone, action: "lost_answer", ms: 3000 });
    const res = await api("/v1/messages/text", { key: t.secret, method: "POST", json: { to: TO, body: "once" }, headers: { Prefer: "respond-async" } });
    const { id } = await jsonOf(res);
    await vi.waitFor(async () => expect((await emulatorSends(t.defaultPhone)).length).toBe(1));
    await restart(t);
    // a redelivery while the first attempt's claim is live does not send
    const again = await runQueue("wbiz-sends", [{ wabaId: t.waba.id, messageId: id }]);
    expect(again.retryMessages).toHaveLength(1);
    // Meta's sent status links the message by its callback data; a later redelivery then acks
    const sends = await emulatorSends(t.defaultPhone);
    await postMetaWebhook(messagesChange(t.metaWabaId, t.defaultPhone, { statuses: [statusItem(sends[0]!.wamid, "sent", { biz_opaque_callback_data: id })] }));
    await vi.waitFor(async () => expect((await messageRow(t, id))?.status).toBe("sent"));
    await restart(t);
    const last = await runQueue("wbiz-sends", [{ wabaId: t.waba.id, messageId: id }]);
    expect(last.explicitAcks).toHaveLength(1);
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(1);
  });

  it("statuses that came before the wamid are kept across a restart and applied once it is stored", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    const { id } = await jsonOf(await api("/v1/messages/text", { key: t.secret, method: "POST", json: { to: TO, body: "x" }, headers: { Prefer: "respond-async" } }));
    await vi.waitFor(async () => expect((await messageRow(t, id))?.status).toBe("sent"));
    // as if the relay's write of the wamid had not happened yet
    await wabaSql(t, `UPDATE messages SET wamid = NULL, status = 'sending' WHERE id = ?`, id);
    const wamid = `wamid.late-${id}`;
    await postMetaWebhook(messagesChange(t.metaWabaId, t.defaultPhone, { statuses: [statusItem(wamid, "delivered"), statusItem(wamid, "read")] }));
    await vi.waitFor(async () => expect(await wabaSql(t, `SELECT status FROM pending_statuses WHERE wamid = ?`, wamid)).toHaveLength(2));
    await restart(t);
    await runQueue("wbiz-sends", [{ wabaId: t.waba.id, messageId: id, recordWamid: wamid }]);
    expect((await messageRow(t, id))?.status).toBe("read");
    expect(await wabaSql(t, `SELECT * FROM pending_statuses WHERE wamid = ?`, wamid)).toEqual([]);
  });
});

describe("retention", () => {
  it("the object's sweep prunes message bodies past the retention age and keeps the messages", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO, 60);
    const now = Date.now();
    const early = await storeOf(t).sweepNow(t.waba.id, now);
    expect(early.pruned).toBe(0);
    const late = await storeOf(t).sweepNow(t.waba.id, now + 181 * 24 * 3600_000);
    expect(late.pruned).toBe(1);
    const [row] = await wabaSql<{ body: string | null; payload: string; pruned_at: number | null; status: string }>(t, `SELECT body, payload, pruned_at, status FROM messages`);
    expect(row).toMatchObject({ body: null, payload: "{}", status: "delivered" });
    expect(row!.pruned_at).not.toBeNull();
  });
});
