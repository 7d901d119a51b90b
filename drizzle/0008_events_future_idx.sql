-- Events dated ahead of their arrival (ingestion accepts up to a day): a live segment update at
-- their arrival does not count them in a "within the last N" window yet, and the sweep finds
-- them here once the window reaches them (src/segments/sweep.ts). Only such events are in the
-- index, so it stays small and costs ingestion nothing for the rest. drizzle's schema cannot state
-- INCLUDE: src/events/schema.ts names the same key and points here.
CREATE INDEX "events_future_idx" ON "events" USING btree ("workspace_id","timestamp") INCLUDE ("customer_id","name") WHERE "events"."timestamp" > "events"."received_at";
