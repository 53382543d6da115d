-- counter testapp.QuizSession.answers_count (id 38350669 in counters_delta): testapp.Answer rows by session

-- trigger counters_delete on testapp_answer (testapp.Answer): AFTER DELETE FOR EACH STATEMENT
DECLARE _new0 integer[]; _folded record;
WITH delta AS MATERIALIZED (
    SELECT part.counter, part.key, CASE
        WHEN part.counter IN (1953213443, 410617596) THEN min(part.delta)  -- testapp.Profile.first_answer_at: its extreme; markers: one row
        WHEN part.counter IN (-1579148123, 66161049) THEN max(part.delta)  -- testapp.Profile.last_correct_answer_at: its extreme; markers: one row
        ELSE sum(part.delta)::bigint END AS delta
    FROM (
        SELECT -1471082091, r.key::text, -count(*) FROM (
            SELECT s1."user_id" AS key FROM counters_old AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL ORDER BY s1."id" FOR SHARE OF s1
        ) AS r GROUP BY r.key  -- testapp.Profile.answers_count
        UNION ALL
        SELECT -353915663, r.key::text, -count(*) FROM (
            SELECT s1."user_id" AS key FROM counters_old AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND (s0."correct") ORDER BY s1."id" FOR SHARE OF s1
        ) AS r GROUP BY r.key  -- testapp.Profile.correct_answers_count
        UNION ALL
        SELECT 410617596, r.key::text, 1 FROM (
            SELECT s1."user_id" AS key, s0."answered_at" AS value FROM counters_old AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL ORDER BY s1."id" FOR SHARE OF s1
        ) AS r GROUP BY r.key  -- testapp.Profile.first_answer_at
        UNION ALL
        SELECT 66161049, r.key::text, 1 FROM (
            SELECT s1."user_id" AS key, s0."answered_at" AS value FROM counters_old AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL AND (s0."correct") ORDER BY s1."id" FOR SHARE OF s1
        ) AS r GROUP BY r.key  -- testapp.Profile.last_correct_answer_at
        UNION ALL
        SELECT 38350669, r.key::text, -count(*) FROM (
            SELECT s0."session_id" AS key FROM counters_old AS s0 WHERE s0."session_id" IS NOT NULL
        ) AS r GROUP BY r.key  -- testapp.QuizSession.answers_count
    ) AS part (counter, key, delta)
    GROUP BY part.counter, part.key
    HAVING part.counter IN (1953213443, 410617596, -1579148123, 66161049) OR sum(part.delta) <> 0
),
appended AS (
    INSERT INTO counters_delta (counter, key, delta)
    SELECT delta.counter, delta.key, delta.delta FROM delta
)
SELECT array_agg(delta.key::integer) FILTER (  -- "testapp_profile": keys counted for the first time
           WHERE ((delta.counter IN (-1471082091, -353915663) AND delta.delta > 0) OR (delta.counter IN (1953213443, -1579148123)))
             AND NOT EXISTS (SELECT 1 FROM "testapp_profile" AS t WHERE t."user_id" = delta.key::integer))
INTO _new0
FROM delta;
IF _new0 IS NOT NULL THEN  -- "testapp_profile": their row, with zeros, for the fold to add into,
    INSERT INTO "testapp_profile" ("user_id")  -- unless another writer is creating it right now (no waiting;
    SELECT DISTINCT k.key FROM unnest(_new0) AS k (key)  -- a bulk statement creates in key order)
    WHERE cardinality(_new0) > 64 OR pg_try_advisory_xact_lock(-193827837, hashtext(k.key::text))
    ORDER BY 1 ON CONFLICT DO NOTHING;
