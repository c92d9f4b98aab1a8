import { createRouter } from "../router";
import * as h from "./templates.handlers";
import * as r from "./templates.routes";

export const templatesRouter = createRouter()
  .openapi(r.listTemplates, h.listTemplates)
  .openapi(r.createTemplate, h.createTemplate)
  .openapi(r.getTemplate, h.getTemplate)
  .openapi(r.updateTemplate, h.updateTemplate)
  .openapi(r.deleteTemplate, h.deleteTemplate);
