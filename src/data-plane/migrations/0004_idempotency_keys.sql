CREATE TABLE `idempotency_keys` (
	`key` text PRIMARY KEY NOT NULL,
	`entry` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `idempotency_keys_created_idx` ON `idempotency_keys` (`created_at`);