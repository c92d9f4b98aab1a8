import { describe, expect, it } from "vitest";
import {
  checkComponents,
  checkTemplateDraft,
  headerMediaIds,
  normaliseComponents,
  variablesOf,
  withHeaderHandles,
  type ParameterFormat,
  type TemplateDraft,
} from "../../src/templates/template-authoring";

// Meta's authoring rules for a template (src/templates/template-authoring.ts), table by table: each case
// is a draft and the fields its problems name (none: Meta may be asked).

const body = (text: string, example?: unknown) => ({ type: "BODY", text, ...(example === undefined ? {} : { example }) });
const draft = (over: Partial<TemplateDraft> = {}): TemplateDraft => ({
  name: "order_shipped_v3",
  language: "en_US",
  category: "UTILITY",
  parameterFormat: "POSITIONAL",
  components: [body("Hi {{1}}, order {{2}} ships.", { body_text: [["Aarav", "4827"]] })],
  ...over,
});
const buttons = (...list: unknown[]) => ({ type: "BUTTONS", buttons: list });
const withComponents = (...components: Array<Record<string, unknown>>) => draft({ components: [body("Your order has shipped."), ...components] });
const fields = (d: TemplateDraft) => checkTemplateDraft(d).map((p) => p.field);

describe("checkTemplateDraft: name, language, category", () => {
  const cases: Array<[string, TemplateDraft, string[]]> = [
    ["a valid positional template", draft(), []],
    ["upper case in the name", draft({ name: "Order_Shipped" }), ["name"]],
    ["a hyphen in the name", draft({ name: "order-shipped" }), ["name"]],
    ["an empty name", draft({ name: "" }), ["name"]],
    ["a 512-character name", draft({ name: "a".repeat(512) }), []],
    ["a 513-character name", draft({ name: "a".repeat(513) }), ["name"]],
    ["language en", draft({ language: "en" }), []],
    ["language pt_BR", draft({ language: "pt_BR" }), []],
    ["language en-US (webhook spelling)", draft({ language: "en-US" }), ["language"]],
    ["language en_us", draft({ language: "en_us" }), ["language"]],
    ["category MARKETING", draft({ category: "MARKETING" }), []],
    ["category PROMOTIONAL", draft({ category: "PROMOTIONAL" }), ["category"]],
  ];
  for (const [name, d, expected] of cases) it(name, () => expect(fields(d)).toEqual(expected));
});

