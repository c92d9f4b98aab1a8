import type { MessageError as OutcomeError } from "../messages/outcome";
import { pageOf } from "../schemas/page";
import { isInboundMedia, mediaPath } from "./media";
import type { MessageStatus } from "./schema";
import { all, one, type Store } from "./store";

// Inbox reads: each page is one statement served by an index.

export type ConversationFilter = {
  status?: "open" | "closed";
  channel?: "whatsapp" | "messenger" | "instagram";
  /** lastMessageAt (ms) of the previous page's last item: the page holds strictly older ones */
  before?: number;
  limit: number;
};

export type ConversationItem = {
  id: string;
  contact: { phone: string | null; userId: string | null; name: string | null };
  channel: "whatsapp" | "messenger" | "instagram";
  status: "open" | "closed";
  lastMessageAt: number;
  unreadCount: number;
};

/**
 * Newest lastMessageAt first. lastMessageAt is unique in the WABA (conversations_last_idx), so a bare
 * timestamp is an exact boundary; filters use the (status|channel, last_message_at) indexes.
 */
export function conversationsPageStatement(f: ConversationFilter): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.status !== undefined) (where.push("cv.status = ?"), params.push(f.status));
  if (f.channel !== undefined) (where.push("cv.channel = ?"), params.push(f.channel));
  if (f.before !== undefined) (where.push("cv.last_message_at < ?"), params.push(f.before));
  params.push(f.limit + 1);
  return {
    sql: `SELECT cv.id AS id, c.phone AS phone, c.user_id AS userId, c.name AS name, cv.channel AS channel, cv.status AS status,
                 cv.last_message_at AS lastMessageAt, cv.unread_count AS unreadCount
            FROM conversations cv JOIN contacts c ON c.id = cv.contact_id
           ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
           ORDER BY cv.last_message_at DESC LIMIT ?`,
    params,
  };
}

export function listConversations(s: Store, f: ConversationFilter): { items: ConversationItem[]; nextCursor: number | null } {
  const { sql, params } = conversationsPageStatement(f);
  const rows = all<{ id: string; phone: string | null; userId: string | null; name: string | null; channel: ConversationItem["channel"]; status: ConversationItem["status"]; lastMessageAt: number; unreadCount: number }>(s, sql, ...params);
  const items = rows.slice(0, f.limit).map((r) => ({
    id: r.id, contact: { phone: r.phone, userId: r.userId, name: r.name }, channel: r.channel, status: r.status, lastMessageAt: r.lastMessageAt, unreadCount: r.unreadCount,
  }));
  return { items, nextCursor: rows.length > f.limit ? items[items.length - 1]!.lastMessageAt : null };
}

export type MessageError = { code: number; subcode?: number; title?: string; message: string; details?: string; fbtraceId?: string };

export type MessageItem = {
  id: string;
  wamid: string | null;
  direction: "inbound" | "outbound";
  kind: string;
  body: string | null;
  createdAt: number;
  status: MessageStatus;
  error: MessageError | null;
  editedAt: number | null;
  deletedAt: number | null;
  /** inbound media messages: GET /v1/messages/{id}/media */
  mediaUrl?: string;
};

type MessageRow = Omit<MessageItem, "error"> & { error: string | null; beforeKnown: string | null };

/**
 * The conversation's messages older than `beforeId` (all of them without it), newest first, in one
 * statement. Order is the message's time (Meta's for inbound messages, so one Meta delivers late still
 * takes its place) with the id breaking ties, so the cursor is exact: the page holds the messages
 * strictly before beforeId's (time, id). The conversation is looked up by primary key, and its messages
 * walked backwards on messages_conversation_time_idx. A conversation with no messages (left) still
 * yields one row, so "no such conversation" (no rows) is told apart in the same query, and so is a
 * beforeId that is not a message of this conversation (beforeKnown null).
 */
export function messagesPageStatement(conversationId: string, f: { beforeId?: string; limit: number }) {
  const before = f.beforeId !== undefined;
  // two shapes rather than "? IS NULL OR …", which would keep the index from seeking to beforeId
  const sql = `SELECT m.id AS id, m.wamid AS wamid, m.direction AS direction, m.kind AS kind, m.body AS body, m.created_at AS createdAt,
      m.status AS status, m.error AS error, m.edited_at AS editedAt, m.deleted_at AS deletedAt,
      ${before ? "b.id" : "NULL"} AS beforeKnown
    FROM conversations cv
    ${before ? "LEFT JOIN messages b ON b.id = ? AND b.conversation_id = cv.id" : ""}
    LEFT JOIN messages m ON m.conversation_id = cv.id${before ? " AND (m.created_at, m.id) < (b.created_at, b.id)" : ""}
    WHERE cv.id = ?
    ORDER BY m.created_at DESC, m.id DESC
    LIMIT ?`;
  return { sql, params: before ? [f.beforeId, conversationId, f.limit + 1] : [conversationId, f.limit + 1] };
}

export type MessagesPage =
  | { kind: "page"; items: MessageItem[]; nextCursor: string | null }
  | { kind: "no_conversation" }
  | { kind: "unknown_before_id" };

/** A page in chronological order; nextCursor is its oldest message's id when older ones exist. */
export function listMessages(s: Store, conversationId: string, f: { beforeId?: string; limit: number }): MessagesPage {
  const { sql, params } = messagesPageStatement(conversationId, f);
  const results = all<MessageRow>(s, sql, ...params);
  const first = results[0];
  if (!first) return { kind: "no_conversation" };
  if (f.beforeId !== undefined && first.beforeKnown === null) return { kind: "unknown_before_id" };
  const rows = results.filter((r) => r.id !== null);
  const page = pageOf(rows, f.limit, (oldest) => oldest.id);
  const items = page.items
    .map(({ beforeKnown: _, error, ...r }) => ({
      ...r,
      error: error === null ? null : (JSON.parse(error) as MessageError),
      // inbound media: where to download it (no join: every inbound media message has its media row)
      ...(isInboundMedia(r.direction, r.kind) ? { mediaUrl: mediaPath(r.id) } : {}),
    }))
    .reverse();
  return { kind: "page", items, nextCursor: page.nextCursor };
}

export type SentMessage = {
  id: string;
  wamid: string | null;
  status: MessageStatus;
  kind: string;
  to: string | null;
  userId: string | null;
  phoneNumberId: string;
  body: string | null;
  error: OutcomeError | null;
  createdAt: number;
  updatedAt: number;
};

/** An outbound message, for GET /v1/messages/{id}. */
export function getSentMessage(s: Store, id: string): SentMessage | null {
  const row = one<Omit<SentMessage, "error"> & { error: string | null }>(
    s,
    `SELECT m.id, m.wamid, m.status, m.kind, c.phone AS "to", c.user_id AS userId, m.meta_phone_number_id AS phoneNumberId, m.body, m.error,
            m.created_at AS createdAt, m.updated_at AS updatedAt
       FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE m.id = ? AND m.direction = 'outbound'`,
    id,
  );
  return row ? { ...row, error: row.error === null ? null : (JSON.parse(row.error) as OutcomeError) } : null;
}
