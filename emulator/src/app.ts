import { Hono } from "hono";
import { controlRouter, problem } from "./control";
import type { EmulatorEnv } from "./env";
import { graphErrorResponse, GraphError, unknownPath } from "./graph-errors";
import { listTemplates } from "./list-templates";
import { readPhoneNumber } from "./phone-number";
import { sendMessage } from "./send-message";
import { createTemplate, deleteTemplates, editTemplate } from "./template-management";
import { emulatorMode } from "./settings";

export function createApp() {
  const app = new Hono<EmulatorEnv>();
  // A deployed sandbox has no public route, and its control API does not exist unless CONTROL says so.
  app.use("/__emulator/*", async (c, next) => (emulatorMode(c.env).control ? next() : graphErrorResponse(c, unknownPath(c.req.path))));
  app.route("/__emulator", controlRouter);
  app.post("/:version/:phoneNumberId/messages", sendMessage);
  app.get("/:version/:wabaId/message_templates", listTemplates);
  app.post("/:version/:wabaId/message_templates", createTemplate);
  app.delete("/:version/:wabaId/message_templates", deleteTemplates);
  app.get("/:version/:phoneNumberId", readPhoneNumber);
  // a template's own id: only an edit is a POST to a bare id (GET /{phone-number-id} above reads numbers)
  app.post("/:version/:templateId", editTemplate);
  app.get("/", (c) => c.text(`Meta WhatsApp Cloud API emulator${emulatorMode(c.env).sandbox ? " (WBIZ sandbox)" : ""}: see emulator/README.md`));
  app.notFound((c) =>
    c.req.path.startsWith("/__emulator/") ? problem(c, 404, `no control route ${c.req.method} ${c.req.path}`) : graphErrorResponse(c, unknownPath(c.req.path)),
  );
  app.onError((err, c) => {
    console.error("emulator error", err);
    return graphErrorResponse(c, new GraphError(500, { message: "An unknown error occurred", type: "OAuthException", code: 1 }));
  });
  return app;
}
