import { describe, expect, it } from "vitest";
import { api, jsonOf } from "../helpers/api";
import { emulatorSends } from "../helpers/emulator";
import { createMessagingTenant, inboundFrom } from "../helpers/messaging";
import { wabaSql } from "../helpers/waba";

const TO = "+919812345678";
const send = (key: string, json: unknown) => api("/v1/messages/template", { key, method: "POST", json });
const code = async (res: Response) => (await jsonOf(res)).error.code;

describe("POST /v1/messages/template", () => {
  it("sends an approved template any time, outside the window, in Meta's shape", async () => {
    const t = await createMessagingTenant();
    const res = await send(t.secret, { to: TO, template: "order_shipped_v2", language: "en_US", variables: ["Aarav", "4827", "tomorrow"] });
    expect(res.status).toBe(200);
    const [sent] = await emulatorSends(t.defaultPhone);
    expect(sent!.body).toMatchObject({
      type: "template",
      template: { name: "order_shipped_v2", language: { code: "en_US" }, components: [{ type: "body", parameters: [{ type: "text", text: "Aarav" }, { type: "text", text: "4827" }, { type: "text", text: "tomorrow" }] }] },
    });
    // history keeps the rendered text
    const messageId = (sent!.body as { biz_opaque_callback_data: string }).biz_opaque_callback_data;
    expect(await jsonOf(await api(`/v1/messages/${messageId}`, { key: t.secret }))).toMatchObject({ body: "Hi Aarav! Order #4827 ships tomorrow.", kind: "template" });
  });

  it("404 TEMPLATE_NOT_FOUND for a name the WABA does not have", async () => {
    const t = await createMessagingTenant();
    const res = await send(t.secret, { to: TO, template: "no_such_template", language: "en_US" });
    expect(res.status).toBe(404);
    expect(await code(res)).toBe("TEMPLATE_NOT_FOUND");
  });

  it("400 TEMPLATE_LANGUAGE_MISMATCH listing the approved languages", async () => {
    const t = await createMessagingTenant();
    const res = await send(t.secret, { to: TO, template: "order_shipped_v2", language: "es", variables: ["a", "b", "c"] });
    expect(res.status).toBe(400);
    const body = await jsonOf(res);
    expect(body.error.code).toBe("TEMPLATE_LANGUAGE_MISMATCH");
    expect(body.error.message).toContain("en_US, hi_IN");
  });

  it("400 TEMPLATE_NOT_APPROVED for pending and paused templates", async () => {
    const t = await createMessagingTenant();
    expect(await code(await send(t.secret, { to: TO, template: "payment_reminder", language: "en_US", variables: ["a", "b"] }))).toBe("TEMPLATE_NOT_APPROVED");
    expect(await code(await send(t.secret, { to: TO, template: "delivery_update", language: "en_US", variables: ["a"] }))).toBe("TEMPLATE_NOT_APPROVED");
  });

  it("400 TEMPLATE_VARIABLE_COUNT_MISMATCH with the expected count", async () => {
    const t = await createMessagingTenant();
    for (const variables of [undefined, ["Aarav"], ["a", "b", "c", "d"]]) {
      const res = await send(t.secret, { to: TO, template: "order_shipped_v2", language: "en_US", ...(variables ? { variables } : {}) });
      expect(res.status).toBe(400);
      const body = await jsonOf(res);
      expect(body.error.code).toBe("TEMPLATE_VARIABLE_COUNT_MISMATCH");
      expect(body.error.details[0]).toMatchObject({ expected: 3, received: variables?.length ?? 0 });
    }
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(0);
  });

  it("named templates take their values in order of appearance", async () => {
    const t = await createMessagingTenant();
    const res = await send(t.secret, { to: TO, template: "welcome_back", language: "en_US", variables: ["Aarav", "X1"] });
    expect(res.status).toBe(200);
    const [sent] = await emulatorSends(t.defaultPhone);
    expect((sent!.body as any).template.components[0].parameters).toEqual([
      { type: "text", text: "Aarav", parameter_name: "first_name" },
      { type: "text", text: "X1", parameter_name: "code" },
    ]);
  });

  it("passes components through in Meta's shape, and refuses body values given twice", async () => {
    const t = await createMessagingTenant();
    const components = [{ type: "body", parameters: [{ type: "text", text: "A" }, { type: "text", text: "1" }, { type: "text", text: "now" }] }];
    expect((await send(t.secret, { to: TO, template: "order_shipped_v2", language: "en_US", components })).status).toBe(200);
    expect((await emulatorSends(t.defaultPhone))[0]!.body).toMatchObject({ template: { components } });
    const both = await send(t.secret, { to: TO, template: "order_shipped_v2", language: "en_US", components, variables: ["a", "b", "c"] });
    expect(await code(both)).toBe("VALIDATION_FAILED");
  });

  it("flowAction must match the template's Flow button", async () => {
    const t = await createMessagingTenant();
    expect((await send(t.secret, { to: TO, template: "book_visit", language: "en_US", flowAction: "navigate" })).status).toBe(200);
    const [sent] = await emulatorSends(t.defaultPhone);
    expect((sent!.body as any).template.components).toEqual([{ type: "button", sub_type: "flow", index: "0", parameters: [{ type: "action", action: { flow_token: "unused" } }] }]);
    expect(await code(await send(t.secret, { to: TO, template: "book_visit", language: "en_US", flowAction: "data_exchange" }))).toBe("VALIDATION_FAILED");
    expect(await code(await send(t.secret, { to: TO, template: "order_shipped_v2", language: "en_US", variables: ["a", "b", "c"], flowAction: "navigate" }))).toBe("VALIDATION_FAILED");
  });

  it("400 CONTACT_OPTED_OUT for a MARKETING template to a contact who opted out; utility still sends", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    await wabaSql(t, "UPDATE contacts SET opted_in = 0 WHERE phone = ?", TO);
    const res = await send(t.secret, { to: TO, template: "spring_sale", language: "en_US", variables: ["20%"] });
    expect(res.status).toBe(400);
    expect(await code(res)).toBe("CONTACT_OPTED_OUT");
    expect((await send(t.secret, { to: TO, template: "order_shipped_v2", language: "en_US", variables: ["a", "b", "c"] })).status).toBe(200);
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(1);
  });

  it.each([
    [{ to: TO, language: "en_US" }, "template"],
    [{ to: TO, template: "Order Shipped", language: "en_US" }, "template"],
    [{ to: TO, template: "order_shipped_v2", language: "english-US" }, "language"],
    [{ to: TO, template: "order_shipped_v2", language: "en_US", variables: "Aarav" }, "variables"],
    [{ to: TO, template: "order_shipped_v2", language: "en_US", flowAction: "jump" }, "flowAction"],
    [{ to: TO, template: "x".repeat(121), language: "en_US" }, "template"],
  ])("400 VALIDATION_FAILED for %j", async (json, field) => {
    const t = await createMessagingTenant();
    const res = await send(t.secret, json);
    expect(res.status).toBe(400);
    const body = await jsonOf(res);
    expect(body.error.code).toBe("VALIDATION_FAILED");
    expect(body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it("every element of components is validated: a malformed one is 400 VALIDATION_FAILED naming its path, and nothing is sent", async () => {
    const t = await createMessagingTenant();
    const cases: Array<[unknown, string]> = [
      [[{ type: "body", parameters: [null, null, null] }], "components.0.parameters.0"],
      [[null], "components.0"],
      [["body"], "components.0"],
      [[{ type: "body", parameters: "Aarav" }], "components.0.parameters"],
      [[{ type: "body", parameters: [{ type: "text" }] }], "components.0.parameters.0.text"],
      [[{ type: "body", parameters: [{ type: "text", text: 42 }] }], "components.0.parameters.0.text"],
      [[{ type: "body", parameters: [{ type: "image", image: { link: "https://x.example/a.jpg" } }] }], "components.0.parameters.0.type"],
      [[{ type: "header", parameters: [{ type: "image", image: {} }] }], "components.0.parameters.0.image"],
      [[{ type: "button", sub_type: "url", index: "x", parameters: [{ type: "text", text: "a" }] }], "components.0.index"],
      [[{ type: "button", sub_type: "teleport", index: "0" }], "components.0.sub_type"],
      [[{ type: "footer" }], "components.0.type"],
      [[{ type: "body", parameters: [{ type: "text", text: "a", colour: "red" }] }], "components.0.parameters.0.colour"],
    ];
    for (const [components, field] of cases) {
      const res = await send(t.secret, { to: TO, template: "order_shipped_v2", language: "en_US", components });
      expect(res.status, JSON.stringify(components)).toBe(400);
      const body = await jsonOf(res);
      expect(body.error.code).toBe("VALIDATION_FAILED");
      expect(body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(0);
  });

  it("a well-formed components array in Meta's send shape is sent as given", async () => {
    const t = await createMessagingTenant();
    const components = [
      { type: "body", parameters: [{ type: "text", text: "Aarav" }, { type: "currency", currency: { fallback_value: "$10", code: "USD", amount_1000: 10000 } }, { type: "date_time", date_time: { fallback_value: "May 1, 2026" } }] },
    ];
    const res = await send(t.secret, { to: TO, template: "order_shipped_v2", language: "en_US", components });
    expect(res.status).toBe(200);
    const [sent] = await emulatorSends(t.defaultPhone);
    expect((sent!.body as { template: { components: unknown } }).template.components).toEqual(components);
  });

  it("Meta's rule for template variables (132018) is checked before queueing: a newline, a tab or five spaces is a 400 naming the variable", async () => {
    const t = await createMessagingTenant();
    for (const [json, field] of [
      [{ variables: ["Aarav", "48\n27", "tomorrow"] }, "variables.1"],
      [{ variables: ["Aarav", "4827", "to\tmorrow"] }, "variables.2"],
      [{ variables: ["Aarav     Sharma", "4827", "tomorrow"] }, "variables.0"],
      [{ components: [{ type: "body", parameters: [{ type: "text", text: "a" }, { type: "text", text: "b\nc" }, { type: "text", text: "d" }] }] }, "components.0.parameters.1.text"],
    ] as const) {
      const res = await send(t.secret, { to: TO, template: "order_shipped_v2", language: "en_US", ...json });
      expect(res.status).toBe(400);
      const body = await jsonOf(res);
      expect(body.error).toMatchObject({ code: "VALIDATION_FAILED", details: [expect.objectContaining({ field })] });
      expect(body.error.message).toContain("132018");
    }
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(0);
  });
});
