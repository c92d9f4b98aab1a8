import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WEBHOOK_EVENT_TYPES } from "../../src/data-plane/schema";
import { api, jsonOf } from "../helpers/api";
import { receiverUrl } from "../helpers/receiver";
import { createFuzzContext, fuzzRoute, printTally, type FuzzContext } from "./fuzz";
import { WEBHOOK_SPECS } from "./route-specs";

// Property-based fuzzing of the webhooks:manage routes.

const RUNS = 60;

describe("fuzzing the webhook routes", () => {
  let ctx: FuzzContext;
  beforeAll(async () => {
    ctx = await createFuzzContext({ webhook: true });
  }, 60_000);
  afterAll(printTally);

  for (const spec of WEBHOOK_SPECS) {
    it(`${spec.method} ${spec.path}`, async () => {
      if (spec.method === "DELETE") {
        // throwaway endpoints for DELETE to remove (the spec never hands it the seeded one)
        for (let i = 0; i < 4; i++) {
          const res = await api("/v1/webhooks", { key: ctx.t.secret, method: "POST", json: { url: receiverUrl("doomed").url, events: [...WEBHOOK_EVENT_TYPES] } });
          expect(res.status).toBe(201);
          ctx.own.webhooks.push((await jsonOf(res)).id);
        }
      }
      await fuzzRoute(spec, ctx, RUNS);
    }, 180_000);
  }
});
