-- read-only guard counters_readonly_insert on adopters_memberstats (adopters.MemberStats): BEFORE INSERT FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (NEW."likes_given" IS DISTINCT FROM 0)
NEW."likes_given" := 0;
RETURN NEW;
