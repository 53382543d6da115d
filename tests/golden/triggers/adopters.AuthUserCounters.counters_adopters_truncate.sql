-- trigger counters_adopters_truncate on auth_user (adopters.AuthUserCounters): AFTER TRUNCATE FOR EACH STATEMENT
PERFORM pg_advisory_xact_lock(1165328191, -1761523349);
PERFORM 1 FROM "adopters_memberstats" WHERE "likes_given" <> 0 ORDER BY "user_id" FOR NO KEY UPDATE;
UPDATE "adopters_memberstats" SET "likes_given" = 0 WHERE "likes_given" <> 0;
DELETE FROM counters_delta WHERE counter IN (1307081512);
PERFORM pg_advisory_xact_lock(1165328191, -1130938677);
PERFORM 1 FROM "adopters_sitetotals" WHERE "staff_count" <> 0 OR "users_count" <> 0 ORDER BY "id" FOR NO KEY UPDATE;
UPDATE "adopters_sitetotals" SET "staff_count" = 0, "users_count" = 0 WHERE "staff_count" <> 0 OR "users_count" <> 0;
DELETE FROM counters_delta WHERE counter IN (1640070225, -78417697);
RETURN NULL;
