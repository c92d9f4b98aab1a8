import { describe, expect, it } from "vitest";
import { api, jsonOf } from "../helpers/api";
import { emulatorSends } from "../helpers/emulator";
import { createMessagingTenant, inboundFrom } from "../helpers/messaging";
import { createTenant } from "../helpers/tenant";
import { outboundMessages } from "../helpers/waba";

const TO = "+919812345678";

describe("POST /v1/messages/text", () => {
  it("sends inside the 24-hour window and answers Meta's wamid", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO, 60);
    const res = await api("/v1/messages/text", { key: t.secret, method: "POST", json: { to: TO, body: "Hi! Your order #4827 has shipped." } });
    expect(res.status).toBe(200);
    const { wamid } = await jsonOf(res);
    expect(wamid).toMatch(/^wamid\.[A-Za-z0-9+/=]+$/);
    expect(res.headers.get("X-RateLimit-Limit")).toBe("6000");

    const sent = await emulatorSends(t.defaultPhone);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.wamid).toBe(wamid);
    expect(sent[0]!.body).toMatchObject({ messaging_product: "whatsapp", to: TO, type: "text", text: { body: "Hi! Your order #4827 has shipped." } });
    expect((sent[0]!.body as { biz_opaque_callback_data: string }).biz_opaque_callback_data).toMatch(/^[0-9a-f]{24}$/);

    const status = await api(`/v1/messages/${(sent[0]!.body as { biz_opaque_callback_data: string }).biz_opaque_callback_data}`, { key: t.secret });
    expect(await jsonOf(status)).toMatchObject({ wamid, status: "sent", to: TO, kind: "text", phoneNumberId: t.defaultPhone, error: null });
  });

  it("normalises the recipient: +91 98123 45678 is the same contact as +919812345678", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    const res = await api("/v1/messages/text", { key: t.secret, method: "POST", json: { to: "+91 98123 45678", body: "hi" } });
    expect(res.status).toBe(200);
    expect((await emulatorSends(t.defaultPhone))[0]!.to).toBe(TO);
  });

  it("uses phoneNumberId when given, the WABA's default number otherwise", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    const second = t.phones[1]!.metaPhoneNumberId;
    expect((await api("/v1/messages/text", { key: t.secret, method: "POST", json: { to: TO, body: "a", phoneNumberId: second } })).status).toBe(200);
    expect(await emulatorSends(second)).toHaveLength(1);
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(0);
  });

  it("400 OUTSIDE_24H_WINDOW when the recipient never wrote or wrote over 24 hours ago; nothing is sent", async () => {
    const t = await createMessagingTenant();
    const never = await api("/v1/messages/text", { key: t.secret, method: "POST", json: { to: TO, body: "hi" } });
    expect(never.status).toBe(400);
    expect((await jsonOf(never)).error.code).toBe("OUTSIDE_24H_WINDOW");
    await inboundFrom(t, "+919876543210", 24 * 60 + 1);
    const stale = await api("/v1/messages/text", { key: t.secret, method: "POST", json: { to: "+919876543210", body: "hi" } });
    expect((await jsonOf(stale)).error.code).toBe("OUTSIDE_24H_WINDOW");
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(0);
  });

  it("404 PHONE_NOT_FOUND for a phone number of another WABA or an unknown one; nothing is stored", async () => {
    const t = await createMessagingTenant();
    const other = await createTenant();
    await inboundFrom(t, TO);
    for (const phoneNumberId of [other.phones[0]!.metaPhoneNumberId, "999999999999999"]) {
      const res = await api("/v1/messages/text", { key: t.secret, method: "POST", json: { to: TO, body: "hi", phoneNumberId } });
      expect(res.status).toBe(404);
      expect((await jsonOf(res)).error.code).toBe("PHONE_NOT_FOUND");
    }
    const outbound = await outboundMessages(t);
    expect(outbound).toHaveLength(0);
  });

  it.each([
    [{ to: "9812345678", body: "x" }, "to"],
    [{ to: "+91981234567", body: "x" }, "to"],
    [{ to: "+919812345678", body: "" }, "body"],
    [{ to: "+919812345678", body: "x".repeat(4097) }, "body"],
    [{ to: "+919812345678" }, "body"],
    [{ to: 919812345678, body: "x" }, "to"],
    [{ to: "+919812345678", body: "x", phoneNumberId: "abc" }, "phoneNumberId"],
    [{ to: "+919812345678", body: "x", previewUrl: true }, "previewUrl"],
  ])("400 VALIDATION_FAILED naming the field for %j", async (json, field) => {
    const t = await createMessagingTenant();
    const res = await api("/v1/messages/text", { key: t.secret, method: "POST", json });
    expect(res.status).toBe(400);
    const body = await jsonOf(res);
    expect(body.error.code).toBe("VALIDATION_FAILED");
    expect(body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it("403 INSUFFICIENT_SCOPE without messages:send, before the body is looked at", async () => {
    const t = await createMessagingTenant({ scopes: ["templates:read"] });
    const res = await api("/v1/messages/text", { key: t.secret, method: "POST", json: { nonsense: true } });
    expect(res.status).toBe(403);
    expect((await jsonOf(res)).error.code).toBe("INSUFFICIENT_SCOPE");
    expect(res.headers.get("X-RateLimit-Remaining")).not.toBeNull();
  });
});
