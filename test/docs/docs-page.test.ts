import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, jsonOf } from "../helpers/api";

// The page itself; that it renders every route offline is test/browser/docs.browser.ts (npm run test:browser).

describe("GET /docs", () => {
  it("serves the reference page, loading only same-origin assets", async () => {
    const res = await api("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(res.headers.get("X-Request-Id")).toMatch(/^req_/);
    const csp = res.headers.get("Content-Security-Policy")!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("font-src 'self' data:");
    const html = await res.text();
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources).toEqual(expect.arrayContaining(["/docs/assets/vendor/scalar-api-reference.js", "/docs/assets/docs.js", "/docs/assets/docs.css", "/v1/openapi.json"]));
    expect(sources.filter((s) => /^(https?:)?\/\//.test(s))).toEqual([]);
  });

  it("/docs/ redirects to /docs", async () => {
    const res = await api("/docs/", { redirect: "manual" });
    expect(res.status).toBe(301);
    expect(new URL(res.headers.get("Location")!, "https://api.wbiz.test").pathname).toBe("/docs");
  });

  it("is not part of the API's OpenAPI document", async () => {
    const doc = await jsonOf(await api("/v1/openapi.json"));
    expect(Object.keys(doc.paths)).not.toContain("/docs");
  });

  it("the boot script is a static asset", async () => {
    const assets = (env as unknown as { ASSETS: Fetcher }).ASSETS;
    const res = await assets.fetch("https://api.wbiz.test/docs/assets/docs.js");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("createApiReference");
  });
});