describe("checkComponents: one BODY, its length and variables", () => {
  const positional = (text: string, values?: string[]) => draft({ components: [body(text, values ? { body_text: [values] } : undefined)] });
  const named = (text: string, params?: Array<{ param_name: string; example: string }>) =>
    draft({ parameterFormat: "NAMED", components: [body(text, params ? { body_text_named_params: params } : undefined)] });
  const cases: Array<[string, TemplateDraft, string[]]> = [
    ["no components", draft({ components: [] }), ["components"]],
    ["no BODY", draft({ components: [{ type: "FOOTER", text: "Thanks" }] }), ["components"]],
    ["two BODY components", draft({ components: [body("One."), body("Two.")] }), ["components.1.type"]],
    ["an unknown component type", draft({ components: [body("One."), { type: "CAROUSEL" }] }), ["components.1.type"]],
    ["a body without text", draft({ components: [{ type: "BODY" }] }), ["components.0.text"]],
    ["an authentication body without text", draft({ category: "AUTHENTICATION", components: [{ type: "BODY", add_security_recommendation: true }] }), []],
    ["a 1024-character body", positional("a".repeat(1024)), []],
    ["a 1025-character body", positional("a".repeat(1025)), ["components.0.text"]],
    ["{{1}} {{2}} with two examples", positional("Hi {{1}}, order {{2}} ships.", ["a", "b"]), []],
    ["a variable used twice needs one example", positional("Hi {{1}}, yes {{1}}, ok.", ["a"]), []],
    ["a gap: {{1}} {{3}}", positional("Hi {{1}}, order {{3}} ships.", ["a", "b"]), ["components.0.text"]],
    ["out of order: {{2}} before {{1}}", positional("Hi {{2}}, order {{1}} ships.", ["a", "b"]), ["components.0.text"]],
    ["starting at {{0}}", positional("Hi {{0}}, ok.", ["a"]), ["components.0.text"]],
    ["malformed {{ 1 }}", positional("Hi {{ 1 }}, ok.", ["a"]), ["components.0.text"]],
    ["unbalanced {{1}", positional("Hi {{1}, ok.", ["a"]), ["components.0.text"]],
    ["a named variable in a positional template", positional("Hi {{first_name}}, ok.", ["a"]), ["components.0.text"]],
    ["a variable starting the body", positional("{{1}}, your order ships.", ["a"]), ["components.0.text"]],
    ["a variable ending the body", positional("Your order ships {{1}}", ["a"]), ["components.0.text"]],
    ["variables without an example", positional("Hi {{1}}, ok."), ["components.0.example.body_text"]],
    ["too few examples", positional("Hi {{1}} and {{2}}, ok.", ["a"]), ["components.0.example.body_text"]],
    ["too many examples", positional("Hi {{1}}, ok.", ["a", "b"]), ["components.0.example.body_text"]],
    ["an empty example", positional("Hi {{1}}, ok.", [""]), ["components.0.example.body_text"]],
    ["body_text not nested", draft({ components: [body("Hi {{1}}, ok.", { body_text: ["a"] })] }), ["components.0.example.body_text"]],
    ["named variables with their examples (any order)", named("Hi {{first_name}}, order {{order_id}} ok.", [{ param_name: "order_id", example: "4827" }, { param_name: "first_name", example: "Aarav" }]), []],
    ["a named variable without an example", named("Hi {{first_name}}, order {{order_id}} ok.", [{ param_name: "first_name", example: "Aarav" }]), ["components.0.example.body_text_named_params"]],
    ["a named example for no variable", named("Hi {{first_name}}, ok.", [{ param_name: "first_name", example: "A" }, { param_name: "other", example: "B" }]), ["components.0.example.body_text_named_params"]],
    ["a positional variable in a named template", named("Hi {{1}}, ok.", [{ param_name: "1", example: "A" }]), ["components.0.text"]],
    ["named examples given as body_text", draft({ parameterFormat: "NAMED", components: [body("Hi {{first_name}}, ok.", { body_text: [["A"]] })] }), ["components.0.example.body_text_named_params"]],
  ];
  for (const [name, d, expected] of cases) it(name, () => expect(fields(d)).toEqual(expected));
});

describe("checkComponents: HEADER and FOOTER", () => {
  const cases: Array<[string, TemplateDraft, string[]]> = [
    ["a text header", withComponents({ type: "HEADER", format: "TEXT", text: "Your order" }), []],
    ["a 61-character text header", withComponents({ type: "HEADER", format: "TEXT", text: "a".repeat(61) }), ["components.1.text"]],
    ["a text header with one variable and its example", withComponents({ type: "HEADER", format: "TEXT", text: "Hi {{1}}", example: { header_text: ["Aarav"] } }), []],
    ["a text header with two variables", withComponents({ type: "HEADER", format: "TEXT", text: "Hi {{1}} {{2}}", example: { header_text: ["a", "b"] } }), ["components.1.text"]],
    ["a text header variable without its example", withComponents({ type: "HEADER", format: "TEXT", text: "Hi {{1}}" }), ["components.1.example.header_text"]],
    ["an unknown header format", withComponents({ type: "HEADER", format: "AUDIO" }), ["components.1.format"]],
    ["an image header with Meta's handle", withComponents({ type: "HEADER", format: "IMAGE", example: { header_handle: ["4::aW1h"] } }), []],
    ["an image header with our media id", withComponents({ type: "HEADER", format: "IMAGE", example: { header_media_id: "1234567890" } }), []],
    ["a document header without an example", withComponents({ type: "HEADER", format: "DOCUMENT" }), ["components.1.example"]],
    ["a video header with both handle and media id", withComponents({ type: "HEADER", format: "VIDEO", example: { header_handle: ["4::x"], header_media_id: "1" } }), ["components.1.example"]],
    ["a header handle that is not an array", withComponents({ type: "HEADER", format: "IMAGE", example: { header_handle: "4::x" } }), ["components.1.example.header_handle"]],
    ["a location header in a utility template", withComponents({ type: "HEADER", format: "LOCATION" }), []],
    ["a location header in an authentication template", draft({ category: "AUTHENTICATION", components: [{ type: "BODY" }, { type: "HEADER", format: "LOCATION" }] }), ["components.1.format"]],
    ["two headers", withComponents({ type: "HEADER", format: "LOCATION" }, { type: "HEADER", format: "LOCATION" }), ["components.2.type"]],
    ["a footer", withComponents({ type: "FOOTER", text: "Lucky Shrub" }), []],
    ["a 61-character footer", withComponents({ type: "FOOTER", text: "a".repeat(61) }), ["components.1.text"]],
    ["a footer with a variable", withComponents({ type: "FOOTER", text: "Code {{1}}" }), ["components.1.text"]],
    ["an authentication footer with code_expiration_minutes", draft({ category: "AUTHENTICATION", components: [{ type: "BODY" }, { type: "FOOTER", code_expiration_minutes: 10 }] }), []],
    ["code_expiration_minutes 91", draft({ category: "AUTHENTICATION", components: [{ type: "BODY" }, { type: "FOOTER", code_expiration_minutes: 91 }] }), ["components.1.code_expiration_minutes"]],
  ];
  for (const [name, d, expected] of cases) it(name, () => expect(fields(d)).toEqual(expected));
});

