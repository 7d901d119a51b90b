-- A live segment update evaluates a few thousand customers at a time, one customer's events by
-- this index each ("added to cart in 7 days": the customer's events of the last 7 days, then
-- their names). With the name in the index those are read from the index alone, a page or two
-- per customer, instead of one table page per event (1M customers / 20M events: 2,500
-- customers against a 4-condition segment in 300 ms instead of 600-900 ms). The key, and so
-- the timeline's order, is unchanged. drizzle's schema cannot state INCLUDE: src/events/schema.ts
-- names the same columns and points here.
DROP INDEX IF EXISTS "events_customer_idx";--> statement-breakpoint
CREATE INDEX "events_customer_idx" ON "events" USING btree ("workspace_id","customer_id","timestamp") INCLUDE ("name");
