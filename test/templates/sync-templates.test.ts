import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { wabas } from "../../src/db/schema";
import { runScheduled } from "../../src/scheduled";
import { syncTemplates } from "../../src/templates/sync-templates";
import { admin, api, jsonOf } from "../helpers/api";
import { registerWaba, type TemplateInput } from "../helpers/emulator";
import { walk } from "../helpers/lists";
import { createTenant, metaId, type Tenant } from "../helpers/tenant";
import { schema, wabaDb } from "../helpers/waba";

// Meta's side is the Cloud API emulator (env.META): GET /{waba-id}/message_templates with Meta's paging.

const body = (text: string) => ({ type: "BODY", text });

function upstreamTemplates(): TemplateInput[] {
  return [
    { metaId: "9001", name: "order_shipped_v2", language: "en_US", status: "APPROVED", category: "UTILITY", parameterFormat: "POSITIONAL", components: [body("Hi {{1}}! Order #{{2}} ships {{3}}.")] },
    { metaId: "9002", name: "order_shipped_v2", language: "hi_IN", status: "APPROVED", category: "UTILITY", parameterFormat: "POSITIONAL", components: [body("नमस्ते {{1}}!")] },
    { metaId: "9003", name: "spring_sale", language: "en_US", status: "PENDING", category: "MARKETING", parameterFormat: "POSITIONAL", components: [body("Take {{1}} off.")] },
    { metaId: "9004", name: "flash_deal", language: "en_US", status: "REJECTED", category: "MARKETING", parameterFormat: "POSITIONAL", components: [body("FLASH!!!")] },
    { metaId: "9005", name: "login_code", language: "en_US", status: "APPROVED", category: "AUTHENTICATION", parameterFormat: "POSITIONAL", components: [body("{{1}} is your code.")] },
    { metaId: "9006", name: "welcome_back", language: "en_US", status: "APPROVED", category: "MARKETING", parameterFormat: "NAMED", components: [body("Welcome back, {{first_name}}!")] },
    { metaId: "9007", name: "delivery_update", language: "en_US", status: "PAUSED", category: "UTILITY", parameterFormat: "POSITIONAL", components: [body("Parcel {{1}} is out.")] },
  ];
}

/** Tells the emulator about the tenant's WABA (same Meta id and token) with these templates. */
function publish(t: Tenant, list: TemplateInput[], accessToken = t.accessToken) {
  return registerWaba({
    metaWabaId: t.waba.metaWabaId,
    accessToken,
    phoneNumbers: t.phones.map((p) => ({ metaPhoneNumberId: p.metaPhoneNumberId, displayPhoneNumber: p.displayPhoneNumber })),
    templates: list,
  });
}

/** The templates in the WABA's object. */
const stored = (t: Tenant) => wabaDb(t, (db) => db.select().from(schema.templates).all());
const sync = (t: Tenant) => admin(`/admin/wabas/${t.waba.id}/templates/sync`, { method: "POST" });

