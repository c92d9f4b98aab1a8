import { z } from "zod";
import type { ManagedTemplate } from "../data-plane/templates";
import type { WabaStore } from "../durable-objects/waba-store";
import type { Env } from "../env";
import type { UpstreamError } from "../errors";
import { headerHandleForMedia } from "../media/header-handle";
import { targetOf } from "../media/meta-media";
import { upstreamOf } from "../messages/outcome";
import { messageErrorOf } from "../meta/error-policy";
import { graphRequest, type GraphResult, type GraphTarget } from "../meta/graph";
import {
  checkComponents,
  checkTemplateDraft,
  headerMediaIds,
  normaliseComponents,
  TEMPLATE_CATEGORIES,
  withHeaderHandles,
  type AuthoringProblem,
  type ParameterFormat,
} from "./template-authoring";

// Templates created, edited and deleted through the API. Meta is the authority: our rules are checked
// first (template-authoring.ts), then Meta is asked, and only what Meta accepted is stored — a refusal
// leaves the WABA's object as it was. Meta's endpoints (template-management.md and overview.mdx in
// Meta's docs, mirrored in kapso-meta-docs/documentation, documentation/whatsapp/templates/):
// - create: POST /{waba-id}/message_templates {name, category, language, parameter_format, components,
//   allow_category_change} → {id, status: "PENDING", category}
// - edit:   POST /{template-id} {category?, components?} → {success: true}. "Only templates with an
//   APPROVED, REJECTED, or PAUSED status can be edited"; "You cannot edit the category of an approved
//   template"; approved templates "up to 10 times in a 30 day window, or 1 time in a 24 hour window"
//   (Meta's to enforce: its refusal is passed on). An edited template is reviewed again (PENDING).
// - delete: DELETE /{waba-id}/message_templates?name=… (every language) or &hsm_id=… (one template)
//   → {success: true}; "Templates that are in a disabled status cannot be deleted."

type Component = Record<string, unknown>;
type Store = DurableObjectStub<WabaStore>;

export type TemplateFailure =
  /** our rules (or a media id that is not ours): 400 VALIDATION_FAILED naming each field */
  | { kind: "invalid"; problems: AuthoringProblem[] }
  | { kind: "not_found"; message: string; upstream?: UpstreamError }
  | { kind: "exists"; message: string; upstream?: UpstreamError }
  | { kind: "invalid_state"; message: string; upstream?: UpstreamError }
  /** Meta refused the content (its code 100): 400 VALIDATION_FAILED with Meta's error */
  | { kind: "meta_refused"; message: string; upstream?: UpstreamError }
  /** Meta unreachable, failing, or refusing us rather than the template (token, permissions): 502 */
  | { kind: "upstream"; message: string; upstream?: UpstreamError };

export type Managed<T> = { ok: true; value: T } | ({ ok: false } & TemplateFailure);

const fail = (f: TemplateFailure): { ok: false } & TemplateFailure => ({ ok: false, ...f });

/** Meta's subcodes for "content in this language already exists" and "message template not found". */
const DUPLICATE_SUBCODE = 2388024;
const NOT_FOUND_SUBCODE = 2593002;

/** What Meta's refusal means for the caller (see TemplateFailure). */
function refusalOf(res: Exclude<GraphResult<unknown>, { ok: true }>, what: string): TemplateFailure {
  const error = messageErrorOf(res);
  const upstream = upstreamOf(error);
  if (res.kind !== "graph") return { kind: "upstream", message: `${what}: ${error.message}` };
  const e = res.error;
  const message = `${what}: ${e.error_data?.details ?? e.message}`;
  if (res.status >= 500 || e.is_transient || e.code !== 100) return { kind: "upstream", message, upstream };
  if (e.error_subcode === DUPLICATE_SUBCODE) return { kind: "exists", message, upstream };
  if (e.error_subcode === NOT_FOUND_SUBCODE) return { kind: "not_found", message, upstream };
  return { kind: "meta_refused", message, upstream };
}

