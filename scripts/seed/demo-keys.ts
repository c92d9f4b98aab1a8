import { formatApiKey } from "../../src/auth/api-key";
import { SCOPES, type Scope } from "../../src/auth/scopes";
import type { Plan } from "../../src/db/schema";

export type DemoKey = { label: string; tenant: "demo" | "other"; planOverride: Plan | null; plan: Plan; scopes: readonly Scope[]; secret: string };

/** Deterministic demo keys: 32 bytes of SHA-256 over a fixed label, so every fresh machine prints the same keys. */
async function demoSecret(label: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`wbiz-local-demo-key:${label}`)));
  return formatApiKey("test", bytes);
}

export async function demoKeys(): Promise<DemoKey[]> {
  const specs: Array<Omit<DemoKey, "secret">> = [
    { label: "starter", tenant: "demo", planOverride: "starter", plan: "starter", scopes: SCOPES },
    { label: "growth", tenant: "demo", planOverride: null, plan: "growth", scopes: SCOPES },
    { label: "scale", tenant: "demo", planOverride: "scale", plan: "scale", scopes: SCOPES },
    { label: "templates-read-only", tenant: "demo", planOverride: null, plan: "growth", scopes: ["templates:read"] },
    { label: "other-tenant", tenant: "other", planOverride: null, plan: "starter", scopes: SCOPES },
  ];
  return Promise.all(specs.map(async (s) => ({ ...s, secret: await demoSecret(s.label) })));
}
