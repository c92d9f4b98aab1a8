import { createRouter } from "../router";
import * as h from "./conversations.handlers";
import * as r from "./conversations.routes";

export const conversationsRouter = createRouter()
  .openapi(r.listConversations, h.listConversations)
  .openapi(r.listMessages, h.listMessages);
