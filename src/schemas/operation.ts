import type { Scope } from "../auth/scopes";

// What every operation of the document says in words. Renderers show an operation's description but not
// its `x-required-scope`, so the description leads with the scope the key needs (a test keeps the two
// equal).

/** An operation's description, led by the scope its API key needs (null: any valid key). */
export function withScope(scope: Scope | null, description: string): string {
  const needs = scope ? `**Required scope:** \`${scope}\`` : "**Required scope:** none — any valid API key";
  return `${needs}\n\n${description}`;
}
