// Template management as Meta's Graph API does it: create (POST /{waba-id}/message_templates), edit
// (POST /{template-id}), delete (DELETE /{waba-id}/message_templates?name=…[&hsm_id=…]); then a review
// that approves (or rejects) the template after a delay and posts message_template_status_update.
// Sources ([template-management], [templates-overview], [template-components] in emulator/README.md:
// Meta's docs mirrored in kapso-meta-docs/documentation, documentation/whatsapp/templates/):
// - create answers {id, status: "PENDING", category}; names ≤512 of [a-z0-9_]; categories AUTHENTICATION,
//   MARKETING, UTILITY; one BODY. The same name and language twice: (#100) subcode 2388024 (Meta's
//   "content in this language already exists", as integrators report it).
// - edit: "Only templates with an APPROVED, REJECTED, or PAUSED status can be edited", "You cannot edit
//   the category of an approved template", approved templates "up to 10 times in a 30 day window, or 1
//   time in a 24 hour window"; answers {success: true}; the template is reviewed again.
// - delete by name (every language) or by hsm_id and name; "Templates that are in a disabled status cannot
//   be deleted"; an unknown name is (#100) subcode 2593002 "Message template not found".
// Meta's exact wording of the edit refusals is not published: the emulator's messages quote the rules.
import type { Context } from "hono";
import type { EmulatorBindings, EmulatorEnv } from "./env";
import { registerOnFirstUse } from "./first-use";
import { accessToken, checkAccess, GRAPH_VERSION } from "./graph-auth";
import { graphErrorResponse, invalidParam, unknownPath, whatsappError, type GraphError } from "./graph-errors";
import { randomTemplateId } from "./ids";
import { emulatorMode } from "./settings";
import { state, templateMemory, type Template, type Waba } from "./store";
import { changeTemplateStatus } from "./template-status";
import { sleep } from "./webhooks";

const NAME = /^[a-z0-9_]{1,512}$/;
const CATEGORIES = ["AUTHENTICATION", "MARKETING", "UTILITY"];
const DAY_MS = 24 * 60 * 60 * 1000;
const EDITABLE = ["APPROVED", "REJECTED", "PAUSED"];

/** How Meta's review of a WABA's new and edited templates goes (control: POST /__emulator/templates/review). */
export type TemplateReview = {
  /** ms after creation or edit until the verdict; null: no automatic verdict (POST /__emulator/templates/status decides) */
  delayMs: number | null;
  /** template names the review rejects (every other is approved) */
  rejectNames: string[];
  /** the rejection's reason (Meta's rejected_reason: INVALID_FORMAT, TAG_CONTENT_MISMATCH, …) */
  reason: string;
};

export const DEFAULT_REVIEW: TemplateReview = { delayMs: 1000, rejectNames: [], reason: "INVALID_FORMAT" };

export function reviewFor(wabaId: string): TemplateReview {
  return { ...DEFAULT_REVIEW, ...state.templateReviews.get(wabaId) };
}

export function updateReview(wabaId: string, patch: Partial<TemplateReview>): TemplateReview {
  state.templateReviews.set(wabaId, { ...reviewFor(wabaId), ...patch });
  return reviewFor(wabaId);
}

const upper = (v: unknown) => (typeof v === "string" ? v.toUpperCase() : v);

/** Components as Meta lists them: upper-case type, format and button types. */
function graphShape(components: unknown[]): Array<Record<string, unknown>> {
  return components.map((c) => {
    const component = c as Record<string, unknown>;
    const out: Record<string, unknown> = { ...component, type: upper(component.type) };
    if (component.format !== undefined) out.format = upper(component.format);
    if (Array.isArray(component.buttons)) out.buttons = component.buttons.map((b) => (typeof b === "object" && b !== null ? { ...b, type: upper((b as { type?: unknown }).type) } : b));
    return out;
  });
}

/** Meta's checks on a template's components that the emulator makes: an array with exactly one BODY. */
function componentsProblem(components: unknown): GraphError | undefined {
  if (!Array.isArray(components) || components.some((c) => typeof c !== "object" || c === null || Array.isArray(c))) {
    return invalidParam("Invalid parameter", "components must be an array of objects");
  }
  const bodies = components.filter((c) => upper((c as { type?: unknown }).type) === "BODY").length;
  if (bodies !== 1) return invalidParam("Invalid parameter", `A message template must have exactly one BODY component (has ${bodies})`);
  return undefined;
}

