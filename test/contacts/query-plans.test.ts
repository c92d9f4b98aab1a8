import { describe, it } from "vitest";
import { contactsPageStatement, type ContactFilter } from "../../src/data-plane/contacts";
import { newId } from "../../src/db/ids";
import { expectIndexed, primaryKeyIndex, topLevelPlan } from "../helpers/lists";

// planned on a WABA object's own SQLite, where the statements run
const WABA = { waba: { id: newId() } };
const CURSOR = "0123456789abcdef01234568";
const PK = primaryKeyIndex("contacts");

describe("contact list queries are served by indexes at any depth", () => {
  const cases: Array<[string, Omit<ContactFilter, "limit">, string, { fromStart?: boolean }?]> = [
    // every contact is on the list: the first page walks the primary key from its start, LIMIT ends it
    ["no filter", {}, PK, { fromStart: true }],
    ["cursor", { after: CURSOR }, PK],
    ["optedIn", { optedIn: false, after: CURSOR }, "contacts_opted_idx"],
    ["tag", { tag: "vip", after: CURSOR }, "contact_tags_tag_idx"],
    ["tag + optedIn + search", { tag: "vip", optedIn: true, search: "aarav", after: CURSOR }, "contact_tags_tag_idx"],
    ["search (walks the id index, filtering)", { search: "+9198", after: CURSOR }, PK],
  ];
  for (const [name, filter, index, opts] of cases) {
    it(`${name} → ${index}`, async () => {
      expectIndexed(await topLevelPlan(WABA, contactsPageStatement({ ...filter, limit: 25 })), index, opts);
    });
  }
});
