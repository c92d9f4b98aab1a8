import { env } from "cloudflare:workers";
import type { Scope } from "../../src/auth/scopes";
import { SCOPES } from "../../src/auth/scopes";
import { database } from "../../src/db/client";
import type { KeyMode, Plan } from "../../src/db/schema";
import * as provisioning from "../../src/provisioning/provisioning";

let counter = 0;
/** A Meta-style numeric id unique within the test run. */
export function metaId(prefix = "1"): string {
  counter += 1;
  return `${prefix}${Date.now().toString().slice(-8)}${String(counter).padStart(5, "0")}${Math.floor(Math.random() * 10)}`;
}

export type Tenant = Awaited<ReturnType<typeof createTenant>>;

/**
 * A fresh workspace with one WABA, its phone numbers and an API key (live unless `mode: "test"`): every
 * test gets its own tenant so tests never see each other's data.
 */
export async function createTenant(opts: { plan?: Plan; scopes?: Scope[]; phones?: number; keyPlanOverride?: Plan; mode?: KeyMode } = {}) {
  const db = database(env.DB);
  const workspace = await provisioning.createWorkspace(db, { name: "Test workspace", plan: opts.plan ?? "scale" });
  const accessToken = `EAAGtest${metaId()}`;
  const created = await provisioning.createWaba(db, env, { workspaceId: workspace.id, metaWabaId: metaId("2"), name: "Test WABA", accessToken });
  if (created.kind !== "created") throw new Error(created.kind);
  const waba = created.waba;
  const phones = [];
  for (let i = 0; i < (opts.phones ?? 1); i++) {
    const result = await provisioning.addPhoneNumber(db, env, { wabaId: waba.id, metaPhoneNumberId: metaId("3"), displayPhoneNumber: `+1 555 000 ${1000 + i}` });
    if (result.kind !== "created") throw new Error(result.kind);
    phones.push(result.phoneNumber);
  }
  const key = await provisioning.createApiKey(db, env, {
    wabaId: waba.id,
    name: "test key",
    scopes: opts.scopes ?? [...SCOPES],
    // live: the emulator stands in for Meta (the META binding); test keys go to the sandbox
    mode: opts.mode ?? "live",
    planOverride: opts.keyPlanOverride,
  });
  if (!key) throw new Error("key not created");
  return { workspace, waba, phones, key, secret: key.secret, accessToken, db };
}

/** Another key on the same WABA. */
export async function addKey(tenant: Tenant, scopes: Scope[], planOverride?: Plan) {
  const key = await provisioning.createApiKey(tenant.db, env, { wabaId: tenant.waba.id, name: "extra key", scopes, mode: "live", planOverride });
  if (!key) throw new Error("key not created");
  return key;
}
