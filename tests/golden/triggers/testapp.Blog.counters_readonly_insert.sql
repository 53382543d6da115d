-- read-only guard counters_readonly_insert on testapp_blog (testapp.Blog): BEFORE INSERT FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (NEW."articles_count" IS DISTINCT FROM 0 OR NEW."published_count" IS DISTINCT FROM 0)
NEW."articles_count" := 0;
NEW."published_count" := 0;
RETURN NEW;
