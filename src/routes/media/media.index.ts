import type { MiddlewareHandler } from "hono";
import { every } from "hono/combine";
import type { AppEnv } from "../../env";
import { createRouter } from "../router";
import * as h from "./media.handlers";
import * as r from "./media.routes";

// Registered with the document, served without the routes' Zod validators (see media.routes.ts): the
// routes' own middleware (authentication and scope) runs first, as for every other route.
const middleware = (route: { middleware?: unknown }) => every(...(route.middleware as MiddlewareHandler<AppEnv>[]));

export const mediaRouter = createRouter();
// as OpenAPIHono.openapi() does: the document gets the route without its middleware
for (const { middleware: _, ...route } of [r.uploadMedia, r.getMessageMedia]) mediaRouter.openAPIRegistry.registerPath(route);
mediaRouter.post("/v1/media", middleware(r.uploadMedia), h.uploadMedia);
mediaRouter.get("/v1/messages/:id/media", middleware(r.getMessageMedia), h.getMessageMedia);
