CREATE TABLE "journey_inbox" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "journey_inbox_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"workspace_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"name" text NOT NULL,
	"properties" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"event_key" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "journey_interest" (
	"workspace_id" uuid NOT NULL,
	"name" text NOT NULL,
	CONSTRAINT "journey_interest_workspace_id_name_pk" PRIMARY KEY("workspace_id","name")
);
--> statement-breakpoint
CREATE TABLE "journey_run_steps" (
	"workspace_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"journey_id" uuid NOT NULL,
	"step_id" text NOT NULL,
	"step_type" text NOT NULL,
	"outcome" text NOT NULL,
	"detail" jsonb,
	"message_id" uuid,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "journey_run_steps_workspace_id_run_id_seq_pk" PRIMARY KEY("workspace_id","run_id","seq")
);
--> statement-breakpoint
CREATE TABLE "journey_runs" (
	"workspace_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"journey_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"customer_id" uuid NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"step_id" text,
	"seq" integer DEFAULT 0 NOT NULL,
	"waiting" boolean DEFAULT false NOT NULL,
	"matched" boolean DEFAULT false NOT NULL,
	"due_at" timestamp with time zone,
	"holdout" boolean DEFAULT false NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"entry_key" text NOT NULL,
	"entered_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"exit_reason" text,
	CONSTRAINT "journey_runs_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "journey_versions" (
	"workspace_id" uuid NOT NULL,
	"journey_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"definition" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "journey_versions_workspace_id_journey_id_version_pk" PRIMARY KEY("workspace_id","journey_id","version")
);
--> statement-breakpoint
CREATE TABLE "journeys" (
	"workspace_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"status" text DEFAULT 'draft' NOT NULL,
	"definition" jsonb NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	"changed_since_version" boolean DEFAULT true NOT NULL,
	"starter_key" text,
	"created_by" text,
	"updated_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"activated_at" timestamp with time zone,
	"paused_at" timestamp with time zone,
	"archived_at" timestamp with time zone,
	CONSTRAINT "journeys_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
ALTER TABLE "journeys" ADD CONSTRAINT "journeys_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "journey_inbox_workspace_idx" ON "journey_inbox" USING btree ("workspace_id","id");--> statement-breakpoint
CREATE INDEX "journey_run_steps_journey_idx" ON "journey_run_steps" USING btree ("workspace_id","journey_id","step_id");--> statement-breakpoint
CREATE UNIQUE INDEX "journey_runs_active_key" ON "journey_runs" USING btree ("workspace_id","journey_id","customer_id") WHERE "journey_runs"."status" = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "journey_runs_entry_key" ON "journey_runs" USING btree ("workspace_id","journey_id","entry_key");--> statement-breakpoint
CREATE INDEX "journey_runs_due_idx" ON "journey_runs" USING btree ("due_at") WHERE "journey_runs"."status" = 'active' and "journey_runs"."due_at" is not null;--> statement-breakpoint
CREATE INDEX "journey_runs_customer_idx" ON "journey_runs" USING btree ("workspace_id","customer_id","entered_at");--> statement-breakpoint
CREATE INDEX "journey_runs_journey_idx" ON "journey_runs" USING btree ("workspace_id","journey_id","status");--> statement-breakpoint
CREATE INDEX "journeys_status_idx" ON "journeys" USING btree ("workspace_id","status");