// Meta's rules for a template being created or edited, checked before anything is sent to Meta, so a
// mistake is a 400 naming the field rather than Meta's (#100) about "the template". Pure: no I/O.
//
// Sources (Meta's developer docs, mirrored in kapso-meta-docs/documentation, documentation/whatsapp/templates/):
// - overview.mdx: names ≤512 of lowercase alphanumerics and underscores; categories authentication,
//   marketing, utility; parameter formats (positional {{1}}, {{2}}, … "ordered … starting from 1"; named
//   {{first_name}}, "unique … lowercase characters and underscores"); an example value for every parameter.
// - components.mdx: one BODY (≤1024, required); text HEADER ≤60 with 1 parameter; media headers IMAGE,
//   VIDEO, GIF, DOCUMENT with example.header_handle; LOCATION headers only for UTILITY or MARKETING; FOOTER
//   ≤60; up to 10 buttons, ≤2 URL (≤2000, one variable appended to the end, with an example), ≤1
//   PHONE_NUMBER (≤20), ≤1 COPY_CODE (example ≤15), labels ≤25; quick replies grouped together.
// - Meta error 2388299 (our reference, /work/shared/reference/meta-cloud-api.md §5): at creation,
//   variables may not lead or trail the body text.
// Meta checks more (its review, the variable-to-word ratio, …): what is left to it comes back as Meta's refusal.

export type AuthoringProblem = { field: string; message: string; limit?: number };

export const TEMPLATE_CATEGORIES = ["MARKETING", "UTILITY", "AUTHENTICATION"] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];
export type ParameterFormat = "POSITIONAL" | "NAMED";

export const LIMITS = {
  name: 512,
  body: 1024,
  headerText: 60,
  footer: 60,
  buttons: 10,
  urlButtons: 2,
  phoneButtons: 1,
  copyCodeButtons: 1,
  buttonText: 25,
  url: 2000,
  phone: 20,
  copyCode: 15,
} as const;

const NAME = /^[a-z0-9_]+$/;
/** Meta's template language codes: en, en_US, pt_BR, zh_HK, fil, … (supported-languages.mdx) */
const LANGUAGE = /^[a-z]{2,3}(_[A-Z]{2})?$/;
const COMPONENT_TYPES = ["HEADER", "BODY", "FOOTER", "BUTTONS"] as const;
const HEADER_FORMATS = ["TEXT", "IMAGE", "VIDEO", "GIF", "DOCUMENT", "LOCATION"] as const;
const MEDIA_FORMATS: readonly string[] = ["IMAGE", "VIDEO", "GIF", "DOCUMENT"];
const BUTTON_TYPES = ["QUICK_REPLY", "URL", "PHONE_NUMBER", "COPY_CODE", "FLOW", "OTP"] as const;

type Component = Record<string, unknown>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const upper = (v: unknown) => (typeof v === "string" ? v.toUpperCase() : v);
/** Characters as people count them (an emoji is one), which is how Meta's limits read. */
const length = (s: string) => [...s].length;

/**
 * Components in Meta's upper-case shape (type, format, button types), other fields as given: what is
 * sent to Meta and stored, as Meta lists them.
 */
export function normaliseComponents(components: readonly Component[]): Component[] {
  return components.map((c) => {
    const out: Component = { ...c, type: upper(c.type) };
    if (c.format !== undefined) out.format = upper(c.format);
    if (Array.isArray(c.buttons)) out.buttons = c.buttons.map((b) => (isRecord(b) ? { ...b, type: upper(b.type) } : b));
    return out;
  });
}

// ---- variables ---------------------------------------------------------------------------------------

const TOKEN = /\{\{([^{}]*)\}\}/g;
const POSITIONAL = /^[1-9]\d*$/;
const NAMED = /^[a-z_][a-z0-9_]*$/;

type Variables = { tokens: string[]; problem?: string };

/** The {{…}} placeholders of a text, in order, or what is malformed about them. */
export function variablesOf(text: string): Variables {
  const tokens = [...text.matchAll(TOKEN)].map((m) => m[1]!);
  const bad = tokens.find((t) => !POSITIONAL.test(t) && !NAMED.test(t));
  if (bad !== undefined) return { tokens, problem: `malformed variable {{${bad}}}: use {{1}}, {{2}}, … or lower-case names such as {{first_name}}` };
  const rest = text.replace(TOKEN, "\u0000");
  if (/\{\{|\}\}|\{\u0000|\u0000\}/.test(rest)) return { tokens, problem: "unbalanced braces: a variable is written {{1}} or {{name}}" };
  return { tokens };
}