END IF;
IF random() < 1.0 / 64 THEN  -- now and then a writer folds a batch, when no folder runs ...
    IF (CASE WHEN pg_try_advisory_lock_shared(-12837143) THEN pg_advisory_unlock_shared(-12837143) ELSE false END) AND pg_try_advisory_xact_lock(1165328191, -193827837) THEN  -- ... and nobody is folding this table
        WITH pending AS (
            (  -- the keys this statement touched (the hot ones)
                SELECT touched.key FROM (
                    SELECT r.key::text FROM (
                        SELECT s1."user_id" AS key FROM counters_old AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL ORDER BY s1."id" FOR SHARE OF s1
                    ) AS r  -- testapp.Profile.answers_count
                    UNION
                    SELECT r.key::text FROM (
                        SELECT s1."user_id" AS key FROM counters_old AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND (s0."correct") ORDER BY s1."id" FOR SHARE OF s1
                    ) AS r  -- testapp.Profile.correct_answers_count
                    UNION
                    SELECT r.key::text FROM (
                        SELECT s1."user_id" AS key, s0."answered_at" AS value FROM counters_old AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL ORDER BY s1."id" FOR SHARE OF s1
                    ) AS r  -- testapp.Profile.first_answer_at
                    UNION
                    SELECT r.key::text FROM (
                        SELECT s1."user_id" AS key, s0."answered_at" AS value FROM counters_old AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL AND (s0."correct") ORDER BY s1."id" FOR SHARE OF s1
                    ) AS r  -- testapp.Profile.last_correct_answer_at
                ) AS touched (key)
                LIMIT 256
            )
            UNION
            (
                SELECT p.key FROM counters_delta AS p
                WHERE p.counter IN (-1471082091, -353915663, 1953213443, 410617596, -1579148123, 66161049)
                GROUP BY p.key ORDER BY p.key LIMIT 256
            )
        ),
        taken AS (  -- the target rows nobody holds right now
            SELECT t."user_id" FROM "testapp_profile" AS t
            WHERE t."user_id" IN (SELECT pending.key::integer FROM pending)
            ORDER BY t."user_id" FOR NO KEY UPDATE SKIP LOCKED
        ),
        moved AS (
            DELETE FROM counters_delta AS p
            WHERE p.counter IN (-1471082091, -353915663, 1953213443, 410617596, -1579148123, 66161049) AND p.key IN (SELECT taken."user_id"::text FROM taken)
            RETURNING p.counter, p.key, p.delta
        ),
        summed AS (
            SELECT moved.key, sum(moved.delta) FILTER (WHERE moved.counter = -1471082091) AS d0, sum(moved.delta) FILTER (WHERE moved.counter = -353915663) AS d1, min(moved.delta) FILTER (WHERE moved.counter = 1953213443) AS d2, bool_or(moved.counter = 410617596) AS m2, max(moved.delta) FILTER (WHERE moved.counter = -1579148123) AS d3, bool_or(moved.counter = 66161049) AS m3
            FROM moved GROUP BY moved.key
        ),
        folded AS (
            UPDATE "testapp_profile" AS t SET "answers_count" = t."answers_count" + coalesce(summed.d0, 0), "correct_answers_count" = t."correct_answers_count" + coalesce(summed.d1, 0), "first_answer_at" = (CASE WHEN summed.m2 THEN (SELECT min(r.value) FROM (SELECT s1."user_id" AS key, s0."answered_at" AS value FROM "testapp_answer" AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL) AS r WHERE r.key = t."user_id") ELSE least(t."first_answer_at", (timestamptz 'epoch' + (summed.d2) * interval '1 microsecond')) END)::timestamp with time zone, "last_correct_answer_at" = (CASE WHEN summed.m3 THEN (SELECT max(r.value) FROM (SELECT s1."user_id" AS key, s0."answered_at" AS value FROM "testapp_answer" AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL AND (s0."correct")) AS r WHERE r.key = t."user_id") ELSE greatest(t."last_correct_answer_at", (timestamptz 'epoch' + (summed.d3) * interval '1 microsecond')) END)::timestamp with time zone
            FROM summed WHERE t."user_id" = summed.key::integer
            RETURNING 1
        ),
        rowless AS (  -- pending keys without their row: not created yet, or gone
            SELECT pending.key FROM pending
            WHERE NOT EXISTS (SELECT 1 FROM "testapp_profile" AS t WHERE t."user_id" = pending.key::integer)
        ),
        orphans AS (  -- deltas of rows that are gone (their owner was deleted)
            DELETE FROM counters_delta AS p
            WHERE p.counter IN (-1471082091, -353915663, 1953213443, 410617596, -1579148123, 66161049) AND p.key IN (SELECT rowless.key FROM rowless)
              AND NOT EXISTS (SELECT 1 FROM "auth_user" AS o WHERE o."id" = p.key::integer)
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM orphans) AS orphans,
               (SELECT count(*) FROM pending) AS seen, (SELECT max(pending.key) FROM pending) AS last_key,
               (SELECT count(*) FROM folded) AS updated, (SELECT count(*) FROM rowless) AS rowless INTO _folded;
        IF _folded.rowless > 0 THEN
            INSERT INTO "testapp_profile" ("user_id")  -- rows still missing: their first writer rolled back, or skipped
            SELECT pending.key::integer  -- creating them while another writer was at it
            FROM (
                SELECT DISTINCT p.key FROM counters_delta AS p
                WHERE p.counter IN (-1471082091, -353915663, 1953213443, 410617596, -1579148123, 66161049)
                ORDER BY p.key LIMIT 256
            ) AS pending
            WHERE NOT EXISTS (SELECT 1 FROM "testapp_profile" AS t WHERE t."user_id" = pending.key::integer)
              AND pending.key::integer IN (  -- whose owner exists and is not being deleted right now
                  SELECT o."id" FROM "auth_user" AS o WHERE o."id" = pending.key::integer
                  FOR KEY SHARE SKIP LOCKED)
              AND pg_try_advisory_xact_lock(-193827837, hashtext(pending.key))  -- nobody else creating it now
            ORDER BY 1
            ON CONFLICT DO NOTHING;
        END IF;
    END IF;
END IF;
IF random() < 1.0 / 64 THEN  -- now and then a writer folds a batch, when no folder runs ...
    IF (CASE WHEN pg_try_advisory_lock_shared(-12837143) THEN pg_advisory_unlock_shared(-12837143) ELSE false END) AND pg_try_advisory_xact_lock(1165328191, -1092402896) THEN  -- ... and nobody is folding this table
        WITH pending AS (
            (  -- the keys this statement touched (the hot ones)
                SELECT touched.key FROM (
                    SELECT r.key::text FROM (
                        SELECT s0."session_id" AS key FROM counters_old AS s0 WHERE s0."session_id" IS NOT NULL
                    ) AS r  -- testapp.QuizSession.answers_count
                ) AS touched (key)
                LIMIT 256
            )
            UNION
            (
                SELECT p.key FROM counters_delta AS p
                WHERE p.counter IN (38350669)
                GROUP BY p.key ORDER BY p.key LIMIT 256
            )
        ),
        taken AS (  -- the target rows nobody holds right now
            SELECT t."id" FROM "testapp_quizsession" AS t
            WHERE t."id" IN (SELECT pending.key::bigint FROM pending)
            ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
        ),
        moved AS (
            DELETE FROM counters_delta AS p
            WHERE p.counter IN (38350669) AND p.key IN (SELECT taken."id"::text FROM taken)
            RETURNING p.counter, p.key, p.delta
        ),
        summed AS (
            SELECT moved.key, sum(moved.delta) FILTER (WHERE moved.counter = 38350669) AS d0
            FROM moved GROUP BY moved.key
        ),
        folded AS (
            UPDATE "testapp_quizsession" AS t SET "answers_count" = t."answers_count" + coalesce(summed.d0, 0)
            FROM summed WHERE t."id" = summed.key::bigint
            RETURNING 1
        ),
        rowless AS (  -- pending keys without their row: not created yet, or gone
            SELECT pending.key FROM pending
            WHERE NOT EXISTS (SELECT 1 FROM "testapp_quizsession" AS t WHERE t."id" = pending.key::bigint)
        ),
        orphans AS (  -- deltas of rows that are gone (their owner was deleted)
            DELETE FROM counters_delta AS p
            WHERE p.counter IN (38350669) AND p.key IN (SELECT rowless.key FROM rowless)
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM orphans) AS orphans,
               (SELECT count(*) FROM pending) AS seen, (SELECT max(pending.key) FROM pending) AS last_key,
               (SELECT count(*) FROM folded) AS updated, (SELECT count(*) FROM rowless) AS rowless INTO _folded;
    END IF;
END IF;
RETURN NULL;

