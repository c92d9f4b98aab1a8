import { invalidParam, invalidValue, missingParam, whatsappError } from "./graph-errors";
import { charCount, fail, isObj, need, needObj, needString, oneOf, optString, path, type Obj } from "./json-params";
import type { Template, Waba } from "./store";

const COMPONENT_TYPES = ["header", "body", "button", "carousel", "limited_time_offer"];
const PARAMETER_TYPES = ["text", "currency", "date_time", "image", "video", "document", "location", "payload", "coupon_code", "action"];
const MEDIA_FORMATS = ["IMAGE", "VIDEO", "DOCUMENT", "LOCATION"];

type SentParam = { type: string; text?: string; name?: string };

/** The variables of a template text: {{1}}, {{2}} … or {{first_name}} …, each counted once. */
export function templateVariables(text: string, format: Template["parameterFormat"]): string[] {
  const pattern = format === "NAMED" ? /\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}/g : /\{\{\s*(\d+)\s*\}\}/g;
  return [...new Set([...text.matchAll(pattern)].map((m) => m[1] ?? ""))];
}

function templateComponent(template: Template, type: string): Record<string, unknown> | undefined {
  return template.components.find((c) => String(c.type).toUpperCase() === type);
}

function readParameters(component: Obj, at: string, checkText: boolean): SentParam[] {
  const raw = component.parameters;
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) fail(invalidParam(`Param ${at}['parameters'] must be an array.`));
  return raw.map((param, j) => {
    const pat = `${at}['parameters'][${j}]`;
    if (!isObj(param)) fail(invalidParam(`Param ${pat} must be a JSON object.`));
    const type = needString(param, "type", `${pat}['type']`).toLowerCase();
    oneOf(type, PARAMETER_TYPES, `${pat}['type']`);
    const name = optString(param, "parameter_name", `${pat}['parameter_name']`);
    if (type === "text") {
      const text = need(param, "text", `${pat}['text']`);
      if (typeof text !== "string") fail(invalidParam(`Param ${pat}['text'] must be a string.`));
      if (checkText && (/[\n\t]/.test(text) || / {5,}/.test(text))) {
        fail(whatsappError(132018, { details: "Param text cannot have new-line/tab characters or more than 4 consecutive spaces" }));
      }
      return { type, text, name };
    }
    if (type === "currency") {
      const currency = needObj(param, "currency", `${pat}['currency']`);
      needString(currency, "fallback_value", `${pat}['currency']['fallback_value']`);
      needString(currency, "code", `${pat}['currency']['code']`);
      need(currency, "amount_1000", `${pat}['currency']['amount_1000']`);
    } else if (type === "date_time") {
      needString(needObj(param, "date_time", `${pat}['date_time']`), "fallback_value", `${pat}['date_time']['fallback_value']`);
    } else if (type === "image" || type === "video" || type === "document") {
      const media = needObj(param, type, `${pat}['${type}']`);
      if (!media.id && !media.link) fail(missingParam(`Param ${pat}['${type}'] must contain either 'id' or 'link'`));
    }
    return { type, name };
  });
}

function countMismatch(part: "body" | "header", sent: number, expected: number): never {
  fail(whatsappError(132000, {
    details: `${part}: number of localizable_params (${sent}) does not match the expected number of params (${expected})`,
  }));
}

function checkBodyParams(template: Template, params: SentParam[]): void {
  const text = String(templateComponent(template, "BODY")?.text ?? "");
  const expected = templateVariables(text, template.parameterFormat);
  if (template.parameterFormat === "NAMED") {
    if (params.some((p) => p.name === undefined)) {
      fail(whatsappError(132012, { details: "body: Format mismatch, expected NAMED parameters (parameter_name on each), received POSITIONAL" }));
    }
    const names = [...new Set(params.map((p) => p.name ?? ""))];
    if (names.length !== expected.length) countMismatch("body", names.length, expected.length);
    const unknown = names.find((n) => !expected.includes(n));
    if (unknown !== undefined) fail(invalidValue(`body: named parameter (${unknown}) does not exist in the template`));
  } else if (params.length !== expected.length) {
    countMismatch("body", params.length, expected.length);
  }
  // Meta rejects a body that becomes longer than 1024 characters once filled in.
  let hydrated = text;
  params.forEach((p, i) => {
    const key = template.parameterFormat === "NAMED" ? p.name ?? "" : String(i + 1);
    hydrated = hydrated.replaceAll(new RegExp(`\\{\\{\\s*${key}\\s*\\}\\}`, "g"), p.text ?? "x");
  });
  if (charCount(hydrated) > 1024) fail(whatsappError(132005, { details: "body: The hydrated text is longer than 1024 characters" }));
}

