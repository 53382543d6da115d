-- trigger counters_adopters_truncate on adopters_article_likes (adopters.AdoptersArticle_likesCounters): AFTER TRUNCATE FOR EACH STATEMENT
PERFORM pg_advisory_xact_lock(1165328191, 2103454382);
PERFORM 1 FROM "adopters_article" WHERE "likes_count" <> 0 ORDER BY "id" FOR NO KEY UPDATE;
UPDATE "adopters_article" SET "likes_count" = 0 WHERE "likes_count" <> 0;
DELETE FROM counters_delta WHERE counter IN (-1745088253);
PERFORM pg_advisory_xact_lock(1165328191, -1761523349);
PERFORM 1 FROM "adopters_memberstats" WHERE "likes_given" <> 0 ORDER BY "user_id" FOR NO KEY UPDATE;
UPDATE "adopters_memberstats" SET "likes_given" = 0 WHERE "likes_given" <> 0;
DELETE FROM counters_delta WHERE counter IN (1307081512);
RETURN NULL;
