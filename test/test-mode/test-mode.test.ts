import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { graphRequest } from "../../src/meta/graph";
import { syncTemplates } from "../../src/templates/sync-templates";
import type { Env } from "../../src/env";
import { api, jsonOf } from "../helpers/api";
import { emulatorSends, type SentRecord } from "../helpers/emulator";
import { signedMetaWebhook } from "../helpers/meta-webhook";
import { addKey, createTenant, type Tenant } from "../helpers/tenant";

// Test mode, Stripe-style: a test key's sends are validated exactly as live ones, answered and moved
// to sent → delivered → read by the sandbox (the emulator's code, its own Worker: env.SANDBOX), and
// never reach Meta — here, the META emulator stands in for Meta and must see nothing. A WABA's test
// data lives in its own object, apart from its live data.

async function sandboxSends(phoneNumberId: string): Promise<SentRecord[]> {
  const res = await env.SANDBOX!.fetch(`https://sandbox.test/__emulator/sent?phoneNumberId=${phoneNumberId}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: SentRecord[] }).data;
}

/** A tenant with a test key whose test-mode template mirror is synced from the sandbox. */
async function testTenant(): Promise<Tenant & { phone: string }> {
  const t = await createTenant({ mode: "test" });
  const synced = await syncTemplates(t.db, env, t.waba.id, { mode: "test" });
  expect(synced.kind).toBe("synced");
  return { ...t, phone: t.phones[0]!.metaPhoneNumberId };
}

const hello = (to: string) => ({ to, template: "hello_world", language: "en_US" });

async function sendAsync(t: Tenant, json: unknown): Promise<string> {
  const res = await api("/v1/messages/template", { method: "POST", key: t.secret, headers: { Prefer: "respond-async" }, json });
  expect(res.status).toBe(202);
  return (await jsonOf(res)).id;
}

async function statusOf(t: Tenant, id: string) {
  return jsonOf(await api(`/v1/messages/${id}`, { key: t.secret }));
}

describe("test mode", () => {
  it("GET /v1/key shows the key's mode", async () => {
    const t = await createTenant({ mode: "test" });
    expect((await jsonOf(await api("/v1/key", { key: t.secret }))).mode).toBe("test");
    const live = await addKey(t, ["messages:send"]);
    expect((await jsonOf(await api("/v1/key", { key: live.secret }))).mode).toBe("live");
  });

  it("a test key's template send is answered by the sandbox, ends read, and never reaches Meta", async () => {
    const t = await testTenant();
    const templates = (await jsonOf(await api("/v1/templates", { key: t.secret }))).data.map((x: { name: string }) => x.name);
    expect(templates).toContain("hello_world"); // the sandbox's starter templates, as Meta gives every new WABA

    const res = await api("/v1/messages/template", { method: "POST", key: t.secret, json: hello("+919812345678") });
    expect(res.status).toBe(200);
    const { wamid } = await jsonOf(res);
    const [sent] = await sandboxSends(t.phone);
    expect(sent).toMatchObject({ wamid, to: "+919812345678" });
    // Meta (here: the META emulator) never saw the phone number's send, nor the WABA's token
    expect(await emulatorSends(t.phone)).toEqual([]);

    const id = await sendAsync(t, hello("+919812345679"));
    await vi.waitFor(async () => expect((await statusOf(t, id)).status).toBe("read"));
    expect(await emulatorSends(t.phone)).toEqual([]);
  });

  it("validates exactly as live: the 24-hour window, template checks and E.164 refuse before anything is sent", async () => {
    const t = await testTenant();
    const text = await api("/v1/messages/text", { method: "POST", key: t.secret, json: { to: "+919812345678", body: "hi" } });
    expect(text.status).toBe(400);
    expect((await jsonOf(text)).error.code).toBe("OUTSIDE_24H_WINDOW");
    const missing = await api("/v1/messages/template", { method: "POST", key: t.secret, json: { ...hello("+919812345678"), template: "helo_world" } });
    expect(missing.status).toBe(404);
    expect((await jsonOf(missing)).error.message).toMatch(/did you mean hello_world\?/);
    expect(await sandboxSends(t.phone)).toEqual([]);
  });

  it.each([
    ["+15005550001", 131026],
    ["+15005550003", 131049],
  ])("magic recipient %s ends failed with Meta's %i", async (to, code) => {
    const t = await testTenant();
    const id = await sendAsync(t, hello(to));
    await vi.waitFor(async () => expect(await statusOf(t, id)).toMatchObject({ status: "failed", error: { source: "meta", code } }));
  });

  it("magic recipient +15005550002: Meta throttles the first attempt, the relay retries, and it is sent once", async () => {
    const t = await testTenant();
    const id = await sendAsync(t, hello("+15005550002"));
    await vi.waitFor(async () => expect(["sent", "delivered", "read"]).toContain((await statusOf(t, id)).status));
    expect(await sandboxSends(t.phone)).toHaveLength(1);
  });

  it("test and live data are apart: neither key sees the other's contacts or messages", async () => {
    const t = await testTenant();
    const live = await addKey(t, ["contacts:read", "contacts:write", "messages:send", "inbox:read"]);
    const create = (key: string, phone: string) => api("/v1/contacts", { method: "POST", key, json: { phone, name: "Asha" } });
    const testContact = await jsonOf(await create(t.secret, "+919800000001"));
    const liveContact = await jsonOf(await create(live.secret, "+919800000002"));
    const phones = async (key: string) => (await jsonOf(await api("/v1/contacts", { key }))).data.map((c: { phone: string }) => c.phone);
    expect(await phones(t.secret)).toEqual(["+919800000001"]);
    expect(await phones(live.secret)).toEqual(["+919800000002"]);
    expect((await api(`/v1/contacts/${testContact.id}`, { key: live.secret })).status).toBe(404);
    expect((await api(`/v1/contacts/${liveContact.id}`, { key: t.secret })).status).toBe(404);

    const id = await sendAsync(t, hello("+919800000001"));
    expect((await api(`/v1/messages/${id}`, { key: live.secret })).status).toBe(404);
    expect((await jsonOf(await api("/v1/conversations", { key: live.secret }))).data).toEqual([]);
    expect((await jsonOf(await api("/v1/conversations", { key: t.secret }))).data).toHaveLength(1);
  });

  it("the sandbox's webhooks are accepted only with the sandbox's signature, and only on its own path", async () => {
    const t = await testTenant();
    const envelope = { object: "whatsapp_business_account", entry: [{ id: t.waba.metaWabaId, changes: [] }] };
    const body = JSON.stringify(envelope);
    const post = (path: "/meta/webhook" | "/meta/sandbox/webhook", secret: string) => signedMetaWebhook(path, body, secret);
    expect((await post("/meta/sandbox/webhook", "demo-sandbox-app-secret-local-only")).status).toBe(200);
    // Meta's secret does not open the sandbox's door, nor the sandbox's secret Meta's
    expect((await post("/meta/sandbox/webhook", "demo-meta-app-secret-local-only")).status).toBe(401);
    expect((await post("/meta/webhook", "demo-sandbox-app-secret-local-only")).status).toBe(401);
  });

  it("without a sandbox, a test-mode Graph call fails — it never falls through to Meta", async () => {
    const calls: string[] = [];
    const meta = { fetch: async (req: Request) => (calls.push(req.url), Response.json({ messages: [{ id: "wamid.x" }] })) } as unknown as Fetcher;
    const noSandbox = { ...env, META: meta, SANDBOX: undefined } as Env;
    const result = await graphRequest(noSandbox, "123/messages", { method: "POST", target: { mode: "test", metaWabaId: "1" }, body: {} });
    expect(result).toMatchObject({ ok: false, kind: "network" });
    expect(calls).toEqual([]);
  });
});