-- trigger counters_insert on testapp_answer (testapp.Answer): AFTER INSERT FOR EACH STATEMENT
DECLARE _new0 integer[]; _folded record;
WITH delta AS MATERIALIZED (
    SELECT part.counter, part.key, CASE
        WHEN part.counter IN (1953213443, 410617596) THEN min(part.delta)  -- testapp.Profile.first_answer_at: its extreme; markers: one row
        WHEN part.counter IN (-1579148123, 66161049) THEN max(part.delta)  -- testapp.Profile.last_correct_answer_at: its extreme; markers: one row
        ELSE sum(part.delta)::bigint END AS delta
    FROM (
        SELECT -1471082091, r.key::text, count(*) FROM (
            SELECT s1."user_id" AS key FROM counters_new AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL ORDER BY s1."id" FOR SHARE OF s1
        ) AS r GROUP BY r.key  -- testapp.Profile.answers_count
        UNION ALL
        SELECT -353915663, r.key::text, count(*) FROM (
            SELECT s1."user_id" AS key FROM counters_new AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND (s0."correct") ORDER BY s1."id" FOR SHARE OF s1
        ) AS r GROUP BY r.key  -- testapp.Profile.correct_answers_count
        UNION ALL
        SELECT 1953213443, r.key::text, min((extract(epoch FROM r.value) * 1000000)::bigint) FROM (
            SELECT s1."user_id" AS key, s0."answered_at" AS value FROM counters_new AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL ORDER BY s1."id" FOR SHARE OF s1
        ) AS r GROUP BY r.key  -- testapp.Profile.first_answer_at
        UNION ALL
        SELECT -1579148123, r.key::text, max((extract(epoch FROM r.value) * 1000000)::bigint) FROM (
            SELECT s1."user_id" AS key, s0."answered_at" AS value FROM counters_new AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL AND (s0."correct") ORDER BY s1."id" FOR SHARE OF s1
        ) AS r GROUP BY r.key  -- testapp.Profile.last_correct_answer_at
        UNION ALL
        SELECT 38350669, r.key::text, count(*) FROM (
            SELECT s0."session_id" AS key FROM counters_new AS s0 WHERE s0."session_id" IS NOT NULL
        ) AS r GROUP BY r.key  -- testapp.QuizSession.answers_count
    ) AS part (counter, key, delta)
    GROUP BY part.counter, part.key
    HAVING part.counter IN (1953213443, 410617596, -1579148123, 66161049) OR sum(part.delta) <> 0
),
appended AS (
    INSERT INTO counters_delta (counter, key, delta)
    SELECT delta.counter, delta.key, delta.delta FROM delta
)
SELECT array_agg(delta.key::integer) FILTER (  -- "testapp_profile": keys counted for the first time
           WHERE ((delta.counter IN (-1471082091, -353915663) AND delta.delta > 0) OR (delta.counter IN (1953213443, -1579148123)))
             AND NOT EXISTS (SELECT 1 FROM "testapp_profile" AS t WHERE t."user_id" = delta.key::integer))
INTO _new0
FROM delta;
IF _new0 IS NOT NULL THEN  -- "testapp_profile": their row, with zeros, for the fold to add into,
    INSERT INTO "testapp_profile" ("user_id")  -- unless another writer is creating it right now (no waiting;
    SELECT DISTINCT k.key FROM unnest(_new0) AS k (key)  -- a bulk statement creates in key order)
    WHERE cardinality(_new0) > 64 OR pg_try_advisory_xact_lock(-193827837, hashtext(k.key::text))
    ORDER BY 1 ON CONFLICT DO NOTHING;
END IF;
IF random() < 1.0 / 64 THEN  -- now and then a writer folds a batch, when no folder runs ...
    IF (CASE WHEN pg_try_advisory_lock_shared(-12837143) THEN pg_advisory_unlock_shared(-12837143) ELSE false END) AND pg_try_advisory_xact_lock(1165328191, -193827837) THEN  -- ... and nobody is folding this table
        WITH pending AS (
            (  -- the keys this statement touched (the hot ones)
                SELECT touched.key FROM (
                    SELECT r.key::text FROM (
                        SELECT s1."user_id" AS key FROM counters_new AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL ORDER BY s1."id" FOR SHARE OF s1
                    ) AS r  -- testapp.Profile.answers_count
                    UNION
                    SELECT r.key::text FROM (
                        SELECT s1."user_id" AS key FROM counters_new AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND (s0."correct") ORDER BY s1."id" FOR SHARE OF s1
                    ) AS r  -- testapp.Profile.correct_answers_count
                    UNION
                    SELECT r.key::text FROM (
                        SELECT s1."user_id" AS key, s0."answered_at" AS value FROM counters_new AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL ORDER BY s1."id" FOR SHARE OF s1
                    ) AS r  -- testapp.Profile.first_answer_at
                    UNION
                    SELECT r.key::text FROM (
                        SELECT s1."user_id" AS key, s0."answered_at" AS value FROM counters_new AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL AND (s0."correct") ORDER BY s1."id" FOR SHARE OF s1
                    ) AS r  -- testapp.Profile.last_correct_answer_at
                ) AS touched (key)
                LIMIT 256
            )
            UNION
            (
                SELECT p.key FROM counters_delta AS p
                WHERE p.counter IN (-1471082091, -353915663, 1953213443, 410617596, -1579148123, 66161049)
                GROUP BY p.key ORDER BY p.key LIMIT 256
            )
        ),
        taken AS (  -- the target rows nobody holds right now
            SELECT t."user_id" FROM "testapp_profile" AS t
            WHERE t."user_id" IN (SELECT pending.key::integer FROM pending)
            ORDER BY t."user_id" FOR NO KEY UPDATE SKIP LOCKED
        ),
        moved AS (
            DELETE FROM counters_delta AS p
            WHERE p.counter IN (-1471082091, -353915663, 1953213443, 410617596, -1579148123, 66161049) AND p.key IN (SELECT taken."user_id"::text FROM taken)
            RETURNING p.counter, p.key, p.delta
        ),
        summed AS (
            SELECT moved.key, sum(moved.delta) FILTER (WHERE moved.counter = -1471082091) AS d0, sum(moved.delta) FILTER (WHERE moved.counter = -353915663) AS d1, min(moved.delta) FILTER (WHERE moved.counter = 1953213443) AS d2, bool_or(moved.counter = 410617596) AS m2, max(moved.delta) FILTER (WHERE moved.counter = -1579148123) AS d3, bool_or(moved.counter = 66161049) AS m3
            FROM moved GROUP BY moved.key
        ),
        folded AS (
            UPDATE "testapp_profile" AS t SET "answers_count" = t."answers_count" + coalesce(summed.d0, 0), "correct_answers_count" = t."correct_answers_count" + coalesce(summed.d1, 0), "first_answer_at" = (CASE WHEN summed.m2 THEN (SELECT min(r.value) FROM (SELECT s1."user_id" AS key, s0."answered_at" AS value FROM "testapp_answer" AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL) AS r WHERE r.key = t."user_id") ELSE least(t."first_answer_at", (timestamptz 'epoch' + (summed.d2) * interval '1 microsecond')) END)::timestamp with time zone, "last_correct_answer_at" = (CASE WHEN summed.m3 THEN (SELECT max(r.value) FROM (SELECT s1."user_id" AS key, s0."answered_at" AS value FROM "testapp_answer" AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL AND (s0."correct")) AS r WHERE r.key = t."user_id") ELSE greatest(t."last_correct_answer_at", (timestamptz 'epoch' + (summed.d3) * interval '1 microsecond')) END)::timestamp with time zone
            FROM summed WHERE t."user_id" = summed.key::integer
            RETURNING 1
        ),
        rowless AS (  -- pending keys without their row: not created yet, or gone
            SELECT pending.key FROM pending
            WHERE NOT EXISTS (SELECT 1 FROM "testapp_profile" AS t WHERE t."user_id" = pending.key::integer)
        ),
        orphans AS (  -- deltas of rows that are gone (their owner was deleted)
            DELETE FROM counters_delta AS p
            WHERE p.counter IN (-1471082091, -353915663, 1953213443, 410617596, -1579148123, 66161049) AND p.key IN (SELECT rowless.key FROM rowless)
              AND NOT EXISTS (SELECT 1 FROM "auth_user" AS o WHERE o."id" = p.key::integer)
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM orphans) AS orphans,
               (SELECT count(*) FROM pending) AS seen, (SELECT max(pending.key) FROM pending) AS last_key,
               (SELECT count(*) FROM folded) AS updated, (SELECT count(*) FROM rowless) AS rowless INTO _folded;
        IF _folded.rowless > 0 THEN
            INSERT INTO "testapp_profile" ("user_id")  -- rows still missing: their first writer rolled back, or skipped
            SELECT pending.key::integer  -- creating them while another writer was at it
            FROM (
                SELECT DISTINCT p.key FROM counters_delta AS p
                WHERE p.counter IN (-1471082091, -353915663, 1953213443, 410617596, -1579148123, 66161049)
                ORDER BY p.key LIMIT 256
            ) AS pending
            WHERE NOT EXISTS (SELECT 1 FROM "testapp_profile" AS t WHERE t."user_id" = pending.key::integer)
              AND pending.key::integer IN (  -- whose owner exists and is not being deleted right now
                  SELECT o."id" FROM "auth_user" AS o WHERE o."id" = pending.key::integer
                  FOR KEY SHARE SKIP LOCKED)
              AND pg_try_advisory_xact_lock(-193827837, hashtext(pending.key))  -- nobody else creating it now
            ORDER BY 1
            ON CONFLICT DO NOTHING;
        END IF;
    END IF;
