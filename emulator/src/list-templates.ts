import type { Context } from "hono";
import type { EmulatorEnv } from "./env";
import { registerOnFirstUse } from "./first-use";
import { accessToken, checkAccess, GRAPH_VERSION } from "./graph-auth";
import { graphErrorResponse, invalidParam, unknownPath, whatsappError, type GraphError } from "./graph-errors";
import { emulatorMode } from "./settings";
import { state, type Template } from "./store";

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 1000;
const DEFAULT_FIELDS = ["name", "parameter_format", "language", "status", "category", "id", "components"];

// Cursors look like Meta's ("QVFI…" is base64 of "AQH…") and name a template id, so a page boundary
// survives templates being added elsewhere in the list.
const CURSOR_PREFIX = "AQH";

export function encodeCursor(template: Template): string {
  return btoa(CURSOR_PREFIX + template.metaId).replace(/=+$/, "");
}

function decodeCursor(cursor: string): string | undefined {
  try {
    const raw = atob(cursor);
    return raw.startsWith(CURSOR_PREFIX) ? raw.slice(CURSOR_PREFIX.length) : undefined;
  } catch {
    return undefined;
  }
}

function upper(value: unknown): unknown {
  return typeof value === "string" ? value.toUpperCase() : value;
}

/** Components in the listing's shape: upper-case type, format and button types. */
function graphComponents(template: Template): unknown[] {
  return template.components.map((component) => {
    const out: Record<string, unknown> = { ...component, type: upper(component.type) };
    if (component.format !== undefined) out.format = upper(component.format);
    if (Array.isArray(component.buttons)) {
      out.buttons = component.buttons.map((b: unknown) => (typeof b === "object" && b !== null ? { ...b, type: upper((b as { type?: unknown }).type) } : b));
    }
    return out;
  });
}

function graphField(template: Template, field: string): unknown {
  switch (field) {
    case "id": return template.metaId;
    case "name": return template.name;
    case "language": return template.language;
    case "status": return template.status;
    case "category": return template.category;
    case "parameter_format": return template.parameterFormat;
    case "components": return graphComponents(template);
    case "quality_score": return { score: state.templates.get(template.metaId)?.quality ?? "UNKNOWN", date: Math.floor(Date.now() / 1000) };
    case "rejected_reason": return template.status === "REJECTED" ? (state.templates.get(template.metaId)?.rejectedReason ?? "INVALID_FORMAT") : "NONE";
    case "sub_category": return template.category === "AUTHENTICATION" ? undefined : "CUSTOM";
    default: return undefined;
  }
}

function toGraphTemplate(template: Template, fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = graphField(template, field);
    if (value !== undefined) out[field] = value;
  }
  out.id = template.metaId;
  return out;
}

function listFilter(value: string | undefined, normalise: (s: string) => string = (s) => s): string[] | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  return value.split(",").map((s) => normalise(s.trim())).filter(Boolean);
}

function badCursor(version: string): GraphError {
  const major = Number(/^v(\d+)/.exec(version)?.[1] ?? "0");
  return major >= 24 ? whatsappError(131059) : invalidParam("Invalid parameter", "The after/before cursor is invalid.");
}

/** GET /{version}/{waba-id}/message_templates */
export async function listTemplates(c: Context<EmulatorEnv>): Promise<Response> {
  const version = c.req.param("version") ?? "";
  const wabaId = c.req.param("wabaId") ?? "";
  if (!GRAPH_VERSION.test(version)) return graphErrorResponse(c, unknownPath(`/${version}/${wabaId}/message_templates`));
  c.header("facebook-api-version", version);
  const token = accessToken(c);
  registerOnFirstUse(c.env, token, { wabaId });
  const waba = state.wabas.get(wabaId);
  const denied = checkAccess(token, waba, wabaId, "get", emulatorMode(c.env));
  if (denied || !waba) return graphErrorResponse(c, denied ?? whatsappError(1));

  const q = c.req.query();
  let limit = DEFAULT_LIMIT;
  if (q.limit !== undefined) {
    limit = Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1) return graphErrorResponse(c, invalidParam(`Param limit must be a positive integer - got "${q.limit}".`));
    limit = Math.min(limit, MAX_LIMIT);
  }
  const statuses = listFilter(q.status, (s) => s.toUpperCase());
  const categories = listFilter(q.category, (s) => s.toUpperCase());
  const languages = listFilter(q.language);
  const name = q.name?.trim().toLowerCase();
  const fields = listFilter(q.fields) ?? DEFAULT_FIELDS;

  const matching = waba.templates.filter(
    (t) =>
      (!statuses || statuses.includes(t.status)) &&
      (!categories || categories.includes(t.category)) &&
      (!languages || languages.includes(t.language)) &&
      (!name || t.name.toLowerCase().includes(name)),
  );

  let start = 0;
  let end = Math.min(limit, matching.length);
  const cursor = q.after ?? q.before;
  if (cursor !== undefined) {
    const id = decodeCursor(cursor);
    const at = id === undefined ? -1 : matching.findIndex((t) => t.metaId === id);
    if (at < 0) return graphErrorResponse(c, badCursor(version));
    if (q.after !== undefined) {
      start = at + 1;
      end = Math.min(start + limit, matching.length);
    } else {
      end = at;
      start = Math.max(0, end - limit);
    }
  }
  const page = matching.slice(start, end);
  const first = page[0];
  const last = page.at(-1);
  if (!first || !last) return c.json({ data: [] });

  const pageUrl = (key: "after" | "before", value: string) => {
    const url = new URL(c.req.url);
    url.searchParams.delete("after");
    url.searchParams.delete("before");
    url.searchParams.set(key, value);
    return url.toString();
  };
  const before = encodeCursor(first);
  const after = encodeCursor(last);
  return c.json({
    data: page.map((t) => toGraphTemplate(t, fields)),
    paging: {
      cursors: { before, after },
      ...(start > 0 ? { previous: pageUrl("before", before) } : {}),
      ...(end < matching.length ? { next: pageUrl("after", after) } : {}),
    },
  });
}
