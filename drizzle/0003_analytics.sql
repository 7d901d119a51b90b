CREATE TABLE "analytics_runs" (
	"workspace_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"kind" text NOT NULL,
	"mode" text NOT NULL,
	"status" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"customers" integer DEFAULT 0 NOT NULL,
	"duration_ms" integer,
	"result" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text,
	CONSTRAINT "analytics_runs_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "analytics_settings" (
	"workspace_id" uuid PRIMARY KEY NOT NULL,
	"rfm_window_days" integer,
	"grades" jsonb,
	"churn_p_alive" real DEFAULT 0.5 NOT NULL,
	"churn_recency_days" integer DEFAULT 120 NOT NULL,
	"dormant_days" integer DEFAULT 30 NOT NULL,
	"prediction_days" integer DEFAULT 90 NOT NULL,
	"clv_horizon_days" integer DEFAULT 365 NOT NULL,
	"clv_discount_rate" real DEFAULT 0.1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "basket_rules" (
	"workspace_id" uuid NOT NULL,
	"level" text NOT NULL,
	"rank" integer NOT NULL,
	"antecedent" text[] NOT NULL,
	"consequent" text NOT NULL,
	"count" integer NOT NULL,
	"support" double precision NOT NULL,
	"confidence" double precision NOT NULL,
	"lift" double precision NOT NULL,
	"computed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "basket_rules_workspace_id_level_rank_pk" PRIMARY KEY("workspace_id","level","rank")
);
--> statement-breakpoint
CREATE TABLE "customer_recommendations" (
	"workspace_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"rank" smallint NOT NULL,
	"product_id" uuid NOT NULL,
	"score" real NOT NULL,
	"reasons" text[] NOT NULL,
	"computed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "customer_recommendations_workspace_id_customer_id_rank_pk" PRIMARY KEY("workspace_id","customer_id","rank")
);
--> statement-breakpoint
ALTER TABLE "customer_metrics" ADD COLUMN "rfm_frequency" integer;--> statement-breakpoint
ALTER TABLE "customer_metrics" ADD COLUMN "rfm_monetary" bigint;--> statement-breakpoint
ALTER TABLE "customer_metrics" ADD COLUMN "rfm_r" smallint;--> statement-breakpoint
ALTER TABLE "customer_metrics" ADD COLUMN "rfm_f" smallint;--> statement-breakpoint
ALTER TABLE "customer_metrics" ADD COLUMN "rfm_m" smallint;--> statement-breakpoint
ALTER TABLE "customer_metrics" ADD COLUMN "rfm_segment" text;--> statement-breakpoint
ALTER TABLE "customer_metrics" ADD COLUMN "grade" text;--> statement-breakpoint
ALTER TABLE "customer_metrics" ADD COLUMN "grade_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "customer_metrics" ADD COLUMN "expected_purchases" double precision;--> statement-breakpoint
ALTER TABLE "customer_metrics" ADD COLUMN "p_alive" double precision;--> statement-breakpoint
ALTER TABLE "customer_metrics" ADD COLUMN "clv" bigint;--> statement-breakpoint
ALTER TABLE "customer_metrics" ADD COLUMN "churn_risk" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "customer_metrics" ADD COLUMN "churn_flagged_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "customer_metrics" ADD COLUMN "churn_priority" double precision;--> statement-breakpoint
ALTER TABLE "customer_metrics" ADD COLUMN "scores_updated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "analytics_runs" ADD CONSTRAINT "analytics_runs_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_settings" ADD CONSTRAINT "analytics_settings_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "basket_rules" ADD CONSTRAINT "basket_rules_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_recommendations" ADD CONSTRAINT "customer_recommendations_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "analytics_runs_kind_idx" ON "analytics_runs" USING btree ("workspace_id","kind","started_at");--> statement-breakpoint
CREATE INDEX "basket_rules_consequent_idx" ON "basket_rules" USING btree ("workspace_id","level","consequent");--> statement-breakpoint
CREATE INDEX "customer_metrics_churn_idx" ON "customer_metrics" USING btree ("workspace_id","churn_priority") WHERE "customer_metrics"."churn_risk";