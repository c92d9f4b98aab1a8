// Reading request parameters the way Graph reports problems with them: "(#100) The parameter x is required."
import { invalidParam, invalidValue, type GraphError } from "./graph-errors";

export type Obj = Record<string, unknown>;

export function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Thrown inside validators and turned into a result at their boundary. */
export class Invalid extends Error {
  constructor(readonly error: GraphError) {
    super(error.body.message);
  }
}

export function fail(error: GraphError): never {
  throw new Invalid(error);
}

/** Graph's parameter path notation: path("interactive", "action", "buttons", 0) → interactive['action']['buttons'][0]. */
export function path(root: string, ...keys: Array<string | number>): string {
  return root + keys.map((k) => (typeof k === "number" ? `[${k}]` : `['${k}']`)).join("");
}

export function need(obj: Obj, key: string, at: string): unknown {
  const value = obj[key];
  if (value === undefined || value === null || value === "") fail(invalidParam(`The parameter ${at} is required.`));
  return value;
}

export function needObj(obj: Obj, key: string, at: string): Obj {
  const value = need(obj, key, at);
  if (!isObj(value)) fail(invalidParam(`Param ${at} must be a JSON object.`));
  return value;
}

export function needArray(obj: Obj, key: string, at: string): unknown[] {
  const value = need(obj, key, at);
  if (!Array.isArray(value)) fail(invalidParam(`Param ${at} must be an array.`));
  return value;
}

/** A required string; "" counts as present so that length rules (Min length: 1) report it. */
export function needString(obj: Obj, key: string, at: string): string {
  const value = obj[key];
  if (value === undefined || value === null) fail(invalidParam(`The parameter ${at} is required.`));
  if (typeof value !== "string") fail(invalidParam(`Param ${at} must be a string.`));
  return value;
}

export function optString(obj: Obj, key: string, at: string): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") fail(invalidParam(`Param ${at} must be a string.`));
  return value;
}

export function optBoolean(obj: Obj, key: string, at: string): boolean | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") fail(invalidParam(`Param ${at} must be a boolean.`));
  return value;
}

/** Length in characters as a user sees them (code points), not UTF-16 units. */
export function charCount(text: string): number {
  return [...text].length;
}

/** Graph's (#100) wording for a too-long parameter. */
export function maxChars(text: string, max: number, at: string): void {
  if (charCount(text) > max) fail(invalidParam(`Param ${at} must be at most ${max} characters long.`));
}

/** The 131009 wording used for interactive fields: "Button title length invalid. Min length: 1, Max length: 20". */
export function lengthBetween(text: string, min: number, max: number, label: string): void {
  const n = charCount(text);
  if (n < min || n > max) fail(invalidValue(`${label} length invalid. Min length: ${min}, Max length: ${max}`));
}

export function oneOf(value: string, allowed: readonly string[], at: string): void {
  if (!allowed.includes(value.toLowerCase())) {
    const list = [...allowed].map((a) => a.toUpperCase()).sort().join(", ");
    fail(invalidParam(`Param ${at} must be one of {${list}} - got "${value}".`));
  }
}