/** The distinct variables of a text in the template's format, or what is wrong with them. */
function checkVariables(text: string, format: ParameterFormat): { names: string[]; problem?: string } {
  const { tokens, problem } = variablesOf(text);
  if (problem) return { names: [], problem };
  const names = [...new Set(tokens)];
  if (format === "POSITIONAL") {
    const named = names.find((n) => !POSITIONAL.test(n));
    if (named !== undefined) return { names, problem: `{{${named}}} is a named variable: set parameterFormat to "named", or use {{1}}, {{2}}, …` };
    const expected = names.map((_, i) => String(i + 1));
    if (names.join() !== expected.join()) {
      return { names, problem: `variables must be numbered in order from {{1}} without gaps; found ${names.map((n) => `{{${n}}}`).join(", ")}` };
    }
  } else {
    const numbered = names.find((n) => POSITIONAL.test(n));
    if (numbered !== undefined) return { names, problem: `{{${numbered}}} is a positional variable in a named template: use lower-case names such as {{first_name}}` };
  }
  return { names };
}

/** The example values a text's variables need: body_text / header_text (positional) or *_named_params. */
function checkExamples(
  example: unknown,
  names: string[],
  format: ParameterFormat,
  keys: { positional: string; named: string; nested: boolean },
  field: string,
): AuthoringProblem[] {
  if (names.length === 0) return [];
  const key = format === "POSITIONAL" ? keys.positional : keys.named;
  const at = `${field}.example.${key}`;
  const given = isRecord(example) ? example[key] : undefined;
  if (given === undefined) {
    return [{ field: at, message: `Meta requires an example value for each variable: give ${names.length} in example.${key}` }];
  }
  if (format === "POSITIONAL") {
    const values = keys.nested ? (Array.isArray(given) ? given[0] : undefined) : given;
    if (!Array.isArray(values) || values.some((v) => typeof v !== "string" || v.trim() === "")) {
      return [{ field: at, message: keys.nested ? `must be [[…]]: one array of ${names.length} non-empty strings` : `must be an array of ${names.length} non-empty strings` }];
    }
    if (values.length !== names.length) return [{ field: at, message: `has ${values.length} example value(s) for ${names.length} variable(s)`, limit: names.length }];
    return [];
  }
  if (!Array.isArray(given) || given.some((p) => !isRecord(p) || typeof p.param_name !== "string" || typeof p.example !== "string" || p.example.trim() === "")) {
    return [{ field: at, message: `must be an array of { param_name, example } with a non-empty example for each of ${names.map((n) => `{{${n}}}`).join(", ")}` }];
  }
  const exampled = given.map((p) => (p as { param_name: string }).param_name);
  const missing = names.filter((n) => !exampled.includes(n));
  const extra = exampled.filter((n) => !names.includes(n));
  if (missing.length || extra.length || exampled.length !== names.length) {
    return [{ field: at, message: `needs exactly one example per variable${missing.length ? `; missing ${missing.join(", ")}` : ""}${extra.length ? `; no such variable ${extra.join(", ")}` : ""}` }];
  }
  return [];
}

// ---- components ----------------------------------------------------------------------------------------

type Context = { category: string; parameterFormat: ParameterFormat };

function text(c: Component, field: string, max: number, opts: { required: boolean }): { value?: string; problems: AuthoringProblem[] } {
  const v = c.text;
  if (v === undefined) return { problems: opts.required ? [{ field: `${field}.text`, message: "Required field is missing" }] : [] };
  if (typeof v !== "string" || v.trim() === "") return { problems: [{ field: `${field}.text`, message: "must be a non-empty string" }] };
  if (length(v) > max) return { value: v, problems: [{ field: `${field}.text`, message: `must be at most ${max} characters (has ${length(v)})`, limit: max }] };
  return { value: v, problems: [] };
}

