// Sandbox mode: the emulator's code as the second auxiliary Worker "wbiz-sandbox" (vitest.config.ts),
// reached as env.SANDBOX: sandbox tokens, WABAs and phone numbers registered on first use, magic
// recipients, no 131047, the starter templates. Sandbox WABAs' webhooks go to /meta/sandbox/webhook;
// these tests read what was posted from the sandbox's own webhook log.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { demoWaba } from "../../demo/dataset";
import { createApp } from "../../emulator/src/app";
import type { EmulatorBindings } from "../../emulator/src/env";
import { MAGIC_RECIPIENTS } from "../../emulator/src/sandbox";
import { STARTER_TEMPLATES } from "../../emulator/src/starter-templates";
import type { Waba, WebhookRecord } from "../../emulator/src/store";
import { GRAPH_ORIGIN, graph, registerWaba } from "../helpers/emulator";
import { body, graphError, uniqueId, USER, USER_WA_ID } from "./fixtures";

function sandbox(): Fetcher {
  if (!env.SANDBOX) throw new Error("env.SANDBOX (the sandbox binding) is missing");
  return env.SANDBOX;
}

function sandboxGraph(path: string, init: { token?: string; json?: unknown } = {}): Promise<Response> {
  return sandbox().fetch(`${GRAPH_ORIGIN}${path}`, {
    method: init.json === undefined ? "GET" : "POST",
    headers: { ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}), ...(init.json === undefined ? {} : { "Content-Type": "application/json" }) },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
}

