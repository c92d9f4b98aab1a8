import { describe, expect, it } from "vitest";
import { addFault, clearFaults, emulatorSends, graph, listFaults } from "../helpers/emulator";
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

  it.each([
    [3, 500, "(#3) Capability or permissions issue"],
    [131000, 500, "(#131000) Something went wrong"],
    [131016, 500, "(#131016) Service unavailable"],
    [131045, 500, "(#131045) Incorrect certificate"],
    [131057, 500, "(#131057) Account in maintenance mode"],
    [133000, 500, "(#133000) Incomplete Deregistration"],
    [2, 503, "(#2) Service temporarily unavailable"],
    [133004, 503, "(#133004) Server temporarily unavailable"],
  ])("code %i answers HTTP %i as in Meta's error-code table", async (code, status, message) => {
    const t = await freshWaba();
    await addFault({ phoneNumberId: t.phoneNumberId, action: "error", code });
    const error = await graphError(await t.send(hi), status, code);
    expect(error.message).toBe(message);
    expect(error.is_transient).toBeUndefined();
  });

  it("isTransient adds Meta's is_transient inside error", async () => {
    const t = await freshWaba();
    await addFault({ phoneNumberId: t.phoneNumberId, action: "error", code: 133004, isTransient: true });
    await addFault({ phoneNumberId: t.phoneNumberId, action: "error", code: 131045, isTransient: false });
    const transient = await graphError(await t.send(hi), 503, 133004);
    expect(transient).toEqual({
      message: "(#133004) Server temporarily unavailable",
      type: "OAuthException",
      code: 133004,
      error_data: { messaging_product: "whatsapp", details: "Server temporarily unavailable" },
      is_transient: true,
      fbtrace_id: expect.any(String),
    });
    const permanent = await graphError(await t.send(hi), 500, 131045);
    expect(permanent).toMatchObject({ is_transient: false, error_data: { details: "Message failed to send due to a phone number registration error." } });
    await expect(addFault({ phoneNumberId: t.phoneNumberId, action: "error", code: 2, isTransient: "yes" as unknown as boolean })).rejects.toThrow(/→ 400/);
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

  it("rate: a seeded share of matching sends gets the fault, the same sends again for the same seed", async () => {
    const t = await freshWaba({ settings: { mpsLimit: 100_000 } });
    const run = async (seed: number) => {
      const fault = await addFault({ phoneNumberId: t.phoneNumberId, action: "error", status: 503, code: 2, times: "always", rate: 0.3, seed });
      expect(fault).toMatchObject({ rate: 0.3, seed, matched: 0, fired: 0 });
      const statuses: number[] = [];
      for (let i = 0; i < 100; i++) statuses.push((await t.send(hi)).status);
      const [armed] = await listFaults(t.phoneNumberId);
      await clearFaults(t.phoneNumberId);
      return { statuses, armed: armed! };
    };
    const first = await run(42);
    const failed = first.statuses.filter((s) => s === 503).length;
    expect(first.statuses.every((s) => s === 200 || s === 503)).toBe(true);
    expect(failed).toBeGreaterThan(15);
    expect(failed).toBeLessThan(45);
    expect(first.armed).toMatchObject({ matched: 100, fired: failed });
    expect(await emulatorSends(t.phoneNumberId)).toHaveLength(100 - failed);
    expect((await run(42)).statuses).toEqual(first.statuses);
    expect((await run(7)).statuses).not.toEqual(first.statuses);
  });

  it("rate: a send that escapes a rule falls through to the next; times counts faults given, not sends seen", async () => {
    const t = await freshWaba({ settings: { mpsLimit: 100_000 } });
    const half = await addFault({ phoneNumberId: t.phoneNumberId, action: "error", status: 500, code: 131000, times: "always", rate: 0.5 });
    expect(half.seed).toEqual(expect.any(Number)); // random, but echoed so the run can be replayed
    await addFault({ phoneNumberId: t.phoneNumberId, action: "error", status: 400, code: 130429, times: 3 });
    const codes: number[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await t.send(hi);
      codes.push(res.status === 200 ? 200 : (await body(res)).error.code);
    }
    // the first three sends the 50 % rule let through met the throughput fault; after that, plain sends
    const escaped = codes.filter((c) => c !== 131000);
    expect(escaped.slice(0, 3)).toEqual([130429, 130429, 130429]);
    expect(escaped.slice(3).every((c) => c === 200)).toBe(true);
    const [rule] = await listFaults(t.phoneNumberId);
    expect(rule).toMatchObject({ id: half.id, matched: 40, fired: codes.filter((c) => c === 131000).length });
    expect(await emulatorSends(t.phoneNumberId)).toHaveLength(escaped.length - 3);
  });

  it("rate must be in (0, 1], and a seed needs a rate", async () => {
    const t = await freshWaba();
    for (const bad of [{ rate: 0 }, { rate: 1.5 }, { rate: -0.1 }, { seed: 1 }, { rate: 0.5, seed: -1 }, { rate: 0.5, seed: 2 ** 32 }]) {
      await expect(addFault({ phoneNumberId: t.phoneNumberId, action: "error", code: 131000, ...bad })).rejects.toThrow(/→ 400/);
    }
    expect(await listFaults(t.phoneNumberId)).toEqual([]);
    // rate 1 is every matching send
    await addFault({ phoneNumberId: t.phoneNumberId, action: "error", code: 131000, times: 2, rate: 1 });
    await graphError(await t.send(hi), 500, 131000);
    await graphError(await t.send(hi), 500, 131000);
    expect((await t.send(hi)).status).toBe(200);
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
