-- trigger counters_truncate on testapp_lineitem (testapp.LineItem): AFTER TRUNCATE FOR EACH STATEMENT
PERFORM pg_advisory_xact_lock(1165328191, 408506467);
PERFORM 1 FROM "testapp_order" WHERE "first_item_at" IS NOT NULL OR "items_count" <> 0 OR "largest_amount" IS NOT NULL OR "total_amount" <> 0 OR "units" <> 0 ORDER BY "id" FOR NO KEY UPDATE;
UPDATE "testapp_order" SET "first_item_at" = NULL, "items_count" = 0, "largest_amount" = NULL, "total_amount" = 0, "units" = 0 WHERE "first_item_at" IS NOT NULL OR "items_count" <> 0 OR "largest_amount" IS NOT NULL OR "total_amount" <> 0 OR "units" <> 0;
DELETE FROM counters_delta WHERE counter IN (1001147830, -1614079849, -68104297, -136460322, -976768461, 1462487682, -369942622);
RETURN NULL;
