import { Hono } from "hono";
import { controlRouter, problem } from "./control";
import type { EmulatorEnv } from "./env";
import { graphErrorResponse, GraphError, unknownPath } from "./graph-errors";
import { listTemplates } from "./list-templates";
import { createUploadSession, deleteMedia, downloadMedia, mediaControl, readMedia, uploadMedia, uploadToSession } from "./media";
import { readPhoneNumber } from "./phone-number";
import { sendMessage } from "./send-message";
import { createTemplate, deleteTemplates, editTemplate } from "./template-management";
import { emulatorMode } from "./settings";

export function createApp() {
  const app = new Hono<EmulatorEnv>();
  // A deployed sandbox has no public route, and its control API does not exist unless CONTROL says so.
  app.use("/__emulator/*", async (c, next) => (emulatorMode(c.env).control ? next() : graphErrorResponse(c, unknownPath(c.req.path))));
  app.route("/__emulator/media", mediaControl);
  app.route("/__emulator", controlRouter);
  // media downloads: Meta's lookaside URLs (any host reaches the emulator through a binding)
  app.get("/whatsapp_business/attachments", downloadMedia);
  app.get("/whatsapp_business/attachments/", downloadMedia);
  app.post("/:version/:phoneNumberId/messages", sendMessage);
  app.post("/:version/:phoneNumberId/media", uploadMedia);
  app.post("/:version/:appId/uploads", createUploadSession);
  app.post("/:version/:uploadId", uploadToSession);
  app.get("/:version/:wabaId/message_templates", listTemplates);
  app.post("/:version/:wabaId/message_templates", createTemplate);
  app.delete("/:version/:wabaId/message_templates", deleteTemplates);
  // one id route: a media id (or upload session) is answered by readMedia, any other id by readPhoneNumber
  app.get("/:version/:mediaId", readMedia);
  app.get("/:version/:phoneNumberId", readPhoneNumber);
  app.delete("/:version/:mediaId", deleteMedia);
  // a template's own id: only an edit is a POST to a bare id (a POST to upload:<session> is taken above by uploadToSession)
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
