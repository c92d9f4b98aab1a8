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

const PAGE = `<!doctype html>
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
<div id="reference" data-openapi-url="${OPENAPI_PATH}"><p class="docs-loading">Loading the API reference…</p></div>
<script src="${DOCS_ASSETS}/vendor/scalar-api-reference.js"></script>
<script src="${DOCS_ASSETS}/docs.js"></script>
</body>
</html>
`;

export const apiReference: RouteHandler<typeof route, AppEnv> = (c) => {
  c.header("Content-Security-Policy", CSP);
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Referrer-Policy", "no-referrer");
  c.header("Cache-Control", "public, max-age=300");
  return c.html(PAGE, 200);
};
