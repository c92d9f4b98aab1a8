import { describe, expect, it } from "vitest";
import type { V1Schema } from "../../client";
import { api, jsonOf } from "../helpers/api";

// The client's types are derived from the routers src/app.ts mounts (client/app-type.ts). This keeps
// that list honest both ways: the table below must name exactly the client's routes (or tsc fails), and
// it must equal the /v1 operations of the live OpenAPI document (or this test fails).

type Method<K> = K extends `$${infer M}` ? Uppercase<M> : never;
type ClientRoute = V1Schema extends infer S ? (S extends unknown ? { [P in keyof S & string]: `${Method<keyof S[P]>} ${P}` }[keyof S & string] : never) : never;

const CLIENT_ROUTES = {
  "GET /v1/key": true,
  "GET /v1/templates": true,
  "GET /v1/contacts": true,
  "POST /v1/contacts": true,
  "GET /v1/contacts/:id": true,
  "PATCH /v1/contacts/:id": true,
  "GET /v1/conversations": true,
  "GET /v1/conversations/:id/messages": true,
  "POST /v1/messages/text": true,
  "POST /v1/messages/template": true,
  "POST /v1/messages/media": true,
  "POST /v1/messages/interactive": true,
  "POST /v1/messages/location": true,
  "GET /v1/messages/:id": true,
  "POST /v1/webhooks": true,
  "GET /v1/webhooks": true,
  "GET /v1/webhooks/:id": true,
  "PATCH /v1/webhooks/:id": true,
  "DELETE /v1/webhooks/:id": true,
  "POST /v1/webhooks/:id/rotate-secret": true,
  "GET /v1/webhooks/:id/deliveries": true,
  "POST /v1/webhooks/:id/deliveries/:deliveryId/replay": true,
} satisfies Record<ClientRoute, true>;

describe("client coverage", () => {
  it("the typed client has every /v1 operation of /v1/openapi.json, and no other", async () => {
    const doc = await jsonOf<{ paths: Record<string, Record<string, unknown>> }>(await api("/v1/openapi.json"));
    const documented = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith("/v1/"))
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`));
    expect(documented.length).toBeGreaterThan(20);
    expect(Object.keys(CLIENT_ROUTES).sort()).toEqual(documented.sort());
  });
});