/**
 * The templates a write is about, and where the WABA's Graph calls go — Meta with its token (live), or
 * the sandbox (test mode) — from the WABA object's cached control record: one object call.
 */
async function forWrite(env: Env, store: Store, wabaId: string, which: { id: string } | { name: string; language?: string }) {
  const { rows, metaWabaId, access } = await store.templatesForWrite(wabaId, which);
  return { rows, metaWabaId, target: await targetOf(env, access) };
}

/** Media headers named by our media id get Meta's upload handle (src/media/header-handle.ts). */
async function resolveHeaderMedia(env: Env, target: GraphTarget, components: Component[], prefix: string): Promise<Managed<Component[]>> {
  const wanted = headerMediaIds(components);
  if (wanted.length === 0) return { ok: true, value: components };
  const handles = new Map<number, string>();
  for (const { index, mediaId } of wanted) {
    const r = await headerHandleForMedia(env, target, mediaId);
    if (r.ok) handles.set(index, r.handle);
    else if (r.kind === "unknown_media") return fail({ kind: "invalid", problems: [{ field: `${prefix}.${index}.example.header_media_id`, message: r.message }] });
    else return fail({ kind: "upstream", message: `Could not turn media ${mediaId} into a header handle: ${r.message}` });
  }
  return { ok: true, value: withHeaderHandles(components, handles) };
}

const upper = (s: string) => s.toUpperCase();

export type NewTemplate = {
  name: string;
  language: string;
  category: string;
  parameterFormat?: string;
  components: Component[];
  allowCategoryChange?: boolean;
};

const CreatedByMeta = z.object({ id: z.union([z.string(), z.number()]).transform(String), status: z.string().optional(), category: z.string().optional() });

export async function createTemplate(env: Env, store: Store, key: { wabaId: string }, input: NewTemplate): Promise<Managed<ManagedTemplate>> {
  const parameterFormat = upper(input.parameterFormat ?? "positional") as ParameterFormat;
  const category = upper(input.category);
  const components = normaliseComponents(input.components);
  const problems = checkTemplateDraft({ name: input.name, language: input.language, category, parameterFormat, components });
  if (problems.length) return fail({ kind: "invalid", problems });

  const { rows: existing, ...access } = await forWrite(env, store, key.wabaId, { name: input.name, language: input.language });
  if (existing.length) return fail({ kind: "exists", message: `Template ${input.name} already exists in ${input.language} (id ${existing[0]!.id}): edit it with PATCH /v1/templates/${existing[0]!.id}, or pick another name` });

  const resolved = await resolveHeaderMedia(env, access.target, components, "components");
  if (!resolved.ok) return resolved;

  const res = await graphRequest<unknown>(env, `${access.metaWabaId}/message_templates`, {
    method: "POST",
    target: access.target,
    body: {
      name: input.name,
      language: input.language,
      category,
      parameter_format: parameterFormat.toLowerCase(),
      components: resolved.value,
      ...(input.allowCategoryChange === undefined ? {} : { allow_category_change: input.allowCategoryChange }),
    },
  });
  if (!res.ok) return fail(refusalOf(res, "Meta refused the template"));
  const created = CreatedByMeta.safeParse(res.data);
  if (!created.success) return fail({ kind: "upstream", message: "Meta accepted the template but its answer has no template id" });
  const stored = await store.storeSubmittedTemplate(key.wabaId, {
    metaTemplateId: created.data.id,
    name: input.name,
    language: input.language,
    // Meta may recategorise at once when allow_category_change is set: its answer says which
    category: upper(created.data.category ?? category),
    status: upper(created.data.status ?? "PENDING"),
    parameterFormat,
    components: JSON.stringify(resolved.value),
  });
  return { ok: true, value: stored };
}

const EDITABLE = ["APPROVED", "REJECTED", "PAUSED"];

