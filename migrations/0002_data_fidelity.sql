CREATE TABLE `meta_alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`waba_id` text NOT NULL,
	`meta_phone_number_id` text,
	`code` integer,
	`title` text,
	`message` text,
	`details` text,
	`raw` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`waba_id`) REFERENCES `wabas`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `meta_alerts_waba_idx` ON `meta_alerts` (`waba_id`,`id`);--> statement-breakpoint
DROP INDEX `messages_conversation_idx`;--> statement-breakpoint
ALTER TABLE `messages` ADD `edited_at` integer;--> statement-breakpoint
ALTER TABLE `messages` ADD `deleted_at` integer;--> statement-breakpoint
CREATE INDEX `messages_conversation_time_idx` ON `messages` (`conversation_id`,`created_at`,`id`);--> statement-breakpoint
-- contacts.phone becomes nullable (a username user may share no phone number): SQLite rebuilds the table.
-- D1 enforces foreign keys inside the migration's transaction, so they are deferred to its end (the
-- rebuilt table takes the old name), and contact_tags, which DROP TABLE would empty through its ON DELETE
-- CASCADE, is kept aside and put back. Written by hand: drizzle-kit's generated copy read the new columns
-- from the old table.
PRAGMA defer_foreign_keys = on;--> statement-breakpoint
CREATE TABLE `__saved_contact_tags` AS SELECT `contact_id`, `waba_id`, `tag` FROM `contact_tags` ORDER BY rowid;--> statement-breakpoint
CREATE TABLE `__new_contacts` (
	`id` text PRIMARY KEY NOT NULL,
	`waba_id` text NOT NULL,
	`phone` text,
	`wa_id` text,
	`user_id` text,
	`username` text,
	`name` text,
	`name_folded` text,
	`email` text,
	`custom_fields` text DEFAULT '{}' NOT NULL,
	`opted_in` integer DEFAULT true NOT NULL,
	`last_inbound_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`waba_id`) REFERENCES `wabas`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_contacts`("id", "waba_id", "phone", "wa_id", "user_id", "username", "name", "name_folded", "email", "custom_fields", "opted_in", "last_inbound_at", "created_at", "updated_at") SELECT "id", "waba_id", "phone", substr("phone", 2), NULL, NULL, "name", lower("name"), "email", "custom_fields", "opted_in", "last_inbound_at", "created_at", "updated_at" FROM `contacts`;--> statement-breakpoint
DROP TABLE `contacts`;--> statement-breakpoint
ALTER TABLE `__new_contacts` RENAME TO `contacts`;--> statement-breakpoint
INSERT OR IGNORE INTO `contact_tags` (`contact_id`, `waba_id`, `tag`) SELECT `contact_id`, `waba_id`, `tag` FROM `__saved_contact_tags`;--> statement-breakpoint
DROP TABLE `__saved_contact_tags`;--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_waba_phone_idx` ON `contacts` (`waba_id`,`phone`);--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_waba_user_idx` ON `contacts` (`waba_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `contacts_waba_wa_idx` ON `contacts` (`waba_id`,`wa_id`);--> statement-breakpoint
CREATE INDEX `contacts_waba_id_idx` ON `contacts` (`waba_id`,`id`);--> statement-breakpoint
CREATE INDEX `contacts_waba_opted_idx` ON `contacts` (`waba_id`,`opted_in`,`id`);--> statement-breakpoint
ALTER TABLE `templates` ADD `flagged_at` integer;--> statement-breakpoint
ALTER TABLE `templates` ADD `archived_from` text;