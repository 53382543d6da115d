-- read-only guard counters_readonly_update on testapp_profile (testapp.Profile): BEFORE UPDATE FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (OLD."answers_count" IS DISTINCT FROM NEW."answers_count" OR OLD."correct_answers_count" IS DISTINCT FROM NEW."correct_answers_count" OR OLD."first_answer_at" IS DISTINCT FROM NEW."first_answer_at" OR OLD."last_correct_answer_at" IS DISTINCT FROM NEW."last_correct_answer_at")
NEW."answers_count" := OLD."answers_count";
NEW."correct_answers_count" := OLD."correct_answers_count";
NEW."first_answer_at" := OLD."first_answer_at";
NEW."last_correct_answer_at" := OLD."last_correct_answer_at";
RETURN NEW;