END IF;
IF random() < 1.0 / 64 THEN  -- now and then a writer folds a batch, when no folder runs ...
    IF (CASE WHEN pg_try_advisory_lock_shared(-12837143) THEN pg_advisory_unlock_shared(-12837143) ELSE false END) AND pg_try_advisory_xact_lock(1165328191, -1092402896) THEN  -- ... and nobody is folding this table
        WITH pending AS (
            (  -- the keys this statement touched (the hot ones)
                SELECT touched.key FROM (
                    SELECT r.key::text FROM (
                        SELECT s0."session_id" AS key FROM counters_new AS s0 WHERE s0."session_id" IS NOT NULL
                    ) AS r  -- testapp.QuizSession.answers_count
                ) AS touched (key)
                LIMIT 256
            )
            UNION
            (
                SELECT p.key FROM counters_delta AS p
                WHERE p.counter IN (38350669)
                GROUP BY p.key ORDER BY p.key LIMIT 256
            )
        ),
        taken AS (  -- the target rows nobody holds right now
            SELECT t."id" FROM "testapp_quizsession" AS t
            WHERE t."id" IN (SELECT pending.key::bigint FROM pending)
            ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
        ),
        moved AS (
            DELETE FROM counters_delta AS p
            WHERE p.counter IN (38350669) AND p.key IN (SELECT taken."id"::text FROM taken)
            RETURNING p.counter, p.key, p.delta
        ),
        summed AS (
            SELECT moved.key, sum(moved.delta) FILTER (WHERE moved.counter = 38350669) AS d0
            FROM moved GROUP BY moved.key
        ),
        folded AS (
            UPDATE "testapp_quizsession" AS t SET "answers_count" = t."answers_count" + coalesce(summed.d0, 0)
            FROM summed WHERE t."id" = summed.key::bigint
            RETURNING 1
        ),
        rowless AS (  -- pending keys without their row: not created yet, or gone
            SELECT pending.key FROM pending
            WHERE NOT EXISTS (SELECT 1 FROM "testapp_quizsession" AS t WHERE t."id" = pending.key::bigint)
        ),
        orphans AS (  -- deltas of rows that are gone (their owner was deleted)
            DELETE FROM counters_delta AS p
            WHERE p.counter IN (38350669) AND p.key IN (SELECT rowless.key FROM rowless)
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM orphans) AS orphans,
               (SELECT count(*) FROM pending) AS seen, (SELECT max(pending.key) FROM pending) AS last_key,
               (SELECT count(*) FROM folded) AS updated, (SELECT count(*) FROM rowless) AS rowless INTO _folded;
    END IF;
END IF;
RETURN NULL;

