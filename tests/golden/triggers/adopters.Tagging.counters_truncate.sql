-- trigger counters_truncate on public"."Adopters_Taggings (adopters.Tagging): AFTER TRUNCATE FOR EACH STATEMENT
PERFORM pg_advisory_xact_lock(1165328191, 516563970);
PERFORM 1 FROM "adopters_tag" WHERE "uses_count" <> 0 ORDER BY "name" FOR NO KEY UPDATE;
UPDATE "adopters_tag" SET "uses_count" = 0 WHERE "uses_count" <> 0;
DELETE FROM counters_delta WHERE counter IN (1718715687);
RETURN NULL;
