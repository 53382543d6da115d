-- trigger counters_delete on testapp_quizsession (testapp.QuizSession): AFTER DELETE FOR EACH STATEMENT
DECLARE _counters integer[]; _keys text[]; _deltas bigint[]; _i integer; _left boolean; _new0 integer[]; _recompute0 integer[]; _folded0 integer[];
SELECT array_agg(d.counter), array_agg(d.key), array_agg(d.delta)
INTO _counters, _keys, _deltas
FROM (
    SELECT part.counter, part.key, CASE
        WHEN part.counter IN (1953213443, 410617596) THEN min(part.delta)
        WHEN part.counter IN (-1579148123, 66161049) THEN max(part.delta)
        ELSE sum(part.delta)::bigint END AS delta
    FROM (
            SELECT -1471082091, r.key::text, -count(*) FROM (
                SELECT s1."user_id" AS key FROM "testapp_answer" AS s0 JOIN counters_old AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT -353915663, r.key::text, -count(*) FROM (
                SELECT s1."user_id" AS key FROM "testapp_answer" AS s0 JOIN counters_old AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND (s0."correct")
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT 410617596, r.key::text, min((extract(epoch FROM r.value) * 1000000)::bigint) FROM (
                SELECT s1."user_id" AS key, s0."answered_at" AS value FROM "testapp_answer" AS s0 JOIN counters_old AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT 66161049, r.key::text, max((extract(epoch FROM r.value) * 1000000)::bigint) FROM (
                SELECT s1."user_id" AS key, s0."answered_at" AS value FROM "testapp_answer" AS s0 JOIN counters_old AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL AND (s0."correct")
            ) AS r GROUP BY r.key
    ) AS part (counter, key, delta)
    GROUP BY part.counter, part.key
    HAVING part.counter IN (1953213443, 410617596, -1579148123, 66161049) OR sum(part.delta) <> 0
) AS d;
IF _counters IS NULL THEN
    RETURN NULL;
END IF;
IF current_setting('transaction_isolation') IN ('repeatable read', 'serializable') THEN
    INSERT INTO counters_delta (counter, key, delta)
    SELECT d.counter, d.key, d.delta FROM unnest(_counters, _keys, _deltas) AS d (counter, key, delta);
    RETURN NULL;
END IF;
IF cardinality(_counters) > 16 THEN
    WITH delta AS MATERIALIZED (
        SELECT d.counter, d.key, d.delta FROM unnest(_counters, _keys, _deltas) AS d (counter, key, delta)
    ),
    taken0 AS MATERIALIZED (
        SELECT t."user_id"::text AS key FROM "testapp_profile" AS t
        WHERE t."user_id" IN (SELECT delta.key::integer FROM delta WHERE delta.counter IN (-1471082091, -353915663, 1953213443, 410617596, -1579148123, 66161049))
          AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(-725925259, hashtext(t."user_id"::text) & 255)
        ORDER BY t."user_id" FOR NO KEY UPDATE SKIP LOCKED
    ),
    absorbed0 AS (
        DELETE FROM counters_delta AS p
        WHERE p.id IN (
            SELECT q.id FROM counters_delta AS q
            WHERE q.key IN (SELECT taken0.key FROM taken0) AND q.counter IN (-1471082091, -353915663, 1953213443, 410617596, -1579148123, 66161049)
            LIMIT 256)
        RETURNING p.counter, p.key, p.delta
    ),
    summed0 AS (
        SELECT x.key, (sum(x.delta) FILTER (WHERE x.counter = -1471082091))::bigint AS d0, (sum(x.delta) FILTER (WHERE x.counter = -353915663))::bigint AS d1, min(x.delta) FILTER (WHERE x.counter = 1953213443) AS d2, bool_or(x.counter = 410617596) AS m2, min(x.delta) FILTER (WHERE x.counter = 410617596) AS v2, max(x.delta) FILTER (WHERE x.counter = -1579148123) AS d3, bool_or(x.counter = 66161049) AS m3, max(x.delta) FILTER (WHERE x.counter = 66161049) AS v3
        FROM (
            SELECT delta.counter, delta.key, delta.delta FROM delta
            WHERE delta.counter IN (-1471082091, -353915663, 1953213443, 410617596, -1579148123, 66161049) AND delta.key IN (SELECT taken0.key FROM taken0)
            UNION ALL
            SELECT absorbed0.counter, absorbed0.key, absorbed0.delta FROM absorbed0
        ) AS x
        GROUP BY x.key
    ),
    updated0 AS (
        UPDATE "testapp_profile" AS t SET "answers_count" = t."answers_count" + coalesce(summed.d0, 0), "correct_answers_count" = t."correct_answers_count" + coalesce(summed.d1, 0), "first_answer_at" = (least(t."first_answer_at", (timestamptz 'epoch' + (summed.d2) * interval '1 microsecond')))::timestamp with time zone, "last_correct_answer_at" = (greatest(t."last_correct_answer_at", (timestamptz 'epoch' + (summed.d3) * interval '1 microsecond')))::timestamp with time zone
        FROM summed0 AS summed WHERE t."user_id" = summed.key::integer
        RETURNING t."user_id" AS key, (coalesce(summed.m2, false) AND (t."first_answer_at" IS NULL OR (timestamptz 'epoch' + (summed.v2) * interval '1 microsecond') <= t."first_answer_at")) OR (coalesce(summed.m3, false) AND (t."last_correct_answer_at" IS NULL OR (timestamptz 'epoch' + (summed.v3) * interval '1 microsecond') >= t."last_correct_answer_at")) AS recompute
    ),
    appended AS (
        INSERT INTO counters_delta (counter, key, delta)
        SELECT delta.counter, delta.key, delta.delta FROM delta
        WHERE (delta.counter NOT IN (-1471082091, -353915663, 1953213443, 410617596, -1579148123, 66161049) OR delta.key NOT IN (SELECT taken0.key FROM taken0))
    )
    SELECT array_agg(delta.key::integer) FILTER (
               WHERE ((delta.counter IN (-1471082091, -353915663) AND delta.delta > 0) OR (delta.counter IN (1953213443, -1579148123)))
                 AND delta.key NOT IN (SELECT taken0.key FROM taken0)
                 AND NOT EXISTS (SELECT 1 FROM "testapp_profile" AS t WHERE t."user_id" = delta.key::integer)),
           (SELECT array_agg(updated0.key) FROM updated0 WHERE updated0.recompute)
    INTO _new0, _recompute0
    FROM delta;
ELSE
    FOR _i IN 1 .. cardinality(_counters) LOOP
        IF _counters[_i] IN (-1471082091, -353915663, 1953213443, 410617596, -1579148123, 66161049) THEN
            IF random() < 1.0 / 8 THEN
                WITH taken AS (
                    SELECT t."user_id" FROM "testapp_profile" AS t
                    WHERE t."user_id" = _keys[_i]::integer AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(-725925259, hashtext(_keys[_i]) & 255)
                    FOR NO KEY UPDATE SKIP LOCKED
                ),
                absorbed AS (
                    DELETE FROM counters_delta AS p
                    WHERE p.id IN (
                        SELECT q.id FROM counters_delta AS q
                        WHERE q.key = _keys[_i] AND q.counter IN (-1471082091, -353915663, 1953213443, 410617596, -1579148123, 66161049) AND EXISTS (SELECT FROM taken)
                        LIMIT 256)
                    RETURNING p.counter, p.delta
                ),
                summed AS (
                    SELECT (sum(x.delta) FILTER (WHERE x.counter = -1471082091))::bigint AS d0, (sum(x.delta) FILTER (WHERE x.counter = -353915663))::bigint AS d1, min(x.delta) FILTER (WHERE x.counter = 1953213443) AS d2, bool_or(x.counter = 410617596) AS m2, min(x.delta) FILTER (WHERE x.counter = 410617596) AS v2, max(x.delta) FILTER (WHERE x.counter = -1579148123) AS d3, bool_or(x.counter = 66161049) AS m3, max(x.delta) FILTER (WHERE x.counter = 66161049) AS v3
                    FROM (
                        SELECT _counters[_i], _deltas[_i]
                        UNION ALL
                        SELECT absorbed.counter, absorbed.delta FROM absorbed
                    ) AS x (counter, delta)
                )
                UPDATE "testapp_profile" AS t SET "answers_count" = t."answers_count" + coalesce(summed.d0, 0), "correct_answers_count" = t."correct_answers_count" + coalesce(summed.d1, 0), "first_answer_at" = (least(t."first_answer_at", (timestamptz 'epoch' + (summed.d2) * interval '1 microsecond')))::timestamp with time zone, "last_correct_answer_at" = (greatest(t."last_correct_answer_at", (timestamptz 'epoch' + (summed.d3) * interval '1 microsecond')))::timestamp with time zone
                FROM summed
                WHERE t."user_id" IN (SELECT taken."user_id" FROM taken)
                RETURNING (coalesce(summed.m2, false) AND (t."first_answer_at" IS NULL OR (timestamptz 'epoch' + (summed.v2) * interval '1 microsecond') <= t."first_answer_at")) OR (coalesce(summed.m3, false) AND (t."last_correct_answer_at" IS NULL OR (timestamptz 'epoch' + (summed.v3) * interval '1 microsecond') >= t."last_correct_answer_at")) INTO _left;
            ELSE
                PERFORM FROM "testapp_profile" AS t
                WHERE t."user_id" = _keys[_i]::integer AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(-725925259, hashtext(_keys[_i]) & 255)
                FOR NO KEY UPDATE SKIP LOCKED;
                IF FOUND THEN
                    UPDATE "testapp_profile" AS t SET "answers_count" = CASE WHEN _counters[_i] = -1471082091 THEN t."answers_count" + _deltas[_i] ELSE t."answers_count" END, "correct_answers_count" = CASE WHEN _counters[_i] = -353915663 THEN t."correct_answers_count" + _deltas[_i] ELSE t."correct_answers_count" END, "first_answer_at" = CASE WHEN _counters[_i] = 1953213443 THEN (least(t."first_answer_at", (timestamptz 'epoch' + (_deltas[_i]) * interval '1 microsecond')))::timestamp with time zone ELSE t."first_answer_at" END, "last_correct_answer_at" = CASE WHEN _counters[_i] = -1579148123 THEN (greatest(t."last_correct_answer_at", (timestamptz 'epoch' + (_deltas[_i]) * interval '1 microsecond')))::timestamp with time zone ELSE t."last_correct_answer_at" END
                    WHERE t."user_id" = _keys[_i]::integer
                    RETURNING (_counters[_i] = 410617596 AND (t."first_answer_at" IS NULL OR (timestamptz 'epoch' + (_deltas[_i]) * interval '1 microsecond') <= t."first_answer_at")) OR (_counters[_i] = 66161049 AND (t."last_correct_answer_at" IS NULL OR (timestamptz 'epoch' + (_deltas[_i]) * interval '1 microsecond') >= t."last_correct_answer_at")) INTO _left;
                END IF;
            END IF;
            IF FOUND THEN
                IF _left THEN
                    _recompute0 := _recompute0 || _keys[_i]::integer;
                END IF;
                CONTINUE;
            END IF;
            IF ((_counters[_i] IN (-1471082091, -353915663) AND _deltas[_i] > 0) OR (_counters[_i] IN (1953213443, -1579148123))) AND NOT EXISTS (SELECT FROM "testapp_profile" AS t WHERE t."user_id" = _keys[_i]::integer) THEN
                _new0 := _new0 || _keys[_i]::integer;
            END IF;
        END IF;
        INSERT INTO counters_delta (counter, key, delta) VALUES (_counters[_i], _keys[_i], _deltas[_i]);
    END LOOP;
END IF;
IF _new0 IS NOT NULL THEN
    WITH pending AS (
        SELECT p.key, (sum(p.delta) FILTER (WHERE p.counter = -1471082091))::bigint AS d0, (sum(p.delta) FILTER (WHERE p.counter = -353915663))::bigint AS d1, min(p.delta) FILTER (WHERE p.counter = 1953213443) AS d2, bool_or(p.counter = 410617596) AS m2, min(p.delta) FILTER (WHERE p.counter = 410617596) AS v2, max(p.delta) FILTER (WHERE p.counter = -1579148123) AS d3, bool_or(p.counter = 66161049) AS m3, max(p.delta) FILTER (WHERE p.counter = 66161049) AS v3
        FROM counters_delta AS p
        WHERE p.counter IN (-1471082091, -353915663, 1953213443, 410617596, -1579148123, 66161049) AND p.key IN (SELECT k.key::text FROM unnest(_new0) AS k (key))
        GROUP BY p.key
    ),
    created AS (
        INSERT INTO "testapp_profile" ("user_id", "answers_count", "correct_answers_count", "first_answer_at", "last_correct_answer_at")
        SELECT pending.key::integer, 0 + coalesce(pending.d0, 0), 0 + coalesce(pending.d1, 0), (CASE WHEN pending.m2 THEN (SELECT min(r.value) FROM (SELECT s1."user_id" AS key, s0."answered_at" AS value FROM "testapp_answer" AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL) AS r WHERE r.key = pending.key::integer) ELSE least(NULL, (timestamptz 'epoch' + (pending.d2) * interval '1 microsecond')) END)::timestamp with time zone, (CASE WHEN pending.m3 THEN (SELECT max(r.value) FROM (SELECT s1."user_id" AS key, s0."answered_at" AS value FROM "testapp_answer" AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL AND (s0."correct")) AS r WHERE r.key = pending.key::integer) ELSE greatest(NULL, (timestamptz 'epoch' + (pending.d3) * interval '1 microsecond')) END)::timestamp with time zone
        FROM pending
        WHERE cardinality(_new0) > 64 OR pg_try_advisory_xact_lock(-193827837, hashtext(pending.key) & 1023)
        ORDER BY 1
        ON CONFLICT DO NOTHING
        RETURNING "user_id"
    )
    DELETE FROM counters_delta AS p
    WHERE p.counter IN (-1471082091, -353915663, 1953213443, 410617596, -1579148123, 66161049) AND p.key IN (SELECT created."user_id"::text FROM created);
END IF;
IF _recompute0 IS NOT NULL THEN
    WITH settled AS (
        DELETE FROM counters_delta AS p
        WHERE p.counter IN (1953213443, 410617596, -1579148123, 66161049) AND p.key IN (SELECT k.key::text FROM unnest(_recompute0) AS k (key))
    )
    UPDATE "testapp_profile" AS t SET "first_answer_at" = ((SELECT min(r.value) FROM (SELECT s1."user_id" AS key, s0."answered_at" AS value FROM "testapp_answer" AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL) AS r WHERE r.key = t."user_id"))::timestamp with time zone, "last_correct_answer_at" = ((SELECT max(r.value) FROM (SELECT s1."user_id" AS key, s0."answered_at" AS value FROM "testapp_answer" AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL AND (s0."correct")) AS r WHERE r.key = t."user_id"))::timestamp with time zone
    WHERE t."user_id" = ANY(_recompute0);
END IF;
IF random() < 1.0 / 64 AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' THEN
    IF NOT EXISTS (SELECT FROM counters_state AS f WHERE f.name = 'folder' AND (f.data ->> 'until')::timestamptz > statement_timestamp()) THEN
        WITH slice AS MATERIALIZED (
            SELECT w.id, w.key FROM (
                SELECT p.id, p.counter, p.key FROM counters_delta AS p
                WHERE p.key >= (
                    SELECT r.key FROM counters_delta AS r
                    WHERE r.id >= (SELECT (min(b.id) + floor(random() * (max(b.id) - min(b.id) + 1)))::bigint FROM counters_delta AS b)
                    ORDER BY r.id LIMIT 1)
                ORDER BY p.key LIMIT 256
            ) AS w
            WHERE w.counter IN (-1471082091, -353915663, 1953213443, 410617596, -1579148123, 66161049)
        ),
        taken AS (
            SELECT t."user_id" FROM "testapp_profile" AS t
            WHERE t."user_id" IN (SELECT slice.key::integer FROM slice) AND pg_try_advisory_xact_lock(-725925259, hashtext(t."user_id"::text) & 255)
            ORDER BY t."user_id" FOR NO KEY UPDATE SKIP LOCKED
        ),
        moved AS (
            DELETE FROM counters_delta AS p
            WHERE p.id IN (SELECT slice.id FROM slice WHERE slice.key IN (SELECT taken."user_id"::text FROM taken))
            RETURNING p.counter, p.key, p.delta
        ),
        summed AS (
            SELECT moved.key, (sum(moved.delta) FILTER (WHERE moved.counter = -1471082091))::bigint AS d0, (sum(moved.delta) FILTER (WHERE moved.counter = -353915663))::bigint AS d1, min(moved.delta) FILTER (WHERE moved.counter = 1953213443) AS d2, bool_or(moved.counter = 410617596) AS m2, min(moved.delta) FILTER (WHERE moved.counter = 410617596) AS v2, max(moved.delta) FILTER (WHERE moved.counter = -1579148123) AS d3, bool_or(moved.counter = 66161049) AS m3, max(moved.delta) FILTER (WHERE moved.counter = 66161049) AS v3
            FROM moved GROUP BY moved.key
        ),
        folded AS (
            UPDATE "testapp_profile" AS t SET "answers_count" = t."answers_count" + coalesce(summed.d0, 0), "correct_answers_count" = t."correct_answers_count" + coalesce(summed.d1, 0), "first_answer_at" = (least(t."first_answer_at", (timestamptz 'epoch' + (summed.d2) * interval '1 microsecond')))::timestamp with time zone, "last_correct_answer_at" = (greatest(t."last_correct_answer_at", (timestamptz 'epoch' + (summed.d3) * interval '1 microsecond')))::timestamp with time zone
            FROM summed WHERE t."user_id" = summed.key::integer
            RETURNING t."user_id" AS key, (coalesce(summed.m2, false) AND (t."first_answer_at" IS NULL OR (timestamptz 'epoch' + (summed.v2) * interval '1 microsecond') <= t."first_answer_at")) OR (coalesce(summed.m3, false) AND (t."last_correct_answer_at" IS NULL OR (timestamptz 'epoch' + (summed.v3) * interval '1 microsecond') >= t."last_correct_answer_at")) AS recompute
        )
        SELECT array_agg(folded.key) FILTER (WHERE folded.recompute) INTO _folded0 FROM folded;
        IF _folded0 IS NOT NULL THEN
            WITH settled AS (
                DELETE FROM counters_delta AS p
                WHERE p.counter IN (1953213443, 410617596, -1579148123, 66161049) AND p.key IN (SELECT k.key::text FROM unnest(_folded0) AS k (key))
            )
            UPDATE "testapp_profile" AS t SET "first_answer_at" = ((SELECT min(r.value) FROM (SELECT s1."user_id" AS key, s0."answered_at" AS value FROM "testapp_answer" AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL) AS r WHERE r.key = t."user_id"))::timestamp with time zone, "last_correct_answer_at" = ((SELECT max(r.value) FROM (SELECT s1."user_id" AS key, s0."answered_at" AS value FROM "testapp_answer" AS s0 JOIN "testapp_quizsession" AS s1 ON s1."id" = s0."session_id" WHERE s1."user_id" IS NOT NULL AND s0."answered_at" IS NOT NULL AND (s0."correct")) AS r WHERE r.key = t."user_id"))::timestamp with time zone
            WHERE t."user_id" = ANY(_folded0);
        END IF;
    END IF;
END IF;
RETURN NULL;
