-- What counts as an abandoned cart now: lines abandoned and still in the cart (a line bought or
-- removed since leaves it), src/commerce/carts.ts. The count each customer holds is brought to
-- that definition once, and the starter segment "Abandoned cart in 24 h" of every workspace,
-- where nobody has changed it, asks for an abandoned line still in the cart besides the event
-- (customers it no longer holds leave at their next change or the sweep).
UPDATE "customer_metrics" m SET "abandoned_cart_items" = c.n, "updated_at" = now()
FROM (
  SELECT m2.workspace_id, m2.customer_id, (
    SELECT count(*)::int FROM "cart_items" ci
    WHERE ci.workspace_id = m2.workspace_id AND ci.customer_id = m2.customer_id
      AND ci.abandoned_at IS NOT NULL AND ci.ordered_at IS NULL AND ci.removed_at IS NULL) AS n
  FROM "customer_metrics" m2 WHERE m2.abandoned_cart_items > 0
) c
WHERE m.workspace_id = c.workspace_id AND m.customer_id = c.customer_id AND m.abandoned_cart_items <> c.n;--> statement-breakpoint
UPDATE "segments" SET
  "definition" = '{"and":[{"type":"event","name":"Cart Abandoned","within":{"hours":24}},{"type":"metric","field":"abandoned_cart","op":"eq","value":true}]}'::jsonb,
  "description" = CASE WHEN "description" = 'Left a cart in the last 24 hours' THEN 'Left a cart in the last 24 hours and has not bought or removed it since' ELSE "description" END,
  "updated_at" = now()
WHERE "starter_key" = 'abandoned-cart-24h'
  AND "definition" = '{"type":"event","name":"Cart Abandoned","within":{"hours":24}}'::jsonb;
