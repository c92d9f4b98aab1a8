CREATE TABLE `media` (
	`message_id` text PRIMARY KEY NOT NULL,
	`meta_media_id` text NOT NULL,
	`kind` text NOT NULL,
	`mime_type` text,
	`filename` text,
	`meta_sha256` text,
	`sha256` text,
	`file_size` integer,
	`status` text NOT NULL,
	`r2_key` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`stored_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `media_status_updated_idx` ON `media` (`status`,`updated_at`);--> statement-breakpoint
CREATE INDEX `media_created_idx` ON `media` (`created_at`);