function checkBody(c: Component, field: string, ctx: Context): AuthoringProblem[] {
  // authentication templates have Meta's fixed text (add_security_recommendation), no text of their own
  const { value, problems } = text(c, field, LIMITS.body, { required: ctx.category !== "AUTHENTICATION" });
  if (value === undefined || problems.length) return problems;
  const vars = checkVariables(value, ctx.parameterFormat);
  if (vars.problem) return [{ field: `${field}.text`, message: vars.problem }];
  const trimmed = value.trim();
  if (vars.names.length && (/^\{\{[^{}]*\}\}/.test(trimmed) || /\{\{[^{}]*\}\}$/.test(trimmed))) {
    return [{ field: `${field}.text`, message: "a variable may not start or end the body text (Meta error 2388299): add words before or after it" }];
  }
  return checkExamples(c.example, vars.names, ctx.parameterFormat, { positional: "body_text", named: "body_text_named_params", nested: true }, field);
}

function checkHeader(c: Component, field: string, ctx: Context): AuthoringProblem[] {
  const format = c.format;
  if (typeof format !== "string" || !(HEADER_FORMATS as readonly string[]).includes(format)) {
    return [{ field: `${field}.format`, message: `must be one of ${HEADER_FORMATS.join(", ")}` }];
  }
  if (format === "TEXT") {
    const { value, problems } = text(c, field, LIMITS.headerText, { required: true });
    if (value === undefined || problems.length) return problems;
    const vars = checkVariables(value, ctx.parameterFormat);
    if (vars.problem) return [{ field: `${field}.text`, message: vars.problem }];
    if (vars.names.length > 1) return [{ field: `${field}.text`, message: `a text header takes at most 1 variable (has ${vars.names.length})`, limit: 1 }];
    return checkExamples(c.example, vars.names, ctx.parameterFormat, { positional: "header_text", named: "header_text_named_params", nested: false }, field);
  }
  if (format === "LOCATION") {
    return ctx.category === "AUTHENTICATION" ? [{ field: `${field}.format`, message: "location headers are only for UTILITY and MARKETING templates" }] : [];
  }
  // IMAGE, VIDEO, GIF, DOCUMENT: Meta's Resumable-Upload handle, or (ours) a media id from POST /v1/media
  const example = isRecord(c.example) ? c.example : undefined;
  const handle = example?.header_handle;
  const mediaId = example?.header_media_id;
  if (handle === undefined && mediaId === undefined) {
    return [{ field: `${field}.example`, message: `a ${format} header needs an example: example.header_handle (Meta's upload handle) or example.header_media_id (an id from POST /v1/media)` }];
  }
  if (handle !== undefined && mediaId !== undefined) return [{ field: `${field}.example`, message: "give example.header_handle or example.header_media_id, not both" }];
  if (handle !== undefined && (!Array.isArray(handle) || handle.length !== 1 || typeof handle[0] !== "string" || handle[0] === "")) {
    return [{ field: `${field}.example.header_handle`, message: "must be an array of one upload handle (a non-empty string)" }];
  }
  if (mediaId !== undefined && (typeof mediaId !== "string" || !/^\d{1,30}$/.test(mediaId))) {
    return [{ field: `${field}.example.header_media_id`, message: "must be a media id from POST /v1/media (digits)" }];
  }
  return [];
}

function checkFooter(c: Component, field: string, ctx: Context): AuthoringProblem[] {
  if (ctx.category === "AUTHENTICATION" && c.text === undefined) {
    const minutes = c.code_expiration_minutes;
    return minutes === undefined || (Number.isInteger(minutes) && (minutes as number) >= 1 && (minutes as number) <= 90)
      ? []
      : [{ field: `${field}.code_expiration_minutes`, message: "must be a whole number of minutes from 1 to 90" }];
  }
  const { value, problems } = text(c, field, LIMITS.footer, { required: true });
  if (value === undefined || problems.length) return problems;
  const { tokens } = variablesOf(value);
  if (tokens.length || value.includes("{{")) return [{ field: `${field}.text`, message: "a footer cannot have variables" }];
  return [];
}

function buttonText(b: Component, field: string): AuthoringProblem[] {
  const v = b.text;
  if (typeof v !== "string" || v.trim() === "") return [{ field: `${field}.text`, message: v === undefined ? "Required field is missing" : "must be a non-empty string" }];
  if (length(v) > LIMITS.buttonText) return [{ field: `${field}.text`, message: `must be at most ${LIMITS.buttonText} characters (has ${length(v)})`, limit: LIMITS.buttonText }];
  if (v.includes("{{")) return [{ field: `${field}.text`, message: "a button label cannot have variables" }];
  return [];
}

