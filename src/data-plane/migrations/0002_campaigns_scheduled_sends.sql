CREATE TABLE `campaign_recipients` (
	`campaign_id` text NOT NULL,
	`seq` integer NOT NULL,
	`to` text NOT NULL,
	`input` text NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`message_id` text,
	PRIMARY KEY(`campaign_id`, `seq`),
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `campaign_recipients_status_idx` ON `campaign_recipients` (`campaign_id`,`status`,`seq`);--> statement-breakpoint
CREATE TABLE `campaigns` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text,
	`template` text NOT NULL,
	`language` text NOT NULL,
	`meta_phone_number_id` text NOT NULL,
	`state` text NOT NULL,
	`send_at` integer,
	`recipient_count` integer DEFAULT 0 NOT NULL,
	`api_key_id` text,
	`started_at` integer,
	`finished_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `campaigns_state_idx` ON `campaigns` (`state`,`send_at`);--> statement-breakpoint
CREATE INDEX `campaigns_created_idx` ON `campaigns` (`created_at`,`id`);--> statement-breakpoint
ALTER TABLE `messages` ADD `send_at` integer;--> statement-breakpoint
ALTER TABLE `messages` ADD `campaign_id` text;--> statement-breakpoint
CREATE INDEX `messages_send_at_idx` ON `messages` (`status`,`send_at`);--> statement-breakpoint
CREATE INDEX `messages_campaign_idx` ON `messages` (`campaign_id`,`status`);