-- read-only guard counters_readonly_update on testapp_place (testapp.Place): BEFORE UPDATE FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (OLD."reviews_count" IS DISTINCT FROM NEW."reviews_count")
NEW."reviews_count" := OLD."reviews_count";
RETURN NEW;
