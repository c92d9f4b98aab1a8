import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { admin, api, jsonOf } from "../helpers/api";
import { emulatorSends } from "../helpers/emulator";
import { createMessagingTenant } from "../helpers/messaging";

describe("error contract", () => {
  it("unknown route → 404 NOT_FOUND in the envelope, with a request id", async () => {
    const res = await api("/v1/nope");
    expect(res.status).toBe(404);
    const body = await jsonOf(res);
    expect(body).toEqual({ error: { code: "NOT_FOUND", message: expect.any(String), requestId: expect.stringMatching(/^req_[0-9a-f]{24}$/) } });
    expect(res.headers.get("X-Request-Id")).toBe(body.error.requestId);
  });

  it("wrong method → 405 METHOD_NOT_ALLOWED with Allow", async () => {
    const res = await api("/v1/key", { method: "DELETE" });
    expect(res.status).toBe(405);
    expect(res.headers.get("Allow")).toContain("GET");
    expect((await jsonOf(res)).error.code).toBe("METHOD_NOT_ALLOWED");
  });

  it("malformed JSON → 400 VALIDATION_FAILED about the request body as a whole (no field)", async () => {
    const res = await admin("/admin/workspaces", { method: "POST", body: "{not json", headers: { "Content-Type": "application/json" } });
    expect(res.status).toBe(400);
    const body = await jsonOf(res);
    expect(body.error.code).toBe("VALIDATION_FAILED");
    expect(body.error.message).toMatch(/^Request body is not valid JSON/);
    expect(body.error.details).toEqual([{ message: "Request body is not valid JSON" }]);
  });

  it("wrong type and missing field → 400 naming each field", async () => {
    const res = await admin("/admin/workspaces", { method: "POST", json: { plan: 7 } });
    expect(res.status).toBe(400);
    const fields = (await jsonOf(res)).error.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(["name", "plan"]);
  });

  it("unknown fields are refused, by name", async () => {
    const res = await admin("/admin/workspaces", { method: "POST", json: { name: "x", colour: "red" } });
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error.details).toEqual([{ field: "colour", message: "Unknown field" }]);
  });

  it("a body over the cap → 413 PAYLOAD_TOO_LARGE, before parsing", async () => {
    const res = await admin("/admin/workspaces", { method: "POST", json: { name: "x".repeat(70_000) } });
    expect(res.status).toBe(413);
    expect((await jsonOf(res)).error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("a non-JSON content type → 415", async () => {
    const res = await admin("/admin/workspaces", { method: "POST", body: "name=x", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(415);
    expect((await jsonOf(res)).error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("a body nested thousands of levels deep is answered with a 4xx, not a 500, and sends nothing", async () => {
    const t = await createMessagingTenant();
    const depth = 8_000; // under the 64 KiB cap: {"a":…} is 6 bytes a level
    const deep = `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
    // the \u escape makes the API walk the whole body looking for lone surrogates
    const body = `{"to":"+919812345678","template":"order_shipped_v2","language":"en\\u005fUS","components":[{"type":"header","parameters":[${deep}]}]}`;
    const res = await api("/v1/messages/template", { key: t.secret, method: "POST", body, headers: { "Content-Type": "application/json", Prefer: "respond-async" } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await emulatorSends(t.defaultPhone)).toEqual([]);
  });
});

/** Every path the app serves (ids filled in) with the methods it serves there, from the registered routes. */
function servedPaths(): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const r of createApp().routes) {
    // the API reference page is static HTML with its own /docs/ redirect (test/docs)
    // (and GET / only redirects there: test/errors/error-messages.test.ts)
    if (r.method === "ALL" || r.path.includes("*") || r.path.startsWith("/docs") || r.path === "/") continue;
    const path = r.path.replace(/:[A-Za-z0-9_]+/g, "0000000000000000000000ab");
    out.set(path, (out.get(path) ?? new Set()).add(r.method));
  }
  return new Map([...out].map(([path, methods]) => [path, [...(methods.has("GET") ? methods.add("HEAD") : methods)].sort()]));
}

describe("trailing slashes and wrong methods", () => {
  it.each([
    ["GET", "/v1/key/", "/v1/key"],
    ["POST", "/v1/key/", "/v1/key"],
    ["GET", "/v1/webhooks/", "/v1/webhooks"],
    ["POST", "/v1/webhooks/", "/v1/webhooks"],
    ["GET", "/v1/contacts/0000000000000000000000ab/", "/v1/contacts/0000000000000000000000ab"],
    ["PATCH", "/v1/contacts/0000000000000000000000ab/", "/v1/contacts/0000000000000000000000ab"],
    ["POST", "/v1/messages/text/", "/v1/messages/text"],
    ["GET", "/v1/openapi.json/", "/v1/openapi.json"],
    ["POST", "/admin/workspaces/", "/admin/workspaces"],
    ["GET", "/meta/webhook/", "/meta/webhook"],
    ["DELETE", "/v1/key//", "/v1/key"],
  ])("%s %s → 404 naming %s, not a 405", async (method, path, without) => {
    const res = await api(path, { method });
    expect(res.status).toBe(404);
    expect(res.headers.get("Allow")).toBeNull();
    const body = await jsonOf(res);
    expect(body.error).toEqual({ code: "NOT_FOUND", message: `No route ${method} ${path}; did you mean ${without}?`, requestId: expect.any(String) });
  });

  it.each([["/v1/"], ["/v1/nope/"]])("GET %s → a plain 404 (nothing to suggest)", async (path) => {
    const res = await api(path);
    expect(res.status).toBe(404);
    expect((await jsonOf(res)).error.message).toBe(`No route GET ${path}`);
  });

  it("every route path with a trailing slash, whatever the method: 404, never a 405", async () => {
    for (const path of servedPaths().keys()) {
      for (const method of ["GET", "POST", "PATCH", "DELETE", "PUT"]) {
        const res = await api(`${path}/`, { method });
        expect(res.status, `${method} ${path}/`).toBe(404);
        expect((await jsonOf(res)).error.message, `${method} ${path}/`).toBe(`No route ${method} ${path}/; did you mean ${path}?`);
      }
    }
  });

  it("a method a path does not serve: 405 whose Allow lists what it does serve, never the method used", async () => {
    let refused = 0;
    for (const [path, served] of servedPaths()) {
      for (const method of ["GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS"].filter((m) => !served.includes(m))) {
        const res = await api(path, { method });
        // (a literal path can also match another route's {id}: GET /v1/messages/text is GET /v1/messages/{id})
        if (res.status !== 405) continue;
        refused++;
        const allow = res.headers.get("Allow")!.split(", ");
        expect(allow, `${method} ${path}`).not.toContain(method);
        for (const m of served) expect(allow, `${method} ${path}`).toContain(m);
        expect((await jsonOf(res)).error).toMatchObject({ code: "METHOD_NOT_ALLOWED", message: `${method} is not allowed on ${path}; use ${allow.join(", ")}` });
      }
    }
    expect(refused).toBeGreaterThan(50);
  });
});
