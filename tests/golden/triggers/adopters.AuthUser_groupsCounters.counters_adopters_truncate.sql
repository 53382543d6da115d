-- trigger counters_adopters_truncate on auth_user_groups (adopters.AuthUser_groupsCounters): AFTER TRUNCATE FOR EACH STATEMENT
PERFORM pg_advisory_xact_lock(1165328191, -1130938677);
PERFORM 1 FROM "adopters_sitetotals" WHERE "memberships_count" <> 0 ORDER BY "id" FOR NO KEY UPDATE;
UPDATE "adopters_sitetotals" SET "memberships_count" = 0 WHERE "memberships_count" <> 0;
DELETE FROM counters_delta WHERE counter IN (-1044422635);
RETURN NULL;
