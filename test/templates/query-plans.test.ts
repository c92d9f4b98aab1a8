import { describe, it } from "vitest";
import { templatesPageStatement, type TemplateFilter } from "../../src/data-plane/templates";
import { newId } from "../../src/db/ids";
import { expectIndexed, primaryKeyIndex, topLevelPlan } from "../helpers/lists";

// planned on a WABA object's own SQLite, where the statements run
const WABA = { waba: { id: newId() } };
const CURSOR = "0123456789abcdef01234568";
const PK = primaryKeyIndex("templates");

describe("template list queries are served by indexes at any depth", () => {
  const cases: Array<[string, Omit<TemplateFilter, "limit">, string, { fromStart?: boolean }?]> = [
    // every template is on the list: the first page walks the primary key from its start, LIMIT ends it
    ["no filter", {}, PK, { fromStart: true }],
    ["cursor + category + language", { after: CURSOR, category: "UTILITY", language: "en_US" }, PK],
    ["status", { status: "APPROVED", after: CURSOR }, "templates_status_idx"],
  ];
  for (const [name, filter, index, opts] of cases) {
    it(`${name} → ${index}`, async () => {
      expectIndexed(await topLevelPlan(WABA, templatesPageStatement({ ...filter, limit: 25 })), index, opts);
    });
  }
});
