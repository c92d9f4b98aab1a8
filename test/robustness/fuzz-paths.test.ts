import { describe, expect, it } from "vitest";
import { api } from "../helpers/api";
import { createTenant } from "../helpers/tenant";
import { trailingSlashRequest } from "./generators";
import { assertProperty, expectUnchanged, fc, fcParams, servedRoutes, snapshot } from "./harness";

// Property-based fuzzing of paths no route serves: every route's path with trailing slashes, under its
// own method and others, with and without a key. Always a 404 that names the path without the slash;
// never a 405 (its Allow would list the method used), never a 5xx, and nothing written.

const RUNS = 150;
const SUGGESTION = /^No route (\S+) (.+); did you mean (.+)\?$/s;

describe("fuzzing trailing slashes", () => {
  it("every route path with trailing slashes: 404 NOT_FOUND naming the path without them", async () => {
    const t = await createTenant();
    const routes = servedRoutes().filter((r) => !r.startsWith("HEAD "));
    await assertProperty(
      fc.asyncProperty(trailingSlashRequest(routes), fc.boolean(), async ({ method, path, query }, withKey) => {
        const label = `${method} ${path}${query} key=${withKey}`;
        const before = await snapshot(t);
        const res = await api(`${path}${query}`, { method, key: withKey ? t.secret : undefined, json: method === "GET" || method === "OPTIONS" ? undefined : {} });
        const text = await res.text();
        expect(res.status, `${label} → ${res.status} ${text.slice(0, 300)}`).toBe(404);
        expect(res.headers.get("Allow"), label).toBeNull();
        const body = JSON.parse(text);
        expect(body.error.code, label).toBe("NOT_FOUND");
        expect(body.error.requestId, label).toBe(res.headers.get("X-Request-Id"));
        const m = SUGGESTION.exec(body.error.message);
        expect(m, `no suggestion in "${body.error.message}": ${label}`).not.toBeNull();
        expect(m![1], label).toBe(method);
        expect(m![3], label).toBe(m![2]!.replace(/\/+$/, ""));
        expectUnchanged(before, await snapshot(t), `a 404 wrote to the tenant: ${label}`);
      }),
      fcParams(RUNS),
    );
  }, 120_000);
});
