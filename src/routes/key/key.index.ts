import { createRouter } from "../router";
import { describeKey } from "./key.handlers";
import { getKey } from "./key.routes";

export const keyRouter = createRouter().openapi(getKey, describeKey);