-- trigger counters_truncate on testapp_answer (testapp.Answer): AFTER TRUNCATE FOR EACH STATEMENT
-- "testapp_profile": a TRUNCATE on the path leaves nothing to count
PERFORM pg_advisory_xact_lock(1165328191, -193827837);  -- no fold of this table meanwhile
PERFORM 1 FROM "testapp_profile" WHERE "answers_count" <> 0 OR "correct_answers_count" <> 0 OR "first_answer_at" IS NOT NULL OR "last_correct_answer_at" IS NOT NULL ORDER BY "user_id" FOR NO KEY UPDATE;
UPDATE "testapp_profile" SET "answers_count" = 0, "correct_answers_count" = 0, "first_answer_at" = NULL, "last_correct_answer_at" = NULL WHERE "answers_count" <> 0 OR "correct_answers_count" <> 0 OR "first_answer_at" IS NOT NULL OR "last_correct_answer_at" IS NOT NULL;
DELETE FROM counters_delta WHERE counter IN (-1471082091, -353915663, 1953213443, 410617596, -1579148123, 66161049);
-- "testapp_quizsession": a TRUNCATE on the path leaves nothing to count
PERFORM pg_advisory_xact_lock(1165328191, -1092402896);  -- no fold of this table meanwhile
PERFORM 1 FROM "testapp_quizsession" WHERE "answers_count" <> 0 ORDER BY "id" FOR NO KEY UPDATE;
UPDATE "testapp_quizsession" SET "answers_count" = 0 WHERE "answers_count" <> 0;
DELETE FROM counters_delta WHERE counter IN (38350669);
RETURN NULL;

-- trigger counters_update on testapp_answer (testapp.Answer): AFTER UPDATE FOR EACH STATEMENT
DECLARE _new0 integer[]; _folded record;
WITH delta AS MATERIALIZED (
    SELECT part.counter, part.key, CASE
        WHEN part.counter IN (1953213443, 410617596) THEN min(part.delta)  -- testapp.Profile.first_answer_at: its extreme; markers: one row
        WHEN part.counter IN (-1579148123, 66161049) THEN max(part.delta)  -- testapp.Profile.last_correct_answer_at: its extreme; markers: one row
        ELSE sum(part.delta)::bigint END AS delta
    FROM (
        SELECT -1471082091, r.key::text, count(*) FROM (
            SELECT s1."user_id" AS key FROM counters_new AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL ORDER BY s1."id" FOR SHARE OF s1
        ) AS r GROUP BY r.key  -- testapp.Profile.answers_count
        UNION ALL
        SELECT -1471082091, r.key::text, -count(*) FROM (
            SELECT s1."user_id" AS key FROM counters_old AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL ORDER BY s1."id" FOR SHARE OF s1
        ) AS r GROUP BY r.key  -- testapp.Profile.answers_count
        UNION ALL
        SELECT -353915663, r.key::text, count(*) FROM (
            SELECT s1."user_id" AS key FROM counters_new AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND (s0."correct") ORDER BY s1."id" FOR SHARE OF s1
        ) AS r GROUP BY r.key  -- testapp.Profile.correct_answers_count
        UNION ALL
        SELECT -353915663, r.key::text, -count(*) FROM (
            SELECT s1."user_id" AS key FROM counters_old AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND (s0."correct") ORDER BY s1."id" FOR SHARE OF s1
        ) AS r GROUP BY r.key  -- testapp.Profile.correct_answers_count
        UNION ALL
        SELECT 1953213443, r.key::text, min((extract(epoch FROM r.value) * 1000000)::bigint) FROM (
            SELECT s1."user_id" AS key, s0."answered_at" AS value FROM counters_new AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM counters_old AS u WHERE u."id" = s0."id" AND u."session_id" IS NOT DISTINCT FROM s0."session_id" AND u."answered_at" IS NOT DISTINCT FROM s0."answered_at") ORDER BY s1."id" FOR SHARE OF s1
        ) AS r GROUP BY r.key  -- testapp.Profile.first_answer_at
        UNION ALL
        SELECT 410617596, r.key::text, 1 FROM (
            SELECT s1."user_id" AS key, s0."answered_at" AS value FROM counters_old AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM counters_new AS u WHERE u."id" = s0."id" AND u."session_id" IS NOT DISTINCT FROM s0."session_id" AND u."answered_at" IS NOT DISTINCT FROM s0."answered_at") ORDER BY s1."id" FOR SHARE OF s1
        ) AS r GROUP BY r.key  -- testapp.Profile.first_answer_at
        UNION ALL
        SELECT -1579148123, r.key::text, max((extract(epoch FROM r.value) * 1000000)::bigint) FROM (
            SELECT s1."user_id" AS key, s0."answered_at" AS value FROM counters_new AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL AND (s0."correct") AND NOT EXISTS (SELECT 1 FROM counters_old AS u WHERE u."id" = s0."id" AND u."session_id" IS NOT DISTINCT FROM s0."session_id" AND u."answered_at" IS NOT DISTINCT FROM s0."answered_at" AND (u."correct") IS NOT DISTINCT FROM (s0."correct")) ORDER BY s1."id" FOR SHARE OF s1
        ) AS r GROUP BY r.key  -- testapp.Profile.last_correct_answer_at
        UNION ALL
        SELECT 66161049, r.key::text, 1 FROM (
            SELECT s1."user_id" AS key, s0."answered_at" AS value FROM counters_old AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL AND (s0."correct") AND NOT EXISTS (SELECT 1 FROM counters_new AS u WHERE u."id" = s0."id" AND u."session_id" IS NOT DISTINCT FROM s0."session_id" AND u."answered_at" IS NOT DISTINCT FROM s0."answered_at" AND (u."correct") IS NOT DISTINCT FROM (s0."correct")) ORDER BY s1."id" FOR SHARE OF s1
        ) AS r GROUP BY r.key  -- testapp.Profile.last_correct_answer_at
        UNION ALL
        SELECT 38350669, r.key::text, count(*) FROM (
            SELECT s0."session_id" AS key FROM counters_new AS s0 WHERE s0."session_id" IS NOT NULL
        ) AS r GROUP BY r.key  -- testapp.QuizSession.answers_count
        UNION ALL
        SELECT 38350669, r.key::text, -count(*) FROM (
            SELECT s0."session_id" AS key FROM counters_old AS s0 WHERE s0."session_id" IS NOT NULL
        ) AS r GROUP BY r.key  -- testapp.QuizSession.answers_count
    ) AS part (counter, key, delta)
    GROUP BY part.counter, part.key
    HAVING part.counter IN (1953213443, 410617596, -1579148123, 66161049) OR sum(part.delta) <> 0
),
appended AS (
    INSERT INTO counters_delta (counter, key, delta)
    SELECT delta.counter, delta.key, delta.delta FROM delta
)
SELECT array_agg(delta.key::integer) FILTER (  -- "testapp_profile": keys counted for the first time
           WHERE ((delta.counter IN (-1471082091, -353915663) AND delta.delta > 0) OR (delta.counter IN (1953213443, -1579148123)))
             AND NOT EXISTS (SELECT 1 FROM "testapp_profile" AS t WHERE t."user_id" = delta.key::integer))
