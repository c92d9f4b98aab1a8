import { createRoute, z } from "@hono/zod-openapi";

// The interactive API reference. Not part of the API, so hidden from the OpenAPI document it renders.

export const apiReference = createRoute({
  method: "get",
  path: "/docs",
  hide: true,
  summary: "Interactive API reference",
  description: "An HTML page that renders /v1/openapi.json with the renderer served from Workers Static Assets.",
  responses: {
    200: { description: "The reference page", content: { "text/html": { schema: z.string() } } },
  },
});
