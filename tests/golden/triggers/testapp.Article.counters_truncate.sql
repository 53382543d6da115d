-- trigger counters_truncate on testapp_article (testapp.Article): AFTER TRUNCATE FOR EACH STATEMENT
PERFORM pg_advisory_xact_lock(1165328191, -315473578);
PERFORM 1 FROM "testapp_blog" WHERE "articles_count" <> 0 OR "published_count" <> 0 ORDER BY "id" FOR NO KEY UPDATE;
UPDATE "testapp_blog" SET "articles_count" = 0, "published_count" = 0 WHERE "articles_count" <> 0 OR "published_count" <> 0;
DELETE FROM counters_delta WHERE counter IN (-1547094542, -1096259831);
RETURN NULL;
