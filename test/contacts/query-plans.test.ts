import { env } from "cloudflare:workers";
import { describe, it } from "vitest";
import { contactsPageStatement, type ContactFilter } from "../../src/contacts/read-contacts";
import { expectIndexed, topLevelPlan } from "../helpers/lists";

const WABA = "0123456789abcdef01234567";
const CURSOR = "0123456789abcdef01234568";

describe("contact list queries are served by indexes at any depth", () => {
  const cases: Array<[string, Omit<ContactFilter, "limit">, string]> = [
    ["no filter", {}, "contacts_waba_id_idx"],
    ["cursor", { after: CURSOR }, "contacts_waba_id_idx"],
    ["optedIn", { optedIn: false, after: CURSOR }, "contacts_waba_opted_idx"],
    ["tag", { tag: "vip", after: CURSOR }, "contact_tags_waba_tag_idx"],
    ["tag + optedIn + search", { tag: "vip", optedIn: true, search: "aarav", after: CURSOR }, "contact_tags_waba_tag_idx"],
    ["search (walks the id index, filtering)", { search: "+9198", after: CURSOR }, "contacts_waba_id_idx"],
  ];
  for (const [name, filter, index] of cases) {
    it(`${name} → ${index}`, async () => {
      expectIndexed(await topLevelPlan(env.DB, contactsPageStatement(WABA, { ...filter, limit: 25 })), index);
    });
  }
});
