import { describe, expect, it } from "vitest";
import { freshWaba, graphError, USER } from "./fixtures";

const hi = (to = USER) => ({ to, type: "text", text: { body: "hi" } });

describe("rate limits", () => {
  it("130429 when a phone number exceeds its messages per second", async () => {
    const t = await freshWaba({ settings: { mpsLimit: 3 } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await t.send(hi(`+1650555${1000 + i}`))).status);
    expect(statuses).toEqual([200, 200, 200]);
    const error = await graphError(await t.send(hi("+16505559999")), 400, 130429);
    expect(error).toMatchObject({
      message: "(#130429) Rate limit hit",
      error_subcode: 2494055,
      error_data: { messaging_product: "whatsapp", details: "Cloud API message throughput has been reached." },
    });
  });

  it("the default limit (80 mps) is not hit by a small burst; pair limit is off by default", async () => {
    const t = await freshWaba();
    const results = await Promise.all(Array.from({ length: 10 }, () => t.send(hi())));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
  });

  it("131056 for a second message to the same user within the pair interval when switched on", async () => {
    const t = await freshWaba({ settings: { pairRateLimit: true } });
    expect((await t.send(hi())).status).toBe(200);
    const error = await graphError(await t.send(hi("16505551234")), 400, 131056);
    expect(error).toMatchObject({ message: "(#131056) (Business Account, Consumer Account) pair rate limit hit", error_subcode: 2494071 });
    expect((await t.send(hi("+16505550000"))).status).toBe(200);
  });

  it("the pair interval is configurable", async () => {
    const t = await freshWaba({ settings: { pairRateLimit: true, pairIntervalMs: 0 } });
    expect((await t.send(hi())).status).toBe(200);
    expect((await t.send(hi())).status).toBe(200);
  });
});
