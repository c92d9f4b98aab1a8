import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

// One WABA's data, in that WABA's own SQLite-backed Durable Object (WabaStore). Every table belongs to
// the one WABA the object serves, so there is no waba_id column: another WABA's rows are in another
// object, out of reach of any query here. Ids are 24-hex time-ordered strings (src/db/ids.ts), times
// Unix milliseconds. Migrations: `npm run db:generate` (drizzle-kit, driver durable-sqlite) into
// src/data-plane/migrations, applied when the object starts.

const id = () => text("id").primaryKey();
const createdAt = () => integer("created_at").notNull();

export const contacts = sqliteTable("contacts", {
  id: id(),
  /**
   * The customer's real E.164 number, normalised (Meta's Mexican 521… and Brazilian 8-digit wa_ids are
   * mapped back to it). Null for a username user whose number Meta does not share.
   */
  phone: text("phone"),
  /** Meta's wa_id for this customer as last seen (can differ from phone) */
  waId: text("wa_id"),
  /** Meta's business-scoped user id (BSUID), e.g. US.13491208655302741918 */
  userId: text("user_id"),
  /** the customer's WhatsApp username (e.g. @sheena), when they have one */
  username: text("username"),
  name: text("name"),
  /** name case-folded (NFC, full Unicode case folding) for search; kept in step with name */
  nameFolded: text("name_folded"),
  email: text("email"),
  /** JSON object of string → string */
  customFields: text("custom_fields").notNull().default("{}"),
  optedIn: integer("opted_in", { mode: "boolean" }).notNull().default(true),
  /** last inbound message from this contact: the 24-hour customer-service window starts here */
  lastInboundAt: integer("last_inbound_at"),
  createdAt: createdAt(),
  updatedAt: integer("updated_at").notNull(),
}, (t) => [
  uniqueIndex("contacts_phone_idx").on(t.phone),
  uniqueIndex("contacts_user_idx").on(t.userId),
  index("contacts_wa_idx").on(t.waId),
  index("contacts_opted_idx").on(t.optedIn, t.id),
]);

export const contactTags = sqliteTable("contact_tags", {
  contactId: text("contact_id").notNull().references(() => contacts.id, { onDelete: "cascade" }),
  tag: text("tag").notNull(),
}, (t) => [
  primaryKey({ columns: [t.contactId, t.tag] }),
  index("contact_tags_tag_idx").on(t.tag, t.contactId),
]);

export const CHANNELS = ["whatsapp", "messenger", "instagram"] as const;

export const conversations = sqliteTable("conversations", {
  id: id(),
  contactId: text("contact_id").notNull().references(() => contacts.id),
  channel: text("channel", { enum: CHANNELS }).notNull().default("whatsapp"),
  status: text("status", { enum: ["open", "closed"] }).notNull().default("open"),
  /** unique in the WABA (bumped by 1 ms on a tie), so the spec's lastMessageAt cursor is unambiguous */
  lastMessageAt: integer("last_message_at").notNull(),
  unreadCount: integer("unread_count").notNull().default(0),
  createdAt: createdAt(),
}, (t) => [
  uniqueIndex("conversations_contact_channel_idx").on(t.contactId, t.channel),
  uniqueIndex("conversations_last_idx").on(t.lastMessageAt),
  index("conversations_status_last_idx").on(t.status, t.lastMessageAt),
  index("conversations_channel_last_idx").on(t.channel, t.lastMessageAt),
]);

/**
 * held: Meta accepted a template send but holds it for quality assessment (pacing); it later becomes
 * sent or failed. played: a voice note was first played (after read).
 */
