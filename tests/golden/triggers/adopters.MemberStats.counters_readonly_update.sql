-- read-only guard counters_readonly_update on adopters_memberstats (adopters.MemberStats): BEFORE UPDATE FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (OLD."likes_given" IS DISTINCT FROM NEW."likes_given")
NEW."likes_given" := OLD."likes_given";
RETURN NEW;
