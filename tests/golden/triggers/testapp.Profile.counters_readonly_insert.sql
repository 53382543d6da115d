-- read-only guard counters_readonly_insert on testapp_profile (testapp.Profile): BEFORE INSERT FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (NEW."answers_count" IS DISTINCT FROM 0 OR NEW."correct_answers_count" IS DISTINCT FROM 0 OR NEW."first_answer_at" IS DISTINCT FROM NULL OR NEW."last_correct_answer_at" IS DISTINCT FROM NULL)
NEW."answers_count" := 0;
NEW."correct_answers_count" := 0;
NEW."first_answer_at" := NULL;
NEW."last_correct_answer_at" := NULL;
RETURN NEW;