/** `scheduled`: a send with `sendAt`, not yet due; `cancelled`: a scheduled send, or a campaign's not yet sent, that will not go */
export const MESSAGE_STATUSES = ["scheduled", "queued", "sending", "held", "sent", "delivered", "read", "played", "failed", "cancelled"] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const messages = sqliteTable("messages", {
  id: id(),
  conversationId: text("conversation_id").notNull().references(() => conversations.id),
  contactId: text("contact_id").notNull().references(() => contacts.id),
  /** Meta phone-number-id that sent or received it */
  metaPhoneNumberId: text("meta_phone_number_id").notNull(),
  direction: text("direction", { enum: ["inbound", "outbound"] }).notNull(),
  /** text, template, image, video, document, audio, sticker, interactive, location, button, reaction, … */
  kind: text("kind").notNull(),
  /** human-readable rendering for history (template text with variables filled in, caption, …) */
  body: text("body"),
  /** outbound: the Meta request body; inbound: Meta's message object as received */
  payload: text("payload").notNull(),
  wamid: text("wamid"),
  status: text("status", { enum: MESSAGE_STATUSES }).notNull(),
  /** JSON { source, code, subcode?, title?, message, details?, fbtraceId? } when failed (or the last retryable error) */
  error: text("error"),
  attempts: integer("attempts").notNull().default(0),
  /** next webhook event sequence number for this message (events per wamid are ordered by it) */
  eventSeq: integer("event_seq").notNull().default(0),
  apiKeyId: text("api_key_id"),
  /** inbound, coexistence: when the customer edited it (body holds the edited text) */
  editedAt: integer("edited_at"),
  /** inbound, coexistence: when the customer deleted (revoked) it; its body is then cleared */
  deletedAt: integer("deleted_at"),
  /** when its body and payload were pruned for retention (null: kept) */
  prunedAt: integer("pruned_at"),
  /** a scheduled send: when it is due (it stays `scheduled` until then) */
  sendAt: integer("send_at"),
  /** the campaign it was sent for, if any */
  campaignId: text("campaign_id"),
  /** when it happened: Meta's time for inbound messages (within sane bounds), creation for outbound */
  createdAt: createdAt(),
  updatedAt: integer("updated_at").notNull(),
}, (t) => [
  uniqueIndex("messages_wamid_idx").on(t.wamid),
  // history pages: by message time, id breaking ties
  index("messages_conversation_time_idx").on(t.conversationId, t.createdAt, t.id),
  index("messages_status_updated_idx").on(t.status, t.updatedAt),
  index("messages_created_idx").on(t.createdAt),
  index("messages_send_at_idx").on(t.status, t.sendAt),
  index("messages_campaign_idx").on(t.campaignId, t.status),
]);

/** Meta statuses that arrived before the send that caused them stored its wamid. */
export const pendingStatuses = sqliteTable("pending_statuses", {
  wamid: text("wamid").notNull(),
  status: text("status").notNull(),
  /** the status as parsed: { error, recipientUserId } */
  payload: text("payload").notNull(),
  receivedAt: integer("received_at").notNull(),
}, (t) => [primaryKey({ columns: [t.wamid, t.status] })]);

/**
 * Idempotency-Key records (src/durable-objects/idempotency-store.ts), keyed `<api key id>:<Idempotency-Key>`.
 * Kept 24 hours, then deleted by the alarm in batches (by created_at); not exported: they only make
 * retries safe.
 */
export const idempotencyKeys = sqliteTable("idempotency_keys", {
  key: text("key").primaryKey(),
  /** the record as JSON: its state, the request's fingerprint, and the lease or the outcome to replay */
  entry: text("entry").notNull(),
  createdAt: createdAt(),
}, (t) => [index("idempotency_keys_created_idx").on(t.createdAt)]);

