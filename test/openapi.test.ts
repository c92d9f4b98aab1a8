import { WEBHOOK_EVENT_TYPES } from "../src/data-plane/schema";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { api, jsonOf } from "./helpers/api";

describe("GET /v1/openapi.json", () => {
  it("is an OpenAPI 3.1 document listing every public route with its security and error responses", async () => {
    const res = await api("/v1/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Request-Id")).toMatch(/^req_/);
    const doc = await jsonOf(res);
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });

    const documented = new Set<string>();
    for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) for (const method of Object.keys(item)) documented.add(`${method.toUpperCase()} ${path}`);
    const served = createApp()
      .routes.filter((r) => r.method !== "ALL" && !r.path.startsWith("/admin") && !r.path.startsWith("/docs") && r.path !== "/v1/openapi.json")
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
    expect(new Set(served)).toEqual(documented);

    for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
      if (!path.startsWith("/v1/")) continue;
      for (const [method, op] of Object.entries<any>(item)) {
        expect(op.security, `${method} ${path}`).toEqual([{ bearerAuth: [] }]);
        for (const status of ["401", "429", "500"]) expect(op.responses[status], `${method} ${path} ${status}`).toBeDefined();
        expect(op.responses["401"].description).toContain("INVALID_API_KEY");
        expect(op.responses["429"].headers["Retry-After"]).toBeDefined();
      }
    }
  });

  it("describes the events sent to integrators as OpenAPI webhooks", async () => {
    const doc = await jsonOf(await api("/v1/openapi.json"));
    expect(Object.keys(doc.webhooks).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
    for (const type of ["message.sent", "message.delivered", "message.read", "message.failed", "message.received", "template.status_updated", "message.held", "message.played", "message.edited", "message.deleted", "contact.updated", "template.category_updated"]) {
      expect(doc.webhooks[type], type).toBeDefined();
    }
    expect(doc.webhooks["message.read"].post.requestBody.content["application/json"].schema.$ref).toBe("#/components/schemas/WebhookEvent");
  });

  it("carries the spec's request examples", async () => {
    const doc = await jsonOf(await api("/v1/openapi.json"));
    expect(doc.components.schemas.SendTemplate.example).toMatchObject({ template: "order_shipped_v2", variables: ["Aarav", "4827", "tomorrow"] });
  });
});
