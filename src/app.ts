import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "./env";
import { ApiError, errorResponse, onError } from "./errors";
import { unmatchedRequest } from "./middleware/method-not-allowed";
import { requestContext } from "./middleware/request-context";
import { adminRouter } from "./routes/admin/admin.index";
import { contactsRouter } from "./routes/contacts/contacts.index";
import { conversationsRouter } from "./routes/conversations/conversations.index";
import { devProxyRouter } from "./routes/dev/dev-proxy";
import { docsRouter } from "./routes/docs/docs.index";
import { describeApi, OPENAPI_DOCUMENT } from "./routes/docs/openapi-document";
import { keyRouter } from "./routes/key/key.index";
import { mediaRouter } from "./routes/media/media.index";
import { messagesRouter } from "./routes/messages/messages.index";
import { metaWebhookRouter } from "./routes/meta-webhook/meta-webhook.index";
import { campaignsRouter } from "./routes/campaigns/campaigns.index";
import { templatesRouter } from "./routes/templates/templates.index";
import { webhooksRouter } from "./routes/webhooks/webhooks.index";
import { createRouter } from "./routes/router";

/** Request bodies above this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = 64 * 1024;
/** A campaign's recipients (10,000 per request) need more. */
export const MAX_CAMPAIGN_BODY_BYTES = 2 * 1024 * 1024;
/** Meta's webhook payloads can reach 3 MB. */
const MAX_META_WEBHOOK_BYTES = 3 * 1024 * 1024;

const limitBody = (maxSize: number) =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError("PAYLOAD_TOO_LARGE", `Request body is over ${maxSize} bytes`);
    },
  });

export function createApp() {
  const app = createRouter();

  app.use("*", requestContext);
  const small = limitBody(MAX_BODY_BYTES);
  const campaign = limitBody(MAX_CAMPAIGN_BODY_BYTES);
  // POST /v1/media streams a file of up to 100 MB: its handler enforces its own cap (media.handlers.ts)
  app.use("/v1/*", (c, next) =>
    c.req.path === "/v1/media" ? next() : (/^\/v1\/campaigns(\/[^/]+\/recipients)?$/.test(c.req.path) ? campaign : small)(c, next),
  );
  app.use("/admin/*", limitBody(MAX_BODY_BYTES));
  app.use("/meta/*", limitBody(MAX_META_WEBHOOK_BYTES));

  describeApi(app.openAPIRegistry);

  app.route("/", keyRouter);
  app.route("/", templatesRouter);
  app.route("/", contactsRouter);
  app.route("/", conversationsRouter);
  app.route("/", messagesRouter);
  app.route("/", mediaRouter);
  app.route("/", campaignsRouter);
  app.route("/", webhooksRouter);
  app.route("/", metaWebhookRouter);
  app.route("/", adminRouter);
  app.route("/", docsRouter);
  app.route("/", devProxyRouter);

  app.doc31("/v1/openapi.json", OPENAPI_DOCUMENT);

  // someone who opens the API's address in a browser (or curls it) is pointed at the reference
  app.get("/", (c) => c.redirect("/docs", 302));

  app.notFound((c) => {
    const unmatched = unmatchedRequest(app, c.req.method, c.req.path);
    if (unmatched.kind === "method-not-allowed") {
      c.header("Allow", unmatched.allow.join(", "));
      return errorResponse(c, new ApiError("METHOD_NOT_ALLOWED", `${c.req.method} is not allowed on ${c.req.path}; use ${unmatched.allow.join(", ")}`));
    }
    const hint = unmatched.suggestion ? `; did you mean ${unmatched.suggestion}?` : "";
    return errorResponse(c, new ApiError("NOT_FOUND", `No route ${c.req.method} ${c.req.path}${hint}`));
  });
  app.onError(onError);
  return app;
}

export type App = ReturnType<typeof createApp>;
