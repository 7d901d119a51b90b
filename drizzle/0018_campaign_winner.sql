ALTER TABLE "campaign_recipients" DROP CONSTRAINT "campaign_recipients_workspace_id_workspaces_id_fk";
--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "winner" jsonb;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "test_size" integer;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "winner_key" text;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "winner_picked_at" timestamp with time zone;