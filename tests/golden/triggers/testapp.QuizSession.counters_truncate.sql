-- trigger counters_truncate on testapp_quizsession (testapp.QuizSession): AFTER TRUNCATE FOR EACH STATEMENT
PERFORM pg_advisory_xact_lock(1165328191, -193827837);
PERFORM 1 FROM "testapp_profile" WHERE "answers_count" <> 0 OR "correct_answers_count" <> 0 OR "first_answer_at" IS NOT NULL OR "last_correct_answer_at" IS NOT NULL ORDER BY "user_id" FOR NO KEY UPDATE;
UPDATE "testapp_profile" SET "answers_count" = 0, "correct_answers_count" = 0, "first_answer_at" = NULL, "last_correct_answer_at" = NULL WHERE "answers_count" <> 0 OR "correct_answers_count" <> 0 OR "first_answer_at" IS NOT NULL OR "last_correct_answer_at" IS NOT NULL;
DELETE FROM counters_delta WHERE counter IN (-1471082091, -353915663, 1953213443, 410617596, -1579148123, 66161049);
RETURN NULL;
