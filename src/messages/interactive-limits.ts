import type { ErrorDetail } from "../errors";

// Meta's length limits on interactive messages (Cloud API docs, "Interactive messages"), checked before anything is queued so
// integrators never learn them from a 502. Counts the v1 reference states (buttons ≤ 3, sections ≤ 10,
// rows ≤ 10 per section) are schema rules and answer VALIDATION_FAILED instead.

export const INTERACTIVE_LIMITS = {
  body: 1024,
  headerText: 60,
  footer: 60,
  buttonTitle: 20,
  buttonId: 256,
  sectionTitle: 24,
  rowTitle: 24,
  rowDescription: 72,
  rowId: 200,
  totalRows: 10,
} as const;

type Interactive = {
  body: string;
  headerText?: string;
  footer?: string;
  buttons?: Array<{ id: string; title: string }>;
  listSections?: Array<{ title: string; rows: Array<{ id: string; title: string; description?: string }> }>;
};

/** Every limit the message breaks, each naming its field and the limit; empty when it is sendable. */
export function interactiveLimitViolations(m: Interactive): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const max = (field: string, value: string | undefined, limit: number, what: string) => {
    if (value !== undefined && [...value].length > limit) out.push({ field, message: `${what} is ${[...value].length} characters; Meta's limit is ${limit}`, limit });
  };
  max("body", m.body, INTERACTIVE_LIMITS.body, "body");
  max("headerText", m.headerText, INTERACTIVE_LIMITS.headerText, "headerText");
  max("footer", m.footer, INTERACTIVE_LIMITS.footer, "footer");
  m.buttons?.forEach((b, i) => {
    max(`buttons.${i}.title`, b.title, INTERACTIVE_LIMITS.buttonTitle, "button title");
    max(`buttons.${i}.id`, b.id, INTERACTIVE_LIMITS.buttonId, "button id");
  });
  const titles = m.buttons?.map((b) => b.title) ?? [];
  if (new Set(titles).size !== titles.length) out.push({ field: "buttons", message: "button titles must be unique within a message" });
  const ids = m.buttons?.map((b) => b.id) ?? [];
  if (new Set(ids).size !== ids.length) out.push({ field: "buttons", message: "button ids must be unique within a message" });

  if (m.listSections) {
    const total = m.listSections.reduce((n, s) => n + s.rows.length, 0);
    if (total > INTERACTIVE_LIMITS.totalRows) {
      out.push({ field: "listSections", message: `${total} rows in total; Meta allows at most ${INTERACTIVE_LIMITS.totalRows} rows across all sections`, limit: INTERACTIVE_LIMITS.totalRows });
    }
    const rowIds = new Set<string>();
    m.listSections.forEach((s, i) => {
      max(`listSections.${i}.title`, s.title, INTERACTIVE_LIMITS.sectionTitle, "section title");
      s.rows.forEach((r, j) => {
        const at = `listSections.${i}.rows.${j}`;
        max(`${at}.title`, r.title, INTERACTIVE_LIMITS.rowTitle, "row title");
        max(`${at}.description`, r.description, INTERACTIVE_LIMITS.rowDescription, "row description");
        max(`${at}.id`, r.id, INTERACTIVE_LIMITS.rowId, "row id");
        if (rowIds.has(r.id)) out.push({ field: `${at}.id`, message: "row ids must be unique within a message" });
        rowIds.add(r.id);
      });
    });
  }
  return out;
}
