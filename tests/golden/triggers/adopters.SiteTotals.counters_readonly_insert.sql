-- read-only guard counters_readonly_insert on adopters_sitetotals (adopters.SiteTotals): BEFORE INSERT FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (NEW."groups_count" IS DISTINCT FROM 0 OR NEW."memberships_count" IS DISTINCT FROM 0 OR NEW."staff_count" IS DISTINCT FROM 0 OR NEW."users_count" IS DISTINCT FROM 0)
NEW."groups_count" := 0;
NEW."memberships_count" := 0;
NEW."staff_count" := 0;
NEW."users_count" := 0;
RETURN NEW;
