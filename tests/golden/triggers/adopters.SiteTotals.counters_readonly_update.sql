-- read-only guard counters_readonly_update on adopters_sitetotals (adopters.SiteTotals): BEFORE UPDATE FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (OLD."groups_count" IS DISTINCT FROM NEW."groups_count" OR OLD."memberships_count" IS DISTINCT FROM NEW."memberships_count" OR OLD."staff_count" IS DISTINCT FROM NEW."staff_count" OR OLD."users_count" IS DISTINCT FROM NEW."users_count")
NEW."groups_count" := OLD."groups_count";
NEW."memberships_count" := OLD."memberships_count";
NEW."staff_count" := OLD."staff_count";
NEW."users_count" := OLD."users_count";
RETURN NEW;
