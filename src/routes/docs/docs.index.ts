import { createRouter } from "../router";
import * as h from "./docs.handlers";
import * as r from "./docs.routes";

export const docsRouter = createRouter()
  .openapi(r.apiReference, h.apiReference)
  // the router is strict about trailing slashes; send /docs/ to the page rather than a 405
  .get("/docs/", (c) => c.redirect("/docs", 301));