export const templates = sqliteTable("templates", {
  id: id(),
  metaTemplateId: text("meta_template_id"),
  name: text("name").notNull(),
  language: text("language").notNull(),
  /** Meta's upper case: MARKETING, UTILITY, AUTHENTICATION */
  category: text("category").notNull(),
  /** Meta's upper case: APPROVED, PENDING, REJECTED, PAUSED, DISABLED, … */
  status: text("status").notNull(),
  parameterFormat: text("parameter_format").notNull().default("POSITIONAL"),
  /** JSON array of Meta-shaped components */
  components: text("components").notNull(),
  rejectedReason: text("rejected_reason"),
  /** Meta flagged its quality (still sendable; a FLAGGED event sets it, REINSTATED or APPROVED clears it) */
  flaggedAt: integer("flagged_at"),
  /** the status it had when Meta archived it, restored by UNARCHIVED */
  archivedFrom: text("archived_from"),
  /** set when a sync no longer finds the template upstream */
  removedUpstreamAt: integer("removed_upstream_at"),
  createdAt: createdAt(),
  updatedAt: integer("updated_at").notNull(),
}, (t) => [
  uniqueIndex("templates_name_lang_idx").on(t.name, t.language),
  index("templates_meta_idx").on(t.metaTemplateId),
  index("templates_status_idx").on(t.status, t.id),
]);

export const WEBHOOK_EVENT_TYPES = [
  "message.sent", "message.delivered", "message.read", "message.failed", "message.received", "template.status_updated",
  "message.held", "message.played", "message.edited", "message.deleted", "contact.updated", "template.category_updated",
  "campaign.started", "campaign.completed",
] as const;
export type EventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const webhookEndpoints = sqliteTable("webhook_endpoints", {
  id: id(),
  url: text("url").notNull(),
  /** JSON array of event types */
  events: text("events").notNull(),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  description: text("description"),
  /** signing secret, AES-GCM like WABA tokens */
  secretEnc: text("secret_enc").notNull(),
  createdAt: createdAt(),
  updatedAt: integer("updated_at").notNull(),
});

export const webhookEvents = sqliteTable("webhook_events", {
  id: id(),
  type: text("type").notNull(),
  wamid: text("wamid"),
  /** per-message order (1, 2, …); 0 for template and contact events (null in the body) */
  sequence: integer("sequence").notNull().default(0),
  /** the exact JSON body delivered to endpoints */
  body: text("body").notNull(),
  createdAt: createdAt(),
}, (t) => [index("webhook_events_created_idx").on(t.createdAt)]);

export const webhookDeliveries = sqliteTable("webhook_deliveries", {
  id: id(),
  endpointId: text("endpoint_id").notNull().references(() => webhookEndpoints.id, { onDelete: "cascade" }),
  eventId: text("event_id").notNull().references(() => webhookEvents.id, { onDelete: "cascade" }),
  status: text("status", { enum: ["pending", "succeeded", "failed"] }).notNull(),
  attempts: integer("attempts").notNull().default(0),
  lastStatusCode: integer("last_status_code"),
  lastError: text("last_error"),
  nextAttemptAt: integer("next_attempt_at"),
  deliveredAt: integer("delivered_at"),
  createdAt: createdAt(),
  updatedAt: integer("updated_at").notNull(),
}, (t) => [
  uniqueIndex("webhook_deliveries_endpoint_event_idx").on(t.endpointId, t.eventId),
  index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.id),
  index("webhook_deliveries_status_next_idx").on(t.status, t.nextAttemptAt),
  index("webhook_deliveries_event_idx").on(t.eventId),
]);

/** Problems Meta reports for the WABA as a whole (system-level `value.errors` of its webhooks), for operators. */
export const metaAlerts = sqliteTable("meta_alerts", {
  id: id(),
  metaPhoneNumberId: text("meta_phone_number_id"),
  code: integer("code"),
  title: text("title"),
  message: text("message"),
  details: text("details"),
  /** Meta's error object as received */
  raw: text("raw").notNull(),
  createdAt: createdAt(),
});

export const CAMPAIGN_STATES = ["scheduled", "running", "paused", "completed", "cancelled"] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

