import { describe, expect, it } from "vitest";
import { newId } from "../../src/db/ids";
import { conversationsPageStatement, messagesPageStatement, type ConversationFilter } from "../../src/data-plane/inbox";
import { expectIndexed, primaryKeyIndex, topLevelPlan } from "../helpers/lists";

// planned on a WABA object's own SQLite, where the statements run
const WABA = { waba: { id: newId() } };
const ID = "0123456789abcdef01234568";

describe("inbox list queries are served by indexes at any depth", () => {
  const cases: Array<[string, Omit<ConversationFilter, "limit">, string, { fromStart?: boolean }?]> = [
    // every conversation is on the list: the first page walks conversations_last_idx from its newest end, LIMIT ends it
    ["no filter", {}, "conversations_last_idx", { fromStart: true }],
    ["cursor", { before: 1_770_000_000_000 }, "conversations_last_idx"],
    ["status", { status: "open", before: 1_770_000_000_000 }, "conversations_status_last_idx"],
    ["channel", { channel: "whatsapp", before: 1_770_000_000_000 }, "conversations_channel_last_idx"],
    ["status + channel", { status: "closed", channel: "whatsapp", before: 1_770_000_000_000 }, "conversations_(status|channel)_last_idx"],
  ];
  for (const [name, filter, index, opts] of cases) {
    it(`conversations, ${name} → ${index}`, async () => {
      expectIndexed(await topLevelPlan(WABA, conversationsPageStatement({ ...filter, limit: 25 })), index, opts);
    });
  }

  it("messages: the conversation by primary key, then messages_conversation_time_idx seeking to beforeId's time, in index order", async () => {
    for (const beforeId of [undefined, ID]) {
      const plan = await topLevelPlan(WABA, messagesPageStatement(ID, { beforeId, limit: 50 }));
      expectIndexed(plan, primaryKeyIndex("conversations"));
      const messages = plan.find((step) => step.includes("messages_conversation_time_idx"));
      expect(messages).toContain(beforeId ? "(conversation_id=? AND created_at<?)" : "(conversation_id=?)");
      expect(plan.join("\n")).not.toMatch(/TEMP B-TREE/);
    }
  });
});
