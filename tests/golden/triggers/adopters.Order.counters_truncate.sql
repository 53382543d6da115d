-- trigger counters_truncate on adopters_order (adopters.Order): AFTER TRUNCATE FOR EACH STATEMENT
PERFORM pg_advisory_xact_lock(1165328191, -1236747129);
PERFORM 1 FROM "adopters_shop" WHERE "paid_orders_count" <> 0 OR "paid_total" <> 0 ORDER BY "id" FOR NO KEY UPDATE;
UPDATE "adopters_shop" SET "paid_orders_count" = 0, "paid_total" = 0 WHERE "paid_orders_count" <> 0 OR "paid_total" <> 0;
DELETE FROM counters_delta WHERE counter IN (-1624360583, -561523171);
RETURN NULL;
