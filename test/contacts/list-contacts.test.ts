import { describe, expect, it } from "vitest";
import { upsertContact, type NewContact } from "../../src/data-plane/contacts";
import { api, jsonOf } from "../helpers/api";
import { expectInvalid, expectOneReadAPage, walk, warm } from "../helpers/lists";
import { addKey, createTenant, type Tenant } from "../helpers/tenant";
import { inWaba } from "../helpers/waba";

/** Creates the contacts in the WABA's object, in order, as POST /v1/contacts would. */
async function seed(t: Tenant, list: NewContact[]) {
  return inWaba(t, (s) => list.map((c) => upsertContact(s, c).contact));
}

const people: NewContact[] = [
  { phone: "+919812345678", name: "Aarav Sharma", tags: ["vip", "delhi"], customFields: { city: "Delhi" } },
  { phone: "+919876543210", name: "Priya Patel", tags: ["vip", "mumbai"] },
  { phone: "+14155550123", name: "John Smith", tags: ["us"] },
  { phone: "+919900112233", name: "Rohan Mehta", tags: ["delhi"] },
  { phone: "+971501234567", name: "Sara Khan", tags: ["uae"], optedIn: false },
  { phone: "+4915112345678", name: "100%_real Müller", tags: [] },
  { phone: "+33612345678", tags: ["vip"], optedIn: false },
];

const phonesOf = (body: { data: Array<{ phone: string }> }) => body.data.map((d) => d.phone);
const get = async (t: Tenant, query: string) => {
  const res = await api(`/v1/contacts${query}`, { key: t.secret });
  expect(res.status).toBe(200);
  return jsonOf(res);
};

