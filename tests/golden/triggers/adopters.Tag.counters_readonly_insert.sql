-- read-only guard counters_readonly_insert on adopters_tag (adopters.Tag): BEFORE INSERT FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (NEW."uses_count" IS DISTINCT FROM 0)
NEW."uses_count" := 0;
RETURN NEW;
