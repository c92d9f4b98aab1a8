// Pure parts of the emulator, imported into the test Worker (a separate module instance from the
// running emulator, so resetting this copy of the store touches nothing the other tests use).
import { describe, expect, it } from "vitest";
import { countryCodeOf, recipientWaId } from "../../emulator/src/phone";
import type { WabaSettings } from "../../emulator/src/settings";
import { statusTimeline, type AcceptedSend } from "../../emulator/src/status-timeline";
import { findPhone, registerWaba, resetStore, state } from "../../emulator/src/store";
import { businessWamid, decodeWamid, userWamid } from "../../emulator/src/wamid";
import { encodeWebhookBody } from "../../emulator/src/webhooks";

const settings: WabaSettings = {
  statusDelaysMs: [0, 300, 1000],
  duplicates: false,
  outOfOrder: false,
  skipDelivered: false,
  enforceWindow: false,
  windowErrorMode: "async",
  pairRateLimit: false,
  pairIntervalMs: 6000,
  mpsLimit: 80,
  undeliverable: [],
  webhookRetries: 3,
  webhookPath: "/meta/webhook",
};
const phone = { metaPhoneNumberId: "106540352242922", displayPhoneNumber: "+1 555-078-3881", verifiedName: "Demo" };
const send = (over: Partial<AcceptedSend> = {}): AcceptedSend => ({
  wabaId: "1",
  phone,
  wamid: "wamid.x",
  waId: "16505551234",
  type: "text",
  graphVersion: "v24.0",
  windowOpen: false,
  settings,
  ...over,
});

describe("wamid", () => {
  it("matches the reference example's layout", () => {
    // wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBIyQjM2RTlERTY4QjFGNzUwNDgA from reference §1
    expect(decodeWamid("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBIyQjM2RTlERTY4QjFGNzUwNDgA")).toEqual({ waId: "16503879439", fromBusiness: true, id: "2B36E9DE68B1F75048" });
    expect(decodeWamid("wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=")).toEqual({ waId: "16503879439", fromBusiness: false, id: "3A4A6599AEE03810144F" });
    const ours = businessWamid("16503879439");
    expect(ours).toHaveLength("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBIyQjM2RTlERTY4QjFGNzUwNDgA".length);
    expect(decodeWamid(userWamid("919876543210"))).toMatchObject({ waId: "919876543210", fromBusiness: false });
    expect(decodeWamid("gBGGFlB5YjhvAgkYvZzKoDWV4fU")).toBeUndefined();
  });
});

describe("recipient normalisation", () => {
  it("keeps full numbers and prepends the business country code to national ones", () => {
    expect(countryCodeOf("+91 80 4718 2200")).toBe("91");
    expect(recipientWaId("+91 98765-43210", "+1 555")).toBe("919876543210");
    expect(recipientWaId("919876543210", "+1 555-078-3881")).toBe("919876543210");
    expect(recipientWaId("98765 43210", "+91 80 4718 2200")).toBe("919876543210");
    expect(recipientWaId("12ab", "+1 555")).toBeUndefined();
    expect(recipientWaId("1+2", "+1 555")).toBeUndefined();
  });
});

describe("encodeWebhookBody", () => {
  it("escapes non-ASCII with lower-case hex and slashes, and stays valid JSON", () => {
    const payload = { a: "é/😀", b: ["ß"], n: 1 };
    const encoded = encodeWebhookBody(payload);
    expect(encoded).toBe('{"a":"\\u00e9\\/\\ud83d\\ude00","b":["\\u00df"],"n":1}');
    expect(JSON.parse(encoded)).toEqual(payload);
  });
});

describe("statusTimeline", () => {
  it("sent, delivered, read at the configured offsets", () => {
    expect(statusTimeline(send()).map((s) => [s.item.status, s.atMs])).toEqual([["sent", 0], ["delivered", 300], ["read", 1000]]);
  });

  it("nothing when statuses are switched off; only sent for reactions; failed alone", () => {
    expect(statusTimeline(send({ settings: { ...settings, statusDelaysMs: [] } }))).toEqual([]);
    expect(statusTimeline(send({ type: "reaction" })).map((s) => s.item.status)).toEqual(["sent"]);
    expect(statusTimeline(send({ failure: { code: 131026 } })).map((s) => s.item.status)).toEqual(["failed"]);
  });
});

describe("store", () => {
  it("reset goes back to the demo dataset only", () => {
    registerWaba({ metaWabaId: "999", name: "x", accessToken: "t", phoneNumbers: [{ metaPhoneNumberId: "998", displayPhoneNumber: "+1 1", verifiedName: "x" }], templates: [] });
    expect(findPhone("998")).toBeDefined();
    state.windows.set("998:1", Date.now());
    resetStore();
    expect(findPhone("998")).toBeUndefined();
    expect(state.windows.size).toBe(0);
    expect([...state.wabas.keys()]).toEqual(["102290129340398", "102290129340777"]);
    expect(findPhone("106540352242922")?.waba.metaWabaId).toBe("102290129340398");
  });

  it("refuses a phone number owned by another WABA", () => {
    resetStore();
    const result = registerWaba({ metaWabaId: "5", name: "x", accessToken: "t", phoneNumbers: [{ metaPhoneNumberId: "106540352242922", displayPhoneNumber: "+1 1", verifiedName: "x" }], templates: [] });
    expect(result).toEqual({ kind: "phone_taken", phoneNumberId: "106540352242922", ownerWabaId: "102290129340398" });
  });
});
