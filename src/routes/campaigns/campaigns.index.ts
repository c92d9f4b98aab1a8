import { createRouter } from "../router";
import * as h from "./campaigns.handlers";
import * as r from "./campaigns.routes";

export const campaignsRouter = createRouter()
  .openapi(r.createCampaign, h.createCampaign)
  .openapi(r.listCampaigns, h.listCampaigns)
  .openapi(r.getCampaign, h.getCampaign)
  .openapi(r.appendRecipients, h.appendRecipients)
  .openapi(r.listRecipients, h.listRecipients)
  .openapi(r.pauseCampaign, h.pauseCampaign)
  .openapi(r.resumeCampaign, h.resumeCampaign)
  .openapi(r.cancelCampaign, h.cancelCampaign);
