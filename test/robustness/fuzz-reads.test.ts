import { afterAll, beforeAll, describe, it } from "vitest";
import { createFuzzContext, fuzzRoute, printTally, type FuzzContext } from "./fuzz";
import { READ_SPECS } from "./route-specs";

// Property-based fuzzing of GET /v1/key, /v1/templates, /v1/conversations and a conversation's messages:
// every answer documented, none of them writes anything.

const RUNS = 80;

describe("fuzzing the read routes", () => {
  let ctx: FuzzContext;
  beforeAll(async () => {
    ctx = await createFuzzContext();
  }, 60_000);
  afterAll(printTally);

  for (const spec of READ_SPECS) {
    it(`${spec.method} ${spec.path}`, () => fuzzRoute(spec, ctx, RUNS), 180_000);
  }
});
