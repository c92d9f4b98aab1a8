// What the local template store can tell before a template send is queued: which placeholders the
// body has, and what the message will read like once filled in (kept for message history).

export type StoredTemplate = {
  id: string;
  name: string;
  language: string;
  category: string;
  status: string;
  parameterFormat: string;
  components: Array<Record<string, unknown>>;
};

export function bodyText(t: Pick<StoredTemplate, "components">): string {
  const body = t.components.find((c) => String(c.type).toUpperCase() === "BODY");
  return typeof body?.text === "string" ? body.text : "";
}

/** Placeholders in order of first appearance: "1", "2", … for positional, "first_name", … for named. */
export function placeholders(text: string): string[] {
  const seen: string[] = [];
  for (const m of text.matchAll(/\{\{\s*([a-z0-9_]+)\s*\}\}/gi)) if (!seen.includes(m[1]!)) seen.push(m[1]!);
  return seen;
}

/** How many values the body needs: the highest {{n}} for positional templates, distinct names for named ones. */
export function requiredVariableCount(t: Pick<StoredTemplate, "components" | "parameterFormat">): number {
  const names = placeholders(bodyText(t));
  if (t.parameterFormat.toUpperCase() === "NAMED") return names.length;
  return names.reduce((max, n) => (/^\d+$/.test(n) ? Math.max(max, Number(n)) : max), 0);
}

/** The body with its placeholders filled, positional ({{1}} ← values[0]) or named in order of appearance. */
export function renderBody(t: Pick<StoredTemplate, "components" | "parameterFormat">, values: string[]): string {
  const text = bodyText(t);
  const names = placeholders(text);
  const named = t.parameterFormat.toUpperCase() === "NAMED";
  return text.replace(/\{\{\s*([a-z0-9_]+)\s*\}\}/gi, (whole, key: string) => {
    const index = named ? names.indexOf(key) : Number(key) - 1;
    return values[index] ?? whole;
  });
}

/** The template's Flow button, if any: its index among the buttons and its action (Meta's default: navigate). */
export function flowButton(t: Pick<StoredTemplate, "components">): { index: number; action: "navigate" | "data_exchange" } | null {
  const buttons = t.components.find((c) => String(c.type).toUpperCase() === "BUTTONS")?.buttons;
  if (!Array.isArray(buttons)) return null;
  const index = buttons.findIndex((b) => String((b as { type?: string }).type).toUpperCase() === "FLOW");
  if (index < 0) return null;
  const action = (buttons[index] as { flow_action?: string }).flow_action === "data_exchange" ? "data_exchange" : "navigate";
  return { index, action };
}
