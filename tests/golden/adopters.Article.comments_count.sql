-- counter adopters.Article.comments_count (id -617392757 in counters_delta): adopters.Comment rows by article

-- trigger counters_delete on adopters_article (adopters.Article): AFTER DELETE FOR EACH STATEMENT
DECLARE _counters integer[]; _keys text[]; _deltas bigint[]; _i integer; _left boolean; _recompute0 bigint[]; _folded0 bigint[];
SELECT array_agg(d.counter), array_agg(d.key), array_agg(d.delta)
INTO _counters, _keys, _deltas
FROM (
    SELECT part.counter, part.key, CASE
        WHEN part.counter IN (971165650, -1528015454) THEN max(part.delta)
        ELSE sum(part.delta)::bigint END AS delta
    FROM (
            SELECT -617392757, r.key::text, -count(*) FROM (
                SELECT s1."id" AS key FROM "adopters_comment" AS s0 JOIN counters_old AS s1 ON s1."slug" = s0."article_id" WHERE s1."id" IS NOT NULL
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT -1528015454, r.key::text, max((extract(epoch FROM r.value) * 1000000)::bigint) FROM (
                SELECT s1."id" AS key, s0."created_at" AS value FROM "adopters_comment" AS s0 JOIN counters_old AS s1 ON s1."slug" = s0."article_id" WHERE s1."id" IS NOT NULL AND s0."created_at" IS NOT NULL
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

-- trigger counters_insert on adopters_article (adopters.Article): AFTER INSERT FOR EACH STATEMENT
DECLARE _counters integer[]; _keys text[]; _deltas bigint[]; _i integer; _left boolean; _recompute0 bigint[]; _folded0 bigint[];
SELECT array_agg(d.counter), array_agg(d.key), array_agg(d.delta)
INTO _counters, _keys, _deltas
FROM (
    SELECT part.counter, part.key, CASE
        WHEN part.counter IN (971165650, -1528015454) THEN max(part.delta)
        ELSE sum(part.delta)::bigint END AS delta
    FROM (
            SELECT -617392757, r.key::text, count(*) FROM (
                SELECT s1."id" AS key FROM "adopters_comment" AS s0 JOIN counters_new AS s1 ON s1."slug" = s0."article_id" WHERE s1."id" IS NOT NULL
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT 971165650, r.key::text, max((extract(epoch FROM r.value) * 1000000)::bigint) FROM (
                SELECT s1."id" AS key, s0."created_at" AS value FROM "adopters_comment" AS s0 JOIN counters_new AS s1 ON s1."slug" = s0."article_id" WHERE s1."id" IS NOT NULL AND s0."created_at" IS NOT NULL
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

-- read-only guard counters_readonly_insert on adopters_article (adopters.Article): BEFORE INSERT FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (NEW."comments_count" IS DISTINCT FROM 0 OR NEW."last_comment_at" IS DISTINCT FROM NULL OR NEW."likes_count" IS DISTINCT FROM 0)
NEW."comments_count" := 0;
NEW."last_comment_at" := NULL;
NEW."likes_count" := 0;
RETURN NEW;

-- read-only guard counters_readonly_update on adopters_article (adopters.Article): BEFORE UPDATE FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (OLD."comments_count" IS DISTINCT FROM NEW."comments_count" OR OLD."last_comment_at" IS DISTINCT FROM NEW."last_comment_at" OR OLD."likes_count" IS DISTINCT FROM NEW."likes_count")
NEW."comments_count" := OLD."comments_count";
NEW."last_comment_at" := OLD."last_comment_at";
NEW."likes_count" := OLD."likes_count";
RETURN NEW;

-- trigger counters_truncate on adopters_article (adopters.Article): AFTER TRUNCATE FOR EACH STATEMENT
PERFORM pg_advisory_xact_lock(1165328191, 2103454382);
PERFORM 1 FROM "adopters_article" WHERE "comments_count" <> 0 OR "last_comment_at" IS NOT NULL ORDER BY "id" FOR NO KEY UPDATE;
UPDATE "adopters_article" SET "comments_count" = 0, "last_comment_at" = NULL WHERE "comments_count" <> 0 OR "last_comment_at" IS NOT NULL;
DELETE FROM counters_delta WHERE counter IN (-617392757, 971165650, -1528015454);
RETURN NULL;

-- trigger counters_update on adopters_article (adopters.Article): AFTER UPDATE FOR EACH STATEMENT
DECLARE _counters integer[]; _keys text[]; _deltas bigint[]; _i integer; _left boolean; _recompute0 bigint[]; _folded0 bigint[];
PERFORM 1 FROM "adopters_article" AS m
WHERE m."id" IN (
    SELECT n."id" FROM counters_new AS n JOIN counters_old AS o ON o."id" = n."id"
    WHERE o."slug" IS DISTINCT FROM n."slug"
)
ORDER BY m."id" FOR UPDATE;
SELECT array_agg(d.counter), array_agg(d.key), array_agg(d.delta)
INTO _counters, _keys, _deltas
FROM (
    SELECT part.counter, part.key, CASE
        WHEN part.counter IN (971165650, -1528015454) THEN max(part.delta)
        ELSE sum(part.delta)::bigint END AS delta
    FROM (
            SELECT -617392757, r.key::text, count(*) FROM (
                SELECT s1."id" AS key FROM "adopters_comment" AS s0 JOIN counters_new AS s1 ON s1."slug" = s0."article_id" WHERE s1."id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM counters_old AS u WHERE u."id" = s1."id" AND u."slug" IS NOT DISTINCT FROM s1."slug")
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT -617392757, r.key::text, -count(*) FROM (
                SELECT s1."id" AS key FROM "adopters_comment" AS s0 JOIN counters_old AS s1 ON s1."slug" = s0."article_id" WHERE s1."id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM counters_new AS u WHERE u."id" = s1."id" AND u."slug" IS NOT DISTINCT FROM s1."slug")
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT 971165650, r.key::text, max((extract(epoch FROM r.value) * 1000000)::bigint) FROM (
                SELECT s1."id" AS key, s0."created_at" AS value FROM "adopters_comment" AS s0 JOIN counters_new AS s1 ON s1."slug" = s0."article_id" WHERE s1."id" IS NOT NULL AND s0."created_at" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM counters_old AS u WHERE u."id" = s1."id" AND u."slug" IS NOT DISTINCT FROM s1."slug")
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT -1528015454, r.key::text, max((extract(epoch FROM r.value) * 1000000)::bigint) FROM (
                SELECT s1."id" AS key, s0."created_at" AS value FROM "adopters_comment" AS s0 JOIN counters_old AS s1 ON s1."slug" = s0."article_id" WHERE s1."id" IS NOT NULL AND s0."created_at" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM counters_new AS u WHERE u."id" = s1."id" AND u."slug" IS NOT DISTINCT FROM s1."slug")
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

-- trigger counters_delete on adopters_comment (adopters.Comment): AFTER DELETE FOR EACH STATEMENT
DECLARE _counters integer[]; _keys text[]; _deltas bigint[]; _i integer; _left boolean; _recompute0 bigint[]; _folded0 bigint[];
SELECT array_agg(d.counter), array_agg(d.key), array_agg(d.delta)
INTO _counters, _keys, _deltas
FROM (
    SELECT part.counter, part.key, CASE
        WHEN part.counter IN (971165650, -1528015454) THEN max(part.delta)
        ELSE sum(part.delta)::bigint END AS delta
    FROM (
            SELECT -617392757, r.key::text, -count(*) FROM (
                SELECT s1."id" AS key FROM counters_old AS s0 JOIN "adopters_article" AS s1 ON s1."slug" = s0."article_id" WHERE s1."id" IS NOT NULL ORDER BY s1."id" FOR KEY SHARE OF s1
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT -1528015454, r.key::text, max((extract(epoch FROM r.value) * 1000000)::bigint) FROM (
                SELECT s1."id" AS key, s0."created_at" AS value FROM counters_old AS s0 JOIN "adopters_article" AS s1 ON s1."slug" = s0."article_id" WHERE s1."id" IS NOT NULL AND s0."created_at" IS NOT NULL ORDER BY s1."id" FOR KEY SHARE OF s1
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

-- trigger counters_truncate on adopters_comment (adopters.Comment): AFTER TRUNCATE FOR EACH STATEMENT
PERFORM pg_advisory_xact_lock(1165328191, 2103454382);
PERFORM 1 FROM "adopters_article" WHERE "comments_count" <> 0 OR "last_comment_at" IS NOT NULL ORDER BY "id" FOR NO KEY UPDATE;
UPDATE "adopters_article" SET "comments_count" = 0, "last_comment_at" = NULL WHERE "comments_count" <> 0 OR "last_comment_at" IS NOT NULL;
DELETE FROM counters_delta WHERE counter IN (-617392757, 971165650, -1528015454);
RETURN NULL;

-- trigger counters_update on adopters_comment (adopters.Comment): AFTER UPDATE FOR EACH STATEMENT
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
            SELECT -617392757, r.key::text, -count(*) FROM (
                SELECT s1."id" AS key FROM counters_old AS s0 JOIN "adopters_article" AS s1 ON s1."slug" = s0."article_id" WHERE s1."id" IS NOT NULL ORDER BY s1."id" FOR KEY SHARE OF s1
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT 971165650, r.key::text, max((extract(epoch FROM r.value) * 1000000)::bigint) FROM (
                SELECT s1."id" AS key, s0."created_at" AS value FROM counters_new AS s0 JOIN "adopters_article" AS s1 ON s1."slug" = s0."article_id" WHERE s1."id" IS NOT NULL AND s0."created_at" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM counters_old AS u WHERE u."id" = s0."id" AND u."article_id" IS NOT DISTINCT FROM s0."article_id" AND u."created_at" IS NOT DISTINCT FROM s0."created_at") ORDER BY s1."id" FOR KEY SHARE OF s1
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT -1528015454, r.key::text, max((extract(epoch FROM r.value) * 1000000)::bigint) FROM (
                SELECT s1."id" AS key, s0."created_at" AS value FROM counters_old AS s0 JOIN "adopters_article" AS s1 ON s1."slug" = s0."article_id" WHERE s1."id" IS NOT NULL AND s0."created_at" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM counters_new AS u WHERE u."id" = s0."id" AND u."article_id" IS NOT DISTINCT FROM s0."article_id" AND u."created_at" IS NOT DISTINCT FROM s0."created_at") ORDER BY s1."id" FOR KEY SHARE OF s1
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

-- fold of adopters.Article (fold_counters, counters_fold(), writers now and then)
WITH pending AS (
    SELECT p.key FROM counters_delta AS p
    WHERE p.counter IN (-617392757, 971165650, -1528015454, -1745088253) AND (:after IS NULL OR p.key > :after)
    GROUP BY p.key ORDER BY p.key LIMIT :batch
),
taken AS (  -- the target rows nobody holds right now
    SELECT t."id" FROM "adopters_article" AS t
    WHERE t."id" IN (SELECT pending.key::bigint FROM pending) AND pg_try_advisory_xact_lock(395332271, hashtext(t."id"::text) & 255)
    ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
),
moved AS (
    DELETE FROM counters_delta AS p
    WHERE p.counter IN (-617392757, 971165650, -1528015454, -1745088253) AND p.key IN (SELECT taken."id"::text FROM taken)
    RETURNING p.counter, p.key, p.delta
),
summed AS (
    SELECT moved.key, (sum(moved.delta) FILTER (WHERE moved.counter = -617392757))::bigint AS d0, max(moved.delta) FILTER (WHERE moved.counter = 971165650) AS d1, bool_or(moved.counter = -1528015454) AS m1, max(moved.delta) FILTER (WHERE moved.counter = -1528015454) AS v1, (sum(moved.delta) FILTER (WHERE moved.counter = -1745088253))::bigint AS d2
    FROM moved GROUP BY moved.key
),
folded AS (
    UPDATE "adopters_article" AS t SET "comments_count" = t."comments_count" + coalesce(summed.d0, 0), "last_comment_at" = (greatest(t."last_comment_at", (timestamptz 'epoch' + (summed.d1) * interval '1 microsecond')))::timestamp with time zone, "likes_count" = t."likes_count" + coalesce(summed.d2, 0)
    FROM summed WHERE t."id" = summed.key::bigint
    RETURNING t."id" AS key, (coalesce(summed.m1, false) AND (t."last_comment_at" IS NULL OR (timestamptz 'epoch' + (summed.v1) * interval '1 microsecond') >= t."last_comment_at")) AS recompute
),
rowless AS (  -- pending keys without their row: not created yet, or gone
    SELECT pending.key FROM pending
    WHERE NOT EXISTS (SELECT 1 FROM "adopters_article" AS t WHERE t."id" = pending.key::bigint)
),
orphans AS (  -- deltas of rows that are gone (their owner was deleted)
    DELETE FROM counters_delta AS p
    WHERE p.counter IN (-617392757, 971165650, -1528015454, -1745088253) AND p.key IN (SELECT rowless.key FROM rowless)
    RETURNING 1
)
SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM orphans) AS orphans,
       (SELECT count(*) FROM pending) AS seen, (SELECT max(pending.key) FROM pending) AS last_key,
       (SELECT count(*) FROM folded) AS updated, (SELECT count(*) FROM rowless) AS rowless,
       (SELECT array_agg(folded.key) FROM folded WHERE folded.recompute) AS recompute

-- recount: the drifted rows of a batch of keys (lo, hi]
SELECT d.k,
       coalesce(t."comments_count", 0) + coalesce(p.d0, 0),
       coalesce(c0.n, 0)
FROM
  (SELECT "id" AS k
   FROM "adopters_article") AS d
LEFT JOIN "adopters_article" AS t ON t."id" = d.k
AND (%(lo)s IS NULL
     OR t."id" > %(lo)s)
AND (%(hi)s IS NULL
     OR t."id" <= %(hi)s)
LEFT JOIN
  (SELECT r.key,
          count(*) AS n
   FROM
     (SELECT s1."id" AS KEY
      FROM "adopters_comment" AS s0
      JOIN "adopters_article" AS s1 ON s1."slug" = s0."article_id"
      WHERE s1."id" IS NOT NULL) AS r
   WHERE (%(lo)s IS NULL
          OR r.key > %(lo)s)
     AND (%(hi)s IS NULL
          OR r.key <= %(hi)s)
   GROUP BY r.key) AS c0 ON c0.key = d.k
LEFT JOIN
  (SELECT p.key,
          (sum(p.delta) FILTER (
                                WHERE p.counter = -617392757))::bigint AS d0
   FROM counters_delta AS p
   WHERE p.counter IN (-617392757)
     AND p.key IN
       (SELECT b.k::text
        FROM
          (SELECT "id" AS k
           FROM "adopters_article") AS b
        WHERE (%(lo)s IS NULL
               OR b.k > %(lo)s)
          AND (%(hi)s IS NULL
               OR b.k <= %(hi)s))
   GROUP BY p.key) AS p ON p.key = d.k::text
WHERE (%(lo)s IS NULL
       OR d.k > %(lo)s)
  AND (%(hi)s IS NULL
       OR d.k <= %(hi)s)
  AND (coalesce(t."comments_count", 0) + coalesce(p.d0, 0) IS DISTINCT
       FROM coalesce(c0.n, 0))
ORDER BY d.k

-- recount: write the true values, drop the deltas they include
WITH drift(k, cached0, true0) AS
  (SELECT d.k,
          coalesce(t."comments_count", 0) + coalesce(p.d0, 0),
          coalesce(c0.n, 0)
   FROM
     (SELECT "id" AS k
      FROM "adopters_article") AS d
   LEFT JOIN "adopters_article" AS t ON t."id" = d.k
   AND (%(lo)s IS NULL
        OR t."id" > %(lo)s)
   AND (%(hi)s IS NULL
        OR t."id" <= %(hi)s)
   LEFT JOIN
     (SELECT r.key,
             count(*) AS n
      FROM
        (SELECT s1."id" AS KEY
         FROM "adopters_comment" AS s0
         JOIN "adopters_article" AS s1 ON s1."slug" = s0."article_id"
         WHERE s1."id" IS NOT NULL) AS r
      WHERE (%(lo)s IS NULL
             OR r.key > %(lo)s)
        AND (%(hi)s IS NULL
             OR r.key <= %(hi)s)
      GROUP BY r.key) AS c0 ON c0.key = d.k
   LEFT JOIN
     (SELECT p.key,
             (sum(p.delta) FILTER (
                                   WHERE p.counter = -617392757))::bigint AS d0
      FROM counters_delta AS p
      WHERE p.counter IN (-617392757)
        AND p.key IN
          (SELECT b.k::text
           FROM
             (SELECT "id" AS k
              FROM "adopters_article") AS b
           WHERE (%(lo)s IS NULL
                  OR b.k > %(lo)s)
             AND (%(hi)s IS NULL
                  OR b.k <= %(hi)s))
      GROUP BY p.key) AS p ON p.key = d.k::text
   WHERE (%(lo)s IS NULL
          OR d.k > %(lo)s)
     AND (%(hi)s IS NULL
          OR d.k <= %(hi)s)
     AND (coalesce(t."comments_count", 0) + coalesce(p.d0, 0) IS DISTINCT
          FROM coalesce(c0.n, 0))
   ORDER BY d.k),
     fixed AS
  (UPDATE "adopters_article" AS t
   SET "comments_count" = drift.true0
   FROM drift
   WHERE t."id" = drift.k),
     counted AS
  (DELETE
   FROM counters_delta AS p USING drift
   WHERE p.counter IN (-617392757)
     AND p.key = drift.k::text)
SELECT *
FROM drift
ORDER BY drift.k

-- the view for SQL readers
CREATE VIEW "adopters_article_exact" AS  -- adopters.Article: counters with the deltas still pending added
SELECT t."id", t."comments_count" + coalesce(p.d0, 0) AS "comments_count", (CASE WHEN p.m1 THEN (SELECT max(r.value) FROM (SELECT s1."id" AS key, s0."created_at" AS value FROM "adopters_comment" AS s0 JOIN "adopters_article" AS s1 ON s1."slug" = s0."article_id" WHERE s1."id" IS NOT NULL AND s0."created_at" IS NOT NULL) AS r WHERE r.key = t."id") ELSE greatest(t."last_comment_at", (timestamptz 'epoch' + (p.d1) * interval '1 microsecond')) END)::timestamp with time zone AS "last_comment_at", t."likes_count" + coalesce(p.d2, 0) AS "likes_count"
FROM "adopters_article" AS t
LEFT JOIN LATERAL (
    SELECT (sum(p.delta) FILTER (WHERE p.counter = -617392757))::bigint AS d0, max(p.delta) FILTER (WHERE p.counter = 971165650) AS d1, bool_or(p.counter = -1528015454) AS m1, max(p.delta) FILTER (WHERE p.counter = -1528015454) AS v1, (sum(p.delta) FILTER (WHERE p.counter = -1745088253))::bigint AS d2
    FROM counters_delta AS p
    WHERE p.counter IN (-617392757, 971165650, -1528015454, -1745088253) AND p.key = t."id"::text
) AS p ON true
