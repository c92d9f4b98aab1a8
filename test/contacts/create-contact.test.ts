import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { api, jsonOf } from "../helpers/api";
import { expectInvalid } from "../helpers/lists";
import { addKey, createTenant } from "../helpers/tenant";
import { schema, wabaDb } from "../helpers/waba";

const post = (key: string, json: unknown) => api("/v1/contacts", { method: "POST", key, json });

describe("POST /v1/contacts", () => {
  it("200 (as the reference states) with the created contact in the spec's shape, and WBIZ-Contact-Created: true", async () => {
    const t = await createTenant();
    const res = await post(t.secret, {
      phone: "+919812345678", name: "Aarav Sharma", email: "aarav@example.com", tags: ["vip", "delhi"], customFields: { city: "Delhi", tier: "gold" }, optedIn: true,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("WBIZ-Contact-Created")).toBe("true");
    expect(res.headers.get("X-RateLimit-Limit")).not.toBeNull();
    const body = await jsonOf(res);
    expect(body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      phone: "+919812345678",
      userId: null,
      username: null,
      name: "Aarav Sharma",
      email: "aarav@example.com",
      tags: ["vip", "delhi"],
      customFields: { city: "Delhi", tier: "gold" },
      optedIn: true,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    const fetched = await jsonOf(await api(`/v1/contacts/${body.id}`, { key: t.secret }));
    expect(fetched).toEqual(body);
  });

  it("defaults: optedIn true, null name and email, no tags, no custom fields", async () => {
    const t = await createTenant();
    const body = await jsonOf(await post(t.secret, { phone: "+14155550123" }));
    expect(body).toMatchObject({ phone: "+14155550123", name: null, email: null, tags: [], customFields: {}, optedIn: true });
    const optedOut = await jsonOf(await post(t.secret, { phone: "+14155550124", optedIn: false }));
    expect(optedOut.optedIn).toBe(false);
  });

  it("normalises the phone to E.164: another spelling of a stored number returns the existing contact, unchanged, with 200 and WBIZ-Contact-Created: false", async () => {
    const t = await createTenant();
    const created = await jsonOf(await post(t.secret, { phone: "+91 98123 45678", name: "Aarav Sharma", tags: ["vip"] }));
    expect(created.phone).toBe("+919812345678");
    for (const phone of ["+919812345678", "+91-98123-45678", "+91 (981) 234-5678"]) {
      const res = await post(t.secret, { phone, name: "Someone Else", email: "else@example.com", tags: ["other"], customFields: { a: "b" }, optedIn: false });
      expect(res.status).toBe(200);
      expect(res.headers.get("WBIZ-Contact-Created")).toBe("false");
      expect(await jsonOf(res)).toEqual(created);
    }
  });

  it("ten concurrent creates of one number in different spellings make one row, all 200, exactly one created", async () => {
    const t = await createTenant();
    const spellings = ["+919812345678", "+91 98123 45678", "+91-98123-45678", "+91 9812345678", "+91 98123-45678", "+91 (98123) 45678", "+91.98123.45678", "+91 981 234 5678", "+9198123 45678", "+91 98 12 34 56 78"];
    const responses = await Promise.all(spellings.map((phone, i) => post(t.secret, { phone, name: `Caller ${i}`, tags: [`t${i}`] })));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(responses.map((r) => r.headers.get("WBIZ-Contact-Created")).sort()).toEqual([...Array(9).fill("false"), "true"]);
    const bodies = await Promise.all(responses.map((r) => jsonOf(r)));
    const winner = bodies[responses.findIndex((r) => r.headers.get("WBIZ-Contact-Created") === "true")];
    for (const b of bodies) expect(b).toEqual(winner);
    const rows = await wabaDb(t, (db) => db.select().from(schema.contacts).all());
    expect(rows).toHaveLength(1);
    // only the winner's tags were written
    const tags = await wabaDb(t, (db) => db.select().from(schema.contactTags).where(eq(schema.contactTags.contactId, rows[0]!.id)).all());
    expect(tags.map((r) => r.tag)).toEqual(winner.tags);
    expect(winner.tags).toHaveLength(1);
  });

  it("the same number in another WABA is another contact", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const first = await post(a.secret, { phone: "+919812345678" });
    const second = await post(b.secret, { phone: "+919812345678" });
    expect(first.headers.get("WBIZ-Contact-Created")).toBe("true");
    expect(second.headers.get("WBIZ-Contact-Created")).toBe("true");
    expect((await jsonOf(first)).id).not.toBe((await jsonOf(second)).id);
  });

  it("trims and deduplicates tags, keeping their order", async () => {
    const t = await createTenant();
    const body = await jsonOf(await post(t.secret, { phone: "+14155550123", tags: [" vip ", "delhi", "vip", "gold"] }));
    expect(body.tags).toEqual(["vip", "delhi", "gold"]);
  });

  it("400 VALIDATION_FAILED naming the field", async () => {
    const t = await createTenant();
    await expectInvalid(await post(t.secret, {}), "phone");
    await expectInvalid(await post(t.secret, { phone: "9812345678" }), "phone");
    await expectInvalid(await post(t.secret, { phone: "+91981234567899" }), "phone");
    await expectInvalid(await post(t.secret, { phone: "+1 555 000" }), "phone");
    await expectInvalid(await post(t.secret, { phone: "+919812345678", email: "not-an-email" }), "email");
    await expectInvalid(await post(t.secret, { phone: "+919812345678", name: "" }), "name");
    await expectInvalid(await post(t.secret, { phone: "+919812345678", name: "x".repeat(257) }), "name");
    await expectInvalid(await post(t.secret, { phone: "+919812345678", tags: "vip" }), "tags");
    await expectInvalid(await post(t.secret, { phone: "+919812345678", tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }), "tags");
    await expectInvalid(await post(t.secret, { phone: "+919812345678", tags: ["x".repeat(51)] }), "tags.0");
    await expectInvalid(await post(t.secret, { phone: "+919812345678", tags: ["  "] }), "tags.0");
    await expectInvalid(await post(t.secret, { phone: "+919812345678", customFields: { city: 7 } }), "customFields.city");
    await expectInvalid(await post(t.secret, { phone: "+919812345678", customFields: { ["k".repeat(65)]: "v" } }), "customFields." + "k".repeat(65));
    await expectInvalid(await post(t.secret, { phone: "+919812345678", customFields: { city: "x".repeat(1025) } }), "customFields.city");
    await expectInvalid(await post(t.secret, { phone: "+919812345678", customFields: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"])) }), "customFields");
    await expectInvalid(await post(t.secret, { phone: "+919812345678", optedIn: "yes" }), "optedIn");
    const unknown = await expectInvalid(await post(t.secret, { phone: "+919812345678", colour: "red" }), "colour");
    expect(unknown.error.details).toEqual([{ field: "colour", message: "Unknown field" }]);
    // nothing was created by any of them
    expect((await jsonOf(await api("/v1/contacts", { key: t.secret }))).data).toEqual([]);
  });

  it("400 for a malformed JSON body", async () => {
    const t = await createTenant();
    const res = await api("/v1/contacts", { method: "POST", key: t.secret, body: "{nope", headers: { "Content-Type": "application/json" } });
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error).toMatchObject({ code: "VALIDATION_FAILED", message: expect.stringMatching(/^Request body is not valid JSON/) });
  });

  it("401 without a key, 403 without contacts:write", async () => {
    const t = await createTenant();
    expect((await api("/v1/contacts", { method: "POST", json: { phone: "+919812345678" } })).status).toBe(401);
    const readOnly = await addKey(t, ["contacts:read"]);
    const res = await post(readOnly.secret, { phone: "+919812345678" });
    expect(res.status).toBe(403);
    expect((await jsonOf(res)).error.code).toBe("INSUFFICIENT_SCOPE");
  });
});
