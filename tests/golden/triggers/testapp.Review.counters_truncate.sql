-- trigger counters_truncate on testapp_review (testapp.Review): AFTER TRUNCATE FOR EACH STATEMENT
PERFORM pg_advisory_xact_lock(1165328191, -1720872906);
PERFORM 1 FROM "testapp_place" WHERE "reviews_count" <> 0 ORDER BY "id" FOR NO KEY UPDATE;
UPDATE "testapp_place" SET "reviews_count" = 0 WHERE "reviews_count" <> 0;
DELETE FROM counters_delta WHERE counter IN (2107941830);
RETURN NULL;