function checkUrlButton(b: Component, field: string): AuthoringProblem[] {
  const out = buttonText(b, field);
  const url = b.url;
  if (typeof url !== "string" || url === "") return [...out, { field: `${field}.url`, message: url === undefined ? "Required field is missing" : "must be a non-empty string" }];
  if (length(url) > LIMITS.url) return [...out, { field: `${field}.url`, message: `must be at most ${LIMITS.url} characters`, limit: LIMITS.url }];
  if (!/^https?:\/\/[^\s/{}]+/i.test(url)) return [...out, { field: `${field}.url`, message: "must be an http(s) URL" }];
  const { tokens, problem } = variablesOf(url);
  if (problem) return [...out, { field: `${field}.url`, message: problem }];
  if (tokens.length === 0) return out;
  if (tokens.length > 1 || tokens[0] !== "1" || !url.endsWith("{{1}}")) {
    return [...out, { field: `${field}.url`, message: "a URL button takes one variable, {{1}}, at the end of the URL" }];
  }
  const example = b.example;
  if (!Array.isArray(example) || example.length !== 1 || typeof example[0] !== "string" || example[0] === "" || length(example[0]) > LIMITS.url) {
    return [...out, { field: `${field}.example`, message: "a URL with a variable needs an example: an array of one full sample URL" }];
  }
  return out;
}

function checkButton(b: unknown, field: string, ctx: Context): AuthoringProblem[] {
  if (!isRecord(b)) return [{ field, message: "must be an object" }];
  switch (b.type) {
    case "QUICK_REPLY":
      return buttonText(b, field);
    case "URL":
      return checkUrlButton(b, field);
    case "PHONE_NUMBER": {
      const out = buttonText(b, field);
      const phone = b.phone_number;
      if (typeof phone !== "string" || phone.trim() === "") return [...out, { field: `${field}.phone_number`, message: phone === undefined ? "Required field is missing" : "must be a non-empty string" }];
      if (length(phone) > LIMITS.phone) return [...out, { field: `${field}.phone_number`, message: `must be at most ${LIMITS.phone} characters`, limit: LIMITS.phone }];
      return out;
    }
    case "COPY_CODE": {
      const example = b.example;
      if (typeof example !== "string" || example === "") return [{ field: `${field}.example`, message: "a copy-code button needs example: the sample code (a non-empty string)" }];
      if (length(example) > LIMITS.copyCode) return [{ field: `${field}.example`, message: `must be at most ${LIMITS.copyCode} characters`, limit: LIMITS.copyCode }];
      return [];
    }
    case "FLOW": {
      const out = buttonText(b, field);
      if (b.flow_id === undefined && b.flow_name === undefined && b.flow_json === undefined) out.push({ field: `${field}.flow_id`, message: "a Flow button needs flow_id, flow_name or flow_json" });
      if (b.flow_action !== undefined && !["navigate", "data_exchange", "NAVIGATE", "DATA_EXCHANGE"].includes(b.flow_action as string)) {
        out.push({ field: `${field}.flow_action`, message: 'must be "navigate" or "data_exchange"' });
      }
      return out;
    }
    case "OTP":
      if (ctx.category !== "AUTHENTICATION") return [{ field: `${field}.type`, message: "OTP buttons are only for AUTHENTICATION templates" }];
      if (!["COPY_CODE", "ONE_TAP", "ZERO_TAP"].includes(upper(b.otp_type) as string)) return [{ field: `${field}.otp_type`, message: "must be COPY_CODE, ONE_TAP or ZERO_TAP" }];
      return [];
    default:
      return [{ field: `${field}.type`, message: `must be one of ${BUTTON_TYPES.join(", ")}` }];
  }
}

