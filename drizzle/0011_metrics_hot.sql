-- customer_metrics: every update an event makes can be a HOT update (no new entry in any index).
-- 0010 indexed the UTC day of last_seen_at; the day still changes on each customer's first event
-- of a day, and that update wrote a new entry into each of the table's six indexes: one random
-- leaf page of each, with a full-page image in the WAL after every checkpoint. At 5,000 events/s
-- spread over 1M customers (the segments bench) nearly every event is a customer's first of the
-- day: on fresh data, 2,910 events/s before and 3,935 after (docs/events.md). The sweep now
-- finds customers whose last visit left a window by reading the table (as it does for
-- first_seen_at), once per sweep.
-- fillfactor 80: room on each page for a row's new version, which a HOT update needs. It applies
-- to pages written from now on; existing pages gain it as their rows move.
DROP INDEX "customer_metrics_last_seen_day_idx";--> statement-breakpoint
ALTER TABLE "customer_metrics" DROP COLUMN "last_seen_day";--> statement-breakpoint
ALTER TABLE "customer_metrics" SET (fillfactor = 80);
