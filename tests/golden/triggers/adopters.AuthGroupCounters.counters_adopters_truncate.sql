-- trigger counters_adopters_truncate on auth_group (adopters.AuthGroupCounters): AFTER TRUNCATE FOR EACH STATEMENT
PERFORM pg_advisory_xact_lock(1165328191, -1130938677);
PERFORM 1 FROM "adopters_sitetotals" WHERE "groups_count" <> 0 ORDER BY "id" FOR NO KEY UPDATE;
UPDATE "adopters_sitetotals" SET "groups_count" = 0 WHERE "groups_count" <> 0;
DELETE FROM counters_delta WHERE counter IN (-290199469);
RETURN NULL;
