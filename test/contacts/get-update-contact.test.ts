import { describe, expect, it } from "vitest";
import { api, jsonOf } from "../helpers/api";
import { expectInvalid, expectNotFound } from "../helpers/lists";
import { addKey, createTenant, type Tenant } from "../helpers/tenant";

const patch = (key: string, id: string, json: unknown) => api(`/v1/contacts/${id}`, { method: "PATCH", key, json });

async function aarav(t: Tenant) {
  const res = await api("/v1/contacts", {
    method: "POST",
    key: t.secret,
    json: { phone: "+919812345678", name: "Aarav Sharma", email: "aarav@example.com", tags: ["vip", "delhi"], customFields: { city: "Delhi", tier: "gold" } },
  });
  expect(res.status).toBe(200);
  return jsonOf(res);
}

describe("GET /v1/contacts/:id", () => {
  it("returns the contact", async () => {
    const t = await createTenant();
    const contact = await aarav(t);
    const res = await api(`/v1/contacts/${contact.id}`, { key: t.secret });
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toEqual(contact);
  });

  it("unknown, another WABA's and malformed ids all answer the same 404", async () => {
    const t = await createTenant();
    const other = await createTenant();
    const foreign = await aarav(other);
    const bodies = [
      await expectNotFound(await api(`/v1/contacts/${foreign.id}`, { key: t.secret })),
      await expectNotFound(await api("/v1/contacts/0123456789abcdef01234567", { key: t.secret })),
      await expectNotFound(await api("/v1/contacts/not-an-id", { key: t.secret })),
      await expectNotFound(await api(`/v1/contacts/${foreign.id.toUpperCase()}`, { key: t.secret })),
    ];
    for (const b of bodies) expect(b).toEqual({ code: "NOT_FOUND", message: "Contact not found" });
  });

  it("401 without a key, 403 without contacts:read", async () => {
    const t = await createTenant();
    const contact = await aarav(t);
    expect((await api(`/v1/contacts/${contact.id}`)).status).toBe(401);
    const writeOnly = await addKey(t, ["contacts:write"]);
    const res = await api(`/v1/contacts/${contact.id}`, { key: writeOnly.secret });
    expect(res.status).toBe(403);
    expect((await jsonOf(res)).error.code).toBe("INSUFFICIENT_SCOPE");
  });
});

