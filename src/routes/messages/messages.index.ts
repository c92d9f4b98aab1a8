import { createRouter } from "../router";
import * as h from "./messages.handlers";
import * as r from "./messages.routes";

export const messagesRouter = createRouter()
  .openapi(r.sendText, h.sendText)
  .openapi(r.sendTemplate, h.sendTemplate)
  .openapi(r.sendMedia, h.sendMedia)
  .openapi(r.sendInteractive, h.sendInteractive)
  .openapi(r.sendLocation, h.sendLocation)
  .openapi(r.getMessage, h.getMessage)
  .openapi(r.cancelMessage, h.cancelMessage);
