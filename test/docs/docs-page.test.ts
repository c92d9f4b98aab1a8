import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
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

  it("pre-fills a demo key for Test Request in local development only, and then is not cached", async () => {
    const page = async (vars: Record<string, string | undefined>) => {
      const res = await createApp().request("/docs", {}, { ...env, ...vars });
      return { html: await res.text(), cache: res.headers.get("Cache-Control") };
    };
    const key = "wbiz_test_0bXosivkKEl4rZmI8DanNHGWhhLrq43iZwqZj2qJ8CY0wRDAs";
    expect(await page({ ENVIRONMENT: "local", DOCS_DEMO_KEY: key })).toEqual({ html: expect.stringContaining(`data-demo-key="${key}"`), cache: "no-store" });
    for (const environment of ["staging", "production"]) {
      const deployed = await page({ ENVIRONMENT: environment, DOCS_DEMO_KEY: key });
      expect(deployed.html).not.toContain(key);
      expect(deployed.html).not.toContain("data-demo-key");
      expect(deployed.cache).toBe("public, max-age=300");
    }
    expect((await page({ ENVIRONMENT: "local", DOCS_DEMO_KEY: undefined })).html).not.toContain("data-demo-key");
    expect((await page({ ENVIRONMENT: "local", DOCS_DEMO_KEY: '"><script>' })).html).toContain('data-demo-key="&#34;&#62;&#60;script&#62;"');
  });

  it("is not part of the API's OpenAPI document", async () => {
    const doc = await jsonOf(await api("/v1/openapi.json"));
    expect(Object.keys(doc.paths)).not.toContain("/docs");
    expect(JSON.stringify(doc)).not.toContain("data-demo-key");
  });

  it("the boot script is a static asset", async () => {
    const assets = (env as unknown as { ASSETS: Fetcher }).ASSETS;
    const res = await assets.fetch("https://api.wbiz.test/docs/assets/docs.js");
    expect(res.status).toBe(200);
    const script = await res.text();
    expect(script).toContain("createApiReference");
    expect(script).toContain("data-demo-key");
  });
});
