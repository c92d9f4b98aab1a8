import { describe, expect, it } from "vitest";
import { graph, setTemplateCategory, setTemplateQuality, setTemplateStatus, type WebhookRecord } from "../helpers/emulator";
import { body, controlError, controlRequest, freshWaba, graphError, USER } from "./fixtures";
import { parsed, waitForWebhooks } from "./webhook-helpers";

const orderUpdate = {
  to: USER,
  type: "template",
  template: { name: "order_update", language: { code: "en_US" }, components: [{ type: "body", parameters: [{ type: "text", text: "A" }, { type: "text", text: "1" }] }] },
};
const ref = (wabaId: string) => ({ wabaId, name: "order_update", language: "en_US" });

function change(hook: WebhookRecord) {
  const payload = parsed(hook);
  expect(payload).toMatchObject({ object: "whatsapp_business_account", entry: [{ time: expect.any(Number) }] });
  return payload.entry[0].changes[0];
}

/** Posts the event and returns the change Meta would deliver, waiting for the n-th template webhook of the WABA. */
async function event(t: Awaited<ReturnType<typeof freshWaba>>, status: string, extra: Record<string, unknown> = {}) {
  const { webhook } = await setTemplateStatus({ ...ref(t.wabaId), status, ...extra });
  const hooks = await waitForWebhooks(t.wabaId, 1, { kind: "message_template_status_update" });
  const hook = hooks.find((h) => h.id === webhook!.id)!;
  expect(change(hook).field).toBe("message_template_status_update");
  return change(hook).value;
}

