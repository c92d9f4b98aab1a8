import { afterAll, beforeAll, describe, it } from "vitest";
import { createFuzzContext, fuzzRoute, printTally, type FuzzContext } from "./fuzz";
import { CAMPAIGN_SPECS } from "./route-specs";

// Property-based fuzzing of the campaign routes and DELETE /v1/messages/{id}: every answer documented,
// foreign ids answer 404 like random ones, refusals write nothing.

const RUNS = 60;

describe("fuzzing the campaign routes", () => {
  let ctx: FuzzContext;
  beforeAll(async () => {
    ctx = await createFuzzContext();
  }, 60_000);
  afterAll(printTally);

  for (const spec of CAMPAIGN_SPECS) {
    it(`${spec.method} ${spec.path}`, () => fuzzRoute(spec, ctx, RUNS), 180_000);
  }
});
