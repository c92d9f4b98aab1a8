import { describe, expect, it } from "vitest";
import { decodeWamid } from "../../emulator/src/wamid";
import { emulateInbound, emulatorSends, emulatorSettings, listUsers, setWindow } from "../helpers/emulator";
import { body, freshWaba } from "./fixtures";
import { parsed, statusOf, waitForWebhooks } from "./webhook-helpers";

const text = { type: "text", text: { body: "hola" } };

describe("wa_id differs from the E.164 number (Brazil, Mexico)", () => {
  it("a Mexican mobile answers Meta's 521… wa_id; statuses and the wamid use it", async () => {
    const t = await freshWaba({ settings: { statusDelaysMs: [0] } });
    const res = await t.send({ to: "+52 55 1234 3852", ...text });
    const json = await body(res);
    expect(json.contacts).toEqual([{ input: "+52 55 1234 3852", wa_id: "5215512343852" }]);
    const wamid = json.messages[0].id;
    expect(decodeWamid(wamid)?.waId).toBe("5215512343852");
    const [hook] = await waitForWebhooks(t.wabaId, 1, { wamid });
    expect(statusOf(hook!).recipient_id).toBe("5215512343852");
    expect(parsed(hook!).entry[0].changes[0].value.contacts[0]).toMatchObject({ wa_id: "5215512343852", user_id: expect.stringMatching(/^MX\.\d{20}$/) });
    // the 521 spelling is the same user
    expect((await body(await t.send({ to: "5215512343852", ...text }))).contacts[0].wa_id).toBe("5215512343852");
    expect(await listUsers(t.wabaId)).toHaveLength(1);
  });

  it("a Brazilian 9-digit mobile answers the legacy 8-digit wa_id; inbound in either spelling uses it", async () => {
    const t = await freshWaba();
    const json = await body(await t.send({ to: "+55 11 98765 4321", ...text }));
    expect(json.contacts).toEqual([{ input: "+55 11 98765 4321", wa_id: "551187654321" }]);
    for (const from of ["5511987654321", "+551187654321"]) {
      const result = await emulateInbound({ phoneNumberId: t.phoneNumberId, from, type: "text", text: "oi" });
      const value = parsed((await waitForWebhooks(t.wabaId, 1, { wamid: result.wamid }))[0]!).entry[0].changes[0].value;
      expect(value.contacts[0].wa_id).toBe("551187654321");
      expect(value.messages[0].from).toBe("551187654321");
    }
    const users = await listUsers(t.wabaId);
    expect(users).toEqual([expect.objectContaining({ waId: "551187654321", userId: expect.stringMatching(/^BR\./) })]);
    expect(await emulatorSends(t.phoneNumberId, "5511987654321")).toHaveLength(1);
  });

  it("brazilLegacyWaIds: false keeps the ninth digit, and gives it back to the legacy spelling", async () => {
    const t = await freshWaba({ settings: { brazilLegacyWaIds: false } });
    expect((await body(await t.send({ to: "+55 11 98765 4321", ...text }))).contacts[0].wa_id).toBe("5511987654321");
    const result = await emulateInbound({ phoneNumberId: t.phoneNumberId, from: "551187654321", type: "text", text: "oi" });
    expect(parsed((await waitForWebhooks(t.wabaId, 1, { wamid: result.wamid }))[0]!).entry[0].changes[0].value.messages[0].from).toBe("5511987654321");
    expect((await emulatorSettings(t.wabaId, {})).brazilLegacyWaIds).toBe(false);
  });

  it("windows are kept by wa_id: opened in one spelling, open for the other", async () => {
    const t = await freshWaba({ settings: { enforceWindow: true, windowErrorMode: "sync" } });
    await setWindow(t.phoneNumberId, "+52 55 1234 3852", true);
    expect((await t.send({ to: "5215512343852", ...text })).status).toBe(200);
    await emulateInbound({ phoneNumberId: t.phoneNumberId, from: "5511987654321", type: "text", text: "oi" });
    expect((await t.send({ to: "+55 11 8765-4321", ...text })).status).toBe(200);
  });
});
