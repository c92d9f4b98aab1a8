import { createRouter } from "../router";
import * as h from "./templates.handlers";
import * as r from "./templates.routes";

export const templatesRouter = createRouter().openapi(r.listTemplates, h.listTemplates);