describe("POST /admin/wabas/{id}/templates/sync", () => {
  it("follows every page of Meta's listing and stores each template by (name, language) in Meta's upper case", async () => {
    const t = await createTenant();
    const many: TemplateInput[] = Array.from({ length: 230 }, (_, i) => ({
      metaId: metaId("9"), name: `bulk_${String(i).padStart(3, "0")}`, language: i % 2 ? "en_US" : "hi_IN",
      status: i % 5 === 0 ? "PENDING" : "APPROVED", category: i % 3 ? "UTILITY" : "MARKETING", parameterFormat: "POSITIONAL", components: [body(`Bulk ${i} for {{1}}`)],
    }));
    await publish(t, [...upstreamTemplates(), ...many]);
    const res = await sync(t);
    expect(res.status).toBe(200);
    const summary = await jsonOf(res);
    expect(summary).toEqual({ wabaId: t.waba.id, mode: "live", fetched: 237, created: 237, updated: 0, unchanged: 0, removed: 0, syncedAt: expect.any(String) });

    const rows = await stored(t);
    expect(rows).toHaveLength(237);
    expect(rows.find((r) => r.name === "flash_deal")).toMatchObject({ metaTemplateId: "9004", status: "REJECTED", category: "MARKETING", rejectedReason: "INVALID_FORMAT", removedUpstreamAt: null });
    expect(rows.find((r) => r.name === "order_shipped_v2" && r.language === "en_US")).toMatchObject({ rejectedReason: null, parameterFormat: "POSITIONAL" });
    expect(rows.find((r) => r.name === "welcome_back")).toMatchObject({ parameterFormat: "NAMED" });
    const waba = await t.db.select({ syncedAt: wabas.templatesSyncedAt }).from(wabas).where(eq(wabas.id, t.waba.id)).get();
    expect(new Date(waba!.syncedAt!).toISOString()).toBe(summary.syncedAt);

    // what an integrator then sees
    const listed = await jsonOf(await api("/v1/templates?status=approved&category=utility&language=en_US&limit=3", { key: t.secret }));
    expect(listed.data[0]).toEqual({ id: expect.any(String), name: "order_shipped_v2", language: "en_US", category: "UTILITY", status: "APPROVED", parameterFormat: "POSITIONAL", components: [body("Hi {{1}}! Order #{{2}} ships {{3}}.")], rejectedReason: null });
    const all = await walk<{ name: string; language: string }>("/v1/templates", t.secret, { limit: 100 });
    expect(new Set(all.items.map((i) => `${i.name}/${i.language}`)).size).toBe(237);
  });

  it("a re-sync keeps our ids, applies upstream changes, marks vanished templates and restores returning ones", async () => {
    const t = await createTenant();
    const list = upstreamTemplates();
    await publish(t, list);
    expect((await sync(t)).status).toBe(200);
    const before = new Map((await stored(t)).map((r) => [`${r.name}/${r.language}`, r.id]));

    expect(await jsonOf(await sync(t))).toMatchObject({ fetched: 7, created: 0, updated: 0, unchanged: 7, removed: 0 });

    // Meta approves spring_sale, deletes flash_deal and login_code, adds a new one
    const changedList = list.filter((x) => x.name !== "flash_deal" && x.name !== "login_code").map((x) => (x.name === "spring_sale" ? { ...x, status: "APPROVED" } : x));
    changedList.push({ metaId: "9008", name: "back_in_stock", language: "en_US", status: "PENDING", category: "MARKETING", parameterFormat: "POSITIONAL", components: [body("{{1}} is back!")] });
    await publish(t, changedList);
    expect(await jsonOf(await sync(t))).toMatchObject({ fetched: 6, created: 1, updated: 1, unchanged: 4, removed: 2 });
    const rows = await stored(t);
    for (const r of rows) if (before.has(`${r.name}/${r.language}`)) expect(r.id).toBe(before.get(`${r.name}/${r.language}`));
    expect(rows.find((r) => r.name === "spring_sale")?.status).toBe("APPROVED");
    expect(rows.filter((r) => r.removedUpstreamAt !== null).map((r) => r.name).sort()).toEqual(["flash_deal", "login_code"]);
    const names = (await jsonOf(await api("/v1/templates?limit=100", { key: t.secret }))).data.map((d: { name: string }) => d.name);
    expect(names).not.toContain("flash_deal");
    expect(names).toContain("back_in_stock");

    // login_code comes back: the same id, listed again
    await publish(t, [...changedList, list.find((x) => x.name === "login_code")!]);
    expect(await jsonOf(await sync(t))).toMatchObject({ created: 0, updated: 1, removed: 0 });
    expect((await stored(t)).find((r) => r.name === "login_code")).toMatchObject({ id: before.get("login_code/en_US"), removedUpstreamAt: null });
  });

  it("an empty listing marks every template removed", async () => {
    const t = await createTenant();
    await publish(t, upstreamTemplates());
    await sync(t);
    await publish(t, []);
    expect(await jsonOf(await sync(t))).toMatchObject({ fetched: 0, removed: 7 });
    expect((await jsonOf(await api("/v1/templates", { key: t.secret }))).data).toEqual([]);
  });

  it("502 META_UPSTREAM_ERROR with Meta's error when Meta refuses, and nothing changes", async () => {
    const t = await createTenant();
    await publish(t, upstreamTemplates());
    await sync(t);
    // the token we hold is no longer the WABA's
    await publish(t, [], `EAAGrotated${metaId()}`);
    const res = await sync(t);
    expect(res.status).toBe(502);
    const error = (await jsonOf(res)).error;
    expect(error.code).toBe("META_UPSTREAM_ERROR");
    expect(error.upstream).toMatchObject({ code: 190, message: expect.stringContaining("access token"), fbtraceId: expect.any(String) });
    expect((await stored(t)).every((r) => r.removedUpstreamAt === null)).toBe(true);
    expect(await stored(t)).toHaveLength(7);
  });

  it("404 for an unknown WABA, 400 for a malformed id, 401 without the admin token", async () => {
    const unknown = await admin("/admin/wabas/0123456789abcdef01234567/templates/sync", { method: "POST" });
    expect(unknown.status).toBe(404);
    expect((await jsonOf(unknown)).error.code).toBe("NOT_FOUND");
    expect((await admin("/admin/wabas/nope/templates/sync", { method: "POST" })).status).toBe(400);
    expect((await api("/admin/wabas/0123456789abcdef01234567/templates/sync", { method: "POST" })).status).toBe(401);
  });
});

describe("the template cron", () => {
  it("syncs every WABA and carries on past one Meta refuses", async () => {
    const t = await createTenant();
    const unknownToMeta = await createTenant();
    await publish(t, upstreamTemplates());
    const ctx = createExecutionContext();
    await runScheduled({ cron: "*/30 * * * *", scheduledTime: Date.now(), noRetry() {} } as ScheduledController, env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await stored(t)).toHaveLength(7);
    expect(await stored(unknownToMeta)).toHaveLength(0);
    const synced = await t.db.select({ at: wabas.templatesSyncedAt }).from(wabas).where(eq(wabas.id, t.waba.id)).get();
    expect(synced?.at).not.toBeNull();
  });

  it("the sync itself reports an unknown WABA rather than failing", async () => {
    const t = await createTenant();
    expect(await syncTemplates(t.db, env, "0123456789abcdef01234567")).toEqual({ kind: "no_waba" });
  });
});