describe("PATCH /v1/contacts/:id", () => {
  it("tags replace the set; customFields shallow-merge; the full contact comes back", async () => {
    const t = await createTenant();
    const contact = await aarav(t);
    const res = await patch(t.secret, contact.id, { tags: ["vip", "gold"], customFields: { tier: "platinum" } });
    expect(res.status).toBe(200);
    const body = await jsonOf(res);
    expect(body).toEqual({ ...contact, tags: ["vip", "gold"], customFields: { city: "Delhi", tier: "platinum" } });
    expect(await jsonOf(await api(`/v1/contacts/${contact.id}`, { key: t.secret }))).toEqual(body);
  });

  it("fields left out are untouched; name, email and optedIn change; null clears name and email", async () => {
    const t = await createTenant();
    const contact = await aarav(t);
    const renamed = await jsonOf(await patch(t.secret, contact.id, { name: "Aarav S.", optedIn: false }));
    expect(renamed).toEqual({ ...contact, name: "Aarav S.", optedIn: false });
    const cleared = await jsonOf(await patch(t.secret, contact.id, { name: null, email: null }));
    expect(cleared).toEqual({ ...renamed, name: null, email: null });
    const email = await jsonOf(await patch(t.secret, contact.id, { email: "new@example.com" }));
    expect(email.email).toBe("new@example.com");
  });

  it("tags: [] removes every tag; a null custom field is removed; other fields stay", async () => {
    const t = await createTenant();
    const contact = await aarav(t);
    const body = await jsonOf(await patch(t.secret, contact.id, { tags: [], customFields: { city: null, plan: "pro" } }));
    expect(body.tags).toEqual([]);
    expect(body.customFields).toEqual({ tier: "gold", plan: "pro" });
    // the tag filter agrees
    expect((await jsonOf(await api("/v1/contacts?tag=vip", { key: t.secret }))).data).toEqual([]);
  });

  it("an empty body changes nothing and returns the contact", async () => {
    const t = await createTenant();
    const contact = await aarav(t);
    const res = await patch(t.secret, contact.id, {});
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toEqual(contact);
  });

  it("is atomic: a change the custom-field cap refuses leaves tags and every other field as they were", async () => {
    const t = await createTenant();
    const contact = await aarav(t);
    const fortyNine = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, "v"]));
    // 2 existing + 49 new = 51 fields: over the cap of 50
    const res = await patch(t.secret, contact.id, { name: "Changed", tags: ["changed"], optedIn: false, customFields: fortyNine });
    const body = await expectInvalid(res, "customFields");
    expect(body.error.message).toMatch(/51 custom fields; the limit is 50/);
    expect(await jsonOf(await api(`/v1/contacts/${contact.id}`, { key: t.secret }))).toEqual(contact);
    // removing one in the same patch makes it fit
    const ok = await patch(t.secret, contact.id, { tags: ["changed"], customFields: { ...fortyNine, city: null } });
    expect(ok.status).toBe(200);
    const merged = await jsonOf(ok);
    expect(Object.keys(merged.customFields)).toHaveLength(50);
    expect(merged.tags).toEqual(["changed"]);
  });

  it("concurrent tag replacements never mix: the final set is exactly one of them", async () => {
    const t = await createTenant();
    const contact = await aarav(t);
    const sets = Array.from({ length: 8 }, (_, i) => [`a${i}`, `b${i}`, `c${i}`]);
    const responses = await Promise.all(sets.map((tags, i) => patch(t.secret, contact.id, { tags, customFields: { [`f${i}`]: "x" } })));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    const final = await jsonOf(await api(`/v1/contacts/${contact.id}`, { key: t.secret }));
    expect(sets).toContainEqual(final.tags);
    // every merge landed
    expect(Object.keys(final.customFields).sort()).toEqual(["city", "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "tier"]);
  });

  it("400 naming the field for invalid values, phone and unknown fields", async () => {
    const t = await createTenant();
    const contact = await aarav(t);
    await expectInvalid(await patch(t.secret, contact.id, { email: "nope" }), "email");
    await expectInvalid(await patch(t.secret, contact.id, { tags: [7] }), "tags.0");
    await expectInvalid(await patch(t.secret, contact.id, { tags: null }), "tags");
    await expectInvalid(await patch(t.secret, contact.id, { customFields: { a: 1 } }), "customFields.a");
    await expectInvalid(await patch(t.secret, contact.id, { optedIn: "false" }), "optedIn");
    await expectInvalid(await patch(t.secret, contact.id, { phone: "+14155550123" }), "phone");
    expect(await jsonOf(await api(`/v1/contacts/${contact.id}`, { key: t.secret }))).toEqual(contact);
  });

  it("unknown, another WABA's and malformed ids answer the same 404, and the foreign contact is untouched", async () => {
    const t = await createTenant();
    const other = await createTenant();
    const foreign = await aarav(other);
    for (const id of [foreign.id, "0123456789abcdef01234567", "nope"]) {
      expect(await expectNotFound(await patch(t.secret, id, { name: "Hijacked", tags: ["x"] }))).toEqual({ code: "NOT_FOUND", message: "Contact not found" });
    }
    expect(await jsonOf(await api(`/v1/contacts/${foreign.id}`, { key: other.secret }))).toEqual(foreign);
  });

  it("401 without a key, 403 without contacts:write", async () => {
    const t = await createTenant();
    const contact = await aarav(t);
    expect((await api(`/v1/contacts/${contact.id}`, { method: "PATCH", json: { name: "x" } })).status).toBe(401);
    const readOnly = await addKey(t, ["contacts:read"]);
    const res = await patch(readOnly.secret, contact.id, { name: "x" });
    expect(res.status).toBe(403);
    expect((await jsonOf(res)).error.code).toBe("INSUFFICIENT_SCOPE");
  });
});
