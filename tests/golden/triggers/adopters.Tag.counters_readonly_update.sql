-- read-only guard counters_readonly_update on adopters_tag (adopters.Tag): BEFORE UPDATE FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (OLD."uses_count" IS DISTINCT FROM NEW."uses_count")
NEW."uses_count" := OLD."uses_count";
RETURN NEW;
