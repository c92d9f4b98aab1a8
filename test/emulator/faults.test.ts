import { describe, expect, it } from "vitest";
import { addFault, clearFaults, emulatorSends, graph } from "../helpers/emulator";
import { body, freshWaba, graphError, USER } from "./fixtures";
import { statusOf, waitForWebhooks } from "./webhook-helpers";

const hi = { to: USER, type: "text", text: { body: "hi" } };

describe("fault injection", () => {
  it("a graph error answers the next matching send once, then sends go through again", async () => {
    const t = await freshWaba();
    const fault = await addFault({ phoneNumberId: t.phoneNumberId, action: "error", code: 131000, details: "Injected" });
    expect(fault).toMatchObject({ id: expect.any(String), times: 1 });
    const error = await graphError(await t.send(hi), 500, 131000);
    expect(error).toMatchObject({ message: "(#131000) Something went wrong", type: "OAuthException", error_data: { messaging_product: "whatsapp", details: "Injected" } });
    expect((await t.send(hi)).status).toBe(200);
    expect(await emulatorSends(t.phoneNumberId)).toHaveLength(1);
  });

  it("status, subcode and message can be set; times counts uses", async () => {
    const t = await freshWaba();
    await addFault({ phoneNumberId: t.phoneNumberId, action: "error", status: 400, code: 131056, times: 2 });
    for (let i = 0; i < 2; i++) {
      const error = await graphError(await t.send(hi), 400, 131056);
      expect(error.error_subcode).toBe(2494071);
    }
    await addFault({ phoneNumberId: t.phoneNumberId, action: "error", status: 503, code: 2, subcode: 99, message: "Service temporarily unavailable", errorType: "GraphMethodException" });
    const custom = await graphError(await t.send(hi), 503, 2);
    expect(custom).toMatchObject({ message: "Service temporarily unavailable", type: "GraphMethodException", error_subcode: 99 });
    expect(custom.error_data).toBeUndefined();
    expect((await t.send(hi)).status).toBe(200);
  });

  it("matches on to and type; mark-as-read only by an explicit type read", async () => {
    const t = await freshWaba();
    await addFault({ phoneNumberId: t.phoneNumberId, to: "+44 7700 900123", type: "template", action: "error", code: 131026 });
    await addFault({ phoneNumberId: t.phoneNumberId, type: "read", action: "error", code: 100, details: "read failed" });
    expect((await t.send(hi)).status).toBe(200);
    expect((await t.send({ to: "+447700900123", text: { body: "x" } })).status).toBe(200);
    expect((await t.send({ status: "read", message_id: "wamid.abc" })).status).toBe(400);
    await graphError(await t.send({ to: "447700900123", type: "template", template: { name: "no_params", language: { code: "en" } } }), 400, 131026);
  });

  it("async_failure: 200 with a wamid, then a failed status with the code", async () => {
    const t = await freshWaba({ settings: { statusDelaysMs: [0, 10, 20] } });
    await addFault({ phoneNumberId: t.phoneNumberId, action: "async_failure", code: 131049 });
    const res = await t.send(hi);
    expect(res.status).toBe(200);
    const wamid = (await body(res)).messages[0].id;
    const [hook] = await waitForWebhooks(t.wabaId, 1, { wamid });
    expect(statusOf(hook!)).toMatchObject({
      status: "failed",
      errors: [{ code: 131049, title: "This message was not delivered to maintain healthy ecosystem engagement.", error_data: { details: expect.any(String) } }],
    });
    expect(hook!.status).toBe("failed");
  });

  it("slow: waits, then answers normally", async () => {
    const t = await freshWaba();
    await addFault({ phoneNumberId: t.phoneNumberId, action: "slow", ms: 300 });
    const started = Date.now();
    const res = await t.send(hi);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(await emulatorSends(t.phoneNumberId)).toHaveLength(1);
  });

  it("hang: no answer for the given time, then 503 (#2) and nothing was sent", async () => {
    const t = await freshWaba();
    await addFault({ phoneNumberId: t.phoneNumberId, action: "hang", ms: 300 });
    const started = Date.now();
    const res = await t.send(hi);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await graphError(res, 503, 2);
    expect(await emulatorSends(t.phoneNumberId)).toEqual([]);
  });

  it("a client timeout aborts a hanging request", async () => {
    const t = await freshWaba();
    await addFault({ phoneNumberId: t.phoneNumberId, action: "hang", ms: 5000 });
    const attempt = graph(`/v24.0/${t.phoneNumberId}/messages`, { token: t.token, json: { messaging_product: "whatsapp", ...hi } });
    const outcome = await Promise.race([attempt.then(() => "answered"), new Promise((resolve) => setTimeout(resolve, 200, "timed out"))]);
    expect(outcome).toBe("timed out");
  });

  it("always-faults stay until DELETE /__emulator/faults", async () => {
    const t = await freshWaba();
    await addFault({ phoneNumberId: t.phoneNumberId, action: "error", code: 131000, times: "always" });
    await graphError(await t.send(hi), 500, 131000);
    await graphError(await t.send(hi), 500, 131000);
    expect(await clearFaults(t.phoneNumberId)).toBe(1);
    expect((await t.send(hi)).status).toBe(200);
  });
});
