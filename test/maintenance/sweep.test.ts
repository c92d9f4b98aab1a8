import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { recordMessage } from "../../src/inbox/record-message";
import { STALE_AFTER_MS, sweep } from "../../src/maintenance/sweep";
import { api, jsonOf } from "../helpers/api";
import { emulateInbound, emulatorSends } from "../helpers/emulator";
import { createMessagingTenant, messageRow } from "../helpers/messaging";
import { received, receiverUrl } from "../helpers/receiver";

const later = () => Date.now() + STALE_AFTER_MS + 1000;

describe("scheduled sweep", () => {
  it("re-queues an accepted send whose queue message was lost, and it is sent once", async () => {
    const t = await createMessagingTenant();
    // stored as queued, but never put on the queue
    const lost = await recordMessage(t.db, {
      wabaId: t.waba.id, party: { phone: "+919812345678" }, metaPhoneNumberId: t.defaultPhone, direction: "outbound", kind: "text", body: "hi",
      payload: { messaging_product: "whatsapp", recipient_type: "individual", to: "+919812345678", type: "text", text: { body: "hi" } },
      status: "queued", apiKeyId: t.key.id,
    });
    expect((await sweep(env, Date.now())).sends).toBe(0); // not stale yet
    expect((await sweep(env, later())).sends).toBeGreaterThanOrEqual(1);
    await vi.waitFor(async () => expect((await messageRow(t, lost!.messageId))?.status).toBe("sent"));
    await sweep(env, later());
    await vi.waitFor(async () => expect(await emulatorSends(t.defaultPhone)).toHaveLength(1));
  });

  it("re-queues a webhook delivery left pending", async () => {
    const t = await createMessagingTenant();
    const { url, path } = receiverUrl("sweep");
    await api("/v1/webhooks", { key: t.secret, method: "POST", json: { url, events: ["message.received"] } });
    await emulateInbound({ phoneNumberId: t.defaultPhone, from: "919812345678", type: "text", text: { body: "hi" } });
    await vi.waitFor(async () => expect(await received(path)).toHaveLength(1));
    // as if the queue message of a delivery had been lost
    await env.DB.prepare("UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ? WHERE endpoint_id IN (SELECT id FROM webhook_endpoints WHERE url = ?)").bind(Date.now(), url).run();
    await sweep(env, later());
    await vi.waitFor(async () => expect(await received(path)).toHaveLength(2));
    const endpoint = (await jsonOf(await api("/v1/webhooks", { key: t.secret }))).data[0];
    const [delivery] = (await jsonOf(await api(`/v1/webhooks/${endpoint.id}/deliveries`, { key: t.secret }))).data;
    expect(delivery.status).toBe("succeeded");
  });
});
