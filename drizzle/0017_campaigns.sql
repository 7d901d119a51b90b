CREATE TABLE "campaign_recipients" (
	"workspace_id" uuid NOT NULL,
	"campaign_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"variant" text NOT NULL,
	"status" text NOT NULL,
	"message_id" uuid,
	"seq" integer NOT NULL,
	CONSTRAINT "campaign_recipients_workspace_id_campaign_id_customer_id_pk" PRIMARY KEY("workspace_id","campaign_id","customer_id")
);
--> statement-breakpoint
CREATE TABLE "campaign_settings" (
	"workspace_id" uuid PRIMARY KEY NOT NULL,
	"global_control_share" integer DEFAULT 0 NOT NULL,
	"global_control_salt" text NOT NULL,
	"costs" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "campaigns" (
	"workspace_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"purpose" text DEFAULT 'marketing' NOT NULL,
	"kind" text NOT NULL,
	"channel_id" uuid,
	"audience" jsonb NOT NULL,
	"variants" jsonb NOT NULL,
	"holdout_share" integer DEFAULT 0 NOT NULL,
	"schedule" jsonb DEFAULT '{"mode":"now"}'::jsonb NOT NULL,
	"throttle_per_minute" integer DEFAULT 0 NOT NULL,
	"goal" jsonb NOT NULL,
	"created_by" text,
	"updated_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"enqueued_at" timestamp with time zone,
	"paused_at" timestamp with time zone,
	"send_anchor_at" timestamp with time zone,
	"send_anchor_seq" integer,
	"enqueued_seq" integer DEFAULT 0 NOT NULL,
	"cancelled_at" timestamp with time zone,
	"audience_size" integer,
	"excluded_global_control" integer,
	CONSTRAINT "campaigns_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
ALTER TABLE "campaign_recipients" ADD CONSTRAINT "campaign_recipients_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_settings" ADD CONSTRAINT "campaign_settings_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "campaign_recipients_seq_idx" ON "campaign_recipients" USING btree ("workspace_id","campaign_id","seq") WHERE "campaign_recipients"."variant" <> 'holdout';--> statement-breakpoint
CREATE INDEX "campaign_recipients_customer_idx" ON "campaign_recipients" USING btree ("workspace_id","customer_id");--> statement-breakpoint
CREATE INDEX "campaigns_created_idx" ON "campaigns" USING btree ("workspace_id","created_at");--> statement-breakpoint
CREATE INDEX "messages_origin_idx" ON "messages" USING btree ("workspace_id","origin","origin_id") WHERE "messages"."origin_id" is not null;