import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "../../src/db/client";
import { conversationsPageQuery, messagesPageStatement, type ConversationFilter } from "../../src/inbox/queries";
import { expectIndexed, topLevelPlan } from "../helpers/lists";

const WABA = "0123456789abcdef01234567";
const ID = "0123456789abcdef01234568";

describe("inbox list queries are served by indexes at any depth", () => {
  const db = database(env.DB);
  const cases: Array<[string, Omit<ConversationFilter, "limit">, string]> = [
    ["no filter", {}, "conversations_waba_last_idx"],
    ["cursor", { before: 1_770_000_000_000 }, "conversations_waba_last_idx"],
    ["status", { status: "open", before: 1_770_000_000_000 }, "conversations_waba_status_last_idx"],
    ["channel", { channel: "whatsapp", before: 1_770_000_000_000 }, "conversations_waba_channel_last_idx"],
    ["status + channel", { status: "closed", channel: "whatsapp", before: 1_770_000_000_000 }, "conversations_waba_(status|channel)_last_idx"],
  ];
  for (const [name, filter, index] of cases) {
    it(`conversations, ${name} → ${index}`, async () => {
      expectIndexed(await topLevelPlan(env.DB, conversationsPageQuery(db, WABA, { ...filter, limit: 25 }).toSQL()), index);
    });
  }

  it("messages: the conversation by primary key, then messages_conversation_time_idx seeking to beforeId's time, in index order", async () => {
    for (const beforeId of [undefined, ID]) {
      const plan = await topLevelPlan(env.DB, messagesPageStatement(WABA, ID, { beforeId, limit: 50 }));
      expectIndexed(plan, "sqlite_autoindex_conversations_1");
      const messages = plan.find((step) => step.includes("messages_conversation_time_idx"));
      expect(messages).toContain(beforeId ? "(conversation_id=? AND created_at<?)" : "(conversation_id=?)");
      expect(plan.join("\n")).not.toMatch(/TEMP B-TREE/);
    }
  });
});
