import { afterAll, beforeAll, describe, it } from "vitest";
import { createFuzzContext, fuzzRoute, printTally, type FuzzContext } from "./fuzz";
import { SEND_SPECS } from "./route-specs";

// Property-based fuzzing of the send routes and GET /v1/messages/{id}: every answer documented, nothing
// written or sent by a rejected request, every accepted send followed to sent or failed, sent once.

const RUNS = 80;

describe("fuzzing the message routes", () => {
  let ctx: FuzzContext;
  beforeAll(async () => {
    ctx = await createFuzzContext();
  }, 60_000);
  afterAll(printTally);

  for (const spec of SEND_SPECS) {
    it(`${spec.method} ${spec.path}`, () => fuzzRoute(spec, ctx, RUNS), 180_000);
  }
});
