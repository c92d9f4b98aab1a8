import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toE164 } from "../../src/domain/phone";
import { api, jsonOf } from "../helpers/api";
import { hostileKey, NASTY_STRINGS, toWellFormed, wildString } from "./generators";
import { createFuzzContext, fuzzRoute, printTally, type FuzzContext } from "./fuzz";
import { assertProperty, expectSameJson, fc, fcParams } from "./harness";
import { CONTACT_SPECS } from "./route-specs";

// Property-based fuzzing of the contact routes, and a round trip: what a client writes is what it reads.

const RUNS = 80;

describe("fuzzing the contact routes", () => {
  let ctx: FuzzContext;
  beforeAll(async () => {
    ctx = await createFuzzContext();
  }, 60_000);
  afterAll(printTally);

  for (const spec of CONTACT_SPECS) {
    it(`${spec.method} ${spec.path}`, () => fuzzRoute(spec, ctx, RUNS), 180_000);
  }

  it("a created contact reads back exactly as written (name trimmed, tags trimmed and deduplicated)", async () => {
    let n = 0;
    // lone surrogates and a __proto__ field are refused (next test); everything else must survive the round trip
    const str = (min: number, max: number) =>
      fc.oneof(
        fc.string({ minLength: min, maxLength: max }),
        wildString(min, max).map(toWellFormed),
        fc.constantFrom(...NASTY_STRINGS.filter((s) => s.trim().length >= Math.max(min, 1) && s.length <= max).map(toWellFormed)),
      );
    const key = fc.oneof({ weight: 4, arbitrary: hostileKey().map(toWellFormed).filter((k) => k.length > 0 && k.length <= 64 && k !== "__proto__") }, { weight: 1, arbitrary: fc.constantFrom("constructor", "toString", "hasOwnProperty") });
    await assertProperty(
      fc.asyncProperty(
        fc.record(
          {
            name: str(1, 60).filter((s) => s.trim().length > 0),
            tags: fc.array(str(1, 50).filter((s) => s.trim().length > 0), { maxLength: 5 }),
            customFields: fc.dictionary(key, str(0, 80), { maxKeys: 5 }),
            optedIn: fc.boolean(),
          },
          { requiredKeys: ["name", "tags", "customFields"] },
        ),
        async (input) => {
          const phone = `+9196${String(++n).padStart(8, "0")}`;
          const res = await api("/v1/contacts", { key: ctx.t.secret, method: "POST", json: { phone, ...input } });
          expect(res.status).toBe(200);
          expect(res.headers.get("WBIZ-Contact-Created")).toBe("true");
          const created = await jsonOf(res);
          const expected = {
            phone: toE164(phone),
            name: input.name.trim(),
            tags: [...new Set(input.tags.map((t) => t.trim()))],
            customFields: Object.fromEntries(Object.entries(input.customFields)),
            optedIn: input.optedIn ?? true,
          };
          // JSON text, so a mismatch shows (escaped) exactly which characters were lost
          const got = { phone: created.phone, name: created.name, tags: created.tags, customFields: created.customFields, optedIn: created.optedIn };
          expectSameJson(got, expected, "the create answer differs from what was sent");
          const read = await jsonOf(await api(`/v1/contacts/${created.id}`, { key: ctx.t.secret }));
          expectSameJson(read, created, "GET differs from the create answer");
        },
      ),
      fcParams(RUNS),
    );
  }, 120_000);

  it("refuses what it could not give back — a lone surrogate anywhere, a __proto__ field — with 400 naming the field, writing nothing", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: "\ud800" }, "name"],
      [{ name: "ok", tags: ["fine", "x\udfff"] }, "tags.1"],
      [{ name: "ok", customFields: { "k\ud83d": "v" } }, "customFields"],
      [{ name: "ok", customFields: { city: "\ud83dDelhi" } }, "customFields.city"],
      [{ name: "ok", customFields: JSON.parse('{"__proto__":"x"}') }, "customFields.__proto__"],
    ];
    for (const [body, field] of cases) {
      const phone = `+9195${String(++lone).padStart(8, "0")}`;
      const res = await api("/v1/contacts", { key: ctx.t.secret, method: "POST", json: { phone, ...body } });
      expect(res.status).toBe(400);
      const { error } = await jsonOf(res);
      expect(error.code).toBe("VALIDATION_FAILED");
      expect(error.details[0].field).toBe(field);
      expect((await jsonOf(await api(`/v1/contacts?search=${encodeURIComponent(phone)}`, { key: ctx.t.secret }))).data).toEqual([]);
    }
  });
});
let lone = 0;
