// AUTO_REGISTER (emulator/wrangler.toml, local dev only) and the control routes the admin CLI uses in
// local dev. The running test emulator keeps Meta's strict 190 (vitest.config.ts does not set the var),
// so AUTO_REGISTER is checked on the emulator's app run inside this test Worker: a module instance of its
// own, whose state no other test sees.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../emulator/src/app";
import type { EmulatorBindings } from "../../emulator/src/env";
import { starterTemplates } from "../../emulator/src/starter-templates";
import type { Waba } from "../../emulator/src/store";
import { GRAPH_ORIGIN, registerWaba } from "../helpers/emulator";
import { body, controlError, controlRequest, graphError, uniqueId, USER } from "./fixtures";

const app = createApp();
const LOCAL_DEV: EmulatorBindings = { META_APP_SECRET: "s", WEBHOOK_PATH: "/meta/webhook", DEFAULT_GRAPH_VERSION: "v24.0", STATUS_DELAYS_MS: "none", AUTO_REGISTER: "true" };
const STRICT: EmulatorBindings = { ...LOCAL_DEV, AUTO_REGISTER: undefined };

async function call(bindings: EmulatorBindings, path: string, init: { token?: string; json?: unknown; method?: string } = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(`${GRAPH_ORIGIN}${path}`, {
      method: init.method ?? (init.json === undefined ? "GET" : "POST"),
      headers: { ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}), ...(init.json === undefined ? {} : { "Content-Type": "application/json" }) },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    }),
    bindings,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

const text = { messaging_product: "whatsapp", to: USER, type: "text", text: { body: "hi" } };
const listTemplates = (bindings: EmulatorBindings, wabaId: string, token: string) => call(bindings, `/v24.0/${wabaId}/message_templates`, { token });
const sendText = (bindings: EmulatorBindings, phoneNumberId: string, token: string) => call(bindings, `/v24.0/${phoneNumberId}/messages`, { token, json: text });
const wabaOf = async (bindings: EmulatorBindings, wabaId: string) => (await body(await call(bindings, `/__emulator/wabas/${wabaId}`))).waba as Waba | undefined;

describe("AUTO_REGISTER (local dev)", () => {
  it("an unknown token on /{waba-id}/… registers that WABA with the token and the starter templates", async () => {
    const wabaId = uniqueId("6");
    const token = `EAAGlocal${uniqueId("9")}`;
    const res = await listTemplates(LOCAL_DEV, wabaId, token);
    const json = await body(res);
    expect(res.status, JSON.stringify(json)).toBe(200);
    expect(json.data.map((t: any) => [t.name, t.id])).toEqual(starterTemplates(wabaId).map((t) => [t.name, t.metaId]));
    expect(await wabaOf(LOCAL_DEV, wabaId)).toMatchObject({ metaWabaId: wabaId, accessToken: token, phoneNumbers: [] });
  });

  it("an unknown phone number used with a known token joins that token's WABA", async () => {
    const wabaId = uniqueId("6");
    const phoneNumberId = uniqueId("7");
    const token = `EAAGlocal${uniqueId("9")}`;
    await listTemplates(LOCAL_DEV, wabaId, token);
    const res = await sendText(LOCAL_DEV, phoneNumberId, token);
    expect(res.status, JSON.stringify(await body(res.clone()))).toBe(200);
    expect((await wabaOf(LOCAL_DEV, wabaId))!.phoneNumbers.map((p) => p.metaPhoneNumberId)).toEqual([phoneNumberId]);
  });

  it("registers nothing for an unknown token on a phone number: the WABA is unknown, so 190", async () => {
    const phoneNumberId = uniqueId("7");
    await graphError(await sendText(LOCAL_DEV, phoneNumberId, `EAAGlocal${uniqueId("9")}`), 401, 190);
  });

  it("takes nothing over: a known WABA with another token, a number of another WABA are 190", async () => {
    const a = { wabaId: uniqueId("6"), phoneNumberId: uniqueId("7"), token: `EAAGlocal${uniqueId("9")}` };
    const b = { wabaId: uniqueId("6"), token: `EAAGlocal${uniqueId("9")}` };
    await listTemplates(LOCAL_DEV, a.wabaId, a.token);
    expect((await sendText(LOCAL_DEV, a.phoneNumberId, a.token)).status).toBe(200);
    await listTemplates(LOCAL_DEV, b.wabaId, b.token);
    await graphError(await listTemplates(LOCAL_DEV, a.wabaId, b.token), 401, 190);
    await graphError(await listTemplates(LOCAL_DEV, a.wabaId, `EAAGlocal${uniqueId("9")}`), 401, 190);
    await graphError(await sendText(LOCAL_DEV, a.phoneNumberId, b.token), 401, 190);
    expect((await wabaOf(LOCAL_DEV, a.wabaId))!.accessToken).toBe(a.token);
  });

  it("without AUTO_REGISTER the same requests are Meta's 190 and nothing is registered", async () => {
    const wabaId = uniqueId("6");
    const token = `EAAGlocal${uniqueId("9")}`;
    await graphError(await listTemplates(STRICT, wabaId, token), 401, 190);
    expect((await call(STRICT, `/__emulator/wabas/${wabaId}`)).status).toBe(404);
  });

  it("is off in the test emulator (vitest.config.ts): an unknown token is 190 there", async () => {
    const wabaId = uniqueId("6");
    const res = await env.META!.fetch(`${GRAPH_ORIGIN}/v24.0/${wabaId}/message_templates`, { headers: { Authorization: "Bearer EAAGunknown-token-0001" } });
    await graphError(res, 401, 190);
  });
});