describe("message_template_status_update events", () => {
  it("every event carries message_template_category, a numeric id and the hyphenated language", async () => {
    const t = await freshWaba();
    const template = t.waba.templates.find((x) => x.name === "order_update" && x.language === "en_US")!;
    expect(await event(t, "APPROVED")).toEqual({
      event: "APPROVED",
      message_template_id: Number(template.metaId),
      message_template_name: "order_update",
      message_template_language: "en-US",
      reason: "NONE",
      message_template_category: "UTILITY",
    });
    const hi = await setTemplateStatus({ wabaId: t.wabaId, name: "order_update", language: "hi_IN", status: "LOCKED" });
    const hooks = await waitForWebhooks(t.wabaId, 2, { kind: "message_template_status_update" });
    expect(change(hooks.find((h) => h.id === hi.webhook!.id)!).value).toMatchObject({ event: "LOCKED", message_template_language: "hi-IN", reason: null });
    expect(hi.template.status).toBe("APPROVED");
  });

  it("FLAGGED leaves the template sendable and carries disable_info.disable_date; REINSTATED approves", async () => {
    const t = await freshWaba();
    const before = Math.floor(Date.now() / 1000);
    const flagged = await event(t, "FLAGGED");
    expect(flagged.disable_info.disable_date).toBeGreaterThanOrEqual(before + 7 * 24 * 3600);
    expect(flagged.reason).toBeNull();
    expect((await t.send(orderUpdate)).status).toBe(200);
    expect((await event(t, "FLAGGED", { disableDate: 1751247548 })).disable_info).toEqual({ disable_date: 1751247548 });

    expect((await event(t, "DISABLED")).disable_info.disable_date).toBeGreaterThanOrEqual(before);
    await graphError(await t.send(orderUpdate), 400, 132016);
    const reinstated = await event(t, "REINSTATED");
    expect(reinstated.disable_info).toBeUndefined();
    expect((await t.send(orderUpdate)).status).toBe(200);
  });

  it("ARCHIVED, then UNARCHIVED restores the status the template had before", async () => {
    const t = await freshWaba();
    await setTemplateStatus({ ...ref(t.wabaId), status: "PAUSED", webhook: false });
    expect((await setTemplateStatus({ ...ref(t.wabaId), status: "ARCHIVED" })).template.status).toBe("ARCHIVED");
    await graphError(await t.send(orderUpdate), 404, 132001);
    expect((await setTemplateStatus({ ...ref(t.wabaId), status: "UNARCHIVED" })).template.status).toBe("PAUSED");
    await graphError(await t.send(orderUpdate), 400, 132015);
    const hooks = await waitForWebhooks(t.wabaId, 2, { kind: "message_template_status_update" });
    expect(hooks.map((h) => change(h).value.event)).toEqual(["ARCHIVED", "UNARCHIVED"]);
  });

  it("PAUSED carries FIRST_PAUSE then SECOND_PAUSE; an unpause is APPROVED with other_info.title UNPAUSE", async () => {
    const t = await freshWaba();
    expect((await event(t, "PAUSED")).other_info).toEqual({ title: "FIRST_PAUSE", description: expect.stringMatching(/paused for 3 hours until .* due to low quality\.$/) });
    const unpaused = await event(t, "APPROVED");
    expect(unpaused).toMatchObject({ event: "APPROVED", reason: "NONE", other_info: { title: "UNPAUSE", description: "Your WhatsApp message template has been unpaused." } });
    expect((await event(t, "PAUSED")).other_info.title).toBe("SECOND_PAUSE");
    expect((await event(t, "PAUSED", { otherInfo: { title: "RATE_LIMITING_PAUSE", description: "Paused." } })).other_info).toEqual({ title: "RATE_LIMITING_PAUSE", description: "Paused." });
    // an approval of a template that was not paused has no other_info
    await setTemplateStatus({ ...ref(t.wabaId), status: "APPROVED", webhook: false });
    expect((await event(t, "APPROVED")).other_info).toBeUndefined();
  });

  it("REJECTED with INVALID_FORMAT carries rejection_info; other reasons do not", async () => {
    const t = await freshWaba();
    expect(await event(t, "REJECTED")).toMatchObject({
      reason: "INVALID_FORMAT",
      rejection_info: { reason: expect.stringContaining("{{1}}{{2}}"), recommendation: expect.any(String) },
    });
    expect((await event(t, "REJECTED", { reason: "PROMOTIONAL" })).rejection_info).toBeUndefined();
  });

  it("an unknown (future) event is posted exactly as given and changes nothing; known events in any case", async () => {
    const t = await freshWaba();
    const future = await setTemplateStatus({ ...ref(t.wabaId), status: "QUALITY_REVIEW_STARTED", reason: "SOMETHING_NEW" });
    expect(future.template.status).toBe("APPROVED");
    const hooks = await waitForWebhooks(t.wabaId, 1, { kind: "message_template_status_update" });
    expect(change(hooks[0]!).value).toMatchObject({ event: "QUALITY_REVIEW_STARTED", reason: "SOMETHING_NEW", message_template_category: "UTILITY" });
    // Meta's pacing page writes "paused" in lower case
    expect(await event(t, "paused")).toMatchObject({ event: "paused", other_info: { title: "FIRST_PAUSE" } });
    await graphError(await t.send(orderUpdate), 400, 132015);
  });

  it("400 without a template reference or status, 404 for an unknown WABA or template", async () => {
    const t = await freshWaba();
    await controlError(await controlRequest("/templates/status", { wabaId: t.wabaId, status: "APPROVED" }), 400);
    await controlError(await controlRequest("/templates/status", { ...ref(t.wabaId), status: "" }), 400);
    await controlError(await controlRequest("/templates/status", { ...ref("1"), status: "APPROVED" }), 404);
    await controlError(await controlRequest("/templates/status", { ...ref(t.wabaId), name: "nope", status: "APPROVED" }), 404);
  });
});