INTO _new0
FROM delta;
IF _new0 IS NOT NULL THEN  -- "testapp_profile": their row, with zeros, for the fold to add into,
    INSERT INTO "testapp_profile" ("user_id")  -- unless another writer is creating it right now (no waiting;
    SELECT DISTINCT k.key FROM unnest(_new0) AS k (key)  -- a bulk statement creates in key order)
    WHERE cardinality(_new0) > 64 OR pg_try_advisory_xact_lock(-193827837, hashtext(k.key::text))
    ORDER BY 1 ON CONFLICT DO NOTHING;
END IF;
IF random() < 1.0 / 64 THEN  -- now and then a writer folds a batch, when no folder runs ...
    IF (CASE WHEN pg_try_advisory_lock_shared(-12837143) THEN pg_advisory_unlock_shared(-12837143) ELSE false END) AND pg_try_advisory_xact_lock(1165328191, -193827837) THEN  -- ... and nobody is folding this table
        WITH pending AS (
            (  -- the keys this statement touched (the hot ones)
                SELECT touched.key FROM (
                    SELECT r.key::text FROM (
                        SELECT s1."user_id" AS key FROM counters_new AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL ORDER BY s1."id" FOR SHARE OF s1
                    ) AS r  -- testapp.Profile.answers_count
                    UNION
                    SELECT r.key::text FROM (
                        SELECT s1."user_id" AS key FROM counters_old AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL ORDER BY s1."id" FOR SHARE OF s1
                    ) AS r  -- testapp.Profile.answers_count
                    UNION
                    SELECT r.key::text FROM (
                        SELECT s1."user_id" AS key FROM counters_new AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND (s0."correct") ORDER BY s1."id" FOR SHARE OF s1
                    ) AS r  -- testapp.Profile.correct_answers_count
                    UNION
                    SELECT r.key::text FROM (
                        SELECT s1."user_id" AS key FROM counters_old AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND (s0."correct") ORDER BY s1."id" FOR SHARE OF s1
                    ) AS r  -- testapp.Profile.correct_answers_count
                    UNION
                    SELECT r.key::text FROM (
                        SELECT s1."user_id" AS key, s0."answered_at" AS value FROM counters_new AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM counters_old AS u WHERE u."id" = s0."id" AND u."session_id" IS NOT DISTINCT FROM s0."session_id" AND u."answered_at" IS NOT DISTINCT FROM s0."answered_at") ORDER BY s1."id" FOR SHARE OF s1
                    ) AS r  -- testapp.Profile.first_answer_at
                    UNION
                    SELECT r.key::text FROM (
                        SELECT s1."user_id" AS key, s0."answered_at" AS value FROM counters_old AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM counters_new AS u WHERE u."id" = s0."id" AND u."session_id" IS NOT DISTINCT FROM s0."session_id" AND u."answered_at" IS NOT DISTINCT FROM s0."answered_at") ORDER BY s1."id" FOR SHARE OF s1
                    ) AS r  -- testapp.Profile.first_answer_at
                    UNION
                    SELECT r.key::text FROM (
                        SELECT s1."user_id" AS key, s0."answered_at" AS value FROM counters_new AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL AND (s0."correct") AND NOT EXISTS (SELECT 1 FROM counters_old AS u WHERE u."id" = s0."id" AND u."session_id" IS NOT DISTINCT FROM s0."session_id" AND u."answered_at" IS NOT DISTINCT FROM s0."answered_at" AND (u."correct") IS NOT DISTINCT FROM (s0."correct")) ORDER BY s1."id" FOR SHARE OF s1
                    ) AS r  -- testapp.Profile.last_correct_answer_at
                    UNION
                    SELECT r.key::text FROM (
                        SELECT s1."user_id" AS key, s0."answered_at" AS value FROM counters_old AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL AND (s0."correct") AND NOT EXISTS (SELECT 1 FROM counters_new AS u WHERE u."id" = s0."id" AND u."session_id" IS NOT DISTINCT FROM s0."session_id" AND u."answered_at" IS NOT DISTINCT FROM s0."answered_at" AND (u."correct") IS NOT DISTINCT FROM (s0."correct")) ORDER BY s1."id" FOR SHARE OF s1
                    ) AS r  -- testapp.Profile.last_correct_answer_at
                ) AS touched (key)
                LIMIT 256
            )
            UNION
            (
                SELECT p.key FROM counters_delta AS p
                WHERE p.counter IN (-1471082091, -353915663, 1953213443, 410617596, -1579148123, 66161049)
                GROUP BY p.key ORDER BY p.key LIMIT 256
            )
        ),
        taken AS (  -- the target rows nobody holds right now
            SELECT t."user_id" FROM "testapp_profile" AS t
            WHERE t."user_id" IN (SELECT pending.key::integer FROM pending)
            ORDER BY t."user_id" FOR NO KEY UPDATE SKIP LOCKED
        ),
        moved AS (
            DELETE FROM counters_delta AS p
            WHERE p.counter IN (-1471082091, -353915663, 1953213443, 410617596, -1579148123, 66161049) AND p.key IN (SELECT taken."user_id"::text FROM taken)
            RETURNING p.counter, p.key, p.delta
        ),
        summed AS (
            SELECT moved.key, sum(moved.delta) FILTER (WHERE moved.counter = -1471082091) AS d0, sum(moved.delta) FILTER (WHERE moved.counter = -353915663) AS d1, min(moved.delta) FILTER (WHERE moved.counter = 1953213443) AS d2, bool_or(moved.counter = 410617596) AS m2, max(moved.delta) FILTER (WHERE moved.counter = -1579148123) AS d3, bool_or(moved.counter = 66161049) AS m3
            FROM moved GROUP BY moved.key
        ),
        folded AS (
            UPDATE "testapp_profile" AS t SET "answers_count" = t."answers_count" + coalesce(summed.d0, 0), "correct_answers_count" = t."correct_answers_count" + coalesce(summed.d1, 0), "first_answer_at" = (CASE WHEN summed.m2 THEN (SELECT min(r.value) FROM (SELECT s1."user_id" AS key, s0."answered_at" AS value FROM "testapp_answer" AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL) AS r WHERE r.key = t."user_id") ELSE least(t."first_answer_at", (timestamptz 'epoch' + (summed.d2) * interval '1 microsecond')) END)::timestamp with time zone, "last_correct_answer_at" = (CASE WHEN summed.m3 THEN (SELECT max(r.value) FROM (SELECT s1."user_id" AS key, s0."answered_at" AS value FROM "testapp_answer" AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL AND (s0."correct")) AS r WHERE r.key = t."user_id") ELSE greatest(t."last_correct_answer_at", (timestamptz 'epoch' + (summed.d3) * interval '1 microsecond')) END)::timestamp with time zone
            FROM summed WHERE t."user_id" = summed.key::integer
            RETURNING 1
        ),
        rowless AS (  -- pending keys without their row: not created yet, or gone
            SELECT pending.key FROM pending
            WHERE NOT EXISTS (SELECT 1 FROM "testapp_profile" AS t WHERE t."user_id" = pending.key::integer)
        ),
        orphans AS (  -- deltas of rows that are gone (their owner was deleted)
            DELETE FROM counters_delta AS p
            WHERE p.counter IN (-1471082091, -353915663, 1953213443, 410617596, -1579148123, 66161049) AND p.key IN (SELECT rowless.key FROM rowless)
              AND NOT EXISTS (SELECT 1 FROM "auth_user" AS o WHERE o."id" = p.key::integer)
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM orphans) AS orphans,
               (SELECT count(*) FROM pending) AS seen, (SELECT max(pending.key) FROM pending) AS last_key,
               (SELECT count(*) FROM folded) AS updated, (SELECT count(*) FROM rowless) AS rowless INTO _folded;
        IF _folded.rowless > 0 THEN
            INSERT INTO "testapp_profile" ("user_id")  -- rows still missing: their first writer rolled back, or skipped
            SELECT pending.key::integer  -- creating them while another writer was at it
            FROM (
                SELECT DISTINCT p.key FROM counters_delta AS p
                WHERE p.counter IN (-1471082091, -353915663, 1953213443, 410617596, -1579148123, 66161049)
                ORDER BY p.key LIMIT 256
            ) AS pending
            WHERE NOT EXISTS (SELECT 1 FROM "testapp_profile" AS t WHERE t."user_id" = pending.key::integer)
              AND pending.key::integer IN (  -- whose owner exists and is not being deleted right now
                  SELECT o."id" FROM "auth_user" AS o WHERE o."id" = pending.key::integer
                  FOR KEY SHARE SKIP LOCKED)
              AND pg_try_advisory_xact_lock(-193827837, hashtext(pending.key))  -- nobody else creating it now
            ORDER BY 1
            ON CONFLICT DO NOTHING;
        END IF;
    END IF;
