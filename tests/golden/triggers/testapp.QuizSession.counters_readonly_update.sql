-- read-only guard counters_readonly_update on testapp_quizsession (testapp.QuizSession): BEFORE UPDATE FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (OLD."answers_count" IS DISTINCT FROM NEW."answers_count")
NEW."answers_count" := OLD."answers_count";
RETURN NEW;
