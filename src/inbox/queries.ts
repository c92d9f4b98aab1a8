import { and, desc, eq, lt } from "drizzle-orm";
import type { Database } from "../db/client";
import { contacts, conversations, type MessageStatus } from "../db/schema";
import { pageOf } from "../schemas/page";

// Inbox reads: each page is one D1 query served by an index.

export type ConversationFilter = {
  status?: "open" | "closed";
  channel?: "whatsapp" | "messenger" | "instagram";
  /** lastMessageAt (ms) of the previous page's last item: the page holds strictly older ones */
  before?: number;
  limit: number;
};

/**
 * Newest lastMessageAt first. lastMessageAt is unique per WABA (conversations_waba_last_idx), so a
 * bare timestamp is an exact boundary; filters use the (waba, status|channel, last_message_at) indexes.
 */
export function conversationsPageQuery(db: Database, wabaId: string, f: ConversationFilter) {
  return db
    .select({
      id: conversations.id,
      phone: contacts.phone,
      userId: contacts.userId,
      name: contacts.name,
      channel: conversations.channel,
      status: conversations.status,
      lastMessageAt: conversations.lastMessageAt,
      unreadCount: conversations.unreadCount,
    })
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(and(
      eq(conversations.wabaId, wabaId),
      f.status !== undefined ? eq(conversations.status, f.status) : undefined,
      f.channel !== undefined ? eq(conversations.channel, f.channel) : undefined,
      f.before !== undefined ? lt(conversations.lastMessageAt, f.before) : undefined,
    ))
    .orderBy(desc(conversations.lastMessageAt))
    .limit(f.limit + 1);
}

export type ConversationItem = {
  id: string;
  contact: { phone: string | null; userId: string | null; name: string | null };
  channel: "whatsapp" | "messenger" | "instagram";
  status: "open" | "closed";
  lastMessageAt: number;
  unreadCount: number;
};

export async function listConversations(db: Database, wabaId: string, f: ConversationFilter): Promise<{ items: ConversationItem[]; nextCursor: number | null }> {
  const rows = await conversationsPageQuery(db, wabaId, f).all();
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
};

type MessageRow = Omit<MessageItem, "error"> & { error: string | null; beforeKnown: string | null };

/**
 * The conversation's messages older than `beforeId` (all of them without it), newest first, in one
 * statement. Order is the message's time (Meta's for inbound messages, so one Meta delivers late still
 * takes its place) with the id breaking ties, so the cursor is exact: the page holds the messages
 * strictly before beforeId's (time, id). The conversation is looked up by primary key and WABA, and its
 * messages walked backwards on messages_conversation_time_idx. A conversation with no messages (left)
 * still yields one row, so "no such conversation" (no rows) is told apart in the same query, and so is
 * a beforeId that is not a message of this conversation (beforeKnown null).
 */
export function messagesPageStatement(wabaId: string, conversationId: string, f: { beforeId?: string; limit: number }) {
  const before = f.beforeId !== undefined;
  // two shapes rather than "?3 IS NULL OR …", which would keep the index from seeking to beforeId
  const sql = `SELECT m.id AS id, m.wamid AS wamid, m.direction AS direction, m.kind AS kind, m.body AS body, m.created_at AS createdAt,
      m.status AS status, m.error AS error, m.edited_at AS editedAt, m.deleted_at AS deletedAt,
      ${before ? "b.id" : "NULL"} AS beforeKnown
    FROM conversations cv
    ${before ? "LEFT JOIN messages b ON b.id = ?4 AND b.conversation_id = cv.id" : ""}
    LEFT JOIN messages m ON m.conversation_id = cv.id${before ? " AND (m.created_at, m.id) < (b.created_at, b.id)" : ""}
    WHERE cv.id = ?1 AND cv.waba_id = ?2
    ORDER BY m.created_at DESC, m.id DESC
    LIMIT ?3`;
  return { sql, params: before ? [conversationId, wabaId, f.limit + 1, f.beforeId] : [conversationId, wabaId, f.limit + 1] };
}

export type MessagesPage =
  | { kind: "page"; items: MessageItem[]; nextCursor: string | null }
  | { kind: "no_conversation" }
  | { kind: "unknown_before_id" };

/** A page in chronological order; nextCursor is its oldest message's id when older ones exist. */
export async function listMessages(db: Database, wabaId: string, conversationId: string, f: { beforeId?: string; limit: number }): Promise<MessagesPage> {
  const { sql, params } = messagesPageStatement(wabaId, conversationId, f);
  const { results } = await db.$client.prepare(sql).bind(...params).all<MessageRow>();
  const first = results[0];
  if (!first) return { kind: "no_conversation" };
  if (f.beforeId !== undefined && first.beforeKnown === null) return { kind: "unknown_before_id" };
  const rows = results.filter((r) => r.id !== null);
  const page = pageOf(rows, f.limit, (oldest) => oldest.id);
  const items = page.items.map(({ beforeKnown: _, error, ...r }) => ({ ...r, error: error === null ? null : (JSON.parse(error) as MessageError) })).reverse();
  return { kind: "page", items, nextCursor: page.nextCursor };
}
