-- trigger counters_delete on testapp_review (testapp.Review): AFTER DELETE FOR EACH STATEMENT
DECLARE _counters integer[]; _keys text[]; _deltas bigint[]; _i integer; _left boolean; _folded0 bigint[];
SELECT array_agg(d.counter), array_agg(d.key), array_agg(d.delta)
INTO _counters, _keys, _deltas
FROM (
    SELECT part.counter, part.key, sum(part.delta)::bigint AS delta
    FROM (
            SELECT 2107941830, r.key::text, -count(*) FROM (
                SELECT s0."place_id" AS key FROM counters_old AS s0 WHERE s0."place_id" IS NOT NULL
            ) AS r GROUP BY r.key
    ) AS part (counter, key, delta)
    GROUP BY part.counter, part.key
    HAVING sum(part.delta) <> 0
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
        SELECT t."id"::text AS key FROM "testapp_place" AS t
        WHERE t."id" IN (SELECT delta.key::bigint FROM delta WHERE delta.counter IN (2107941830))
          AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(-1226625733, hashtext(t."id"::text) & 255)
        ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
    ),
    absorbed0 AS (
        DELETE FROM counters_delta AS p
        WHERE p.id IN (
            SELECT q.id FROM counters_delta AS q
            WHERE q.key IN (SELECT taken0.key FROM taken0) AND q.counter IN (2107941830)
            LIMIT 256)
        RETURNING p.counter, p.key, p.delta
    ),
    summed0 AS (
        SELECT x.key, (sum(x.delta) FILTER (WHERE x.counter = 2107941830))::bigint AS d0
        FROM (
            SELECT delta.counter, delta.key, delta.delta FROM delta
            WHERE delta.counter IN (2107941830) AND delta.key IN (SELECT taken0.key FROM taken0)
            UNION ALL
            SELECT absorbed0.counter, absorbed0.key, absorbed0.delta FROM absorbed0
        ) AS x
        GROUP BY x.key
    ),
    updated0 AS (
        UPDATE "testapp_place" AS t SET "reviews_count" = t."reviews_count" + coalesce(summed.d0, 0)
        FROM summed0 AS summed WHERE t."id" = summed.key::bigint
        RETURNING t."id" AS key, false AS recompute
    )
    INSERT INTO counters_delta (counter, key, delta)
    SELECT delta.counter, delta.key, delta.delta FROM delta
    WHERE (delta.counter NOT IN (2107941830) OR delta.key NOT IN (SELECT taken0.key FROM taken0));
ELSE
    FOR _i IN 1 .. cardinality(_counters) LOOP
        IF _counters[_i] IN (2107941830) THEN
            IF random() < 1.0 / 8 THEN
                WITH taken AS (
                    SELECT t."id" FROM "testapp_place" AS t
                    WHERE t."id" = _keys[_i]::bigint AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(-1226625733, hashtext(_keys[_i]) & 255)
                    FOR NO KEY UPDATE SKIP LOCKED
                ),
                absorbed AS (
                    DELETE FROM counters_delta AS p
                    WHERE p.id IN (
                        SELECT q.id FROM counters_delta AS q
                        WHERE q.key = _keys[_i] AND q.counter IN (2107941830) AND EXISTS (SELECT FROM taken)
                        LIMIT 256)
                    RETURNING p.counter, p.delta
                ),
                summed AS (
                    SELECT (sum(x.delta) FILTER (WHERE x.counter = 2107941830))::bigint AS d0
                    FROM (
                        SELECT _counters[_i], _deltas[_i]
                        UNION ALL
                        SELECT absorbed.counter, absorbed.delta FROM absorbed
                    ) AS x (counter, delta)
                )
                UPDATE "testapp_place" AS t SET "reviews_count" = t."reviews_count" + coalesce(summed.d0, 0)
                FROM summed
                WHERE t."id" IN (SELECT taken."id" FROM taken);
            ELSE
                PERFORM FROM "testapp_place" AS t
                WHERE t."id" = _keys[_i]::bigint AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(-1226625733, hashtext(_keys[_i]) & 255)
                FOR NO KEY UPDATE SKIP LOCKED;
                IF FOUND THEN
                    UPDATE "testapp_place" AS t SET "reviews_count" = CASE WHEN _counters[_i] = 2107941830 THEN t."reviews_count" + _deltas[_i] ELSE t."reviews_count" END
                    WHERE t."id" = _keys[_i]::bigint;
                END IF;
            END IF;
            IF FOUND THEN
                CONTINUE;
            END IF;
        END IF;
        INSERT INTO counters_delta (counter, key, delta) VALUES (_counters[_i], _keys[_i], _deltas[_i]);
    END LOOP;
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
            WHERE w.counter IN (2107941830)
        ),
        taken AS (
            SELECT t."id" FROM "testapp_place" AS t
            WHERE t."id" IN (SELECT slice.key::bigint FROM slice) AND pg_try_advisory_xact_lock(-1226625733, hashtext(t."id"::text) & 255)
            ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
        ),
        moved AS (
            DELETE FROM counters_delta AS p
            WHERE p.id IN (SELECT slice.id FROM slice WHERE slice.key IN (SELECT taken."id"::text FROM taken))
            RETURNING p.counter, p.key, p.delta
        ),
        summed AS (
            SELECT moved.key, (sum(moved.delta) FILTER (WHERE moved.counter = 2107941830))::bigint AS d0
            FROM moved GROUP BY moved.key
        ),
        folded AS (
            UPDATE "testapp_place" AS t SET "reviews_count" = t."reviews_count" + coalesce(summed.d0, 0)
            FROM summed WHERE t."id" = summed.key::bigint
            RETURNING t."id" AS key, false AS recompute
        )
        SELECT array_agg(folded.key) FILTER (WHERE folded.recompute) INTO _folded0 FROM folded;
    END IF;
END IF;
RETURN NULL;
