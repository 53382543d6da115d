-- read-only guard counters_readonly_update on testapp_quiztotals (testapp.QuizTotals): BEFORE UPDATE FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (OLD."answering_profiles" IS DISTINCT FROM NEW."answering_profiles")
NEW."answering_profiles" := OLD."answering_profiles";
RETURN NEW;
