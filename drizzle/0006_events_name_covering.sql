-- Segment conditions on behaviour ("viewed a product 3+ times in 30 days") read the customer of
-- every event of one name in a time window. With the customer id in the index they are read
-- from the index alone instead of from the table's pages (1M customers / 20M events: 3.7M rows
-- in 0.8 s instead of 6 s). drizzle's schema cannot state INCLUDE: src/events/schema.ts names
-- the same columns and points here.
DROP INDEX IF EXISTS "events_name_idx";--> statement-breakpoint
CREATE INDEX "events_name_idx" ON "events" USING btree ("workspace_id","name","timestamp") INCLUDE ("customer_id");