describe("template_category_update", () => {
  it("impending: Meta's 24-hour warning, new_category is the CURRENT category, nothing changes", async () => {
    const t = await freshWaba();
    const template = t.waba.templates.find((x) => x.name === "order_update" && x.language === "en_US")!;
    const before = Math.floor(Date.now() / 1000);
    const result = await setTemplateCategory({ wabaId: t.wabaId, templateId: template.metaId, category: "MARKETING", impending: true });
    expect(result.template.category).toBe("UTILITY");
    const [hook] = await waitForWebhooks(t.wabaId, 1, { kind: "template_category_update" });
    expect(change(hook!)).toEqual({
      value: {
        message_template_id: Number(template.metaId),
        message_template_name: "order_update",
        message_template_language: "en-US",
        new_category: "UTILITY",
        correct_category: "MARKETING",
        category_update_timestamp: expect.any(Number),
      },
      field: "template_category_update",
    });
    expect(change(hook!).value.category_update_timestamp).toBeGreaterThanOrEqual(before + 24 * 3600);
  });

  it("completed: previous_category and new_category, and the template's category changes (listing, pricing)", async () => {
    const t = await freshWaba({ settings: { statusDelaysMs: [0] } });
    const result = await setTemplateCategory({ ...ref(t.wabaId), category: "marketing" as "MARKETING" });
    expect(result.template.category).toBe("MARKETING");
    const [hook] = await waitForWebhooks(t.wabaId, 1, { kind: "template_category_update" });
    expect(change(hook!).value).toMatchObject({ previous_category: "UTILITY", new_category: "MARKETING" });
    expect(change(hook!).value.correct_category).toBeUndefined();
    const listing = await body(await graph(`/v24.0/${t.wabaId}/message_templates?name=order_update&language=en_US`, { token: t.token }));
    expect(listing.data[0].category).toBe("MARKETING");
    const wamid = (await body(await t.send(orderUpdate))).messages[0].id;
    const [sent] = await waitForWebhooks(t.wabaId, 1, { wamid });
    expect(parsed(sent!).entry[0].changes[0].value.statuses[0].pricing.category).toBe("marketing");
  });

  it("400 for an unknown category or no template reference, 404 for an unknown template", async () => {
    const t = await freshWaba();
    await controlError(await controlRequest("/templates/category", { ...ref(t.wabaId), category: "SERVICE" }), 400);
    await controlError(await controlRequest("/templates/category", { wabaId: t.wabaId, category: "MARKETING" }), 400);
    await controlError(await controlRequest("/templates/category", { ...ref(t.wabaId), templateId: "1", category: "MARKETING" }), 404);
  });
});

describe("message_template_quality_update", () => {
  it("posts previous and new quality scores under its own field; metaDocField reproduces Meta's documented field name", async () => {
    const t = await freshWaba();
    const template = t.waba.templates.find((x) => x.name === "order_update" && x.language === "en_US")!;
    const first = await setTemplateQuality({ ...ref(t.wabaId), quality: "GREEN" });
    expect(first.quality).toEqual({ previous: "UNKNOWN", current: "GREEN" });
    const second = await setTemplateQuality({ ...ref(t.wabaId), quality: "YELLOW", metaDocField: true });
    const hooks = await waitForWebhooks(t.wabaId, 2, { kind: "message_template_quality_update" });
    expect(change(hooks.find((h) => h.id === first.webhook.id)!).field).toBe("message_template_quality_update");
    expect(change(hooks.find((h) => h.id === second.webhook.id)!)).toEqual({
      value: {
        previous_quality_score: "GREEN",
        new_quality_score: "YELLOW",
        message_template_id: Number(template.metaId),
        message_template_name: "order_update",
        message_template_language: "en-US",
      },
      field: "message_template_status_update",
    });
    const listing = await body(await graph(`/v24.0/${t.wabaId}/message_templates?name=order_update&language=en_US&fields=quality_score`, { token: t.token }));
    expect(listing.data[0].quality_score.score).toBe("YELLOW");
  });

  it("400 for an unknown score, 404 for an unknown WABA", async () => {
    const t = await freshWaba();
    await controlError(await controlRequest("/templates/quality", { ...ref(t.wabaId), quality: "BLUE" }), 400);
    await controlError(await controlRequest("/templates/quality", { ...ref("1"), quality: "RED" }), 404);
  });
});
