import type { SendContent, SendInteractiveInput, SendLocationInput, SendMediaInput, SendTemplateInput, SendTextInput } from "./inputs";
import { interactiveLimitViolations } from "./interactive-limits";
import { metaRecipient, type Recipient } from "./recipient";
import type { Refusal, SendContext } from "./send";
import { bodyText, flowButton, placeholders, renderBody, requiredVariableCount } from "./template-rules";

// Each v1 send body → the message Meta receives (its shape per Meta's Cloud API, POST /{phone-number-id}/messages) and the text kept for
// history. Checks that need no storage happen here; template checks read the stored variants.

export type Draft = {
  kind: string;
  /** the readable text kept in history */
  body: string | null;
  /** Meta's request body for POST /{phone-number-id}/messages */
  payload: Record<string, unknown>;
};

const envelope = (r: Recipient, type: string, content: unknown) => ({ messaging_product: "whatsapp", recipient_type: "individual", ...metaRecipient(r), type, [type]: content });

export function composeText(i: SendTextInput): Draft {
  return { kind: "text", body: i.body, payload: envelope(i, "text", { preview_url: false, body: i.body }) };
}

export function composeMedia(i: SendMediaInput): Draft | Refusal {
  if (i.link !== undefined && !i.link.toLowerCase().startsWith("https://")) {
    return { code: "MEDIA_FETCH_FAILED", message: "Meta only fetches media over HTTPS: link must start with https://", details: [{ field: "link", message: "must be https" }] };
  }
  const media: Record<string, string> = i.mediaId !== undefined ? { id: i.mediaId } : { link: i.link! };
  if (i.caption !== undefined) media.caption = i.caption;
  if (i.filename !== undefined) media.filename = i.filename;
  return { kind: i.type, body: i.caption ?? i.filename ?? null, payload: envelope(i, i.type, media) };
}

/** The label of the button that opens a list: fixed by the v1 reference. */
export const LIST_BUTTON_LABEL = "Choose";

export function composeInteractive(i: SendInteractiveInput): Draft | Refusal {
  const violations = interactiveLimitViolations(i);
  if (violations.length > 0) return { code: "INTERACTIVE_LIMITS", message: `${violations[0]!.field}: ${violations[0]!.message}`, details: violations };
  const common = {
    ...(i.headerText !== undefined ? { header: { type: "text", text: i.headerText } } : {}),
    body: { text: i.body },
    ...(i.footer !== undefined ? { footer: { text: i.footer } } : {}),
  };
  const interactive =
    i.kind === "buttons"
      ? { type: "button", ...common, action: { buttons: i.buttons!.map((b) => ({ type: "reply", reply: { id: b.id, title: b.title } })) } }
      : {
          type: "list",
          ...common,
          action: {
            button: LIST_BUTTON_LABEL,
            sections: i.listSections!.map((s) => ({
              title: s.title,
              rows: s.rows.map((r) => ({ id: r.id, title: r.title, ...(r.description !== undefined ? { description: r.description } : {}) })),
            })),
          },
        };
  return { kind: "interactive", body: i.body, payload: envelope(i, "interactive", interactive) };
}

export function composeLocation(i: SendLocationInput): Draft {
  const location = {
    latitude: i.latitude,
    longitude: i.longitude,
    ...(i.name !== undefined ? { name: i.name } : {}),
    ...(i.address !== undefined ? { address: i.address } : {}),
  };
  const body = [i.name, i.address].filter(Boolean).join(", ") || `${i.latitude},${i.longitude}`;
  return { kind: "location", body, payload: envelope(i, "location", location) };
}

/**
 * Template checks against the local store, in the order an integrator fixes them: the name exists,
 * the language is one it exists in, that variant is APPROVED, the variable count matches its body, and
 * a MARKETING template is not sent to a contact who opted out.
 */
