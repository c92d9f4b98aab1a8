import { describe, expect, it } from "vitest";
import { emulatorTemplates, graph, setTemplateReview, setTemplateStatus } from "../helpers/emulator";
import { body, controlRequest, freshWaba, graphError, uniqueId, USER } from "./fixtures";
import { parsed, waitForWebhooks } from "./webhook-helpers";

// The emulator's template management: create, edit and delete as Meta's Graph API does them, and the
// review that approves or rejects after a delay with Meta's message_template_status_update.

const create = (t: Awaited<ReturnType<typeof freshWaba>>, json: unknown, token = t.token) => graph(`/v24.0/${t.wabaId}/message_templates`, { token, json });
const edit = (t: Awaited<ReturnType<typeof freshWaba>>, id: string, json: unknown, token = t.token) => graph(`/v24.0/${id}`, { token, json });
const remove = (t: Awaited<ReturnType<typeof freshWaba>>, query: string, token = t.token) => graph(`/v24.0/${t.wabaId}/message_templates?${query}`, { token, method: "DELETE" });

const template = (over: Record<string, unknown> = {}) => ({
  name: `note_${uniqueId("1").slice(-8)}`,
  language: "en_US",
  category: "utility",
  components: [{ type: "body", text: "Hi {{1}}, your order ships.", example: { body_text: [["Aarav"]] } }],
  ...over,
});

/** A WABA whose review waits (no verdict unless a test gives one). */
async function manualWaba() {
  const t = await freshWaba();
  await setTemplateReview(t.wabaId, { delayMs: null });
  return t;
}

const events = async (wabaId: string, n: number) =>
  (await waitForWebhooks(wabaId, n, { kind: "message_template_status_update" })).map((h) => parsed(h).entry[0].changes[0].value);

describe("POST /{waba-id}/message_templates", () => {
  it("answers {id, status: PENDING, category}; the listing shows the template in upper case", async () => {
    const t = await manualWaba();
    const input = template();
    const res = await create(t, input);
    expect(res.status).toBe(200);
    const created = await body(res);
    expect(created).toEqual({ id: expect.stringMatching(/^\d{16}$/), status: "PENDING", category: "UTILITY" });
    const list = await body(await graph(`/v24.0/${t.wabaId}/message_templates?name=${input.name}`, { token: t.token }));
    expect(list.data).toEqual([
      { id: created.id, name: input.name, language: "en_US", status: "PENDING", category: "UTILITY", parameter_format: "POSITIONAL", components: [{ type: "BODY", text: "Hi {{1}}, your order ships.", example: { body_text: [["Aarav"]] } }] },
    ]);
  });

  it("refuses what Meta refuses: duplicate name and language (subcode 2388024), bad name, category, missing fields, no BODY", async () => {
    const t = await manualWaba();
    const dup = await graphError(await create(t, template({ name: "order_update" })), 400, 100);
    expect(dup.error_subcode).toBe(2388024);
    expect((await create(t, template({ name: "order_update", language: "fr" }))).status).toBe(200);
    expect((await graphError(await create(t, template({ name: "Bad-Name" })), 400, 100)).error_data.details).toMatch(/lowercase/);
    expect((await graphError(await create(t, template({ category: "PROMO" })), 400, 100)).error_data.details).toMatch(/category/);
    expect((await graphError(await create(t, { name: "x_y", language: "en_US", category: "UTILITY" }), 400, 100)).message).toContain("components");
    await graphError(await create(t, template({ components: [{ type: "FOOTER", text: "x" }] })), 400, 100);
    await graphError(await create(t, template({ parameter_format: "LOOSE" })), 400, 100);
  });

  it("checks the token as for every Graph call: 190 for an unknown token or another WABA's", async () => {
    const t = await manualWaba();
    const other = await freshWaba();
    await graphError(await create(t, template(), "EAAGnope"), 401, 190);
    await graphError(await create(t, template(), other.token), 401, 190);
    expect((await emulatorTemplates(t.wabaId)).length).toBe(t.waba.templates.length);
  });

  it("the review approves after its delay and posts message_template_status_update", async () => {
    const t = await freshWaba();
    await setTemplateReview(t.wabaId, { delayMs: 0 });
    const input = template();
    const created = await body(await create(t, input));
    const [event] = await events(t.wabaId, 1);
    expect(event).toMatchObject({ event: "APPROVED", message_template_id: Number(created.id), message_template_name: input.name, message_template_language: "en-US", reason: "NONE", message_template_category: "UTILITY" });
    expect((await emulatorTemplates(t.wabaId)).find((x) => x.metaId === created.id)!.status).toBe("APPROVED");
    // and it sends
    const sent = await t.send({ to: USER, type: "template", template: { name: input.name, language: { code: "en_US" }, components: [{ type: "body", parameters: [{ type: "text", text: "A" }] }] } });
    expect(sent.status).toBe(200);
  });

  it("a name the review rejects is REJECTED with the configured reason, which the listing shows", async () => {
    const t = await freshWaba();
    const input = template();
    expect(await setTemplateReview(t.wabaId, { delayMs: 0, rejectNames: [input.name], reason: "TAG_CONTENT_MISMATCH" })).toEqual({ delayMs: 0, rejectNames: [input.name], reason: "TAG_CONTENT_MISMATCH" });
    await create(t, input);
    const [event] = await events(t.wabaId, 1);
    expect(event).toMatchObject({ event: "REJECTED", reason: "TAG_CONTENT_MISMATCH" });
    const list = await body(await graph(`/v24.0/${t.wabaId}/message_templates?name=${input.name}&fields=name,status,rejected_reason`, { token: t.token }));
    expect(list.data[0]).toMatchObject({ status: "REJECTED", rejected_reason: "TAG_CONTENT_MISMATCH" });
  });

  it("control: GET and POST /__emulator/templates/review; 404 for an unknown WABA, 400 for a bad delay", async () => {
    const t = await freshWaba();
    expect((await body(await controlRequest(`/templates/review?wabaId=${t.wabaId}`))).review).toEqual({ delayMs: 1000, rejectNames: [], reason: "INVALID_FORMAT" });
    expect((await controlRequest("/templates/review", { wabaId: "999", delayMs: 0 })).status).toBe(404);
    expect((await controlRequest("/templates/review", { wabaId: t.wabaId, delayMs: -1 })).status).toBe(400);
  });
});