describe("control routes the admin CLI uses in local dev", () => {
  async function control(method: "POST" | "PATCH", path: string, json: unknown): Promise<Response> {
    return env.META!.fetch(`${GRAPH_ORIGIN}/__emulator${path}`, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(json) });
  }

  it("POST /wabas with starterTemplates: the WABA starts with Meta's sample and order_update", async () => {
    const metaWabaId = uniqueId("2");
    const res = await control("POST", "/wabas", { metaWabaId, accessToken: `EAAGcli${metaWabaId}`, name: "My Shop", phoneNumbers: [], starterTemplates: true });
    expect(res.status).toBe(201);
    const { waba } = await body(res);
    expect(waba.templates).toEqual(starterTemplates(metaWabaId));
    expect(waba).not.toHaveProperty("starterTemplates");
  });

  it("PATCH /wabas/:wabaId changes the token (and name), keeping numbers and templates", async () => {
    const metaWabaId = uniqueId("2");
    const phoneNumberId = uniqueId("3");
    await registerWaba({ metaWabaId, accessToken: "EAAGold-token-01", phoneNumbers: [{ metaPhoneNumberId: phoneNumberId, displayPhoneNumber: "+1 555-010-0300" }], templates: [{ name: "t", language: "en" }] });
    const res = await control("PATCH", `/wabas/${metaWabaId}`, { accessToken: "EAAGnew-token-02", name: "Renamed" });
    expect(res.status).toBe(200);
    expect((await body(res)).waba).toMatchObject({ accessToken: "EAAGnew-token-02", name: "Renamed", phoneNumbers: [{ metaPhoneNumberId: phoneNumberId }], templates: [{ name: "t" }] });
    await graphError(await env.META!.fetch(`${GRAPH_ORIGIN}/v24.0/${metaWabaId}/message_templates`, { headers: { Authorization: "Bearer EAAGold-token-01" } }), 401, 190);
    await controlError(await control("PATCH", `/wabas/${uniqueId("2")}`, { accessToken: "EAAGx-token-03" }), 404);
    await controlError(await control("PATCH", `/wabas/${metaWabaId}`, {}), 400);
  });

  it("POST /wabas/:wabaId/phone-numbers adds a number (201), updates it (200), refuses another WABA's (409) and an unknown WABA (404)", async () => {
    const a = uniqueId("2");
    const b = uniqueId("2");
    const phone = uniqueId("3");
    await registerWaba({ metaWabaId: a, accessToken: `EAAGa${a}`, phoneNumbers: [] });
    await registerWaba({ metaWabaId: b, accessToken: `EAAGb${b}`, phoneNumbers: [] });
    const added = await control("POST", `/wabas/${a}/phone-numbers`, { metaPhoneNumberId: phone, displayPhoneNumber: "+1 555-010-0400", verifiedName: "A" });
    expect(added.status).toBe(201);
    expect((await body(added)).phone).toEqual({ metaPhoneNumberId: phone, displayPhoneNumber: "+1 555-010-0400", verifiedName: "A" });
    const again = await control("POST", `/wabas/${a}/phone-numbers`, { metaPhoneNumberId: phone, displayPhoneNumber: "+1 555-010-0401" });
    expect(again.status).toBe(200);
    expect((await body(again)).waba.phoneNumbers).toEqual([{ metaPhoneNumberId: phone, displayPhoneNumber: "+1 555-010-0401", verifiedName: "Test Business" }]);
    expect(await controlError(await control("POST", `/wabas/${b}/phone-numbers`, { metaPhoneNumberId: phone, displayPhoneNumber: "+1 555-010-0402" }), 409)).toContain(a);
    await controlError(await control("POST", `/wabas/${uniqueId("2")}/phone-numbers`, { metaPhoneNumberId: uniqueId("3"), displayPhoneNumber: "+1 555-010-0403" }), 404);
    await controlError(await controlRequest(`/wabas/${a}/phone-numbers`, { metaPhoneNumberId: "abc", displayPhoneNumber: "" }), 400);
    // and the number sends for its WABA at once
    const send = await env.META!.fetch(`${GRAPH_ORIGIN}/v24.0/${phone}/messages`, {
      method: "POST",
      headers: { Authorization: `Bearer EAAGa${a}`, "Content-Type": "application/json" },
      body: JSON.stringify({ ...text, type: "template", template: { name: "missing", language: { code: "en_US" } } }),
    });
    await graphError(send, 404, 132001);
  });
});