async function sandboxControl<T = any>(method: "GET" | "POST", path: string, json?: unknown): Promise<{ status: number; json: T }> {
  const res = await sandbox().fetch(`${GRAPH_ORIGIN}/__emulator${path}`, {
    method,
    headers: json === undefined ? undefined : { "Content-Type": "application/json" },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  return { status: res.status, json: (await res.json()) as T };
}

const tokenFor = (wabaId: string) => `wbiz-sandbox-${wabaId}`;

/** A WABA the sandbox has never seen, and a phone number id for it; nothing is registered yet. */
function freshIds() {
  return { wabaId: uniqueId("4"), phoneNumberId: uniqueId("5") };
}

/** Registers a sandbox WABA by first use (a template listing), with fast statuses and no webhook retries. */
async function sandboxWaba(statusDelaysMs: number[] = [0, 10, 20]) {
  const ids = freshIds();
  const token = tokenFor(ids.wabaId);
  expect((await sandboxGraph(`/v24.0/${ids.wabaId}/message_templates`, { token })).status).toBe(200);
  const settings = await sandboxControl("POST", "/settings", { wabaId: ids.wabaId, statusDelaysMs, webhookRetries: 0 });
  expect(settings.status).toBe(200);
  const send = (to: string, message: Record<string, unknown> = { type: "text", text: { body: "hi" } }) =>
    sandboxGraph(`/v24.0/${ids.phoneNumberId}/messages`, { token, json: { messaging_product: "whatsapp", to, ...message } });
  return { ...ids, token, send };
}

async function statusesOf(wabaId: string, wamid: string, count: number): Promise<WebhookRecord[]> {
  return vi.waitFor(async () => {
    const { json } = await sandboxControl<{ data: WebhookRecord[] }>("GET", `/webhooks?wabaId=${wabaId}&wamid=${encodeURIComponent(wamid)}&kind=statuses`);
    if (json.data.length < count) throw new Error(`${json.data.length} of ${count} statuses so far`);
    return json.data;
  });
}

const statusItem = (hook: WebhookRecord) => JSON.parse(hook.body).entry[0].changes[0].value.statuses[0];

describe("sandbox: tokens and first use", () => {
  it("a sandbox token registers its WABA on first use, with the starter templates", async () => {
    const { wabaId } = freshIds();
    const res = await sandboxGraph(`/v24.0/${wabaId}/message_templates`, { token: tokenFor(wabaId) });
    const json = await body(res);
    expect(res.status, JSON.stringify(json)).toBe(200);
    expect(json.data.map((t: any) => [t.name, t.language, t.category, t.status])).toEqual([
      ["hello_world", "en_US", "UTILITY", "APPROVED"],
      ["order_update", "en_US", "UTILITY", "APPROVED"],
    ]);
    expect(json.data[0].components).toEqual([
      { type: "HEADER", format: "TEXT", text: "Hello World" },
      {
        type: "BODY",
        text: "Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta. Thank you for taking the time to test with us.",
      },
      { type: "FOOTER", text: "WhatsApp Business Platform sample message" },
    ]);
    expect(json.data[1].components).toEqual([{ type: "BODY", text: "Your order {{1}} has shipped.", example: { body_text: [["4827"]] } }]);
    const { json: registered } = await sandboxControl<{ waba: Waba }>("GET", `/wabas/${wabaId}`);
    expect(registered.waba).toMatchObject({ metaWabaId: wabaId, accessToken: tokenFor(wabaId), phoneNumbers: [] });
    expect(registered.waba.templates.map((t) => t.name)).toEqual(STARTER_TEMPLATES.map((t) => t.name));
  });

  it("a sandbox token opens a WABA registered with another token (the preloaded demo WABA)", async () => {
    const json = await body(await sandboxGraph(`/v24.0/${demoWaba.metaWabaId}/message_templates?limit=100`, { token: tokenFor(demoWaba.metaWabaId) }));
    expect(json.data.map((t: any) => t.name)).toContain("order_shipped_v2");
    expect(json.data.map((t: any) => t.name)).not.toContain("hello_world");
    // the demo WABA's own token still works too
    expect((await sandboxGraph(`/v24.0/${demoWaba.metaWabaId}/message_templates`, { token: demoWaba.accessToken })).status).toBe(200);
  });

  it("a sandbox token opens only its own WABA: 190 for another WABA's objects", async () => {
    const a = await sandboxWaba();
    const b = await sandboxWaba();
    const error = await graphError(await sandboxGraph(`/v24.0/${b.wabaId}/message_templates`, { token: a.token }), 401, 190);
    expect(error.message).toContain(b.wabaId);
  });

  it("a phone number the sandbox does not know joins the token's WABA on first use", async () => {
    const t = await sandboxWaba([]);
    const res = await t.send(USER, { type: "template", template: { name: "hello_world", language: { code: "en_US" } } });
    const json = await body(res);
    expect(res.status, JSON.stringify(json)).toBe(200);
    expect(json).toMatchObject({ contacts: [{ input: USER, wa_id: USER_WA_ID }], messages: [{ id: expect.stringMatching(/^wamid\./), message_status: "accepted" }] });
    const { json: registered } = await sandboxControl<{ waba: Waba }>("GET", `/wabas/${t.wabaId}`);
    expect(registered.waba.phoneNumbers).toEqual([
      { metaPhoneNumberId: t.phoneNumberId, displayPhoneNumber: expect.stringMatching(/^\+1 202-555-01\d\d$/), verifiedName: "WBIZ Sandbox" },
    ]);
  });

  it("both register from the token alone: a send to an unknown WABA's unknown number works at once", async () => {
    const { wabaId, phoneNumberId } = freshIds();
    const res = await sandboxGraph(`/v24.0/${phoneNumberId}/messages`, {
      token: tokenFor(wabaId),
      json: { messaging_product: "whatsapp", to: USER, type: "template", template: { name: "order_update", language: { code: "en_US" }, components: [{ type: "body", parameters: [{ type: "text", text: "4827" }] }] } },
    });
    expect(res.status, JSON.stringify(await body(res.clone()))).toBe(200);
    expect((await sandboxControl("GET", `/wabas/${wabaId}`)).json.waba.phoneNumbers[0].metaPhoneNumberId).toBe(phoneNumberId);
  });

  it("a phone number of another WABA stays that WABA's: 190, as Meta answers", async () => {
    const owner = await sandboxWaba([]);
    expect((await owner.send(USER)).status).toBe(200);
    const other = freshIds();
    const taken = await sandboxGraph(`/v24.0/${owner.phoneNumberId}/messages`, {
      token: tokenFor(other.wabaId),
      json: { messaging_product: "whatsapp", to: USER, type: "text", text: { body: "hi" } },
    });
    expect((await graphError(taken, 401, 190)).message).toContain(owner.phoneNumberId);
    const demoPhone = demoWaba.phoneNumbers[0]!.metaPhoneNumberId;
    const demo = await sandboxGraph(`/v24.0/${demoPhone}/messages`, { token: tokenFor(other.wabaId), json: { messaging_product: "whatsapp", to: USER, type: "text", text: { body: "hi" } } });
    await graphError(demo, 401, 190);
    expect((await sandboxControl("GET", `/wabas/${other.wabaId}`)).json.waba.phoneNumbers).toEqual([]);
  });

  it("anything but a sandbox token is Meta's 190, and so is a sandbox token outside sandbox mode", async () => {
    const { wabaId } = freshIds();
    await graphError(await sandboxGraph(`/v24.0/${wabaId}/message_templates`, { token: "EAAGnot-a-real-token" }), 401, 190);
    await graphError(await sandboxGraph(`/v24.0/${wabaId}/message_templates`, { token: "wbiz-sandbox-12ab" }), 401, 190);
    await graphError(await sandboxGraph(`/v24.0/${wabaId}/message_templates`), 401, 190);
    // the Meta emulator (no SANDBOX) knows nothing of sandbox tokens
    await graphError(await graph(`/v24.0/${wabaId}/message_templates`, { token: tokenFor(wabaId) }), 401, 190);
    expect((await sandboxControl("GET", `/wabas/${wabaId}`)).status).toBe(404);
  });
});

describe("sandbox: magic recipients", () => {
  it("the table: three numbers, each valid and distinct", () => {
    expect(MAGIC_RECIPIENTS.map((m) => [m.number, m.result, m.code])).toEqual([
      ["+15005550001", "failed", 131026],
      ["+15005550002", "throttled_once", 130429],
      ["+15005550003", "failed", 131049],
    ]);
  });

  for (const [number, code] of [["+15005550001", 131026], ["+15005550003", 131049]] as const) {
    it(`${number}: 200, then one failed status with ${code}`, async () => {
      const t = await sandboxWaba();
      const res = await t.send(number);
      const json = await body(res);
      expect(res.status, JSON.stringify(json)).toBe(200);
      const wamid = json.messages[0].id as string;
      const [hook] = await statusesOf(t.wabaId, wamid, 1);
      expect(statusItem(hook!)).toMatchObject({ id: wamid, status: "failed", recipient_id: number.slice(1), errors: [{ code }] });
      const { json: sent } = await sandboxControl("GET", `/sent?phoneNumberId=${t.phoneNumberId}`);
      expect(sent.data).toEqual([expect.objectContaining({ wamid, waId: number.slice(1), asyncFailure: { code, details: "" } })]);
    });
  }

  it("+15005550002: the first attempt is refused with 130429, the next one is accepted", async () => {
    const t = await sandboxWaba();
    const first = await graphError(await t.send("+15005550002"), 400, 130429);
    expect(first).toMatchObject({ error_subcode: 2494055, error_data: { details: "Cloud API message throughput has been reached." } });
    const retry = await t.send("+15005550002");
    const json = await body(retry);
    expect(retry.status, JSON.stringify(json)).toBe(200);
    const statuses = await statusesOf(t.wabaId, json.messages[0].id, 3);
    expect(statuses.map((h) => h.status)).toEqual(["sent", "delivered", "read"]);
    // every message: its first attempt throttled, its retry accepted
    await graphError(await t.send("+15005550002"), 400, 130429);
    expect((await t.send("+15005550002")).status).toBe(200);
  });

  it("any other number: sent → delivered → read", async () => {
    const t = await sandboxWaba();
    const json = await body(await t.send("+15005550006"));
    const statuses = await statusesOf(t.wabaId, json.messages[0].id, 3);
    expect(statuses.map((h) => h.status)).toEqual(["sent", "delivered", "read"]);
    expect(statuses.map((h) => h.body)).toSatisfy((bodies: string[]) => bodies.every((b) => b.includes('"recipient_id":"15005550006"')));
  });

  it("sandbox webhooks are signed with the sandbox's app secret and go to /meta/sandbox/webhook", async () => {
    const t = await sandboxWaba();
    const json = await body(await t.send(USER));
    const [hook] = await statusesOf(t.wabaId, json.messages[0].id, 1);
    const key = await crypto.subtle.importKey("raw", new TextEncoder().encode("demo-sandbox-app-secret-local-only"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(hook!.body)));
    expect(hook!.signature).toBe(`sha256=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`);
    expect((await sandboxControl("GET", `/settings?wabaId=${t.wabaId}`)).json.settings.webhookPath).toBe("/meta/sandbox/webhook");
  });
});

describe("sandbox: the 24-hour window is the gateway's", () => {
  it("a free-form message to a closed window is accepted, even with enforceWindow and sync errors on", async () => {
    const t = await sandboxWaba();
    await sandboxControl("POST", "/settings", { wabaId: t.wabaId, enforceWindow: true, windowErrorMode: "sync" });
    const res = await t.send(USER);
    const json = await body(res);
    expect(res.status, JSON.stringify(json)).toBe(200);
    expect((await statusesOf(t.wabaId, json.messages[0].id, 3)).map((h) => h.status)).toEqual(["sent", "delivered", "read"]);
  });

  it("the Meta emulator still refuses it (131047), with the same settings", async () => {
    const metaWabaId = uniqueId("2");
    const phoneNumberId = uniqueId("3");
    const token = `EAAGtest${uniqueId("9")}`;
    await registerWaba({ metaWabaId, accessToken: token, phoneNumbers: [{ metaPhoneNumberId: phoneNumberId, displayPhoneNumber: "+1 555-010-0200" }] });
    await env.META!.fetch(`${GRAPH_ORIGIN}/__emulator/settings`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ wabaId: metaWabaId, enforceWindow: true, windowErrorMode: "sync", statusDelaysMs: [] }),
    });
    const res = await graph(`/v24.0/${phoneNumberId}/messages`, { token, json: { messaging_product: "whatsapp", to: USER, type: "text", text: { body: "hi" } } });
    await graphError(res, 400, 131047);
  });
});

