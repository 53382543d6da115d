-- trigger counters_truncate on testapp_profile (testapp.Profile): AFTER TRUNCATE FOR EACH STATEMENT
PERFORM pg_advisory_xact_lock(1165328191, -1091939301);
PERFORM 1 FROM "testapp_quiztotals" WHERE "answering_profiles" <> 0 ORDER BY "id" FOR NO KEY UPDATE;
UPDATE "testapp_quiztotals" SET "answering_profiles" = 0 WHERE "answering_profiles" <> 0;
DELETE FROM counters_delta WHERE counter IN (1939868221);
RETURN NULL;
