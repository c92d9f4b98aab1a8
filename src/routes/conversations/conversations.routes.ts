import { createRoute } from "@hono/zod-openapi";
import { AUTH_ERRORS, errorResponses, rateLimitHeaders } from "../../errors";
import { PathId } from "../../schemas/common";
import { withScope } from "../../schemas/operation";
import { authenticated } from "../router";
import { ConversationPage, ListConversationsQuery, ListMessagesQuery, MessagePage } from "./conversations.schemas";

const json = <T>(schema: T) => ({ "application/json": { schema } });

export const listConversations = createRoute({
  method: "get",
  path: "/v1/conversations",
  operationId: "listConversations",
  tags: ["Conversations & messages"],
  summary: "List conversations",
  description: withScope(
    "inbox:read",
    "Cursor-paginated conversation list, newest lastMessageAt first. The cursor is the lastMessageAt ISO timestamp of the last item — pass it as the next-page boundary. " +
    "lastMessageAt is unique within a WABA, so paging never skips or repeats a conversation.",
  ),
  ...authenticated("inbox:read"),
  request: { query: ListConversationsQuery },
  responses: {
    200: { description: "One page of conversations; nextCursor is null on the last page", headers: rateLimitHeaders, content: json(ConversationPage) },
    ...errorResponses("VALIDATION_FAILED", ...AUTH_ERRORS),
  },
});

export const listMessages = createRoute({
  method: "get",
  path: "/v1/conversations/{id}/messages",
  operationId: "listConversationMessages",
  tags: ["Conversations & messages"],
  summary: "List messages in a conversation",
  description: withScope(
    "inbox:read",
    "Paginated message history for one conversation. The first page holds the newest messages; pass nextCursor as beforeId to get older ones. " +
    "Each page is in chronological order.",
  ),
  ...authenticated("inbox:read"),
  request: { params: PathId, query: ListMessagesQuery },
  responses: {
    200: { description: "One page of messages, oldest first", headers: rateLimitHeaders, content: json(MessagePage) },
    ...errorResponses("VALIDATION_FAILED", "NOT_FOUND", ...AUTH_ERRORS),
  },
});
