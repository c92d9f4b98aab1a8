CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`waba_id` text NOT NULL,
	`name` text NOT NULL,
	`key_hash` text NOT NULL,
	`display_prefix` text NOT NULL,
	`mode` text NOT NULL,
	`scopes` text NOT NULL,
	`plan_override` text,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`waba_id`) REFERENCES `wabas`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_key_hash_unique` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_workspace_idx` ON `api_keys` (`workspace_id`,`id`);--> statement-breakpoint
CREATE TABLE `contact_tags` (
	`contact_id` text NOT NULL,
	`waba_id` text NOT NULL,
	`tag` text NOT NULL,
	PRIMARY KEY(`contact_id`, `tag`),
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `contact_tags_waba_tag_idx` ON `contact_tags` (`waba_id`,`tag`,`contact_id`);--> statement-breakpoint
CREATE TABLE `contacts` (
	`id` text PRIMARY KEY NOT NULL,
	`waba_id` text NOT NULL,
	`phone` text NOT NULL,
	`name` text,
	`email` text,
	`custom_fields` text DEFAULT '{}' NOT NULL,
	`opted_in` integer DEFAULT true NOT NULL,
	`last_inbound_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`waba_id`) REFERENCES `wabas`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_waba_phone_idx` ON `contacts` (`waba_id`,`phone`);--> statement-breakpoint
CREATE INDEX `contacts_waba_id_idx` ON `contacts` (`waba_id`,`id`);--> statement-breakpoint
CREATE INDEX `contacts_waba_opted_idx` ON `contacts` (`waba_id`,`opted_in`,`id`);--> statement-breakpoint
CREATE TABLE `conversations` (
	`id` text PRIMARY KEY NOT NULL,
	`waba_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`channel` text DEFAULT 'whatsapp' NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`last_message_at` integer NOT NULL,
	`unread_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`waba_id`) REFERENCES `wabas`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `conversations_waba_contact_channel_idx` ON `conversations` (`waba_id`,`contact_id`,`channel`);--> statement-breakpoint
CREATE UNIQUE INDEX `conversations_waba_last_idx` ON `conversations` (`waba_id`,`last_message_at`);--> statement-breakpoint
CREATE INDEX `conversations_waba_status_last_idx` ON `conversations` (`waba_id`,`status`,`last_message_at`);--> statement-breakpoint
CREATE INDEX `conversations_waba_channel_last_idx` ON `conversations` (`waba_id`,`channel`,`last_message_at`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` text PRIMARY KEY NOT NULL,
	`waba_id` text NOT NULL,
	`conversation_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`meta_phone_number_id` text NOT NULL,
	`direction` text NOT NULL,
	`kind` text NOT NULL,
	`body` text,
	`payload` text NOT NULL,
	`wamid` text,
	`status` text NOT NULL,
	`error` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`event_seq` integer DEFAULT 0 NOT NULL,
	`api_key_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`waba_id`) REFERENCES `wabas`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_wamid_unique` ON `messages` (`wamid`);--> statement-breakpoint
CREATE INDEX `messages_conversation_idx` ON `messages` (`conversation_id`,`id`);--> statement-breakpoint
CREATE INDEX `messages_waba_status_idx` ON `messages` (`waba_id`,`status`);--> statement-breakpoint
CREATE TABLE `pending_statuses` (
	`wamid` text NOT NULL,
	`status` text NOT NULL,
	`payload` text NOT NULL,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`wamid`, `status`)
);
--> statement-breakpoint
CREATE TABLE `phone_numbers` (
	`id` text PRIMARY KEY NOT NULL,
	`waba_id` text NOT NULL,
	`meta_phone_number_id` text NOT NULL,
	`display_phone_number` text NOT NULL,
	`is_default` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`waba_id`) REFERENCES `wabas`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `phone_numbers_meta_phone_number_id_unique` ON `phone_numbers` (`meta_phone_number_id`);--> statement-breakpoint
CREATE INDEX `phone_numbers_waba_idx` ON `phone_numbers` (`waba_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `phone_numbers_one_default_idx` ON `phone_numbers` (`waba_id`) WHERE is_default = 1;--> statement-breakpoint
CREATE TABLE `templates` (
	`id` text PRIMARY KEY NOT NULL,
	`waba_id` text NOT NULL,
	`meta_template_id` text,
	`name` text NOT NULL,
	`language` text NOT NULL,
	`category` text NOT NULL,
	`status` text NOT NULL,
	`parameter_format` text DEFAULT 'POSITIONAL' NOT NULL,
	`components` text NOT NULL,
	`rejected_reason` text,
	`removed_upstream_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`waba_id`) REFERENCES `wabas`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `templates_waba_name_lang_idx` ON `templates` (`waba_id`,`name`,`language`);--> statement-breakpoint
CREATE INDEX `templates_waba_id_idx` ON `templates` (`waba_id`,`id`);--> statement-breakpoint
CREATE INDEX `templates_waba_status_idx` ON `templates` (`waba_id`,`status`,`id`);--> statement-breakpoint
CREATE TABLE `wabas` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`meta_waba_id` text NOT NULL,
	`name` text NOT NULL,
	`access_token_enc` text NOT NULL,
	`templates_synced_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `wabas_meta_waba_id_unique` ON `wabas` (`meta_waba_id`);--> statement-breakpoint
CREATE INDEX `wabas_workspace_idx` ON `wabas` (`workspace_id`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`endpoint_id` text NOT NULL,
	`event_id` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_status_code` integer,
	`last_error` text,
	`next_attempt_at` integer,
	`delivered_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`endpoint_id`) REFERENCES `webhook_endpoints`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`event_id`) REFERENCES `webhook_events`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_deliveries_endpoint_event_idx` ON `webhook_deliveries` (`endpoint_id`,`event_id`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_endpoint_idx` ON `webhook_deliveries` (`endpoint_id`,`id`);--> statement-breakpoint
CREATE TABLE `webhook_endpoints` (
	`id` text PRIMARY KEY NOT NULL,
	`waba_id` text NOT NULL,
	`url` text NOT NULL,
	`events` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`description` text,
	`secret_enc` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`waba_id`) REFERENCES `wabas`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `webhook_endpoints_waba_idx` ON `webhook_endpoints` (`waba_id`,`id`);--> statement-breakpoint
CREATE TABLE `webhook_events` (
	`id` text PRIMARY KEY NOT NULL,
	`waba_id` text NOT NULL,
	`type` text NOT NULL,
	`wamid` text,
	`sequence` integer DEFAULT 0 NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`waba_id`) REFERENCES `wabas`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `webhook_events_waba_idx` ON `webhook_events` (`waba_id`,`id`);--> statement-breakpoint
CREATE TABLE `workspaces` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`plan` text NOT NULL,
	`created_at` integer NOT NULL
);