/**
 * The review's verdict after its delay, unless the template changed in the meantime (edited again,
 * deleted): APPROVED, or REJECTED with the configured reason; Meta's status webhook either way.
 */
function scheduleReview(c: Context<EmulatorEnv>, waba: Waba, template: Template): void {
  const review = reviewFor(waba.metaWabaId);
  if (review.delayMs === null) return;
  const memory = templateMemory(template.metaId);
  const round = (memory.reviews ?? 0) + 1;
  memory.reviews = round;
  const verdict = async () => {
    await sleep(review.delayMs!);
    if (memory.reviews !== round || template.status !== "PENDING" || !waba.templates.includes(template)) return;
    const posted = await decide(c.env, waba, template, review.rejectNames.includes(template.name) ? { event: "REJECTED", reason: review.reason } : { event: "APPROVED" });
    await posted?.retries;
  };
  c.executionCtx.waitUntil(verdict());
}

/** Applies a review verdict: the status, the reason the listing shows, and Meta's webhook. */
export function decide(env: EmulatorBindings, waba: Waba, template: Template, verdict: { event: "APPROVED" } | { event: "REJECTED"; reason: string }) {
  const memory = templateMemory(template.metaId);
  if (verdict.event === "REJECTED") memory.rejectedReason = verdict.reason;
  else delete memory.rejectedReason;
  return changeTemplateStatus(env, waba, template, { event: verdict.event, reason: verdict.event === "REJECTED" ? verdict.reason : "NONE", webhook: true });
}

/** A write on /{version}/{waba-id}/message_templates: the version, then the token, then the WABA (Graph's order). */
function wabaAccess(c: Context<EmulatorEnv>): { waba: Waba } | { response: Response } {
  const version = c.req.param("version") ?? "";
  if (!GRAPH_VERSION.test(version)) return { response: graphErrorResponse(c, unknownPath(c.req.path)) };
  c.header("facebook-api-version", version);
  const wabaId = c.req.param("wabaId") ?? "";
  const token = accessToken(c);
  registerOnFirstUse(c.env, token, { wabaId });
  const waba = state.wabas.get(wabaId);
  const denied = checkAccess(token, waba, wabaId, "post", emulatorMode(c.env));
  if (denied || !waba) return { response: graphErrorResponse(c, denied ?? whatsappError(1)) };
  return { waba };
}

async function jsonBody(c: Context): Promise<Record<string, unknown> | undefined> {
  const body: unknown = await c.req.json().catch(() => undefined);
  return typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
}

/** POST /{version}/{waba-id}/message_templates */
export async function createTemplate(c: Context<EmulatorEnv>): Promise<Response> {
  const access = wabaAccess(c);
  if ("response" in access) return access.response;
  const { waba } = access;
  const body = await jsonBody(c);
  if (!body) return graphErrorResponse(c, invalidParam("Invalid parameter", "The request body must be a JSON object"));
  for (const field of ["name", "language", "category", "components"]) {
    if (body[field] === undefined) return graphErrorResponse(c, invalidParam(`The parameter ${field} is required.`));
  }
  const { name, language } = body;
  if (typeof name !== "string" || !NAME.test(name)) {
    return graphErrorResponse(c, invalidParam("Invalid parameter", "Template names may contain only lowercase letters, numbers and underscores, up to 512 characters"));
  }
  if (typeof language !== "string" || !/^[a-z]{2,3}(_[A-Z]{2})?$/.test(language)) return graphErrorResponse(c, invalidParam("Invalid parameter", `Invalid language code ${String(language)}`));
  const category = upper(body.category);
  if (typeof category !== "string" || !CATEGORIES.includes(category)) {
    return graphErrorResponse(c, invalidParam("Invalid parameter", `Param category must be one of {${CATEGORIES.join(", ")}} - got "${String(body.category)}".`));
  }
  const format = upper(body.parameter_format ?? "POSITIONAL");
  if (format !== "POSITIONAL" && format !== "NAMED") return graphErrorResponse(c, invalidParam("Invalid parameter", `Param parameter_format must be one of {POSITIONAL, NAMED} - got "${String(body.parameter_format)}".`));
  const problem = componentsProblem(body.components);
  if (problem) return graphErrorResponse(c, problem);
  if (waba.templates.some((t) => t.name === name && t.language === language)) {
    return graphErrorResponse(c, whatsappError(100, { message: "Invalid parameter", subcode: 2388024, details: `There is already ${language} content for this template. You can create a new template and try again.` }));
  }
  const template: Template = {
    metaId: randomTemplateId(),
    name,
    language,
    category: category as Template["category"],
    status: "PENDING",
    parameterFormat: format,
    components: graphShape(body.components as unknown[]),
  };
  waba.templates.push(template);
  scheduleReview(c, waba, template);
  return c.json({ id: template.metaId, status: template.status, category: template.category });
}

