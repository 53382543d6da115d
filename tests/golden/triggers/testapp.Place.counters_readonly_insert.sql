-- read-only guard counters_readonly_insert on testapp_place (testapp.Place): BEFORE INSERT FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (NEW."reviews_count" IS DISTINCT FROM 0)
NEW."reviews_count" := 0;
RETURN NEW;
