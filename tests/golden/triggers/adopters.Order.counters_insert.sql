-- trigger counters_insert on adopters_order (adopters.Order): AFTER INSERT FOR EACH STATEMENT
DECLARE _counters integer[]; _keys text[]; _deltas bigint[]; _i integer; _left boolean; _folded0 uuid[];
SELECT array_agg(d.counter), array_agg(d.key), array_agg(d.delta)
INTO _counters, _keys, _deltas
FROM (
    SELECT part.counter, part.key, sum(part.delta)::bigint AS delta
    FROM (
            SELECT -1624360583, r.key::text, count(*) FROM (
                SELECT s0."shop_id" AS key FROM counters_new AS s0 WHERE s0."shop_id" IS NOT NULL AND (s0."paid")
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT -561523171, r.key::text, sum((r.value * 100)::bigint)::bigint FROM (
                SELECT s0."shop_id" AS key, s0."amount" AS value FROM counters_new AS s0 WHERE s0."shop_id" IS NOT NULL AND s0."amount" IS NOT NULL AND (s0."paid")
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
        SELECT t."id"::text AS key FROM "adopters_shop" AS t
        WHERE t."id" IN (SELECT delta.key::uuid FROM delta WHERE delta.counter IN (-1624360583, -561523171))
          AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(1564123263, hashtext(t."id"::text) & 255)
        ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
    ),
    absorbed0 AS (
        DELETE FROM counters_delta AS p
        WHERE p.id IN (
            SELECT q.id FROM counters_delta AS q
            WHERE q.key IN (SELECT taken0.key FROM taken0) AND q.counter IN (-1624360583, -561523171)
            LIMIT 256)
        RETURNING p.counter, p.key, p.delta
    ),
    summed0 AS (
        SELECT x.key, (sum(x.delta) FILTER (WHERE x.counter = -1624360583))::bigint AS d0, sum(x.delta) FILTER (WHERE x.counter = -561523171) AS d1
        FROM (
            SELECT delta.counter, delta.key, delta.delta FROM delta
            WHERE delta.counter IN (-1624360583, -561523171) AND delta.key IN (SELECT taken0.key FROM taken0)
            UNION ALL
            SELECT absorbed0.counter, absorbed0.key, absorbed0.delta FROM absorbed0
        ) AS x
        GROUP BY x.key
    ),
    updated0 AS (
        UPDATE "adopters_shop" AS t SET "paid_orders_count" = t."paid_orders_count" + coalesce(summed.d0, 0), "paid_total" = (t."paid_total" + coalesce(((summed.d1)::numeric / 100), 0))::numeric(14, 2)
        FROM summed0 AS summed WHERE t."id" = summed.key::uuid
        RETURNING t."id" AS key, false AS recompute
    )
    INSERT INTO counters_delta (counter, key, delta)
    SELECT delta.counter, delta.key, delta.delta FROM delta
    WHERE (delta.counter NOT IN (-1624360583, -561523171) OR delta.key NOT IN (SELECT taken0.key FROM taken0));
ELSE
    FOR _i IN 1 .. cardinality(_counters) LOOP
        IF _counters[_i] IN (-1624360583, -561523171) THEN
            IF random() < 1.0 / 8 THEN
                WITH taken AS (
                    SELECT t."id" FROM "adopters_shop" AS t
                    WHERE t."id" = _keys[_i]::uuid AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(1564123263, hashtext(_keys[_i]) & 255)
                    FOR NO KEY UPDATE SKIP LOCKED
                ),
                absorbed AS (
                    DELETE FROM counters_delta AS p
                    WHERE p.id IN (
                        SELECT q.id FROM counters_delta AS q
                        WHERE q.key = _keys[_i] AND q.counter IN (-1624360583, -561523171) AND EXISTS (SELECT FROM taken)
                        LIMIT 256)
                    RETURNING p.counter, p.delta
                ),
                summed AS (
                    SELECT (sum(x.delta) FILTER (WHERE x.counter = -1624360583))::bigint AS d0, sum(x.delta) FILTER (WHERE x.counter = -561523171) AS d1
                    FROM (
                        SELECT _counters[_i], _deltas[_i]
                        UNION ALL
                        SELECT absorbed.counter, absorbed.delta FROM absorbed
                    ) AS x (counter, delta)
                )
                UPDATE "adopters_shop" AS t SET "paid_orders_count" = t."paid_orders_count" + coalesce(summed.d0, 0), "paid_total" = (t."paid_total" + coalesce(((summed.d1)::numeric / 100), 0))::numeric(14, 2)
                FROM summed
                WHERE t."id" IN (SELECT taken."id" FROM taken);
            ELSE
                PERFORM FROM "adopters_shop" AS t
                WHERE t."id" = _keys[_i]::uuid AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(1564123263, hashtext(_keys[_i]) & 255)
                FOR NO KEY UPDATE SKIP LOCKED;
                IF FOUND THEN
                    UPDATE "adopters_shop" AS t SET "paid_orders_count" = CASE WHEN _counters[_i] = -1624360583 THEN t."paid_orders_count" + _deltas[_i] ELSE t."paid_orders_count" END, "paid_total" = CASE WHEN _counters[_i] = -561523171 THEN (t."paid_total" + ((_deltas[_i])::numeric / 100))::numeric(14, 2) ELSE t."paid_total" END
                    WHERE t."id" = _keys[_i]::uuid;
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
            WHERE w.counter IN (-1624360583, -561523171)
        ),
        taken AS (
            SELECT t."id" FROM "adopters_shop" AS t
            WHERE t."id" IN (SELECT slice.key::uuid FROM slice) AND pg_try_advisory_xact_lock(1564123263, hashtext(t."id"::text) & 255)
            ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
        ),
        moved AS (
            DELETE FROM counters_delta AS p
            WHERE p.id IN (SELECT slice.id FROM slice WHERE slice.key IN (SELECT taken."id"::text FROM taken))
            RETURNING p.counter, p.key, p.delta
        ),
        summed AS (
            SELECT moved.key, (sum(moved.delta) FILTER (WHERE moved.counter = -1624360583))::bigint AS d0, sum(moved.delta) FILTER (WHERE moved.counter = -561523171) AS d1
            FROM moved GROUP BY moved.key
        ),
        folded AS (
            UPDATE "adopters_shop" AS t SET "paid_orders_count" = t."paid_orders_count" + coalesce(summed.d0, 0), "paid_total" = (t."paid_total" + coalesce(((summed.d1)::numeric / 100), 0))::numeric(14, 2)
            FROM summed WHERE t."id" = summed.key::uuid
            RETURNING t."id" AS key, false AS recompute
        )
        SELECT array_agg(folded.key) FILTER (WHERE folded.recompute) INTO _folded0 FROM folded;
    END IF;
END IF;
RETURN NULL;
