import { env } from "cloudflare:workers";
import { describe, it } from "vitest";
import { database } from "../../src/db/client";
import { templatesPageQuery, type TemplateFilter } from "../../src/templates/list-templates";
import { expectIndexed, topLevelPlan } from "../helpers/lists";

const WABA = "0123456789abcdef01234567";
const CURSOR = "0123456789abcdef01234568";

describe("template list queries are served by indexes at any depth", () => {
  const db = database(env.DB);
  const cases: Array<[string, Omit<TemplateFilter, "limit">, string]> = [
    ["no filter", {}, "templates_waba_id_idx"],
    ["cursor + category + language", { after: CURSOR, category: "UTILITY", language: "en_US" }, "templates_waba_id_idx"],
    ["status", { status: "APPROVED", after: CURSOR }, "templates_waba_status_idx"],
  ];
  for (const [name, filter, index] of cases) {
    it(`${name} → ${index}`, async () => {
      expectIndexed(await topLevelPlan(env.DB, templatesPageQuery(db, WABA, { ...filter, limit: 25 }).toSQL()), index);
    });
  }
});
