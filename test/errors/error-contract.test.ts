import { describe, expect, it } from "vitest";
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

  it("malformed JSON → 400 VALIDATION_FAILED naming the body", async () => {
    const res = await admin("/admin/workspaces", { method: "POST", body: "{not json", headers: { "Content-Type": "application/json" } });
    expect(res.status).toBe(400);
    const body = await jsonOf(res);
    expect(body.error.code).toBe("VALIDATION_FAILED");
    expect(body.error.details[0].field).toBe("body");
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
