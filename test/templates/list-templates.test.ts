import { describe, expect, it } from "vitest";
import { newId } from "../../src/db/ids";
import { api, jsonOf } from "../helpers/api";
import { expectInvalid, expectOneReadAPage, walk, warm } from "../helpers/lists";
import { addKey, createTenant, type Tenant } from "../helpers/tenant";
import { schema, wabaDb } from "../helpers/waba";

type Seed = { name: string; language?: string; category?: string; status?: string; removed?: boolean };

async function seedTemplates(t: Tenant, seeds: Seed[]) {
  const now = Date.now();
  const rows = seeds.map((s) => ({
    id: newId(),
    metaTemplateId: null,
    name: s.name,
    language: s.language ?? "en_US",
    category: s.category ?? "UTILITY",
    status: s.status ?? "APPROVED",
    components: JSON.stringify([{ type: "BODY", text: `Hi {{1}}, this is ${s.name}.` }]),
    removedUpstreamAt: s.removed ? now : null,
    createdAt: now,
    updatedAt: now,
  }));
  // into the WABA's object, in one transaction
  await wabaDb(t, (db) => db.transaction((tx) => {
    for (const row of rows) tx.insert(schema.templates).values(row).run();
  }));
  return rows;
}

const names = (body: { data: Array<{ name: string; language: string }> }) => body.data.map((d) => `${d.name}/${d.language}`);

async function mixedTenant() {
  const t = await createTenant();
  await seedTemplates(t, [
    { name: "order_shipped_v2", language: "en_US", category: "UTILITY", status: "APPROVED" },
    { name: "order_shipped_v2", language: "hi_IN", category: "UTILITY", status: "APPROVED" },
    { name: "spring_sale", language: "en_US", category: "MARKETING", status: "APPROVED" },
    { name: "login_code", language: "en", category: "AUTHENTICATION", status: "APPROVED" },
    { name: "payment_reminder", language: "en_US", category: "UTILITY", status: "PENDING" },
    { name: "flash_deal", language: "en_US", category: "MARKETING", status: "REJECTED" },
    { name: "delivery_update", language: "en_US", category: "UTILITY", status: "PAUSED" },
    { name: "old_promo", language: "en_US", category: "MARKETING", status: "APPROVED", removed: true },
  ]);
  return t;
}

