import { createRouter } from "../router";
import * as h from "./admin.handlers";
import * as r from "./admin.routes";

export const adminRouter = createRouter()
  .openapi(r.createWorkspace, h.createWorkspace)
  .openapi(r.listWorkspaces, h.listWorkspaces)
  .openapi(r.updateWorkspace, h.updateWorkspace)
  .openapi(r.createWaba, h.createWaba)
  .openapi(r.listWabas, h.listWabas)
  .openapi(r.updateWaba, h.updateWaba)
  .openapi(r.addPhoneNumber, h.addPhoneNumber)
  .openapi(r.listPhoneNumbers, h.listPhoneNumbers)
  .openapi(r.createKey, h.createKey)
  .openapi(r.listKeys, h.listKeys)
  .openapi(r.revokeKey, h.revokeKey)
  .openapi(r.syncTemplates, h.syncTemplates)
  .openapi(r.listAlerts, h.listAlerts)
  .openapi(r.exportWaba, h.exportWaba)
  .openapi(r.importWaba, h.importWaba)
  .openapi(r.eraseWaba, h.eraseWaba);
