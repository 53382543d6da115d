-- read-only guard counters_readonly_update on testapp_blog (testapp.Blog): BEFORE UPDATE FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (OLD."articles_count" IS DISTINCT FROM NEW."articles_count" OR OLD."published_count" IS DISTINCT FROM NEW."published_count")
NEW."articles_count" := OLD."articles_count";
NEW."published_count" := OLD."published_count";
RETURN NEW;
