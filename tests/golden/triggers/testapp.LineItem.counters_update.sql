-- trigger counters_update on testapp_lineitem (testapp.LineItem): AFTER UPDATE FOR EACH STATEMENT
DECLARE _counters integer[]; _keys text[]; _deltas bigint[]; _i integer; _left boolean; _recompute0 bigint[]; _folded0 bigint[];
SELECT array_agg(d.counter), array_agg(d.key), array_agg(d.delta)
INTO _counters, _keys, _deltas
FROM (
    SELECT part.counter, part.key, CASE
        WHEN part.counter IN (1001147830, -1614079849) THEN min(part.delta)
        WHEN part.counter IN (-136460322, -976768461) THEN max(part.delta)
        ELSE sum(part.delta)::bigint END AS delta
    FROM (
            SELECT 1001147830, r.key::text, min((extract(epoch FROM r.value) * 1000000)::bigint) FROM (
                SELECT s0."order_id" AS key, s0."added_at" AS value FROM counters_new AS s0 WHERE s0."order_id" IS NOT NULL AND s0."added_at" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM counters_old AS u WHERE u."id" = s0."id" AND u."order_id" IS NOT DISTINCT FROM s0."order_id" AND u."added_at" IS NOT DISTINCT FROM s0."added_at")
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT -1614079849, r.key::text, min((extract(epoch FROM r.value) * 1000000)::bigint) FROM (
                SELECT s0."order_id" AS key, s0."added_at" AS value FROM counters_old AS s0 WHERE s0."order_id" IS NOT NULL AND s0."added_at" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM counters_new AS u WHERE u."id" = s0."id" AND u."order_id" IS NOT DISTINCT FROM s0."order_id" AND u."added_at" IS NOT DISTINCT FROM s0."added_at")
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT -68104297, r.key::text, count(*) FROM (
                SELECT s0."order_id" AS key FROM counters_new AS s0 WHERE s0."order_id" IS NOT NULL
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT -68104297, r.key::text, -count(*) FROM (
                SELECT s0."order_id" AS key FROM counters_old AS s0 WHERE s0."order_id" IS NOT NULL
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT -136460322, r.key::text, max((r.value * 100)::bigint) FROM (
                SELECT s0."order_id" AS key, s0."amount" AS value FROM counters_new AS s0 WHERE s0."order_id" IS NOT NULL AND s0."amount" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM counters_old AS u WHERE u."id" = s0."id" AND u."order_id" IS NOT DISTINCT FROM s0."order_id" AND u."amount" IS NOT DISTINCT FROM s0."amount")
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT -976768461, r.key::text, max((r.value * 100)::bigint) FROM (
                SELECT s0."order_id" AS key, s0."amount" AS value FROM counters_old AS s0 WHERE s0."order_id" IS NOT NULL AND s0."amount" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM counters_new AS u WHERE u."id" = s0."id" AND u."order_id" IS NOT DISTINCT FROM s0."order_id" AND u."amount" IS NOT DISTINCT FROM s0."amount")
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT 1462487682, r.key::text, sum((r.value * 100)::bigint)::bigint FROM (
                SELECT s0."order_id" AS key, s0."amount" AS value FROM counters_new AS s0 WHERE s0."order_id" IS NOT NULL AND s0."amount" IS NOT NULL
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT 1462487682, r.key::text, -sum((r.value * 100)::bigint)::bigint FROM (
                SELECT s0."order_id" AS key, s0."amount" AS value FROM counters_old AS s0 WHERE s0."order_id" IS NOT NULL AND s0."amount" IS NOT NULL
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT -369942622, r.key::text, sum(r.value)::bigint FROM (
                SELECT s0."order_id" AS key, s0."quantity" AS value FROM counters_new AS s0 WHERE s0."order_id" IS NOT NULL AND s0."quantity" IS NOT NULL
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT -369942622, r.key::text, -sum(r.value)::bigint FROM (
                SELECT s0."order_id" AS key, s0."quantity" AS value FROM counters_old AS s0 WHERE s0."order_id" IS NOT NULL AND s0."quantity" IS NOT NULL
            ) AS r GROUP BY r.key
    ) AS part (counter, key, delta)
    GROUP BY part.counter, part.key
    HAVING part.counter IN (1001147830, -1614079849, -136460322, -976768461) OR sum(part.delta) <> 0
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
        SELECT t."id"::text AS key FROM "testapp_order" AS t
        WHERE t."id" IN (SELECT delta.key::bigint FROM delta WHERE delta.counter IN (1001147830, -1614079849, -68104297, -136460322, -976768461, 1462487682, -369942622))
          AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(833054656, hashtext(t."id"::text) & 255)
        ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
    ),
    absorbed0 AS (
        DELETE FROM counters_delta AS p
        WHERE p.id IN (
            SELECT q.id FROM counters_delta AS q
            WHERE q.key IN (SELECT taken0.key FROM taken0) AND q.counter IN (1001147830, -1614079849, -68104297, -136460322, -976768461, 1462487682, -369942622)
            LIMIT 256)
        RETURNING p.counter, p.key, p.delta
    ),
    summed0 AS (
        SELECT x.key, min(x.delta) FILTER (WHERE x.counter = 1001147830) AS d0, bool_or(x.counter = -1614079849) AS m0, min(x.delta) FILTER (WHERE x.counter = -1614079849) AS v0, (sum(x.delta) FILTER (WHERE x.counter = -68104297))::bigint AS d1, max(x.delta) FILTER (WHERE x.counter = -136460322) AS d2, bool_or(x.counter = -976768461) AS m2, max(x.delta) FILTER (WHERE x.counter = -976768461) AS v2, sum(x.delta) FILTER (WHERE x.counter = 1462487682) AS d3, sum(x.delta) FILTER (WHERE x.counter = -369942622) AS d4
        FROM (
            SELECT delta.counter, delta.key, delta.delta FROM delta
            WHERE delta.counter IN (1001147830, -1614079849, -68104297, -136460322, -976768461, 1462487682, -369942622) AND delta.key IN (SELECT taken0.key FROM taken0)
            UNION ALL
            SELECT absorbed0.counter, absorbed0.key, absorbed0.delta FROM absorbed0
        ) AS x
        GROUP BY x.key
    ),
    updated0 AS (
        UPDATE "testapp_order" AS t SET "first_item_at" = (least(t."first_item_at", (timestamptz 'epoch' + (summed.d0) * interval '1 microsecond')))::timestamp with time zone, "items_count" = t."items_count" + coalesce(summed.d1, 0), "largest_amount" = (greatest(t."largest_amount", ((summed.d2)::numeric / 100)))::numeric(12, 2), "total_amount" = (t."total_amount" + coalesce(((summed.d3)::numeric / 100), 0))::numeric(14, 2), "units" = (t."units" + coalesce(summed.d4, 0))::bigint
        FROM summed0 AS summed WHERE t."id" = summed.key::bigint
        RETURNING t."id" AS key, (coalesce(summed.m0, false) AND (t."first_item_at" IS NULL OR (timestamptz 'epoch' + (summed.v0) * interval '1 microsecond') <= t."first_item_at")) OR (coalesce(summed.m2, false) AND (t."largest_amount" IS NULL OR ((summed.v2)::numeric / 100) >= t."largest_amount")) AS recompute
    ),
    appended AS (
        INSERT INTO counters_delta (counter, key, delta)
        SELECT delta.counter, delta.key, delta.delta FROM delta
        WHERE (delta.counter NOT IN (1001147830, -1614079849, -68104297, -136460322, -976768461, 1462487682, -369942622) OR delta.key NOT IN (SELECT taken0.key FROM taken0))
    )
    SELECT (SELECT array_agg(updated0.key) FROM updated0 WHERE updated0.recompute)
    INTO _recompute0
    FROM delta;
ELSE
    FOR _i IN 1 .. cardinality(_counters) LOOP
        IF _counters[_i] IN (1001147830, -1614079849, -68104297, -136460322, -976768461, 1462487682, -369942622) THEN
            IF random() < 1.0 / 8 THEN
                WITH taken AS (
                    SELECT t."id" FROM "testapp_order" AS t
                    WHERE t."id" = _keys[_i]::bigint AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(833054656, hashtext(_keys[_i]) & 255)
                    FOR NO KEY UPDATE SKIP LOCKED
                ),
                absorbed AS (
                    DELETE FROM counters_delta AS p
                    WHERE p.id IN (
                        SELECT q.id FROM counters_delta AS q
                        WHERE q.key = _keys[_i] AND q.counter IN (1001147830, -1614079849, -68104297, -136460322, -976768461, 1462487682, -369942622) AND EXISTS (SELECT FROM taken)
                        LIMIT 256)
                    RETURNING p.counter, p.delta
                ),
                summed AS (
                    SELECT min(x.delta) FILTER (WHERE x.counter = 1001147830) AS d0, bool_or(x.counter = -1614079849) AS m0, min(x.delta) FILTER (WHERE x.counter = -1614079849) AS v0, (sum(x.delta) FILTER (WHERE x.counter = -68104297))::bigint AS d1, max(x.delta) FILTER (WHERE x.counter = -136460322) AS d2, bool_or(x.counter = -976768461) AS m2, max(x.delta) FILTER (WHERE x.counter = -976768461) AS v2, sum(x.delta) FILTER (WHERE x.counter = 1462487682) AS d3, sum(x.delta) FILTER (WHERE x.counter = -369942622) AS d4
                    FROM (
                        SELECT _counters[_i], _deltas[_i]
                        UNION ALL
                        SELECT absorbed.counter, absorbed.delta FROM absorbed
                    ) AS x (counter, delta)
                )
                UPDATE "testapp_order" AS t SET "first_item_at" = (least(t."first_item_at", (timestamptz 'epoch' + (summed.d0) * interval '1 microsecond')))::timestamp with time zone, "items_count" = t."items_count" + coalesce(summed.d1, 0), "largest_amount" = (greatest(t."largest_amount", ((summed.d2)::numeric / 100)))::numeric(12, 2), "total_amount" = (t."total_amount" + coalesce(((summed.d3)::numeric / 100), 0))::numeric(14, 2), "units" = (t."units" + coalesce(summed.d4, 0))::bigint
                FROM summed
                WHERE t."id" IN (SELECT taken."id" FROM taken)
                RETURNING (coalesce(summed.m0, false) AND (t."first_item_at" IS NULL OR (timestamptz 'epoch' + (summed.v0) * interval '1 microsecond') <= t."first_item_at")) OR (coalesce(summed.m2, false) AND (t."largest_amount" IS NULL OR ((summed.v2)::numeric / 100) >= t."largest_amount")) INTO _left;
            ELSE
                PERFORM FROM "testapp_order" AS t
                WHERE t."id" = _keys[_i]::bigint AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(833054656, hashtext(_keys[_i]) & 255)
                FOR NO KEY UPDATE SKIP LOCKED;
                IF FOUND THEN
                    UPDATE "testapp_order" AS t SET "first_item_at" = CASE WHEN _counters[_i] = 1001147830 THEN (least(t."first_item_at", (timestamptz 'epoch' + (_deltas[_i]) * interval '1 microsecond')))::timestamp with time zone ELSE t."first_item_at" END, "items_count" = CASE WHEN _counters[_i] = -68104297 THEN t."items_count" + _deltas[_i] ELSE t."items_count" END, "largest_amount" = CASE WHEN _counters[_i] = -136460322 THEN (greatest(t."largest_amount", ((_deltas[_i])::numeric / 100)))::numeric(12, 2) ELSE t."largest_amount" END, "total_amount" = CASE WHEN _counters[_i] = 1462487682 THEN (t."total_amount" + ((_deltas[_i])::numeric / 100))::numeric(14, 2) ELSE t."total_amount" END, "units" = CASE WHEN _counters[_i] = -369942622 THEN (t."units" + _deltas[_i])::bigint ELSE t."units" END
                    WHERE t."id" = _keys[_i]::bigint
                    RETURNING (_counters[_i] = -1614079849 AND (t."first_item_at" IS NULL OR (timestamptz 'epoch' + (_deltas[_i]) * interval '1 microsecond') <= t."first_item_at")) OR (_counters[_i] = -976768461 AND (t."largest_amount" IS NULL OR ((_deltas[_i])::numeric / 100) >= t."largest_amount")) INTO _left;
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
        WHERE p.counter IN (1001147830, -1614079849, -136460322, -976768461) AND p.key IN (SELECT k.key::text FROM unnest(_recompute0) AS k (key))
    )
    UPDATE "testapp_order" AS t SET "first_item_at" = ((SELECT min(r.value) FROM (SELECT s0."order_id" AS key, s0."added_at" AS value FROM "testapp_lineitem" AS s0 WHERE s0."order_id" IS NOT NULL AND s0."added_at" IS NOT NULL) AS r WHERE r.key = t."id"))::timestamp with time zone, "largest_amount" = ((SELECT max(r.value) FROM (SELECT s0."order_id" AS key, s0."amount" AS value FROM "testapp_lineitem" AS s0 WHERE s0."order_id" IS NOT NULL AND s0."amount" IS NOT NULL) AS r WHERE r.key = t."id"))::numeric(12, 2)
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
            WHERE w.counter IN (1001147830, -1614079849, -68104297, -136460322, -976768461, 1462487682, -369942622)
        ),
        taken AS (
            SELECT t."id" FROM "testapp_order" AS t
            WHERE t."id" IN (SELECT slice.key::bigint FROM slice) AND pg_try_advisory_xact_lock(833054656, hashtext(t."id"::text) & 255)
            ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
        ),
        moved AS (
            DELETE FROM counters_delta AS p
            WHERE p.id IN (SELECT slice.id FROM slice WHERE slice.key IN (SELECT taken."id"::text FROM taken))
            RETURNING p.counter, p.key, p.delta
        ),
        summed AS (
            SELECT moved.key, min(moved.delta) FILTER (WHERE moved.counter = 1001147830) AS d0, bool_or(moved.counter = -1614079849) AS m0, min(moved.delta) FILTER (WHERE moved.counter = -1614079849) AS v0, (sum(moved.delta) FILTER (WHERE moved.counter = -68104297))::bigint AS d1, max(moved.delta) FILTER (WHERE moved.counter = -136460322) AS d2, bool_or(moved.counter = -976768461) AS m2, max(moved.delta) FILTER (WHERE moved.counter = -976768461) AS v2, sum(moved.delta) FILTER (WHERE moved.counter = 1462487682) AS d3, sum(moved.delta) FILTER (WHERE moved.counter = -369942622) AS d4
            FROM moved GROUP BY moved.key
        ),
        folded AS (
            UPDATE "testapp_order" AS t SET "first_item_at" = (least(t."first_item_at", (timestamptz 'epoch' + (summed.d0) * interval '1 microsecond')))::timestamp with time zone, "items_count" = t."items_count" + coalesce(summed.d1, 0), "largest_amount" = (greatest(t."largest_amount", ((summed.d2)::numeric / 100)))::numeric(12, 2), "total_amount" = (t."total_amount" + coalesce(((summed.d3)::numeric / 100), 0))::numeric(14, 2), "units" = (t."units" + coalesce(summed.d4, 0))::bigint
            FROM summed WHERE t."id" = summed.key::bigint
            RETURNING t."id" AS key, (coalesce(summed.m0, false) AND (t."first_item_at" IS NULL OR (timestamptz 'epoch' + (summed.v0) * interval '1 microsecond') <= t."first_item_at")) OR (coalesce(summed.m2, false) AND (t."largest_amount" IS NULL OR ((summed.v2)::numeric / 100) >= t."largest_amount")) AS recompute
        )
        SELECT array_agg(folded.key) FILTER (WHERE folded.recompute) INTO _folded0 FROM folded;
        IF _folded0 IS NOT NULL THEN
            WITH settled AS (
                DELETE FROM counters_delta AS p
                WHERE p.counter IN (1001147830, -1614079849, -136460322, -976768461) AND p.key IN (SELECT k.key::text FROM unnest(_folded0) AS k (key))
            )
            UPDATE "testapp_order" AS t SET "first_item_at" = ((SELECT min(r.value) FROM (SELECT s0."order_id" AS key, s0."added_at" AS value FROM "testapp_lineitem" AS s0 WHERE s0."order_id" IS NOT NULL AND s0."added_at" IS NOT NULL) AS r WHERE r.key = t."id"))::timestamp with time zone, "largest_amount" = ((SELECT max(r.value) FROM (SELECT s0."order_id" AS key, s0."amount" AS value FROM "testapp_lineitem" AS s0 WHERE s0."order_id" IS NOT NULL AND s0."amount" IS NOT NULL) AS r WHERE r.key = t."id"))::numeric(12, 2)
            WHERE t."id" = ANY(_folded0);
        END IF;
    END IF;
END IF;
RETURN NULL;
