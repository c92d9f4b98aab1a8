// Pure parts of the emulator, imported into the test Worker (a separate module instance from the
// running emulator, so resetting this copy of the store touches nothing the other tests use).
import { describe, expect, it } from "vitest";
import { canonicalWaId, countryCodeOf, countryOf, phoneKey, recipientWaId } from "../../emulator/src/phone";
import type { WabaSettings } from "../../emulator/src/settings";
import { statusTimeline, type AcceptedSend } from "../../emulator/src/status-timeline";
import { findPhone, registerWaba, resetStore, state } from "../../emulator/src/store";
import { BSUID, deriveUserId } from "../../emulator/src/users";
import { starterTemplates } from "../../emulator/src/starter-templates";
import { businessWamid, decodeWamid, systemWamid, userWamid } from "../../emulator/src/wamid";
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
  brazilLegacyWaIds: true,
  playVoiceNotes: false,
  throughputLevel: "STANDARD",
};
const phone = { metaPhoneNumberId: "106540352242922", displayPhoneNumber: "+1 555-078-3881", verifiedName: "Demo" };
const send = (over: Partial<AcceptedSend> = {}): AcceptedSend => ({
  wabaId: "1",
  phone,
  wamid: "wamid.x",
  userKey: "16505551234",
  recipient: { userId: "US.13491208655302741918", waId: "16505551234", name: "Test User", viaBsuid: false },
  type: "text",
  graphVersion: "v24.0",
  windowOpen: false,
  settings,
  ...over,
});

describe("wamid", () => {
  it("matches the layout of Meta's example wamid", () => {
    // wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBIyQjM2RTlERTY4QjFGNzUwNDgA from Meta's example send response ([templates] in emulator/README.md)
    expect(decodeWamid("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBIyQjM2RTlERTY4QjFGNzUwNDgA")).toEqual({ waId: "16503879439", fromBusiness: true, id: "2B36E9DE68B1F75048" });
    expect(decodeWamid("wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=")).toEqual({ waId: "16503879439", fromBusiness: false, id: "3A4A6599AEE03810144F" });
    const ours = businessWamid("16503879439");
    expect(ours).toHaveLength("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBIyQjM2RTlERTY4QjFGNzUwNDgA".length);
    expect(decodeWamid(userWamid("919876543210"))).toMatchObject({ waId: "919876543210", fromBusiness: false });
    expect(decodeWamid("gBGGFlB5YjhvAgkYvZzKoDWV4fU")).toBeUndefined();
    // Meta's system-message example carries a 10-digit id
    expect(decodeWamid("wamid.HBgLMTk4MzU1NTE5NzQVAgASGAoxMTgyMDg2MjY3AA==")).toEqual({ waId: "19835551974", fromBusiness: false, id: "1182086267" });
    expect(decodeWamid(systemWamid("16505551234"))?.id).toMatch(/^\d{10}$/);
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

describe("wa_ids of Brazilian and Mexican numbers", () => {
  it("Mexico: 52 + 10 digits becomes WhatsApp's 521 id; either spelling gives it", () => {
    for (const legacy of [true, false]) {
      expect(canonicalWaId("525512343852", { brazilLegacyWaIds: legacy })).toBe("5215512343852");
      expect(canonicalWaId("5215512343852", { brazilLegacyWaIds: legacy })).toBe("5215512343852");
    }
  });

  it("Brazil: a 9-digit mobile has the legacy 8-digit id, or keeps its 9 when the setting is off", () => {
    expect(canonicalWaId("5511987654321", { brazilLegacyWaIds: true })).toBe("551187654321");
    expect(canonicalWaId("551187654321", { brazilLegacyWaIds: true })).toBe("551187654321");
    expect(canonicalWaId("5511987654321", { brazilLegacyWaIds: false })).toBe("5511987654321");
    expect(canonicalWaId("551187654321", { brazilLegacyWaIds: false })).toBe("5511987654321");
    // landlines (first digit 2–5) have no ninth digit
    expect(canonicalWaId("551132654321", { brazilLegacyWaIds: false })).toBe("551132654321");
    expect(phoneKey("+55 11 98765 4321")).toBe(phoneKey("551187654321"));
  });

  it("other numbers stay as they are", () => {
    expect(canonicalWaId("16505551234", { brazilLegacyWaIds: true })).toBe("16505551234");
    expect(canonicalWaId("919876543210", { brazilLegacyWaIds: false })).toBe("919876543210");
  });
});

describe("BSUIDs", () => {
  it("country of the number, a period, 20 digits; deterministic per WABA and wa_id; a new generation differs", () => {
    expect(countryOf("16505551234")).toBe("US");
    expect(countryOf("5215512343852")).toBe("MX");
    expect(countryOf("2348012345678")).toBe("NG");
    expect(countryOf("999123")).toBeUndefined();
    const id = deriveUserId("102290129340398", "16505551234", "US");
    expect(id).toMatch(/^US\.\d{20}$/);
    expect(id).toMatch(BSUID);
    expect(deriveUserId("102290129340398", "16505551234", "US")).toBe(id);
    expect(deriveUserId("102290129340777", "16505551234", "US")).not.toBe(id);
    expect(deriveUserId("102290129340398", "16505551234", "US", 1)).not.toBe(id);
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

  it("pricing on sent and on the billed one of delivered/read", () => {
    const priced = (over: Partial<AcceptedSend>) => statusTimeline(send(over)).map((s) => [s.item.status, s.item.pricing !== undefined]);
    expect(priced({})).toEqual([["sent", true], ["delivered", true], ["read", false]]);
    expect(priced({ settings: { ...settings, skipDelivered: true } })).toEqual([["sent", true], ["read", true]]);
  });

  it("played after read for a voice note when playVoiceNotes is on, at the 4th offset or with read", () => {
    const statuses = (over: Partial<AcceptedSend>) => statusTimeline(send({ type: "audio", ...over })).map((s) => [s.item.status, s.atMs]);
    expect(statuses({ voice: true })).toEqual([["sent", 0], ["delivered", 300], ["read", 1000]]);
    const on = { ...settings, playVoiceNotes: true };
    expect(statuses({ voice: true, settings: on })).toEqual([["sent", 0], ["delivered", 300], ["read", 1000], ["played", 1000]]);
    expect(statuses({ voice: true, settings: { ...on, statusDelaysMs: [0, 1, 2, 50] } })).toEqual([["sent", 0], ["delivered", 1], ["read", 2], ["played", 50]]);
    expect(statuses({ settings: on }).map(([s]) => s)).toEqual(["sent", "delivered", "read"]);
    expect(statuses({ voice: true, settings: { ...on, statusDelaysMs: [0, 1] } }).map(([s]) => s)).toEqual(["sent", "delivered"]);
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

describe("starter templates", () => {
  it("have ids derived from the WABA id: the same after a restart, distinct across WABAs, JSON-safe", () => {
    const a = starterTemplates("104729301938475").map((t) => t.metaId);
    expect(starterTemplates("104729301938475").map((t) => t.metaId)).toEqual(a);
    const b = starterTemplates("104729301938476").map((t) => t.metaId);
    expect(new Set([...a, ...b]).size).toBe(4);
    for (const id of [...a, ...b]) {
      expect(id).toMatch(/^[1-8]\d{15}$/);
      expect(Number.isSafeInteger(Number(id))).toBe(true);
    }
  });
});
