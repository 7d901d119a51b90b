-- An e-mail's rendered content, brotli-packed by Rapport (src/messaging/content-pack.ts): stored as
-- it comes, without PostgreSQL trying to compress it again.
ALTER TABLE "messages" ADD COLUMN "content_packed" "bytea";--> statement-breakpoint
ALTER TABLE "messages" ALTER COLUMN "content_packed" SET STORAGE EXTERNAL;
