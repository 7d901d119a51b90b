ALTER TABLE "campaign_recipients" DROP CONSTRAINT "campaign_recipients_workspace_id_workspaces_id_fk";
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "origin_group" text;--> statement-breakpoint
UPDATE "messages" m SET "origin_group" = r."variant" FROM "campaign_recipients" r WHERE m."origin" = 'campaign' AND r."workspace_id" = m."workspace_id" AND r."campaign_id" = m."origin_id" AND r."message_id" = m."id";--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "winner" jsonb;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "test_size" integer;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "winner_key" text;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "winner_picked_at" timestamp with time zone;