/** A bulk template send: one template to many recipients, released to the relay at the number's pace. */
export const campaigns = sqliteTable("campaigns", {
  id: id(),
  name: text("name"),
  template: text("template").notNull(),
  language: text("language").notNull(),
  /** the Meta phone-number-id it sends from */
  metaPhoneNumberId: text("meta_phone_number_id").notNull(),
  state: text("state", { enum: CAMPAIGN_STATES }).notNull(),
  /** when it starts (null: at once) */
  sendAt: integer("send_at"),
  /** recipients so far (the next one's seq) */
  recipientCount: integer("recipient_count").notNull().default(0),
  apiKeyId: text("api_key_id"),
  startedAt: integer("started_at"),
  finishedAt: integer("finished_at"),
  createdAt: createdAt(),
  updatedAt: integer("updated_at").notNull(),
}, (t) => [
  index("campaigns_state_idx").on(t.state, t.sendAt),
  index("campaigns_created_idx").on(t.createdAt, t.id),
]);

export const RECIPIENT_STATUSES = ["pending", "skipped", "released", "cancelled"] as const;

/**
 * One recipient of a campaign, in the order given. `pending` until released to the relay (then its
 * message, an ordinary message, carries the status); `skipped` with the reason when it was refused up
 * front; `cancelled` when the campaign was cancelled before its turn.
 */
export const campaignRecipients = sqliteTable("campaign_recipients", {
  campaignId: text("campaign_id").notNull().references(() => campaigns.id, { onDelete: "cascade" }),
  seq: integer("seq").notNull(),
  /** E.164, as given (normalised when valid) */
  to: text("to").notNull(),
  /** JSON { variables?, components? } */
  input: text("input").notNull(),
  status: text("status", { enum: RECIPIENT_STATUSES }).notNull(),
  /** why it was skipped: invalid_phone, duplicate, opted_out, template_variables, … */
  reason: text("reason"),
  messageId: text("message_id"),
}, (t) => [
  primaryKey({ columns: [t.campaignId, t.seq] }),
  index("campaign_recipients_status_idx").on(t.campaignId, t.status, t.seq),
]);

export const MEDIA_STATUSES = ["pending", "stored", "failed", "expired"] as const;
export type MediaStatus = (typeof MEDIA_STATUSES)[number];

/**
 * An inbound message's media (src/data-plane/media.ts): Meta's media id as the webhook gave it, and our
 * copy in R2 (src/media/copy-inbound.ts). `pending` until copied (GET /v1/messages/{id}/media streams from
 * Meta meanwhile); `stored` once the bytes in R2 matched Meta's size and sha256; `failed` when copying
 * gave up; `expired` once past MEDIA_RETENTION_DAYS (the R2 object is deleted).
 */
export const media = sqliteTable("media", {
  /** the message's id (no foreign key: messages are never deleted, and a WABA's export restores media after messages) */
  messageId: text("message_id").primaryKey(),
  metaMediaId: text("meta_media_id").notNull(),
  /** image, video, audio, document, sticker */
  kind: text("kind").notNull(),
  /** as the webhook said, then as Meta's GET /{media-id} said */
  mimeType: text("mime_type"),
  /** documents: the file name the customer sent */
  filename: text("filename"),
  /** the webhook's sha256 (Meta sends base64 or hex) */
  metaSha256: text("meta_sha256"),
  /** hex SHA-256 of the bytes in R2, once stored */
  sha256: text("sha256"),
  fileSize: integer("file_size"),
  status: text("status", { enum: MEDIA_STATUSES }).notNull(),
  /** the R2 object's key, once stored */
  r2Key: text("r2_key"),
  attempts: integer("attempts").notNull().default(0),
  lastError: text("last_error"),
  storedAt: integer("stored_at"),
  createdAt: createdAt(),
  updatedAt: integer("updated_at").notNull(),
}, (t) => [
  index("media_status_updated_idx").on(t.status, t.updatedAt),
  index("media_created_idx").on(t.createdAt),
]);