describe("sandbox: the control API", () => {
  const bindings: EmulatorBindings = { META_APP_SECRET: "s", WEBHOOK_PATH: "/meta/sandbox/webhook", DEFAULT_GRAPH_VERSION: "v24.0", SANDBOX: "true", STATUS_DELAYS_MS: "none" };
  const app = createApp();
  async function call(path: string, vars: Partial<EmulatorBindings>): Promise<Response> {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(`${GRAPH_ORIGIN}${path}`), { ...bindings, ...vars }, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  }

  it("does not exist in sandbox mode without CONTROL: Graph's unknown path, as on Meta", async () => {
    for (const path of ["/__emulator/wabas", "/__emulator/settings?wabaId=102290129340398", "/__emulator/nothing"]) {
      const error = await graphError(await call(path, {}), 400, 2500);
      expect(error.message).toMatch(/^Unknown path components: \/__emulator/);
    }
    expect((await call("/__emulator/wabas", { CONTROL: "false" })).status).toBe(400);
  });

  it("is there with CONTROL (local dev and tests), and always outside sandbox mode", async () => {
    expect((await call("/__emulator/wabas", { CONTROL: "true" })).status).toBe(200);
    expect((await call("/__emulator/wabas", { SANDBOX: undefined })).status).toBe(200);
    expect((await sandboxControl("GET", "/wabas")).status).toBe(200);
  });
});

describe("two auxiliary Workers from one bundle", () => {
  it("keep separate module state: the emulator's WABAs are not the sandbox's, and the other way round", async () => {
    const metaWabaId = uniqueId("2");
    await registerWaba({ metaWabaId, accessToken: `EAAGtest${uniqueId("9")}`, phoneNumbers: [] });
    expect((await env.META!.fetch(`${GRAPH_ORIGIN}/__emulator/wabas/${metaWabaId}`)).status).toBe(200);
    expect((await sandboxControl("GET", `/wabas/${metaWabaId}`)).status).toBe(404);

    const t = await sandboxWaba([]);
    expect((await sandboxControl("GET", `/wabas/${t.wabaId}`)).status).toBe(200);
    expect((await env.META!.fetch(`${GRAPH_ORIGIN}/__emulator/wabas/${t.wabaId}`)).status).toBe(404);
  });
});