describe("GET /v1/templates", () => {
  it("lists the WABA's templates in the spec's shape, oldest first, without those removed upstream", async () => {
    const t = await mixedTenant();
    const res = await api("/v1/templates", { key: t.secret });
    expect(res.status).toBe(200);
    expect(res.headers.get("X-RateLimit-Limit")).not.toBeNull();
    const body = await jsonOf(res);
    expect(body.nextCursor).toBeNull();
    expect(names(body)).toEqual([
      "order_shipped_v2/en_US", "order_shipped_v2/hi_IN", "spring_sale/en_US", "login_code/en",
      "payment_reminder/en_US", "flash_deal/en_US", "delivery_update/en_US",
    ]);
    expect(body.data[0]).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      name: "order_shipped_v2",
      language: "en_US",
      category: "UTILITY",
      status: "APPROVED",
      parameterFormat: "POSITIONAL",
      components: [{ type: "BODY", text: "Hi {{1}}, this is order_shipped_v2." }],
      rejectedReason: null,
    });
  });

  it("filters by status (lower case in the query, Meta's upper case in the answer)", async () => {
    const t = await mixedTenant();
    const approved = await jsonOf(await api("/v1/templates?status=approved", { key: t.secret }));
    expect(names(approved)).toEqual(["order_shipped_v2/en_US", "order_shipped_v2/hi_IN", "spring_sale/en_US", "login_code/en"]);
    expect(approved.data.every((d: { status: string }) => d.status === "APPROVED")).toBe(true);
    expect(names(await jsonOf(await api("/v1/templates?status=pending", { key: t.secret })))).toEqual(["payment_reminder/en_US"]);
    expect(names(await jsonOf(await api("/v1/templates?status=rejected", { key: t.secret })))).toEqual(["flash_deal/en_US"]);
  });

  it("filters by category case-insensitively", async () => {
    const t = await mixedTenant();
    for (const category of ["marketing", "MARKETING", "Marketing"]) {
      expect(names(await jsonOf(await api(`/v1/templates?category=${category}`, { key: t.secret })))).toEqual(["spring_sale/en_US", "flash_deal/en_US"]);
    }
    expect(names(await jsonOf(await api("/v1/templates?category=authentication", { key: t.secret })))).toEqual(["login_code/en"]);
  });

  it("filters by language exactly", async () => {
    const t = await mixedTenant();
    expect(names(await jsonOf(await api("/v1/templates?language=hi_IN", { key: t.secret })))).toEqual(["order_shipped_v2/hi_IN"]);
    expect(names(await jsonOf(await api("/v1/templates?language=en", { key: t.secret })))).toEqual(["login_code/en"]);
    expect((await jsonOf(await api("/v1/templates?language=en_us", { key: t.secret }))).data).toEqual([]);
  });

  it("combines filters", async () => {
    const t = await mixedTenant();
    const body = await jsonOf(await api("/v1/templates?status=approved&category=utility&language=en_US", { key: t.secret }));
    expect(names(body)).toEqual(["order_shipped_v2/en_US"]);
  });

  it("pages 25 by default and up to 100; walking the cursor visits every template exactly once, in one read of the WABA's object a page (no D1 query)", async () => {
    const t = await createTenant();
    const seeded = await seedTemplates(t, Array.from({ length: 105 }, (_, i) => ({ name: `t_${String(i).padStart(3, "0")}` })));
    await warm(t.secret);

    const first = await api("/v1/templates", { key: t.secret });
    const firstBody = await jsonOf(first);
    expect(firstBody.data).toHaveLength(25);
    expect(firstBody.nextCursor).toBe(firstBody.data[24].id);
    expectOneReadAPage(first);
    expect((await jsonOf(await api("/v1/templates?limit=100", { key: t.secret }))).data).toHaveLength(100);

    const { items, pages } = await walk<{ id: string; name: string }>("/v1/templates", t.secret, { limit: 10, onePerPage: true });
    expect(pages).toBe(11);
    expect(items.map((i) => i.id)).toEqual(seeded.map((s) => s.id));

    // a last page that is exactly full still ends the walk
    const exact = await walk("/v1/templates", t.secret, { limit: 35, onePerPage: true });
    expect(exact.pages).toBe(3);
    expect(exact.items).toHaveLength(105);
  });

  it("pages through a status filter without repeats", async () => {
    const t = await createTenant();
    const seeded = await seedTemplates(t, Array.from({ length: 30 }, (_, i) => ({ name: `s_${i}`, status: i % 3 === 0 ? "PENDING" : "APPROVED" })));
    const { items } = await walk<{ id: string }>("/v1/templates?status=pending", t.secret, { limit: 3 });
    expect(items.map((i) => i.id)).toEqual(seeded.filter((s) => s.status === "PENDING").map((s) => s.id));
  });

  it("400 VALIDATION_FAILED naming the param for out-of-range or malformed values", async () => {
    const t = await createTenant();
    for (const limit of ["0", "101", "abc", "-1", "2.5", ""]) await expectInvalid(await api(`/v1/templates?limit=${limit}`, { key: t.secret }), "limit");
    await expectInvalid(await api("/v1/templates?status=approvedd", { key: t.secret }), "status");
    await expectInvalid(await api("/v1/templates?status=paused", { key: t.secret }), "status");
    await expectInvalid(await api("/v1/templates?category=not%20a%20category", { key: t.secret }), "category");
    await expectInvalid(await api("/v1/templates?cursor=nope", { key: t.secret }), "cursor");
    await expectInvalid(await api(`/v1/templates?language=${"x".repeat(17)}`, { key: t.secret }), "language");
  });

  it("ignores unknown query parameters", async () => {
    const t = await mixedTenant();
    const res = await api("/v1/templates?status=pending&colour=blue", { key: t.secret });
    expect(res.status).toBe(200);
    expect(names(await jsonOf(res))).toEqual(["payment_reminder/en_US"]);
  });

  it("never shows another WABA's templates, even with its cursor", async () => {
    const mine = await mixedTenant();
    const other = await createTenant();
    const [theirs] = await seedTemplates(other, [{ name: "their_secret" }]);
    const body = await jsonOf(await api("/v1/templates?limit=100", { key: mine.secret }));
    expect(names(body)).not.toContain("their_secret/en_US");
    const afterTheirs = await jsonOf(await api(`/v1/templates?cursor=${theirs!.id}`, { key: mine.secret }));
    expect(afterTheirs.data).toEqual([]);
  });

  it("is described in /v1/openapi.json", async () => {
    const doc = await jsonOf(await api("/v1/openapi.json"));
    const op = doc.paths["/v1/templates"].get;
    expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(["status", "category", "language", "limit", "cursor"]);
    expect(op.parameters[0].schema.enum).toEqual(["approved", "pending", "rejected"]);
  });

  it("401 without a key, 403 without templates:read", async () => {
    const t = await createTenant();
    const res = await api("/v1/templates");
    expect(res.status).toBe(401);
    expect((await jsonOf(res)).error.code).toBe("INVALID_API_KEY");
    const key = await addKey(t, ["contacts:read", "inbox:read"]);
    const forbidden = await api("/v1/templates", { key: key.secret });
    expect(forbidden.status).toBe(403);
    expect((await jsonOf(forbidden)).error.code).toBe("INSUFFICIENT_SCOPE");
  });
});
