-- read-only guard counters_readonly_update on adopters_article (adopters.Article): BEFORE UPDATE FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (OLD."comments_count" IS DISTINCT FROM NEW."comments_count" OR OLD."last_comment_at" IS DISTINCT FROM NEW."last_comment_at" OR OLD."likes_count" IS DISTINCT FROM NEW."likes_count")
NEW."comments_count" := OLD."comments_count";
NEW."last_comment_at" := OLD."last_comment_at";
NEW."likes_count" := OLD."likes_count";
RETURN NEW;