describe("POST /{template-id} (edit)", () => {
  it("replaces an approved template's components: PENDING again; a second edit within 24 hours is refused", async () => {
    const t = await manualWaba();
    const id = t.waba.templates.find((x) => x.name === "order_update" && x.language === "en_US")!.metaId;
    const components = [{ type: "BODY", text: "Hello {{1}}, order {{2}} is on its way.", example: { body_text: [["A", "1"]] } }];
    const res = await edit(t, id, { components });
    expect(await body(res)).toEqual({ success: true });
    const stored = (await emulatorTemplates(t.wabaId)).find((x) => x.metaId === id)!;
    expect(stored).toMatchObject({ status: "PENDING", components });
    await setTemplateStatus({ wabaId: t.wabaId, templateId: id, status: "APPROVED", webhook: false });
    const again = await graphError(await edit(t, id, { components }), 400, 100);
    expect(again.error_data.details).toContain("1 time in a 24 hour window");
  });

  it("refuses a PENDING or DISABLED template, an approved template's category; a rejected one may change category", async () => {
    const t = await manualWaba();
    const idOf = (name: string) => t.waba.templates.find((x) => x.name === name)!.metaId;
    expect((await graphError(await edit(t, idOf("pending_one"), { category: "MARKETING" }), 400, 100)).error_data.details).toContain("APPROVED, REJECTED, or PAUSED");
    await graphError(await edit(t, idOf("disabled_one"), { category: "UTILITY" }), 400, 100);
    expect((await graphError(await edit(t, idOf("no_params"), { category: "MARKETING" }), 400, 100)).error_data.details).toContain("category of an approved template");
    await graphError(await edit(t, idOf("no_params"), {}), 400, 100);
    await setTemplateStatus({ wabaId: t.wabaId, templateId: idOf("no_params"), status: "REJECTED", webhook: false });
    expect((await edit(t, idOf("no_params"), { category: "MARKETING" })).status).toBe(200);
    expect((await emulatorTemplates(t.wabaId)).find((x) => x.metaId === idOf("no_params"))).toMatchObject({ category: "MARKETING", status: "PENDING" });
    // a paused template may be edited as often as needed
    expect((await edit(t, idOf("paused_one"), { components: [{ type: "BODY", text: "Sale {{1}} now on.", example: { body_text: [["10%"]] } }] })).status).toBe(200);
  });

  it("an unknown template id is Graph's unknown object; another WABA's token is 190", async () => {
    const t = await manualWaba();
    const other = await freshWaba();
    const unknown = await graphError(await edit(t, "1999999999999999", { category: "MARKETING" }), 400, 100);
    expect(unknown.error_subcode).toBe(33);
    await graphError(await edit(t, t.waba.templates[0]!.metaId, { category: "MARKETING" }, other.token), 401, 190);
  });
});

describe("DELETE /{waba-id}/message_templates", () => {
  it("by name deletes every language; by hsm_id and name only that one", async () => {
    const t = await manualWaba();
    const hi = t.waba.templates.find((x) => x.name === "order_update" && x.language === "hi_IN")!;
    expect(await body(await remove(t, `name=order_update&hsm_id=${hi.metaId}`))).toEqual({ success: true });
    expect((await emulatorTemplates(t.wabaId)).filter((x) => x.name === "order_update").map((x) => x.language)).toEqual(["en_US"]);
    expect(await body(await remove(t, "name=order_update"))).toEqual({ success: true });
    expect((await emulatorTemplates(t.wabaId)).filter((x) => x.name === "order_update")).toEqual([]);
    const list = await body(await graph(`/v24.0/${t.wabaId}/message_templates?name=order_update`, { token: t.token }));
    expect(list.data).toEqual([]);
  });

  it("an unknown name is subcode 2593002; no name is (#100); a DISABLED template is not deleted", async () => {
    const t = await manualWaba();
    expect((await graphError(await remove(t, "name=nope"), 400, 100)).error_subcode).toBe(2593002);
    await graphError(await remove(t, "hsm_id=1"), 400, 100);
    await graphError(await remove(t, "name=disabled_one"), 400, 100);
    expect((await emulatorTemplates(t.wabaId)).some((x) => x.name === "disabled_one")).toBe(true);
    await graphError(await remove(t, "name=no_params", "EAAGnope"), 401, 190);
  });
});
