ALTER TABLE "audit_events" ADD COLUMN "subject_name" text;--> statement-breakpoint
-- Rows recorded before this migration: the names the synced users have now (a user already
-- deleted has none left to give).
UPDATE "audit_events" AS a SET "actor_name" = COALESCE(NULLIF(TRIM(CONCAT_WS(' ', u."first_name", u."last_name")), ''), u."email")
FROM "users" AS u
WHERE a."actor_type" = 'user' AND a."actor_name" IS NULL AND u."id" = a."actor_id";--> statement-breakpoint
UPDATE "audit_events" AS a SET "subject_name" = COALESCE(NULLIF(TRIM(CONCAT_WS(' ', u."first_name", u."last_name")), ''), u."email")
FROM "users" AS u
WHERE a."subject_name" IS NULL AND u."id" = a."changes"->>'user_id';
