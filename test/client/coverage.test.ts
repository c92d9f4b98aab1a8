import { describe, expect, it } from "vitest";
import { api, jsonOf } from "../helpers/api";
import { CALLS } from "./typed-calls";

// The client's types are generated from /v1/openapi.json (client/src/openapi.ts, `npm run
// client:generate`; `npm run openapi:check` fails when that file is stale). This keeps the generated
// surface honest both ways: typed-calls.ts must call exactly the client's operations (or tsc fails),
// and those must equal the /v1 operations of the live OpenAPI document (or this test fails).

describe("client coverage", () => {
  it("the typed client has every /v1 operation of /v1/openapi.json, and no other", async () => {
    const doc = await jsonOf<{ paths: Record<string, Record<string, unknown>> }>(await api("/v1/openapi.json"));
    const documented = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith("/v1/"))
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented.length).toBeGreaterThan(20);
    expect(Object.keys(CALLS).sort()).toEqual(documented.sort());
  });
});