/** POST /{version}/{template-id}: a new category and/or components. */
export async function editTemplate(c: Context<EmulatorEnv>): Promise<Response> {
  const version = c.req.param("version") ?? "";
  const templateId = c.req.param("templateId") ?? "";
  if (!GRAPH_VERSION.test(version)) return graphErrorResponse(c, unknownPath(c.req.path));
  c.header("facebook-api-version", version);
  const token = accessToken(c);
  const waba = [...state.wabas.values()].find((w) => w.templates.some((t) => t.metaId === templateId));
  const denied = checkAccess(token, waba, templateId, "post", emulatorMode(c.env));
  if (denied || !waba) return graphErrorResponse(c, denied ?? whatsappError(1));
  const template = waba.templates.find((t) => t.metaId === templateId)!;
  const body = await jsonBody(c);
  if (!body || (body.components === undefined && body.category === undefined)) {
    return graphErrorResponse(c, invalidParam("Invalid parameter", "Give components, category or both to edit a template"));
  }
  const category = body.category === undefined ? undefined : upper(body.category);
  if (category !== undefined && (typeof category !== "string" || !CATEGORIES.includes(category))) {
    return graphErrorResponse(c, invalidParam("Invalid parameter", `Param category must be one of {${CATEGORIES.join(", ")}} - got "${String(body.category)}".`));
  }
  if (body.components !== undefined) {
    const problem = componentsProblem(body.components);
    if (problem) return graphErrorResponse(c, problem);
  }
  if (!EDITABLE.includes(template.status)) {
    return graphErrorResponse(c, invalidParam("Invalid parameter", `Only templates with an APPROVED, REJECTED, or PAUSED status can be edited (this one is ${template.status}).`));
  }
  if (template.status === "APPROVED" && category !== undefined && category !== template.category) {
    return graphErrorResponse(c, invalidParam("Invalid parameter", "You cannot edit the category of an approved template."));
  }
  const memory = templateMemory(template.metaId);
  const now = Date.now();
  if (template.status === "APPROVED") {
    const edits = (memory.edits ?? []).filter((at) => now - at < 30 * DAY_MS);
    if (edits.some((at) => now - at < DAY_MS) || edits.length >= 10) {
      return graphErrorResponse(c, invalidParam("Invalid parameter", "Approved templates can be edited up to 10 times in a 30 day window, or 1 time in a 24 hour window."));
    }
    memory.edits = [...edits, now];
  }
  if (category !== undefined) template.category = category as Template["category"];
  if (body.components !== undefined) template.components = graphShape(body.components as unknown[]);
  template.status = "PENDING";
  delete memory.rejectedReason;
  scheduleReview(c, waba, template);
  return c.json({ success: true });
}

/** DELETE /{version}/{waba-id}/message_templates?name=…[&hsm_id=…] */
export async function deleteTemplates(c: Context<EmulatorEnv>): Promise<Response> {
  const access = wabaAccess(c);
  if ("response" in access) return access.response;
  const { waba } = access;
  const name = c.req.query("name");
  const hsmId = c.req.query("hsm_id");
  if (!name) return graphErrorResponse(c, invalidParam("The parameter name is required."));
  const doomed = waba.templates.filter((t) => t.name === name && (hsmId === undefined || t.metaId === hsmId));
  if (doomed.length === 0) {
    return graphErrorResponse(c, whatsappError(100, { message: "Invalid parameter", subcode: 2593002, details: `The message template ${name} wasn't found for this account.` }));
  }
  if (doomed.some((t) => t.status === "DISABLED")) return graphErrorResponse(c, invalidParam("Invalid parameter", "Templates that are in a disabled status cannot be deleted."));
  waba.templates = waba.templates.filter((t) => !doomed.includes(t));
  for (const t of doomed) templateMemory(t.metaId).reviews = -1;
  return c.json({ success: true });
}