describe("GET /v1/contacts", () => {
  it("lists contacts oldest first in the spec's shape, tags in the order they were set", async () => {
    const t = await createTenant();
    await seed(t, people);
    const body = await get(t, "");
    expect(body.nextCursor).toBeNull();
    expect(phonesOf(body)).toEqual(people.map((p) => p.phone));
    expect(body.data[0]).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/), phone: "+919812345678", userId: null, username: null, name: "Aarav Sharma", email: null,
      tags: ["vip", "delhi"], customFields: { city: "Delhi" }, optedIn: true, createdAt: expect.any(String),
    });
    expect(body.data[6]).toMatchObject({ name: null, tags: ["vip"], optedIn: false });
  });

  it("filters by tag", async () => {
    const t = await createTenant();
    await seed(t, people);
    expect(phonesOf(await get(t, "?tag=vip"))).toEqual(["+919812345678", "+919876543210", "+33612345678"]);
    expect(phonesOf(await get(t, "?tag=delhi"))).toEqual(["+919812345678", "+919900112233"]);
    expect((await get(t, "?tag=VIP")).data).toEqual([]);
    expect((await get(t, "?tag=nobody")).data).toEqual([]);
  });

  it("filters by optedIn", async () => {
    const t = await createTenant();
    await seed(t, people);
    expect(phonesOf(await get(t, "?optedIn=false"))).toEqual(["+971501234567", "+33612345678"]);
    expect((await get(t, "?optedIn=true")).data).toHaveLength(5);
  });

  it("searches a case-insensitive substring of the name or the phone", async () => {
    const t = await createTenant();
    await seed(t, people);
    expect(phonesOf(await get(t, "?search=aarav"))).toEqual(["+919812345678"]);
    expect(phonesOf(await get(t, "?search=SHARMA"))).toEqual(["+919812345678"]);
    expect(phonesOf(await get(t, "?search=pa"))).toEqual(["+919876543210"]);
    expect(phonesOf(await get(t, "?search=98123"))).toEqual(["+919812345678"]);
    expect(phonesOf(await get(t, `?search=${encodeURIComponent("+1415")}`))).toEqual(["+14155550123"]);
    // the phone as people write it finds the stored E.164
    expect(phonesOf(await get(t, `?search=${encodeURIComponent("+91 98123 45678")}`))).toEqual(["+919812345678"]);
    expect((await get(t, "?search=zzz")).data).toEqual([]);
    // an empty search is no filter
    expect((await get(t, "?search=")).data).toHaveLength(7);
  });

  it("treats LIKE wildcards in a search literally", async () => {
    const t = await createTenant();
    await seed(t, people);
    expect(phonesOf(await get(t, `?search=${encodeURIComponent("%")}`))).toEqual(["+4915112345678"]);
    expect(phonesOf(await get(t, `?search=${encodeURIComponent("0%_")}`))).toEqual(["+4915112345678"]);
    expect((await get(t, `?search=${encodeURIComponent("_")}`)).data).toHaveLength(1);
    expect((await get(t, `?search=${encodeURIComponent("\\")}`)).data).toEqual([]);
  });

  it("serves a search of the longest allowed length in a multi-byte script", async () => {
    const t = await createTenant();
    await seed(t, people);
    expect((await get(t, `?search=${encodeURIComponent("é".repeat(100))}`)).data).toEqual([]);
    expect((await get(t, `?search=${encodeURIComponent("9".repeat(100))}`)).data).toEqual([]);
  });

  it("combines filters", async () => {
    const t = await createTenant();
    await seed(t, people);
    expect(phonesOf(await get(t, "?tag=vip&optedIn=true"))).toEqual(["+919812345678", "+919876543210"]);
    expect(phonesOf(await get(t, "?tag=vip&search=priya"))).toEqual(["+919876543210"]);
    expect(phonesOf(await get(t, "?optedIn=false&search=%2B97"))).toEqual(["+971501234567"]);
  });

  it("pages 25 by default, up to 100, and a walk visits every contact exactly once in one read of the WABA's object a page (no D1 query)", async () => {
    const t = await createTenant();
    const all = await seed(t, Array.from({ length: 110 }, (_, i) => ({
      phone: `+1415555${String(1000 + i)}`, name: `Person ${i}`, tags: i % 2 ? ["odd"] : ["even"], optedIn: i % 3 !== 0,
    })));
    await warm(t.secret);
    const first = await api("/v1/contacts", { key: t.secret });
    expectOneReadAPage(first);
    const firstBody = await jsonOf(first);
    expect(firstBody.data).toHaveLength(25);
    expect(firstBody.nextCursor).toBe(firstBody.data[24].id);
    expect((await get(t, "?limit=100")).data).toHaveLength(100);

    const ids = (list: Array<{ id: string }>) => list.map((c) => c.id);
    const everyone = await walk<{ id: string }>("/v1/contacts", t.secret, { limit: 9, onePerPage: true });
    expect(ids(everyone.items)).toEqual(ids(all));
    const odd = await walk<{ id: string }>("/v1/contacts?tag=odd", t.secret, { limit: 7, onePerPage: true });
    expect(ids(odd.items)).toEqual(ids(all.filter((c) => c.tags[0] === "odd")));
    const optedOut = await walk<{ id: string }>("/v1/contacts?optedIn=false", t.secret, { limit: 5, onePerPage: true });
    expect(ids(optedOut.items)).toEqual(ids(all.filter((c) => !c.optedIn)));
    const searched = await walk<{ id: string }>("/v1/contacts?search=person%201", t.secret, { limit: 4, onePerPage: true });
    expect(ids(searched.items)).toEqual(ids(all.filter((c) => c.name!.startsWith("Person 1"))));
    const both = await walk<{ id: string }>("/v1/contacts?tag=even&optedIn=true", t.secret, { limit: 6, onePerPage: true });
    expect(ids(both.items)).toEqual(ids(all.filter((c) => c.tags[0] === "even" && c.optedIn)));
  });

  it("contacts created concurrently (same millisecond) page exactly once", async () => {
    const t = await createTenant();
    const created = await Promise.all(Array.from({ length: 30 }, (_, i) =>
      api("/v1/contacts", { method: "POST", key: t.secret, json: { phone: `+1415555${2000 + i}`, tags: ["burst"] } }).then((r) => jsonOf(r)),
    ));
    const ids = created.map((c) => c.id).sort();
    expect((await walk<{ id: string }>("/v1/contacts", t.secret, { limit: 4 })).items.map((c) => c.id)).toEqual(ids);
    expect((await walk<{ id: string }>("/v1/contacts?tag=burst", t.secret, { limit: 7 })).items.map((c) => c.id)).toEqual(ids);
  });

  it("is described in /v1/openapi.json, with the create route's 200 (new or existing) and its WBIZ-Contact-Created header", async () => {
    const doc = await jsonOf(await api("/v1/openapi.json"));
    expect(doc.paths["/v1/contacts"].get.parameters.map((p: { name: string }) => p.name)).toEqual(["search", "tag", "optedIn", "limit", "cursor"]);
    expect(Object.keys(doc.paths["/v1/contacts"].post.responses)).toEqual(expect.arrayContaining(["200", "400", "401", "403"]));
    expect(doc.paths["/v1/contacts"].post.responses["201"]).toBeUndefined();
    expect(doc.paths["/v1/contacts"].post.responses["200"].headers["WBIZ-Contact-Created"]).toBeDefined();
    expect(Object.keys(doc.paths["/v1/contacts/{id}"]).sort()).toEqual(["get", "patch"]);
  });

  it("400 VALIDATION_FAILED naming the param for bad values; unknown params are ignored", async () => {
    const t = await createTenant();
    await seed(t, people);
    for (const limit of ["0", "101", "abc"]) await expectInvalid(await api(`/v1/contacts?limit=${limit}`, { key: t.secret }), "limit");
    await expectInvalid(await api("/v1/contacts?cursor=65fc2e1b", { key: t.secret }), "cursor");
    await expectInvalid(await api("/v1/contacts?optedIn=yes", { key: t.secret }), "optedIn");
    await expectInvalid(await api("/v1/contacts?optedIn=1", { key: t.secret }), "optedIn");
    await expectInvalid(await api(`/v1/contacts?tag=${"x".repeat(51)}`, { key: t.secret }), "tag");
    await expectInvalid(await api(`/v1/contacts?search=${"x".repeat(101)}`, { key: t.secret }), "search");
    expect((await get(t, "?sort=name&tag=uae")).data).toHaveLength(1);
  });

  it("never lists another WABA's contacts", async () => {
    const t = await createTenant();
    const other = await createTenant();
    await seed(t, people.slice(0, 2));
    await seed(other, people);
    expect(phonesOf(await get(t, "?limit=100"))).toEqual(["+919812345678", "+919876543210"]);
    expect(phonesOf(await get(t, "?tag=uae"))).toEqual([]);
    expect(phonesOf(await get(t, "?search=sara"))).toEqual([]);
  });

  it("401 without a key, 403 without contacts:read", async () => {
    const t = await createTenant();
    expect((await api("/v1/contacts")).status).toBe(401);
    const writeOnly = await addKey(t, ["contacts:write", "templates:read"]);
    const res = await api("/v1/contacts", { key: writeOnly.secret });
    expect(res.status).toBe(403);
    expect((await jsonOf(res)).error.code).toBe("INSUFFICIENT_SCOPE");
  });

  it("search folds case in every script, on names set on create, by PATCH and from WhatsApp profiles", async () => {
    const t = await createTenant();
    const [zoe, strasse, anna] = await seed(t, [
      { phone: "+4915112340001", name: "Zoë Müller" },
      { phone: "+4915112340002", name: "Hans Straße" },
      { phone: "+79161234567", name: "Анна Каренина" },
    ]);
    const ids = async (term: string) => (await get(t, `?search=${encodeURIComponent(term)}`)).data.map((c: { id: string }) => c.id);
    expect(await ids("ZOË MÜLLER")).toEqual([zoe!.id]);
    expect(await ids("zoe\u0308")).toEqual([zoe!.id]); // decomposed: NFC first
    expect(await ids("STRASSE")).toEqual([strasse!.id]);
    expect(await ids("АННА")).toEqual([anna!.id]);
    expect(await ids("müller")).toEqual([zoe!.id]);
    const patched = await api(`/v1/contacts/${anna!.id}`, { method: "PATCH", key: t.secret, json: { name: "ΟΔΥΣΣΕΑΣ Ιθάκης" } });
    expect(patched.status).toBe(200);
    expect(await ids("οδυσσεας")).toEqual([anna!.id]);
    expect(await ids("АННА")).toEqual([]);
  });
});
