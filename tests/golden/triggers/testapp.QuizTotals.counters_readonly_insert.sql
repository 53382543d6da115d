-- read-only guard counters_readonly_insert on testapp_quiztotals (testapp.QuizTotals): BEFORE INSERT FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (NEW."answering_profiles" IS DISTINCT FROM 0)
NEW."answering_profiles" := 0;
RETURN NEW;
