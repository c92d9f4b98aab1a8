import { describe, expect, it } from "vitest";
import { SCOPES, type Scope } from "../../src/auth/scopes";
import { api, jsonOf } from "../helpers/api";
import { addKey, createTenant } from "../helpers/tenant";

type Operation = { method: string; path: string; scope: Scope };

/** Every scoped route, read from the OpenAPI document (`x-required-scope`), so a new route is covered by itself. */
async function scopedOperations(): Promise<Operation[]> {
  const doc = await jsonOf(await api("/v1/openapi.json"));
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries<Record<string, { "x-required-scope"?: Scope }>>(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (op["x-required-scope"]) ops.push({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, "0000000000000000000000ff"), scope: op["x-required-scope"] });
    }
  }
  return ops;
}

const call = (op: Operation, key: string) =>
  api(op.path, { key, method: op.method, ...(["POST", "PATCH", "PUT"].includes(op.method) ? { json: {} } : {}) });

describe("scopes", () => {
  it("every scope guards at least one route", async () => {
    const ops = await scopedOperations();
    expect(new Set(ops.map((o) => o.scope))).toEqual(new Set(SCOPES));
  });

  it("403 INSUFFICIENT_SCOPE on each route for a key holding every scope but the route's, with rate-limit headers", async () => {
    const t = await createTenant();
    const keys = new Map<Scope, string>();
    for (const scope of SCOPES) keys.set(scope, (await addKey(t, SCOPES.filter((s) => s !== scope))).secret);
    for (const op of await scopedOperations()) {
      const res = await call(op, keys.get(op.scope)!);
      expect(res.status, `${op.method} ${op.path}`).toBe(403);
      const body = await jsonOf(res);
      expect(body.error.code).toBe("INSUFFICIENT_SCOPE");
      expect(body.error.message).toContain(op.scope);
      expect(res.headers.get("X-RateLimit-Limit")).not.toBeNull();
    }
  });

  it("a key holding only the route's scope gets past the scope check", async () => {
    const t = await createTenant();
    const keys = new Map<Scope, string>();
    for (const scope of SCOPES) keys.set(scope, (await addKey(t, [scope])).secret);
    for (const op of await scopedOperations()) {
      const res = await call(op, keys.get(op.scope)!);
      expect([401, 403], `${op.method} ${op.path}`).not.toContain(res.status);
    }
  });
});

describe("tenancy of keys", () => {
  it("a key sees only its own WABA", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const ka = await jsonOf(await api("/v1/key", { key: a.secret }));
    const kb = await jsonOf(await api("/v1/key", { key: b.secret }));
    expect(ka.waba.id).toBe(a.waba.id);
    expect(kb.waba.id).toBe(b.waba.id);
    expect(ka.waba.id).not.toBe(kb.waba.id);
  });

  it("revoking one tenant's key leaves the other's working", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const { admin } = await import("../helpers/api");
    await admin(`/admin/keys/${a.key.id}/revoke`, { method: "POST" });
    expect((await api("/v1/key", { key: a.secret })).status).toBe(401);
    expect((await api("/v1/key", { key: b.secret })).status).toBe(200);
  });
});
