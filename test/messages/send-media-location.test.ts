import { describe, expect, it } from "vitest";
import { api, jsonOf } from "../helpers/api";
import { emulatorSends } from "../helpers/emulator";
import { createMessagingTenant, inboundFrom } from "../helpers/messaging";

const TO = "+919812345678";

describe("POST /v1/messages/media", () => {
  it("sends by link with a caption, and by media id", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    const byLink = await api("/v1/messages/media", { key: t.secret, method: "POST", json: { to: TO, type: "image", link: "https://cdn.example.com/promo.jpg", caption: "Spring sale starts now!" } });
    expect(byLink.status).toBe(200);
    const byId = await api("/v1/messages/media", { key: t.secret, method: "POST", json: { to: TO, type: "document", mediaId: "1042817329043512", filename: "invoice-april.pdf" } });
    expect(byId.status).toBe(200);
    const sent = await emulatorSends(t.defaultPhone);
    expect(sent.map((s) => s.body)).toMatchObject([
      { type: "image", image: { link: "https://cdn.example.com/promo.jpg", caption: "Spring sale starts now!" } },
      { type: "document", document: { id: "1042817329043512", filename: "invoice-april.pdf" } },
    ]);
  });

  it.each([
    [{ type: "image" }, "mediaId"],
    [{ type: "image", mediaId: "123", link: "https://x.example/a.jpg" }, "link"],
    [{ type: "gif", link: "https://x.example/a.gif" }, "type"],
    [{ type: "audio", mediaId: "123", caption: "hi" }, "caption"],
    [{ type: "sticker", mediaId: "123", caption: "hi" }, "caption"],
    [{ type: "image", mediaId: "123", filename: "a.jpg" }, "filename"],
    [{ type: "image", link: "not a url" }, "link"],
  ])("400 VALIDATION_FAILED for %j", async (extra, field) => {
    const t = await createMessagingTenant();
    const res = await api("/v1/messages/media", { key: t.secret, method: "POST", json: { to: TO, ...extra } });
    expect(res.status).toBe(400);
    const body = await jsonOf(res);
    expect(body.error.code).toBe("VALIDATION_FAILED");
    expect(body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it("400 MEDIA_FETCH_FAILED for a non-HTTPS link, before anything is queued", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    const res = await api("/v1/messages/media", { key: t.secret, method: "POST", json: { to: TO, type: "image", link: "http://cdn.example.com/promo.jpg" } });
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error.code).toBe("MEDIA_FETCH_FAILED");
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(0);
  });

  it("400 OUTSIDE_24H_WINDOW outside the window", async () => {
    const t = await createMessagingTenant();
    const res = await api("/v1/messages/media", { key: t.secret, method: "POST", json: { to: TO, type: "image", mediaId: "123" } });
    expect((await jsonOf(res)).error.code).toBe("OUTSIDE_24H_WINDOW");
  });
});

describe("POST /v1/messages/location", () => {
  it("sends a pin", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    const res = await api("/v1/messages/location", {
      key: t.secret,
      method: "POST",
      json: { to: TO, latitude: 12.9716, longitude: 77.5946, name: "WBIZ HQ", address: "Indiranagar, Bengaluru 560038" },
    });
    expect(res.status).toBe(200);
    expect((await emulatorSends(t.defaultPhone))[0]!.body).toMatchObject({ type: "location", location: { latitude: 12.9716, longitude: 77.5946, name: "WBIZ HQ" } });
  });

  it.each([
    [{ latitude: 90.0001, longitude: 0 }, "latitude"],
    [{ latitude: -91, longitude: 0 }, "latitude"],
    [{ latitude: 0, longitude: 180.5 }, "longitude"],
    [{ latitude: "12.9", longitude: 77 }, "latitude"],
    [{ longitude: 77 }, "latitude"],
  ])("400 VALIDATION_FAILED for %j", async (coords, field) => {
    const t = await createMessagingTenant();
    const res = await api("/v1/messages/location", { key: t.secret, method: "POST", json: { to: TO, ...coords } });
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it("accepts the boundary values", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    for (const [latitude, longitude] of [[90, 180], [-90, -180]]) {
      expect((await api("/v1/messages/location", { key: t.secret, method: "POST", json: { to: TO, latitude, longitude } })).status).toBe(200);
    }
  });
});
