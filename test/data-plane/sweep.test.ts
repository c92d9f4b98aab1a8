import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { STALE_AFTER_MS } from "../../src/data-plane/maintenance";
import { api, jsonOf } from "../helpers/api";
import { emulateInbound, emulatorSends } from "../helpers/emulator";
import { createMessagingTenant, inboundFrom, messageByWamid, messageRow, type MessagingTenant } from "../helpers/messaging";
import { received, receiverUrl } from "../helpers/receiver";
import { seedMessage, storeOf, wabaSql } from "../helpers/waba";

// The safety net behind "nothing accepted is lost": each WABA object's alarm runs the sweep
// (src/data-plane/maintenance.ts); store.sweepNow(wabaId, now) runs the same sweep on demand, at a
// chosen time.

const TO = "+919812345678";
const later = () => Date.now() + STALE_AFTER_MS + 1000;

/** An accepted send stored as queued whose queue message never went out (seeding queues nothing). */
function lostSend(t: MessagingTenant, at?: number) {
  return seedMessage(t, {
    party: { phone: TO }, metaPhoneNumberId: t.defaultPhone, direction: "outbound", kind: "text", body: "hi",
    payload: { messaging_product: "whatsapp", recipient_type: "individual", to: TO, type: "text", text: { body: "hi" } },
    status: "queued", apiKeyId: t.key.id, at,
  });
}

describe("the WABA object's sweep", () => {
  it("re-queues an accepted send whose queue message was lost, and it is sent once", async () => {
    const t = await createMessagingTenant();
    const lost = await lostSend(t);
    const store = storeOf(t);
    expect((await store.sweepNow(t.waba.id, Date.now())).sends).toBe(0); // not stale yet
    expect((await store.sweepNow(t.waba.id, later())).sends).toBe(1);
    await vi.waitFor(async () => expect((await messageRow(t, lost!.messageId))?.status).toBe("sent"));
    // sent: a later sweep leaves it alone
    expect((await store.sweepNow(t.waba.id, later())).sends).toBe(0);
    await vi.waitFor(async () => expect(await emulatorSends(t.defaultPhone)).toHaveLength(1));
  });

  it("re-queues a webhook delivery left pending", async () => {
    const t = await createMessagingTenant();
    const { url, path } = receiverUrl("sweep");
    await api("/v1/webhooks", { key: t.secret, method: "POST", json: { url, events: ["message.received"] } });
    await emulateInbound({ phoneNumberId: t.defaultPhone, from: "919812345678", type: "text", text: { body: "hi" } });
    await vi.waitFor(async () => expect(await received(path)).toHaveLength(1));
    // as if the queue message of a delivery had been lost
    await wabaSql(t, "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ? WHERE endpoint_id IN (SELECT id FROM webhook_endpoints WHERE url = ?)", Date.now(), url);
    expect((await storeOf(t).sweepNow(t.waba.id, later())).deliveries).toBe(1);
    await vi.waitFor(async () => expect(await received(path)).toHaveLength(2));
    const endpoint = (await jsonOf(await api("/v1/webhooks", { key: t.secret }))).data[0];
    const [delivery] = (await jsonOf(await api(`/v1/webhooks/${endpoint.id}/deliveries`, { key: t.secret }))).data;
    expect(delivery.status).toBe("succeeded");
  });

  it("applies statuses that came before their send's wamid was stored, in order, once", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    const { wamid } = await jsonOf(await api("/v1/messages/text", { key: t.secret, method: "POST", json: { to: TO, body: "x" } }));
    const row = await messageByWamid(t, wamid);
    expect(row).toMatchObject({ status: "sent", direction: "outbound" });
    const id = row!.id;
    // Meta's delivered and read came first and were kept; nothing applied them once the wamid was stored
    const early = Date.now();
    for (const status of ["read", "delivered"]) {
      await wabaSql(t, "INSERT INTO pending_statuses (wamid, status, payload, received_at) VALUES (?, ?, ?, ?)", row!.wamid, status, JSON.stringify({ error: null, recipientUserId: null }), early);
    }
    // and one for a wamid no message has (yet)
    await wabaSql(t, "INSERT INTO pending_statuses (wamid, status, payload, received_at) VALUES (?, ?, ?, ?)", "wamid.unknown", "delivered", JSON.stringify({ error: null, recipientUserId: null }), early);

    expect((await storeOf(t).sweepNow(t.waba.id, Date.now())).pendingStatuses).toBe(1);
    expect((await messageRow(t, id))?.status).toBe("read");
    expect(await jsonOf(await api(`/v1/messages/${id}`, { key: t.secret }))).toMatchObject({ status: "read" });
    expect(await wabaSql(t, "SELECT wamid FROM pending_statuses")).toEqual([{ wamid: "wamid.unknown" }]);
    // applied once: the next sweep finds nothing to apply
    expect((await storeOf(t).sweepNow(t.waba.id, Date.now())).pendingStatuses).toBe(0);
    // a status whose message never turns up is dropped after a week
    await storeOf(t).sweepNow(t.waba.id, early + 8 * 24 * 3600_000);
    expect(await wabaSql(t, "SELECT wamid FROM pending_statuses")).toEqual([]);
  });

  it("runs from the object's alarm: a send lost over an hour ago is sent once", async () => {
    const t = await createMessagingTenant();
    const lost = await lostSend(t, Date.now() - STALE_AFTER_MS - 60_000);
    // stored over an hour ago (seeded at that time), with the alarm its send set then
    await runInDurableObject(storeOf(t), (_instance, state) => {
      state.storage.sql.exec("UPDATE messages SET updated_at = created_at WHERE id = ?", lost!.messageId);
      return state.storage.setAlarm(Date.now() + 60_000);
    });
    // alarms run on an object started afresh (evicted since): nothing of it is in memory
    await runInDurableObject(storeOf(t), (_instance, state) => state.abort("evicted")).catch(() => undefined);
    expect(await runDurableObjectAlarm(storeOf(t))).toBe(true);
    await vi.waitFor(async () => expect((await messageRow(t, lost!.messageId))?.status).toBe("sent"));
    await vi.waitFor(async () => expect(await emulatorSends(t.defaultPhone)).toHaveLength(1));
    // the object keeps an alarm set for what comes next
    expect(await runInDurableObject(storeOf(t), (_instance, state) => state.storage.getAlarm())).not.toBeNull();
  });
});