function checkHeaderParams(template: Template, params: SentParam[]): void {
  const header = templateComponent(template, "HEADER");
  const format = String(header?.format ?? "TEXT").toUpperCase();
  if (header && MEDIA_FORMATS.includes(format)) {
    const sent = params[0]?.type.toUpperCase();
    if (sent !== format) {
      fail(whatsappError(132012, { details: `header: Format mismatch, expected ${format}, received ${sent ?? "UNKNOWN"}` }));
    }
    return;
  }
  const expected = header ? templateVariables(String(header.text ?? ""), template.parameterFormat).length : 0;
  if (params.length !== expected) countMismatch("header", params.length, expected);
}

function checkButtons(template: Template, sent: Array<{ index: number; at: string }>): void {
  const buttons = (templateComponent(template, "BUTTONS")?.buttons ?? []) as Array<Record<string, unknown>>;
  for (const { index } of sent) {
    if (index >= buttons.length) fail(invalidValue(`buttons: Button at index ${index} does not exist in the template`));
  }
  buttons.forEach((button, i) => {
    const dynamicUrl = String(button.type).toUpperCase() === "URL" && /\{\{\s*1\s*\}\}/.test(String(button.url ?? ""));
    if (dynamicUrl && !sent.some((s) => s.index === i)) fail(missingParam(`buttons: Button at index ${i} of type Url requires a parameter`));
  });
}

/** Template lookup (name + language on the WABA), its status, and the parameter counts Meta enforces. */
export function validateTemplateSend(tpl: Obj, waba: Waba): Template {
  const name = needString(tpl, "name", "template['name']");
  const language = needObj(tpl, "language", "template['language']");
  const code = needString(language, "code", "template['language']['code']");
  const policy = optString(language, "policy", "template['language']['policy']");
  if (policy !== undefined) oneOf(policy, ["deterministic"], "template['language']['policy']");

  const template = waba.templates.find((t) => t.name === name && t.language === code);
  const missing = () => whatsappError(132001, { details: `template name (${name}) does not exist in ${code}` });
  if (!template) fail(missing());
  if (template.status === "PAUSED") fail(whatsappError(132015));
  if (template.status === "DISABLED") fail(whatsappError(132016));
  if (template.status !== "APPROVED") fail(missing());

  const components = tpl.components ?? [];
  if (!Array.isArray(components)) fail(invalidParam("Param template['components'] must be an array."));
  const body: SentParam[] = [];
  const header: SentParam[] = [];
  const buttons: Array<{ index: number; at: string }> = [];
  components.forEach((component, i) => {
    const at = path("template", "components", i);
    if (!isObj(component)) fail(invalidParam(`Param ${at} must be a JSON object.`));
    const type = needString(component, "type", `${at}['type']`).toLowerCase();
    oneOf(type, COMPONENT_TYPES, `${at}['type']`);
    if (type === "body") body.push(...readParameters(component, at, true));
    else if (type === "header") header.push(...readParameters(component, at, true));
    else if (type === "button") {
      needString(component, "sub_type", `${at}['sub_type']`);
      const index = component.index;
      const n = typeof index === "number" ? index : typeof index === "string" && /^\d+$/.test(index) ? Number(index) : Number.NaN;
      if (!Number.isInteger(n)) fail(invalidParam(`Param ${at}['index'] must be a number between 0 and 9.`));
      readParameters(component, at, false);
      buttons.push({ index: n, at });
    }
  });
  checkHeaderParams(template, header);
  checkBodyParams(template, body);
  checkButtons(template, buttons);
  return template;
}