export async function editTemplate(
  env: Env,
  store: Store,
  key: { wabaId: string },
  id: string,
  edit: { category?: string; components?: Component[] },
): Promise<Managed<ManagedTemplate>> {
  const { rows: [row], ...access } = await forWrite(env, store, key.wabaId, { id });
  if (!row) return fail({ kind: "not_found", message: `No template with id ${id}` });
  const category = edit.category === undefined ? undefined : upper(edit.category);
  const components = edit.components === undefined ? undefined : normaliseComponents(edit.components);
  const problems: AuthoringProblem[] = [];
  if (category !== undefined && !(TEMPLATE_CATEGORIES as readonly string[]).includes(category)) problems.push({ field: "category", message: "must be marketing, utility or authentication" });
  if (components) problems.push(...checkComponents(components, { category: category ?? row.category, parameterFormat: row.parameterFormat as ParameterFormat }));
  if (problems.length) return fail({ kind: "invalid", problems });

  if (!EDITABLE.includes(row.status)) {
    return fail({ kind: "invalid_state", message: `Template ${row.name} (${row.language}) is ${row.status}: Meta edits only APPROVED, REJECTED or PAUSED templates` });
  }
  if (row.status === "APPROVED" && category !== undefined && category !== row.category) {
    return fail({ kind: "invalid_state", message: `Template ${row.name} (${row.language}) is APPROVED: Meta does not change an approved template's category (${row.category})` });
  }
  if (row.metaTemplateId === null) return fail({ kind: "invalid_state", message: `Template ${row.name} (${row.language}) has no Meta id yet: sync templates, then edit` });

  let sent: Component[] | undefined;
  if (components) {
    const resolved = await resolveHeaderMedia(env, access.target, components, "components");
    if (!resolved.ok) return resolved;
    sent = resolved.value;
  }
  const res = await graphRequest<unknown>(env, row.metaTemplateId, {
    method: "POST",
    target: access.target,
    body: { ...(category === undefined ? {} : { category }), ...(sent === undefined ? {} : { components: sent }) },
  });
  if (!res.ok) {
    const refusal = refusalOf(res, "Meta refused the edit");
    // the template is gone at Meta although our mirror still lists it
    return fail(refusal.kind === "not_found" ? { ...refusal, message: `${refusal.message} (the template is no longer at Meta)` } : refusal);
  }
  const edited = await store.applyTemplateEdit(key.wabaId, id, { category, components: sent === undefined ? undefined : JSON.stringify(sent) });
  return edited ? { ok: true, value: edited } : fail({ kind: "not_found", message: `No template with id ${id}` });
}

export type DeletedTemplate = { id: string; name: string; language: string };

export async function deleteTemplates(env: Env, store: Store, key: { wabaId: string }, name: string, language?: string): Promise<Managed<DeletedTemplate[]>> {
  const { rows, ...access } = await forWrite(env, store, key.wabaId, { name, language });
  if (rows.length === 0) return fail({ kind: "not_found", message: language === undefined ? `No template named ${name}` : `No template named ${name} in ${language}` });
  const disabled = rows.filter((r) => r.status === "DISABLED");
  if (disabled.length) {
    return fail({ kind: "invalid_state", message: `Meta does not delete DISABLED templates: ${disabled.map((r) => `${r.name} (${r.language})`).join(", ")}` });
  }
  const one = language === undefined ? undefined : rows[0]!;
  if (one && one.metaTemplateId === null) return fail({ kind: "invalid_state", message: `Template ${name} (${language}) has no Meta id yet: sync templates, then delete` });

  const query = new URLSearchParams({ name, ...(one ? { hsm_id: one.metaTemplateId! } : {}) });
  const res = await graphRequest<unknown>(env, `${access.metaWabaId}/message_templates?${query}`, { method: "DELETE", target: access.target });
  if (!res.ok) {
    const refusal = refusalOf(res, "Meta refused the deletion");
    // Meta no longer has it: what our mirror still showed is gone all the same
    if (refusal.kind !== "not_found") return fail(refusal);
  }
  await store.markTemplatesDeleted(key.wabaId, rows.map((r) => r.id));
  return { ok: true, value: rows.map((r) => ({ id: r.id, name: r.name, language: r.language })) };
}