END IF;
IF random() < 1.0 / 64 THEN  -- now and then a writer folds a batch, when no folder runs ...
    IF (CASE WHEN pg_try_advisory_lock_shared(-12837143) THEN pg_advisory_unlock_shared(-12837143) ELSE false END) AND pg_try_advisory_xact_lock(1165328191, -1092402896) THEN  -- ... and nobody is folding this table
        WITH pending AS (
            (  -- the keys this statement touched (the hot ones)
                SELECT touched.key FROM (
                    SELECT r.key::text FROM (
                        SELECT s0."session_id" AS key FROM counters_new AS s0 WHERE s0."session_id" IS NOT NULL
                    ) AS r  -- testapp.QuizSession.answers_count
                    UNION
                    SELECT r.key::text FROM (
                        SELECT s0."session_id" AS key FROM counters_old AS s0 WHERE s0."session_id" IS NOT NULL
                    ) AS r  -- testapp.QuizSession.answers_count
                ) AS touched (key)
                LIMIT 256
            )
            UNION
            (
                SELECT p.key FROM counters_delta AS p
                WHERE p.counter IN (38350669)
                GROUP BY p.key ORDER BY p.key LIMIT 256
            )
        ),
        taken AS (  -- the target rows nobody holds right now
            SELECT t."id" FROM "testapp_quizsession" AS t
            WHERE t."id" IN (SELECT pending.key::bigint FROM pending)
            ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
        ),
        moved AS (
            DELETE FROM counters_delta AS p
            WHERE p.counter IN (38350669) AND p.key IN (SELECT taken."id"::text FROM taken)
            RETURNING p.counter, p.key, p.delta
        ),
        summed AS (
            SELECT moved.key, sum(moved.delta) FILTER (WHERE moved.counter = 38350669) AS d0
            FROM moved GROUP BY moved.key
        ),
        folded AS (
            UPDATE "testapp_quizsession" AS t SET "answers_count" = t."answers_count" + coalesce(summed.d0, 0)
            FROM summed WHERE t."id" = summed.key::bigint
            RETURNING 1
        ),
        rowless AS (  -- pending keys without their row: not created yet, or gone
            SELECT pending.key FROM pending
            WHERE NOT EXISTS (SELECT 1 FROM "testapp_quizsession" AS t WHERE t."id" = pending.key::bigint)
        ),
        orphans AS (  -- deltas of rows that are gone (their owner was deleted)
            DELETE FROM counters_delta AS p
            WHERE p.counter IN (38350669) AND p.key IN (SELECT rowless.key FROM rowless)
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM orphans) AS orphans,
               (SELECT count(*) FROM pending) AS seen, (SELECT max(pending.key) FROM pending) AS last_key,
               (SELECT count(*) FROM folded) AS updated, (SELECT count(*) FROM rowless) AS rowless INTO _folded;
    END IF;
END IF;
RETURN NULL;

-- read-only guard counters_readonly_insert on testapp_quizsession (testapp.QuizSession): BEFORE INSERT FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (NEW."answers_count" IS DISTINCT FROM 0)
NEW."answers_count" := 0;
RETURN NEW;

-- read-only guard counters_readonly_update on testapp_quizsession (testapp.QuizSession): BEFORE UPDATE FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (OLD."answers_count" IS DISTINCT FROM NEW."answers_count")
NEW."answers_count" := OLD."answers_count";
RETURN NEW;