export function composeTemplate(i: SendTemplateInput, ctx: SendContext): Draft | Refusal {
  if (ctx.templates.length === 0) {
    return { code: "TEMPLATE_NOT_FOUND", message: `No template named ${i.template} exists on this WABA` };
  }
  const t = ctx.templates.find((v) => v.language === i.language);
  if (!t) {
    const languages = ctx.templates.map((v) => v.language).sort();
    return {
      code: "TEMPLATE_LANGUAGE_MISMATCH",
      message: `Template ${i.template} exists in ${languages.join(", ")}, not ${i.language}`,
      details: [{ field: "language", message: `available: ${languages.join(", ")}` }],
    };
  }
  if (t.status !== "APPROVED") {
    return { code: "TEMPLATE_NOT_APPROVED", message: `Template ${t.name} (${t.language}) is ${t.status}; only APPROVED templates send` };
  }
  const bodyComponent = i.components?.find((c) => c.type === "body");
  if (bodyComponent && i.variables) {
    return { code: "VALIDATION_FAILED", message: "variables: give body values either as variables or as a body component, not both", details: [{ field: "variables", message: "conflicts with a body component" }] };
  }
  const values =
    i.variables ??
    (bodyComponent?.type === "body"
      ? bodyComponent.parameters.map((p) => (p.type === "text" ? p.text : p.type === "currency" ? p.currency.fallback_value : p.date_time.fallback_value))
      : []);
  const expected = requiredVariableCount(t);
  if (values.length !== expected) {
    return {
      code: "TEMPLATE_VARIABLE_COUNT_MISMATCH",
      message: `Template ${t.name} (${t.language}) has ${expected} body placeholder${expected === 1 ? "" : "s"}; ${values.length} value${values.length === 1 ? " was" : "s were"} given`,
      details: [{ field: i.variables ? "variables" : "components", message: `expected ${expected}, got ${values.length}`, expected, received: values.length }],
    };
  }
  if (t.category === "AUTHENTICATION" && i.userId !== undefined) {
    const message = "authentication templates can only go to a phone number, not a business-scoped user id (Meta error 131062): send with to";
    return { code: "VALIDATION_FAILED", message: `userId: ${message}`, details: [{ field: "userId", message }] };
  }
  if (t.category === "MARKETING" && ctx.contact && !ctx.contact.optedIn) {
    return { code: "CONTACT_OPTED_OUT", message: `The contact opted out of marketing messages (they sent STOP); ${t.name} is a MARKETING template` };
  }
  const flow = flowButton(t);
  if (i.flowAction !== undefined && (!flow || flow.action !== i.flowAction)) {
    const message = flow ? `template ${t.name}'s Flow button uses ${flow.action}, not ${i.flowAction}` : `template ${t.name} has no Flow button`;
    return { code: "VALIDATION_FAILED", message: `flowAction: ${message}`, details: [{ field: "flowAction", message }] };
  }

  const components: Array<Record<string, unknown>> = (i.components ?? []).map((c) => ({ ...c }));
  if (i.variables && i.variables.length > 0) {
    const named = t.parameterFormat.toUpperCase() === "NAMED";
    const names = named ? placeholders(bodyText(t)) : [];
    components.unshift({
      type: "body",
      parameters: i.variables.map((text, k) => ({ type: "text", text, ...(named ? { parameter_name: names[k] } : {}) })),
    });
  }
  if (flow && i.flowAction !== undefined && !components.some((c) => c.type === "button" && c.sub_type === "flow")) {
    components.push({ type: "button", sub_type: "flow", index: String(flow.index), parameters: [{ type: "action", action: { flow_token: "unused" } }] });
  }
  const template = { name: t.name, language: { code: t.language }, ...(components.length ? { components } : {}) };
  return { kind: "template", body: renderBody(t, values), payload: envelope(i, "template", template) };
}

export const isRefusal = (v: Draft | Refusal): v is Refusal => "code" in v;

/** Any send → Meta's message, or the refusal Meta would have answered. */
export function compose(content: SendContent, ctx: SendContext): Draft | Refusal {
  switch (content.route) {
    case "text":
      return composeText(content.input);
    case "template":
      return composeTemplate(content.input, ctx);
    case "media":
      return composeMedia(content.input);
    case "interactive":
      return composeInteractive(content.input);
    case "location":
      return composeLocation(content.input);
  }
}
