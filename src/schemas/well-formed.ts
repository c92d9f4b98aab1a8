// What a JSON body can say that storage could not give back: JSON's "\uD800" escapes carry lone
// surrogates, which D1 (UTF-8) would return as U+FFFD; and an own "__proto__" key, which Zod's records
// drop without a word. Such a body is refused at validation instead of being stored as something else.

export type Unfaithful = { path: PropertyKey[]; message: string };

type Node = { value: unknown; key: PropertyKey | null; parent: Node | null };

const pathOf = (node: Node): PropertyKey[] => {
  const path: PropertyKey[] = [];
  for (let n: Node | null = node; n && n.key !== null; n = n.parent) path.unshift(n.key);
  return path;
};

/**
 * The first string (value or key) that is not well-formed UTF-16, or "__proto__" key, in a JSON body's
 * raw text (Hono caches it; the validator's parsed output has lost what this looks for). Text decoded
 * from UTF-8 is well-formed, so both can only come from a `\u` escape or a literal `__proto__`: most
 * bodies have neither and are not parsed a second time. Walks with a stack of its own, not recursion:
 * a body may nest thousands of levels deep.
 */
export function unfaithfulJson(text: string): Unfaithful | null {
  if (!text.includes("\\u") && !text.includes("__proto__")) return null;
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return null; // no body (an optional one left out): nothing to check
  }
  const stack: Node[] = [{ value: root, key: null, parent: null }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const { value } = node;
    if (typeof value === "string") {
      if (!value.isWellFormed()) return { path: pathOf(node), message: "must be well-formed Unicode (no lone surrogate escapes)" };
      continue;
    }
    if (typeof value !== "object" || value === null) continue;
    const entries = Object.entries(value);
    const children: Node[] = [];
    for (const [key, item] of entries) {
      const child: Node = { value: item, key: Array.isArray(value) ? Number(key) : key, parent: node };
      if (key === "__proto__") return { path: pathOf(child), message: "__proto__ is not allowed as a field name" };
      if (!key.isWellFormed()) return { path: pathOf(node), message: "field names must be well-formed Unicode (no lone surrogate escapes)" };
      children.push(child);
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!); // first child on top: document order
  }
  return null;
}
