-- Each WABA's data moves to that WABA's Durable Object (src/data-plane/schema.ts); D1 keeps the control
-- plane. Nothing is deployed with data yet, so the tables are dropped without a copy. Children first,
-- and foreign keys deferred to the end of the migration's transaction, as D1 enforces them.
PRAGMA defer_foreign_keys = on;--> statement-breakpoint
DROP TABLE `contact_tags`;--> statement-breakpoint
DROP TABLE `messages`;--> statement-breakpoint
DROP TABLE `conversations`;--> statement-breakpoint
DROP TABLE `contacts`;--> statement-breakpoint
DROP TABLE `meta_alerts`;--> statement-breakpoint
DROP TABLE `pending_statuses`;--> statement-breakpoint
DROP TABLE `templates`;--> statement-breakpoint
DROP TABLE `webhook_deliveries`;--> statement-breakpoint
DROP TABLE `webhook_events`;--> statement-breakpoint
DROP TABLE `webhook_endpoints`;
