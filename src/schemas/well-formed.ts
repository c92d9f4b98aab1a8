// What a JSON body can say that storage could not give back: JSON's "\uD800" escapes carry lone
// surrogates, which D1 (UTF-8) would return as U+FFFD; and an own "__proto__" key, which Zod's records
// drop without a word. Such a body is refused at validation instead of being stored as something else.

export type Unfaithful = { path: PropertyKey[]; message: string };

/** The first string (value or key) that is not well-formed UTF-16, or "__proto__" key, in a parsed JSON value. */
export function unfaithfulJson(value: unknown, path: PropertyKey[] = []): Unfaithful | null {
  if (typeof value === "string") return value.isWellFormed() ? null : { path, message: "must be well-formed Unicode (no lone surrogate escapes)" };
  if (typeof value !== "object" || value === null) return null;
  for (const [key, item] of Object.entries(value)) {
    const at = [...path, Array.isArray(value) ? Number(key) : key];
    if (key === "__proto__") return { path: at, message: "__proto__ is not allowed as a field name" };
    if (!key.isWellFormed()) return { path, message: "field names must be well-formed Unicode (no lone surrogate escapes)" };
    const found = unfaithfulJson(item, at);
    if (found) return found;
  }
  return null;
}
