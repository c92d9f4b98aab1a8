// The client's view of the API, derived at the type level from the Worker's own route definitions (the
// same createRoute objects that produce /v1/openapi.json), so request and response types cannot drift
// from the server. Type-only imports: nothing from src/ reaches the client at run time.
import type { OpenAPIHono, RouteConfig } from "@hono/zod-openapi";
import type { ApplyGlobalResponse } from "hono/client";
import type { Hono } from "hono";
import type { ExtractSchema, MergeSchemaPath, Schema } from "hono/types";
import type { AppEnv } from "../src/env";
import type { ERROR_STATUS, ErrorBody } from "../src/errors";
import type { contactsRouter } from "../src/routes/contacts/contacts.index";
import type { conversationsRouter } from "../src/routes/conversations/conversations.index";
import type { keyRouter } from "../src/routes/key/key.index";
import type * as messages from "../src/routes/messages/messages.routes";
import type { templatesRouter } from "../src/routes/templates/templates.index";
import type { webhooksRouter } from "../src/routes/webhooks/webhooks.index";

type Mounted<Router> = Router extends Hono<any, infer S extends Schema, any> ? MergeSchemaPath<S, "/"> : never;

// The send routes are built by a helper whose `path` parameter is a plain string, so their router's
// schema is keyed by `string`. Rebuild those entries from the route objects with the literal path
// (test/client/coverage.test.ts checks every path against the live OpenAPI document).
declare const router: OpenAPIHono<AppEnv, {}, "/">;
type At<R extends RouteConfig, P extends string> = Omit<R, "path"> & { path: P };
type Routed<Inputs extends readonly { route: RouteConfig; handler: unknown }[]> = ExtractSchema<ReturnType<typeof router.openapiRoutes<Inputs>>>;
type MessagesSchema = Routed<
  [
    { route: At<typeof messages.sendText, "/v1/messages/text">; handler: unknown },
    { route: At<typeof messages.sendTemplate, "/v1/messages/template">; handler: unknown },
    { route: At<typeof messages.sendMedia, "/v1/messages/media">; handler: unknown },
    { route: At<typeof messages.sendInteractive, "/v1/messages/interactive">; handler: unknown },
    { route: At<typeof messages.sendLocation, "/v1/messages/location">; handler: unknown },
    { route: typeof messages.getMessage; handler: unknown },
  ]
>;

/** Every /v1 route, as mounted by src/app.ts (the Meta webhook and the admin API are not for integrators). */
type RouteSchema =
  | Mounted<typeof keyRouter>
  | Mounted<typeof templatesRouter>
  | Mounted<typeof contactsRouter>
  | Mounted<typeof conversationsRouter>
  | MessagesSchema
  | Mounted<typeof webhooksRouter>;

// zod-openapi makes `header` and `query` required arguments even when every field in them is optional:
// make such parts optional, so `$get()` and `$post({ json })` need no empty `{ query: {} }`/`{ header: {} }`.
type AllOptional<T> = {} extends T ? true : false;
type Relax<I> = { [K in keyof I as AllOptional<I[K]> extends true ? never : K]: I[K] } & { [K in keyof I as AllOptional<I[K]> extends true ? K : never]?: I[K] };
type RelaxEndpoint<E> = E extends { input: infer I } ? Omit<E, "input"> & { input: Relax<I> } : E; // distributes over each status's endpoint
type RelaxSchema<S> = { [P in keyof S]: { [M in keyof S[P]]: RelaxEndpoint<S[P][M]> } };
export type V1Schema = RelaxSchema<RouteSchema>;

/** What any route can answer besides its declared successes: the error envelope, with its status. */
export type ErrorStatus = (typeof ERROR_STATUS)[keyof typeof ERROR_STATUS];
export type { ErrorBody };
export type ErrorCode = ErrorBody["error"]["code"];

/** The routes' success responses come from their definitions; every error status carries ErrorBody. */
export type V1App = ApplyGlobalResponse<OpenAPIHono<AppEnv, V1Schema, "/">, { [S in ErrorStatus]: { json: ErrorBody } }>;