-- fold of testapp.QuizSession (fold_counters, counters_fold(), writers now and then)
WITH pending AS (
    SELECT p.key FROM counters_delta AS p
    WHERE p.counter IN (38350669) AND (:after IS NULL OR p.key > :after)
    GROUP BY p.key ORDER BY p.key LIMIT :batch
),
taken AS (  -- the target rows nobody holds right now
    SELECT t."id" FROM "testapp_quizsession" AS t
    WHERE t."id" IN (SELECT pending.key::bigint FROM pending)
    ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
),
moved AS (
    DELETE FROM counters_delta AS p
    WHERE p.counter IN (38350669) AND p.key IN (SELECT taken."id"::text FROM taken)
    RETURNING p.counter, p.key, p.delta
),
summed AS (
    SELECT moved.key, sum(moved.delta) FILTER (WHERE moved.counter = 38350669) AS d0
    FROM moved GROUP BY moved.key
),
folded AS (
    UPDATE "testapp_quizsession" AS t SET "answers_count" = t."answers_count" + coalesce(summed.d0, 0)
    FROM summed WHERE t."id" = summed.key::bigint
    RETURNING 1
),
rowless AS (  -- pending keys without their row: not created yet, or gone
    SELECT pending.key FROM pending
    WHERE NOT EXISTS (SELECT 1 FROM "testapp_quizsession" AS t WHERE t."id" = pending.key::bigint)
),
orphans AS (  -- deltas of rows that are gone (their owner was deleted)
    DELETE FROM counters_delta AS p
    WHERE p.counter IN (38350669) AND p.key IN (SELECT rowless.key FROM rowless)
    RETURNING 1
)
SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM orphans) AS orphans,
       (SELECT count(*) FROM pending) AS seen, (SELECT max(pending.key) FROM pending) AS last_key,
       (SELECT count(*) FROM folded) AS updated, (SELECT count(*) FROM rowless) AS rowless

-- recount: the drifted rows of a batch of keys (lo, hi]
SELECT d.k,
       coalesce(t."answers_count", 0) + coalesce(p.d0, 0),
       coalesce(c0.n, 0)
FROM
  (SELECT "id" AS k
   FROM "testapp_quizsession") AS d
LEFT JOIN "testapp_quizsession" AS t ON t."id" = d.k
AND (%(lo)s IS NULL
     OR t."id" > %(lo)s)
AND (%(hi)s IS NULL
     OR t."id" <= %(hi)s)
LEFT JOIN
  (SELECT r.key,
          count(*) AS n
   FROM
     (SELECT s0."session_id" AS KEY
      FROM "testapp_answer" AS s0
      WHERE s0."session_id" IS NOT NULL) AS r
   WHERE (%(lo)s IS NULL
          OR r.key > %(lo)s)
     AND (%(hi)s IS NULL
          OR r.key <= %(hi)s)
   GROUP BY r.key) AS c0 ON c0.key = d.k
LEFT JOIN
  (SELECT p.key,
          sum(p.delta) FILTER (
                               WHERE p.counter = 38350669) AS d0
   FROM counters_delta AS p
   WHERE p.counter IN (38350669)
     AND p.key IN
       (SELECT b.k::text
        FROM
          (SELECT "id" AS k
           FROM "testapp_quizsession") AS b
        WHERE (%(lo)s IS NULL
               OR b.k > %(lo)s)
          AND (%(hi)s IS NULL
               OR b.k <= %(hi)s))
   GROUP BY p.key) AS p ON p.key = d.k::text
WHERE (%(lo)s IS NULL
       OR d.k > %(lo)s)
  AND (%(hi)s IS NULL
       OR d.k <= %(hi)s)
  AND (coalesce(t."answers_count", 0) + coalesce(p.d0, 0) IS DISTINCT
       FROM coalesce(c0.n, 0))
ORDER BY d.k

-- recount: write the true values, drop the deltas they include
WITH drift(k, cached0, true0) AS
  (SELECT d.k,
          coalesce(t."answers_count", 0) + coalesce(p.d0, 0),
          coalesce(c0.n, 0)
   FROM
     (SELECT "id" AS k
      FROM "testapp_quizsession") AS d
   LEFT JOIN "testapp_quizsession" AS t ON t."id" = d.k
   AND (%(lo)s IS NULL
        OR t."id" > %(lo)s)
   AND (%(hi)s IS NULL
        OR t."id" <= %(hi)s)
   LEFT JOIN
     (SELECT r.key,
             count(*) AS n
      FROM
        (SELECT s0."session_id" AS KEY
         FROM "testapp_answer" AS s0
         WHERE s0."session_id" IS NOT NULL) AS r
      WHERE (%(lo)s IS NULL
             OR r.key > %(lo)s)
        AND (%(hi)s IS NULL
             OR r.key <= %(hi)s)
      GROUP BY r.key) AS c0 ON c0.key = d.k
   LEFT JOIN
     (SELECT p.key,
             sum(p.delta) FILTER (
                                  WHERE p.counter = 38350669) AS d0
      FROM counters_delta AS p
      WHERE p.counter IN (38350669)
        AND p.key IN
          (SELECT b.k::text
           FROM
             (SELECT "id" AS k
              FROM "testapp_quizsession") AS b
           WHERE (%(lo)s IS NULL
                  OR b.k > %(lo)s)
             AND (%(hi)s IS NULL
                  OR b.k <= %(hi)s))
      GROUP BY p.key) AS p ON p.key = d.k::text
   WHERE (%(lo)s IS NULL
          OR d.k > %(lo)s)
     AND (%(hi)s IS NULL
          OR d.k <= %(hi)s)
     AND (coalesce(t."answers_count", 0) + coalesce(p.d0, 0) IS DISTINCT
          FROM coalesce(c0.n, 0))
   ORDER BY d.k),
     fixed AS
  (UPDATE "testapp_quizsession" AS t
   SET "answers_count" = drift.true0
   FROM drift
   WHERE t."id" = drift.k),
     counted AS
  (DELETE
   FROM counters_delta AS p USING drift
   WHERE p.counter IN (38350669)
     AND p.key = drift.k::text)
SELECT *
FROM drift
ORDER BY drift.k

-- the view for SQL readers
CREATE VIEW "testapp_quizsession_exact" AS  -- testapp.QuizSession: counters with the deltas still pending added
SELECT t."id", t."answers_count" + coalesce(p.d0, 0) AS "answers_count"
FROM "testapp_quizsession" AS t
LEFT JOIN LATERAL (
    SELECT sum(p.delta) FILTER (WHERE p.counter = 38350669) AS d0
    FROM counters_delta AS p
    WHERE p.counter IN (38350669) AND p.key = t."id"::text
) AS p ON true
