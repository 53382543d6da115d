-- trigger counters_truncate on adopters_comment (adopters.Comment): AFTER TRUNCATE FOR EACH STATEMENT
PERFORM pg_advisory_xact_lock(1165328191, 2103454382);
PERFORM 1 FROM "adopters_article" WHERE "comments_count" <> 0 OR "last_comment_at" IS NOT NULL ORDER BY "id" FOR NO KEY UPDATE;
UPDATE "adopters_article" SET "comments_count" = 0, "last_comment_at" = NULL WHERE "comments_count" <> 0 OR "last_comment_at" IS NOT NULL;
DELETE FROM counters_delta WHERE counter IN (-617392757, 971165650, -1528015454);
RETURN NULL;
