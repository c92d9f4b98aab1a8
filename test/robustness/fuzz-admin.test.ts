import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCOPES } from "../../src/auth/scopes";
import { addKey, createTenant } from "../helpers/tenant";
import { createFuzzContext, fuzzRoute, printTally, type FuzzContext, type FuzzSpec } from "./fuzz";
import { servedRoutes } from "./harness";
import { adminSpecs, KEYED_SPECS, META_SPECS } from "./route-specs";

// Property-based fuzzing of the operator routes, and the check that the suite fuzzes every route the
// app serves (a new route without a fuzz spec fails here).

const RUNS = 50;

describe("fuzzing the admin routes", () => {
  let ctx: FuzzContext;
  let specs: FuzzSpec[] = [];
  beforeAll(async () => {
    ctx = await createFuzzContext();
    const throwaway = await Promise.all([1, 2, 3].map(() => addKey(ctx.t, [...SCOPES])));
    // WABAs for DELETE /admin/wabas/{id} to erase (never the fuzz tenants)
    const doomed = await Promise.all([1, 2, 3].map(() => createTenant()));
    specs = adminSpecs(
      throwaway.map((k) => k.id),
      doomed.map((d) => d.waba.id),
    );
  }, 60_000);
  afterAll(printTally);

  it("every route the app serves has a fuzz spec", () => {
    const fuzzed = [...KEYED_SPECS, ...META_SPECS, ...adminSpecs([])].map((s) => `${s.method} ${s.path}`).sort();
    expect(servedRoutes().filter((r) => !r.startsWith("HEAD "))).toEqual(fuzzed);
  });

  for (const spec of adminSpecs([])) {
    it(`${spec.method} ${spec.path}`, () => fuzzRoute(specs.find((s) => s.method === spec.method && s.path === spec.path)!, ctx, RUNS), 180_000);
  }
});
