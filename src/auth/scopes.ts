export const SCOPES = [
  "messages:send",
  "templates:read",
  "templates:write",
  "contacts:read",
  "contacts:write",
  "inbox:read",
  "webhooks:manage",
] as const;

export type Scope = (typeof SCOPES)[number];

export function parseScopes(value: string): Scope[] {
  return value.split(" ").filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
}