describe("checkComponents: BUTTONS", () => {
  const qr = (text = "Stop") => ({ type: "QUICK_REPLY", text });
  const url = (over: Record<string, unknown> = {}) => ({ type: "URL", text: "Track", url: "https://shop.example/track", ...over });
  const phone = (over: Record<string, unknown> = {}) => ({ type: "PHONE_NUMBER", text: "Call us", phone_number: "+16467043595", ...over });
  const cases: Array<[string, TemplateDraft, string[]]> = [
    ["quick replies, a URL and a phone", withComponents(buttons(qr(), qr("More"), url(), phone())), []],
    ["no buttons", withComponents(buttons()), ["components.1.buttons"]],
    ["11 buttons", withComponents(buttons(...Array.from({ length: 11 }, () => qr()))), ["components.1.buttons"]],
    ["10 buttons", withComponents(buttons(...Array.from({ length: 10 }, () => qr()))), []],
    ["three URL buttons", withComponents(buttons(url(), url(), url())), ["components.1.buttons"]],
    ["two phone buttons", withComponents(buttons(phone(), phone())), ["components.1.buttons"]],
    ["two copy-code buttons", withComponents(buttons({ type: "COPY_CODE", example: "SAVE10" }, { type: "COPY_CODE", example: "SAVE20" })), ["components.1.buttons"]],
    ["quick replies split by a URL", withComponents(buttons(qr(), url(), qr())), ["components.1.buttons"]],
    ["a 26-character label", withComponents(buttons(qr("a".repeat(26)))), ["components.1.buttons.0.text"]],
    ["a label with emoji counts characters", withComponents(buttons(qr("😀".repeat(25)))), []],
    ["a quick reply without text", withComponents(buttons({ type: "QUICK_REPLY" })), ["components.1.buttons.0.text"]],
    ["a URL with a trailing variable and its example", withComponents(buttons(url({ url: "https://shop.example/track/{{1}}", example: ["https://shop.example/track/4827"] }))), []],
    ["a URL variable without an example", withComponents(buttons(url({ url: "https://shop.example/track/{{1}}" }))), ["components.1.buttons.0.example"]],
    ["a URL variable in the middle", withComponents(buttons(url({ url: "https://shop.example/{{1}}/track", example: ["x"] }))), ["components.1.buttons.0.url"]],
    ["a URL with {{2}}", withComponents(buttons(url({ url: "https://shop.example/track/{{2}}", example: ["x"] }))), ["components.1.buttons.0.url"]],
    ["a 2001-character URL", withComponents(buttons(url({ url: `https://shop.example/${"a".repeat(1982)}` }))), ["components.1.buttons.0.url"]],
    ["a URL that is not http(s)", withComponents(buttons(url({ url: "ftp://shop.example/x" }))), ["components.1.buttons.0.url"]],
    ["a 21-character phone number", withComponents(buttons(phone({ phone_number: "+1".padEnd(21, "5") }))), ["components.1.buttons.0.phone_number"]],
    ["a phone button without a number", withComponents(buttons({ type: "PHONE_NUMBER", text: "Call" })), ["components.1.buttons.0.phone_number"]],
    ["a 16-character copy code", withComponents(buttons({ type: "COPY_CODE", example: "a".repeat(16) })), ["components.1.buttons.0.example"]],
    ["a Flow button", withComponents(buttons({ type: "FLOW", text: "Book", flow_id: "123", flow_action: "navigate" })), []],
    ["a Flow button without a flow", withComponents(buttons({ type: "FLOW", text: "Book" })), ["components.1.buttons.0.flow_id"]],
    ["an unknown button type", withComponents(buttons({ type: "CALL_ME", text: "x" })), ["components.1.buttons.0.type"]],
    ["an OTP button outside authentication", withComponents(buttons({ type: "OTP", otp_type: "COPY_CODE" })), ["components.1.buttons.0.type"]],
    ["an OTP button in authentication", draft({ category: "AUTHENTICATION", components: [{ type: "BODY" }, buttons({ type: "OTP", otp_type: "copy_code" })] }), []],
  ];
  for (const [name, d, expected] of cases) it(name, () => expect(fields(d)).toEqual(expected));

  it("names several problems at once, each with its field", () => {
    const problems = checkTemplateDraft(draft({ name: "Bad Name", components: [body("Hi {{1}}, ok."), buttons(qr("a".repeat(30)), url({ url: "nope" }))] }));
    expect(problems.map((p) => p.field)).toEqual(["name", "components.0.example.body_text", "components.1.buttons.0.text", "components.1.buttons.1.url"]);
    expect(problems.find((p) => p.field === "components.1.buttons.0.text")).toMatchObject({ limit: 25 });
  });
});

