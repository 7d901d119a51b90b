-- The customer sample (src/db/sample.ts): 1 customer in 100, by a hash of the id. A segment
-- preview evaluates its definition over the sample alone and scales the count up; these partial
-- indexes hold only the sample's rows, so that reads 1% of the events instead of all of them.
-- The events index carries the customer id (INCLUDE, which drizzle's schema cannot state), as
-- events_name_idx does (0006), so behaviour conditions read it from the index alone.
CREATE INDEX "customers_sample_idx" ON "customers" USING btree ("workspace_id","id") WHERE "customers"."deleted_at" is null and "customers"."merged_into_id" is null and mod(('x' || substr(md5('rapport-sample:' || "customers"."id"::text), 1, 8))::bit(32)::bigint, 100) = 0;--> statement-breakpoint
CREATE INDEX "events_sample_idx" ON "events" USING btree ("workspace_id","name","timestamp") INCLUDE ("customer_id") WHERE mod(('x' || substr(md5('rapport-sample:' || "events"."customer_id"::text), 1, 8))::bit(32)::bigint, 100) = 0;--> statement-breakpoint
CREATE INDEX "orders_sample_idx" ON "orders" USING btree ("workspace_id","placed_at") WHERE mod(('x' || substr(md5('rapport-sample:' || "orders"."customer_id"::text), 1, 8))::bit(32)::bigint, 100) = 0;