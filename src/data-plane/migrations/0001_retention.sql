ALTER TABLE `messages` ADD `pruned_at` integer;--> statement-breakpoint
CREATE INDEX `messages_created_idx` ON `messages` (`created_at`);