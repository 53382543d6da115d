-- trigger counters_insert on adopters_comment (adopters.Comment): AFTER INSERT FOR EACH STATEMENT
DECLARE _counters integer[]; _keys text[]; _deltas bigint[]; _i integer; _left boolean; _recompute0 bigint[]; _folded0 bigint[];
SELECT array_agg(d.counter), array_agg(d.key), array_agg(d.delta)
INTO _counters, _keys, _deltas
FROM (
    SELECT part.counter, part.key, CASE
        WHEN part.counter IN (971165650, -1528015454) THEN max(part.delta)
        ELSE sum(part.delta)::bigint END AS delta
    FROM (
            SELECT -617392757, r.key::text, count(*) FROM (
                SELECT s1."id" AS key FROM counters_new AS s0 JOIN "adopters_article" AS s1 ON s1."slug" = s0."article_id" WHERE s1."id" IS NOT NULL ORDER BY s1."id" FOR KEY SHARE OF s1
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT 971165650, r.key::text, max((extract(epoch FROM r.value) * 1000000)::bigint) FROM (
                SELECT s1."id" AS key, s0."created_at" AS value FROM counters_new AS s0 JOIN "adopters_article" AS s1 ON s1."slug" = s0."article_id" WHERE s1."id" IS NOT NULL AND s0."created_at" IS NOT NULL ORDER BY s1."id" FOR KEY SHARE OF s1
            ) AS r GROUP BY r.key
    ) AS part (counter, key, delta)
    GROUP BY part.counter, part.key
    HAVING part.counter IN (971165650, -1528015454) OR sum(part.delta) <> 0
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
        SELECT t."id"::text AS key FROM "adopters_article" AS t
        WHERE t."id" IN (SELECT delta.key::bigint FROM delta WHERE delta.counter IN (-617392757, 971165650, -1528015454))
          AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(395332271, hashtext(t."id"::text) & 255)
        ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
    ),
    absorbed0 AS (
        DELETE FROM counters_delta AS p
        WHERE p.id IN (
            SELECT q.id FROM counters_delta AS q
            WHERE q.key IN (SELECT taken0.key FROM taken0) AND q.counter IN (-617392757, 971165650, -1528015454)
            LIMIT 256)
        RETURNING p.counter, p.key, p.delta
    ),
    summed0 AS (
        SELECT x.key, (sum(x.delta) FILTER (WHERE x.counter = -617392757))::bigint AS d0, max(x.delta) FILTER (WHERE x.counter = 971165650) AS d1, bool_or(x.counter = -1528015454) AS m1, max(x.delta) FILTER (WHERE x.counter = -1528015454) AS v1
        FROM (
            SELECT delta.counter, delta.key, delta.delta FROM delta
            WHERE delta.counter IN (-617392757, 971165650, -1528015454) AND delta.key IN (SELECT taken0.key FROM taken0)
            UNION ALL
            SELECT absorbed0.counter, absorbed0.key, absorbed0.delta FROM absorbed0
        ) AS x
        GROUP BY x.key
    ),
    updated0 AS (
        UPDATE "adopters_article" AS t SET "comments_count" = t."comments_count" + coalesce(summed.d0, 0), "last_comment_at" = (greatest(t."last_comment_at", (timestamptz 'epoch' + (summed.d1) * interval '1 microsecond')))::timestamp with time zone
        FROM summed0 AS summed WHERE t."id" = summed.key::bigint
        RETURNING t."id" AS key, (coalesce(summed.m1, false) AND (t."last_comment_at" IS NULL OR (timestamptz 'epoch' + (summed.v1) * interval '1 microsecond') >= t."last_comment_at")) AS recompute
    ),
    appended AS (
        INSERT INTO counters_delta (counter, key, delta)
        SELECT delta.counter, delta.key, delta.delta FROM delta
        WHERE (delta.counter NOT IN (-617392757, 971165650, -1528015454) OR delta.key NOT IN (SELECT taken0.key FROM taken0))
    )
    SELECT (SELECT array_agg(updated0.key) FROM updated0 WHERE updated0.recompute)
    INTO _recompute0
    FROM delta;
ELSE
    FOR _i IN 1 .. cardinality(_counters) LOOP
        IF _counters[_i] IN (-617392757, 971165650, -1528015454) THEN
            IF random() < 1.0 / 8 THEN
                WITH taken AS (
                    SELECT t."id" FROM "adopters_article" AS t
                    WHERE t."id" = _keys[_i]::bigint AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(395332271, hashtext(_keys[_i]) & 255)
                    FOR NO KEY UPDATE SKIP LOCKED
                ),
                absorbed AS (
                    DELETE FROM counters_delta AS p
                    WHERE p.id IN (
                        SELECT q.id FROM counters_delta AS q
                        WHERE q.key = _keys[_i] AND q.counter IN (-617392757, 971165650, -1528015454) AND EXISTS (SELECT FROM taken)
                        LIMIT 256)
                    RETURNING p.counter, p.delta
                ),
                summed AS (
                    SELECT (sum(x.delta) FILTER (WHERE x.counter = -617392757))::bigint AS d0, max(x.delta) FILTER (WHERE x.counter = 971165650) AS d1, bool_or(x.counter = -1528015454) AS m1, max(x.delta) FILTER (WHERE x.counter = -1528015454) AS v1
                    FROM (
                        SELECT _counters[_i], _deltas[_i]
                        UNION ALL
                        SELECT absorbed.counter, absorbed.delta FROM absorbed
                    ) AS x (counter, delta)
                )
                UPDATE "adopters_article" AS t SET "comments_count" = t."comments_count" + coalesce(summed.d0, 0), "last_comment_at" = (greatest(t."last_comment_at", (timestamptz 'epoch' + (summed.d1) * interval '1 microsecond')))::timestamp with time zone
                FROM summed
                WHERE t."id" IN (SELECT taken."id" FROM taken)
                RETURNING (coalesce(summed.m1, false) AND (t."last_comment_at" IS NULL OR (timestamptz 'epoch' + (summed.v1) * interval '1 microsecond') >= t."last_comment_at")) INTO _left;
            ELSE
                PERFORM FROM "adopters_article" AS t
                WHERE t."id" = _keys[_i]::bigint AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(395332271, hashtext(_keys[_i]) & 255)
                FOR NO KEY UPDATE SKIP LOCKED;
                IF FOUND THEN
                    UPDATE "adopters_article" AS t SET "comments_count" = CASE WHEN _counters[_i] = -617392757 THEN t."comments_count" + _deltas[_i] ELSE t."comments_count" END, "last_comment_at" = CASE WHEN _counters[_i] = 971165650 THEN (greatest(t."last_comment_at", (timestamptz 'epoch' + (_deltas[_i]) * interval '1 microsecond')))::timestamp with time zone ELSE t."last_comment_at" END
                    WHERE t."id" = _keys[_i]::bigint
                    RETURNING (_counters[_i] = -1528015454 AND (t."last_comment_at" IS NULL OR (timestamptz 'epoch' + (_deltas[_i]) * interval '1 microsecond') >= t."last_comment_at")) INTO _left;
                END IF;
            END IF;
            IF FOUND THEN
                IF _left THEN
                    _recompute0 := _recompute0 || _keys[_i]::bigint;
                END IF;
                CONTINUE;
            END IF;
        END IF;
        INSERT INTO counters_delta (counter, key, delta) VALUES (_counters[_i], _keys[_i], _deltas[_i]);
    END LOOP;
END IF;
IF _recompute0 IS NOT NULL THEN
    WITH settled AS (
        DELETE FROM counters_delta AS p
        WHERE p.counter IN (971165650, -1528015454) AND p.key IN (SELECT k.key::text FROM unnest(_recompute0) AS k (key))
    )
    UPDATE "adopters_article" AS t SET "last_comment_at" = ((SELECT max(r.value) FROM (SELECT s1."id" AS key, s0."created_at" AS value FROM "adopters_comment" AS s0 JOIN "adopters_article" AS s1 ON s1."slug" = s0."article_id" WHERE s1."id" IS NOT NULL AND s0."created_at" IS NOT NULL) AS r WHERE r.key = t."id"))::timestamp with time zone
    WHERE t."id" = ANY(_recompute0);
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
            WHERE w.counter IN (-617392757, 971165650, -1528015454)
        ),
        taken AS (
            SELECT t."id" FROM "adopters_article" AS t
            WHERE t."id" IN (SELECT slice.key::bigint FROM slice) AND pg_try_advisory_xact_lock(395332271, hashtext(t."id"::text) & 255)
            ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
        ),
        moved AS (
            DELETE FROM counters_delta AS p
            WHERE p.id IN (SELECT slice.id FROM slice WHERE slice.key IN (SELECT taken."id"::text FROM taken))
            RETURNING p.counter, p.key, p.delta
        ),
        summed AS (
            SELECT moved.key, (sum(moved.delta) FILTER (WHERE moved.counter = -617392757))::bigint AS d0, max(moved.delta) FILTER (WHERE moved.counter = 971165650) AS d1, bool_or(moved.counter = -1528015454) AS m1, max(moved.delta) FILTER (WHERE moved.counter = -1528015454) AS v1
            FROM moved GROUP BY moved.key
        ),
        folded AS (
            UPDATE "adopters_article" AS t SET "comments_count" = t."comments_count" + coalesce(summed.d0, 0), "last_comment_at" = (greatest(t."last_comment_at", (timestamptz 'epoch' + (summed.d1) * interval '1 microsecond')))::timestamp with time zone
            FROM summed WHERE t."id" = summed.key::bigint
            RETURNING t."id" AS key, (coalesce(summed.m1, false) AND (t."last_comment_at" IS NULL OR (timestamptz 'epoch' + (summed.v1) * interval '1 microsecond') >= t."last_comment_at")) AS recompute
        )
        SELECT array_agg(folded.key) FILTER (WHERE folded.recompute) INTO _folded0 FROM folded;
        IF _folded0 IS NOT NULL THEN
            WITH settled AS (
                DELETE FROM counters_delta AS p
                WHERE p.counter IN (971165650, -1528015454) AND p.key IN (SELECT k.key::text FROM unnest(_folded0) AS k (key))
            )
            UPDATE "adopters_article" AS t SET "last_comment_at" = ((SELECT max(r.value) FROM (SELECT s1."id" AS key, s0."created_at" AS value FROM "adopters_comment" AS s0 JOIN "adopters_article" AS s1 ON s1."slug" = s0."article_id" WHERE s1."id" IS NOT NULL AND s0."created_at" IS NOT NULL) AS r WHERE r.key = t."id"))::timestamp with time zone
            WHERE t."id" = ANY(_folded0);
        END IF;
    END IF;
END IF;
RETURN NULL;
