import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import type { apiReference as route } from "./docs.routes";

/** Where the renderer and its boot script live in the static assets (public/docs/assets). */
export const DOCS_ASSETS = "/docs/assets";
const OPENAPI_PATH = "/v1/openapi.json";

// Everything the page loads comes from this origin: a CDN script, stylesheet or font is refused by the
// browser, so the page renders the same offline. connect-src stays open for "Test Request" against
// another server from the document's server list.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' https: http://localhost:* http://127.0.0.1:*",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const page = (demoKey: string | null) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>WBIZ API reference</title>
<meta name="description" content="Interactive reference for the WBIZ API v1: every route, its examples and its error codes.">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${DOCS_ASSETS}/docs.css">
</head>
<body>
<noscript>The interactive reference needs JavaScript. The raw OpenAPI 3.1 document is at <a href="${OPENAPI_PATH}">${OPENAPI_PATH}</a>.</noscript>
<div id="reference" data-openapi-url="${OPENAPI_PATH}"${demoKey ? ` data-demo-key="${escapeAttribute(demoKey)}"` : ""}><p class="docs-loading">Loading the API reference…</p></div>
<script src="${DOCS_ASSETS}/vendor/scalar-api-reference.js"></script>
<script src="${DOCS_ASSETS}/docs.js"></script>
</body>
</html>
`;

const escapeAttribute = (s: string) => s.replace(/[&"<>]/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * The key "Test Request" starts with: DOCS_DEMO_KEY, in local development only (`npm run dev` passes a
 * demo key). A deployed environment never puts a key in the page, whatever its variables say.
 */
function demoKeyOf(env: AppEnv["Bindings"] | undefined): string | null {
  return env?.ENVIRONMENT === "local" && env.DOCS_DEMO_KEY ? env.DOCS_DEMO_KEY : null;
}

export const apiReference: RouteHandler<typeof route, AppEnv> = (c) => {
  const demoKey = demoKeyOf(c.env);
  c.header("Content-Security-Policy", CSP);
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Referrer-Policy", "no-referrer");
  // a page carrying a key is not for shared caches
  c.header("Cache-Control", demoKey ? "no-store" : "public, max-age=300");
  return c.html(page(demoKey), 200);
};
