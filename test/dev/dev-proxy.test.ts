// The local dev proxy (src/routes/dev/dev-proxy.ts): /__emulator/* and /__sandbox/* through the API,
// only where ENVIRONMENT is "local" (as in these tests) and the binding exists.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { demoWaba } from "../../demo/dataset";
import { createApp } from "../../src/app";
import type { Env } from "../../src/env";
import { api, jsonOf } from "../helpers/api";

/** The app with some bindings or vars changed, as a deployed environment would have them. */
async function withEnv(patch: Partial<Env>, path: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await createApp().fetch(new Request(`https://api.wbiz.test${path}`, init), { ...env, ...patch }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function expectNotFound(res: Response): Promise<void> {
  expect(res.status).toBe(404);
  const json = await jsonOf(res);
  expect(json.error).toMatchObject({ code: "NOT_FOUND", requestId: expect.stringMatching(/^req_/) });
}

describe("dev proxy", () => {
  it("/__emulator/* answers the emulator's control API, without an API key", async () => {
    const res = await api(`/__emulator/settings?wabaId=${demoWaba.metaWabaId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Request-Id")).toMatch(/^req_/);
    const json = await jsonOf(res);
    expect(json).toMatchObject({ wabaId: demoWaba.metaWabaId, settings: { webhookPath: "/meta/webhook" } });
  });

  it("/__sandbox/* answers the sandbox's control API", async () => {
    const json = await jsonOf(await api(`/__sandbox/settings?wabaId=${demoWaba.metaWabaId}`));
    expect(json).toMatchObject({ wabaId: demoWaba.metaWabaId, settings: { webhookPath: "/meta/sandbox/webhook" } });
  });

  it("passes method, body and the emulator's answers through: what it registers is in the emulator", async () => {
    const metaWabaId = `7${Date.now()}`;
    const created = await api("/__emulator/wabas", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ metaWabaId, accessToken: `EAAGproxy${metaWabaId}`, phoneNumbers: [] }),
    });
    expect(created.status).toBe(201);
    const direct = await env.META!.fetch(`https://graph.facebook.com/__emulator/wabas/${metaWabaId}`);
    expect((await jsonOf(direct)).waba).toMatchObject({ metaWabaId, accessToken: `EAAGproxy${metaWabaId}` });
    const missing = await api("/__emulator/wabas/999999999999");
    expect(missing.status).toBe(404);
    expect(await jsonOf(missing)).toEqual({ error: { message: "unknown WABA" } });
  });

  it("is the usual 404 outside local development", async () => {
    for (const environment of ["staging", "production"]) {
      await expectNotFound(await withEnv({ ENVIRONMENT: environment }, `/__emulator/settings?wabaId=${demoWaba.metaWabaId}`));
      await expectNotFound(await withEnv({ ENVIRONMENT: environment }, `/__sandbox/wabas`));
    }
    // the same app with the local environment does proxy (the comparison the 404s above stand on)
    expect((await withEnv({}, "/__sandbox/wabas")).status).toBe(200);
  });

  it("is the usual 404 when the binding is missing (production has no META binding)", async () => {
    await expectNotFound(await withEnv({ META: undefined }, "/__emulator/wabas"));
    await expectNotFound(await withEnv({ SANDBOX: undefined }, "/__sandbox/wabas"));
  });

  it("is not in the OpenAPI document", async () => {
    const doc = await jsonOf(await api("/v1/openapi.json"));
    expect(Object.keys(doc.paths).filter((p) => p.startsWith("/__"))).toEqual([]);
  });
});