describe("helpers", () => {
  it("normaliseComponents upper-cases types, formats and button types, leaving the rest", () => {
    expect(normaliseComponents([{ type: "header", format: "text", text: "Hi" }, { type: "buttons", buttons: [{ type: "quick_reply", text: "ok" }] }])).toEqual([
      { type: "HEADER", format: "TEXT", text: "Hi" },
      { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "ok" }] },
    ]);
  });

  it("variablesOf lists placeholders in order and says what is malformed", () => {
    expect(variablesOf("Hi {{1}} and {{name}} and {{1}}")).toEqual({ tokens: ["1", "name", "1"] });
    expect(variablesOf("Hi {{First}}").problem).toMatch(/malformed/);
    expect(variablesOf("Hi {{1}}}").problem).toMatch(/unbalanced/);
  });

  it("media ids in headers are found and replaced by Meta's handles", () => {
    const components = [{ type: "HEADER", format: "IMAGE", example: { header_media_id: "987" } }, body("Look.")];
    expect(headerMediaIds(components)).toEqual([{ index: 0, mediaId: "987" }]);
    expect(withHeaderHandles(components, new Map([[0, "4::aGFuZGxl"]]))[0]).toEqual({ type: "HEADER", format: "IMAGE", example: { header_handle: ["4::aGFuZGxl"] } });
  });

  it("an edit's components are checked against the template's own category and format", () => {
    const ctx = (category: string, parameterFormat: ParameterFormat) => ({ category, parameterFormat });
    expect(checkComponents([body("Hi {{first_name}}, ok.", { body_text_named_params: [{ param_name: "first_name", example: "A" }] })], ctx("MARKETING", "NAMED"))).toEqual([]);
    expect(checkComponents([body("Hi {{first_name}}, ok.")], ctx("MARKETING", "POSITIONAL")).map((p) => p.field)).toEqual(["components.0.text"]);
  });
});
