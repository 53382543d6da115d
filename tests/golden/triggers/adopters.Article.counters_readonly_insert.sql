-- read-only guard counters_readonly_insert on adopters_article (adopters.Article): BEFORE INSERT FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (NEW."comments_count" IS DISTINCT FROM 0 OR NEW."last_comment_at" IS DISTINCT FROM NULL OR NEW."likes_count" IS DISTINCT FROM 0)
NEW."comments_count" := 0;
NEW."last_comment_at" := NULL;
NEW."likes_count" := 0;
RETURN NEW;
