import { describe, expect, it } from "vitest";
import { graph } from "../helpers/emulator";
import { body, freshWaba, graphError, TEMPLATES, uniqueId } from "./fixtures";

describe("GET /{version}/{waba-id}/message_templates", () => {
  it("walks every template exactly once by following paging.next; next is absent on the last page", async () => {
    const t = await freshWaba();
    const seen: string[] = [];
    let url: string | undefined = `/v24.0/${t.wabaId}/message_templates?limit=3`;
    let pages = 0;
    while (url) {
      const res = await graph(url, { token: t.token });
      expect(res.status).toBe(200);
      const page = await body(res);
      pages += 1;
      expect(page.data.length).toBeLessThanOrEqual(3);
      seen.push(...page.data.map((d: { id: string }) => d.id));
      expect(page.paging.cursors).toEqual({ before: expect.any(String), after: expect.any(String) });
      if (pages > 1) expect(page.paging.previous).toMatch(/before=/);
      url = page.paging.next ? page.paging.next.replace("https://graph.facebook.com", "") : undefined;
      if (url) expect(page.paging.next).toMatch(new RegExp(`^https://graph\\.facebook\\.com/v24\\.0/${t.wabaId}/message_templates\\?limit=3&after=`));
    }
    expect(pages).toBe(Math.ceil(TEMPLATES.length / 3));
    expect(new Set(seen).size).toBe(TEMPLATES.length);
    expect(seen.sort()).toEqual(t.waba.templates.map((x) => x.metaId).sort());
  });

  it("default limit is 25; Meta's shape with upper-case types", async () => {
    const t = await freshWaba();
    const page = await body(await graph(`/v24.0/${t.wabaId}/message_templates`, { token: t.token }));
    expect(page.data).toHaveLength(TEMPLATES.length);
    expect(page.paging.next).toBeUndefined();
    expect(page.paging.previous).toBeUndefined();
    const promo = page.data.find((d: { name: string }) => d.name === "promo_image");
    expect(promo).toEqual({
      name: "promo_image",
      parameter_format: "POSITIONAL",
      language: "en_US",
      status: "APPROVED",
      category: "MARKETING",
      id: expect.stringMatching(/^\d{16}$/),
      components: [
        { type: "HEADER", format: "IMAGE", example: { header_handle: ["4::aW1h"] } },
        { type: "BODY", text: "Hi {{1}}, look at this." },
        { type: "BUTTONS", buttons: [{ type: "URL", text: "Open", url: "https://x.example/deals/{{1}}" }, { type: "QUICK_REPLY", text: "Stop" }] },
      ],
    });
  });

  it("the before cursor pages backwards", async () => {
    const t = await freshWaba();
    const first = await body(await graph(`/v24.0/${t.wabaId}/message_templates?limit=2`, { token: t.token }));
    const second = await body(await graph(`/v24.0/${t.wabaId}/message_templates?limit=2&after=${first.paging.cursors.after}`, { token: t.token }));
    const back = await body(await graph(`/v24.0/${t.wabaId}/message_templates?limit=2&before=${second.paging.cursors.before}`, { token: t.token }));
    expect(back.data).toEqual(first.data);
  });

  it("filters by status, category, language and name", async () => {
    const t = await freshWaba();
    const names = async (query: string) =>
      (await body(await graph(`/v24.0/${t.wabaId}/message_templates?${query}`, { token: t.token }))).data.map((d: { name: string; language: string }) => `${d.name}/${d.language}`);
    expect(await names("status=PAUSED")).toEqual(["paused_one/en_US"]);
    expect(await names("status=paused,disabled")).toEqual(["paused_one/en_US", "disabled_one/en_US"]);
    expect(await names("category=MARKETING&status=APPROVED")).toEqual(["welcome_named/en_US", "promo_image/en_US"]);
    expect(await names("language=hi_IN")).toEqual(["order_update/hi_IN"]);
    expect(await names("name=order")).toEqual(["order_update/en_US", "order_update/hi_IN"]);
  });

  it("honours fields (id is always included)", async () => {
    const t = await freshWaba();
    const page = await body(await graph(`/v24.0/${t.wabaId}/message_templates?fields=name,status&limit=1`, { token: t.token }));
    expect(page.data).toEqual([{ name: "order_update", status: "APPROVED", id: expect.any(String) }]);
  });

  it("an unusable cursor is 131059 from v24, (#100) before", async () => {
    const t = await freshWaba();
    const v24 = await graphError(await graph(`/v24.0/${t.wabaId}/message_templates?after=garbage`, { token: t.token }), 400, 131059);
    expect(v24.message).toBe("(#131059) Invalid pagination cursor");
    await graphError(await graph(`/v23.0/${t.wabaId}/message_templates?after=${btoa("AQH999")}`, { token: t.token }), 400, 100);
  });

  it("190 for a wrong token, 100/33 for an unknown WABA", async () => {
    const t = await freshWaba();
    const other = await freshWaba();
    await graphError(await graph(`/v24.0/${t.wabaId}/message_templates`, { token: other.token }), 401, 190);
    await graphError(await graph(`/v24.0/${t.wabaId}/message_templates`), 401, 190);
    const unknown = uniqueId("2");
    const error = await graphError(await graph(`/v24.0/${unknown}/message_templates`, { token: t.token }), 400, 100);
    expect(error).toMatchObject({ type: "GraphMethodException", error_subcode: 33 });
    expect(error.message).toMatch(/^Unsupported get request\. Object with ID/);
  });

  it("an empty result has no paging", async () => {
    const t = await freshWaba();
    expect(await body(await graph(`/v24.0/${t.wabaId}/message_templates?status=DELETED`, { token: t.token }))).toEqual({ data: [] });
  });
});
