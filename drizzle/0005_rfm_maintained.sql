CREATE TABLE "rfm_histograms" (
	"workspace_id" uuid NOT NULL,
	"dimension" text NOT NULL,
	"bucket" bigint NOT NULL,
	"customers" integer NOT NULL,
	CONSTRAINT "rfm_histograms_workspace_id_dimension_bucket_pk" PRIMARY KEY("workspace_id","dimension","bucket")
);
--> statement-breakpoint
ALTER TABLE "customer_metrics" ADD COLUMN "rfm_last_order_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "rfm_histograms" ADD CONSTRAINT "rfm_histograms_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "customers_deleted_idx" ON "customers" USING btree ("workspace_id","id") WHERE "customers"."deleted_at" is not null;--> statement-breakpoint
CREATE INDEX "customer_metrics_rfm_dirty_idx" ON "customer_metrics" USING btree ("workspace_id") WHERE (rfm_frequency is distinct from (case when last_order_at is null then null else order_count end) or rfm_monetary is distinct from (case when last_order_at is null then null else total_spend end) or rfm_last_order_at is distinct from last_order_at or scores_updated_at is null);--> statement-breakpoint
CREATE INDEX "customer_metrics_order_count_idx" ON "customer_metrics" USING btree ("workspace_id","order_count") WHERE "customer_metrics"."last_order_at" is not null;--> statement-breakpoint
CREATE INDEX "customer_metrics_total_spend_idx" ON "customer_metrics" USING btree ("workspace_id","total_spend") WHERE "customer_metrics"."last_order_at" is not null;