function checkButtons(c: Component, field: string, ctx: Context): AuthoringProblem[] {
  const buttons = c.buttons;
  if (!Array.isArray(buttons) || buttons.length === 0) return [{ field: `${field}.buttons`, message: "must be a non-empty array of buttons" }];
  if (buttons.length > LIMITS.buttons) return [{ field: `${field}.buttons`, message: `at most ${LIMITS.buttons} buttons (has ${buttons.length})`, limit: LIMITS.buttons }];
  const out = buttons.flatMap((b, i) => checkButton(b, `${field}.buttons.${i}`, ctx));
  const types = buttons.map((b) => (isRecord(b) ? b.type : undefined));
  const counted: Array<[string, number]> = [["URL", LIMITS.urlButtons], ["PHONE_NUMBER", LIMITS.phoneButtons], ["COPY_CODE", LIMITS.copyCodeButtons]];
  for (const [type, max] of counted) {
    const n = types.filter((t) => t === type).length;
    if (n > max) out.push({ field: `${field}.buttons`, message: `at most ${max} ${type} button${max > 1 ? "s" : ""} (has ${n})`, limit: max });
  }
  // quick replies are one group, before or after the other buttons (components.mdx: "Quick Reply, URL, Quick Reply" is invalid)
  const switches = types.map((t) => t === "QUICK_REPLY").filter((q, i, all) => i > 0 && q !== all[i - 1]).length;
  if (switches > 1) out.push({ field: `${field}.buttons`, message: "quick-reply buttons must be grouped together, before or after the other buttons" });
  return out;
}

/** Meta's component rules for a template of this category and parameter format; fields are under `prefix`. */
export function checkComponents(components: readonly Component[], ctx: Context, prefix = "components"): AuthoringProblem[] {
  if (components.length === 0) return [{ field: prefix, message: "a template needs at least a BODY component" }];
  const problems: AuthoringProblem[] = [];
  const seen = new Set<string>();
  components.forEach((c, i) => {
    const field = `${prefix}.${i}`;
    if (!isRecord(c)) return void problems.push({ field, message: "must be an object" });
    const type = c.type;
    if (typeof type !== "string" || !(COMPONENT_TYPES as readonly string[]).includes(type)) {
      return void problems.push({ field: `${field}.type`, message: `must be one of ${COMPONENT_TYPES.join(", ")}` });
    }
    if (seen.has(type)) return void problems.push({ field: `${field}.type`, message: `a template has at most one ${type} component` });
    seen.add(type);
    if (type === "BODY") problems.push(...checkBody(c, field, ctx));
    else if (type === "HEADER") problems.push(...checkHeader(c, field, ctx));
    else if (type === "FOOTER") problems.push(...checkFooter(c, field, ctx));
    else problems.push(...checkButtons(c, field, ctx));
  });
  if (!seen.has("BODY") && !problems.some((p) => p.field.endsWith(".type"))) problems.push({ field: prefix, message: "a template needs exactly one BODY component" });
  return problems;
}

export type TemplateDraft = {
  name: string;
  language: string;
  /** upper case */
  category: string;
  parameterFormat: ParameterFormat;
  /** normalised (normaliseComponents) */
  components: readonly Component[];
};

/** Every rule a new template breaks, each naming its field; empty when Meta may be asked. */
export function checkTemplateDraft(d: TemplateDraft): AuthoringProblem[] {
  const problems: AuthoringProblem[] = [];
  if (!NAME.test(d.name)) problems.push({ field: "name", message: "must be lower-case letters, digits and underscores (e.g. order_shipped_v2)" });
  else if (d.name.length > LIMITS.name) problems.push({ field: "name", message: `must be at most ${LIMITS.name} characters`, limit: LIMITS.name });
  if (!LANGUAGE.test(d.language)) problems.push({ field: "language", message: "must be a Meta template language code such as en, en_US or pt_BR" });
  if (!(TEMPLATE_CATEGORIES as readonly string[]).includes(d.category)) problems.push({ field: "category", message: "must be marketing, utility or authentication" });
  problems.push(...checkComponents(d.components, { category: d.category, parameterFormat: d.parameterFormat }));
  return problems;
}

/** Media headers given by our media id (example.header_media_id): their component index and id. */
export function headerMediaIds(components: readonly Component[]): Array<{ index: number; mediaId: string }> {
  return components.flatMap((c, index) => {
    const example = c.type === "HEADER" && isRecord(c.example) ? c.example : undefined;
    return typeof example?.header_media_id === "string" ? [{ index, mediaId: example.header_media_id }] : [];
  });
}

/** The components with each media id's header replaced by Meta's upload handle (example.header_handle). */
export function withHeaderHandles(components: readonly Component[], handles: ReadonlyMap<number, string>): Component[] {
  return components.map((c, i) => {
    const handle = handles.get(i);
    if (handle === undefined || !isRecord(c.example)) return c;
    const { header_media_id: _, ...example } = c.example;
    return { ...c, example: { ...example, header_handle: [handle] } };
  });
}
