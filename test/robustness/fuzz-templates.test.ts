import { afterAll, beforeAll, describe, it } from "vitest";
import { setTemplateReview } from "../helpers/emulator";
import { createFuzzContext, fuzzRoute, printTally, type FuzzContext } from "./fuzz";
import { TEMPLATE_SPECS } from "./route-specs";

// Property-based fuzzing of template management (POST /v1/templates, GET/PATCH/DELETE
// /v1/templates/{template}): every answer documented, a refused request writes nothing, and what was
// created or edited is what GET answers. Meta's review waits (no webhook moves a snapshot under a request).

const RUNS = 40;

describe("fuzzing template management", () => {
  let ctx: FuzzContext;
  beforeAll(async () => {
    ctx = await createFuzzContext();
    await Promise.all([ctx.t.metaWabaId, ctx.foreign.tenant.metaWabaId].map((id) => setTemplateReview(id, { delayMs: null })));
  }, 60_000);
  afterAll(printTally);

  for (const spec of TEMPLATE_SPECS) {
    it(`${spec.method} ${spec.path}`, () => fuzzRoute(spec, ctx, RUNS), 180_000);
  }
});
