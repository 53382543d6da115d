-- trigger counters_adopters_delete on auth_user_groups (adopters.AuthUser_groupsCounters): AFTER DELETE FOR EACH STATEMENT
DECLARE _counters integer[]; _keys text[]; _deltas bigint[]; _i integer; _left boolean; _new0 smallint[]; _folded0 smallint[];
SELECT array_agg(d.counter), array_agg(d.key), array_agg(d.delta)
INTO _counters, _keys, _deltas
FROM (
    SELECT part.counter, part.key, sum(part.delta)::bigint AS delta
    FROM (
            SELECT -1044422635, r.key::text, -count(*) FROM (
                SELECT 1::smallint AS key FROM counters_old AS s0
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
        SELECT t."id"::text AS key FROM "adopters_sitetotals" AS t
        WHERE t."id" IN (SELECT delta.key::smallint FROM delta WHERE delta.counter IN (-1044422635))
          AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(-78384896, hashtext(t."id"::text) & 255)
        ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
    ),
    absorbed0 AS (
        DELETE FROM counters_delta AS p
        WHERE p.id IN (
            SELECT q.id FROM counters_delta AS q
            WHERE q.key IN (SELECT taken0.key FROM taken0) AND q.counter IN (-1044422635)
            LIMIT 256)
        RETURNING p.counter, p.key, p.delta
    ),
    summed0 AS (
        SELECT x.key, (sum(x.delta) FILTER (WHERE x.counter = -1044422635))::bigint AS d0
        FROM (
            SELECT delta.counter, delta.key, delta.delta FROM delta
            WHERE delta.counter IN (-1044422635) AND delta.key IN (SELECT taken0.key FROM taken0)
            UNION ALL
            SELECT absorbed0.counter, absorbed0.key, absorbed0.delta FROM absorbed0
        ) AS x
        GROUP BY x.key
    ),
    updated0 AS (
        UPDATE "adopters_sitetotals" AS t SET "memberships_count" = t."memberships_count" + coalesce(summed.d0, 0)
        FROM summed0 AS summed WHERE t."id" = summed.key::smallint
        RETURNING t."id" AS key, false AS recompute
    ),
    appended AS (
        INSERT INTO counters_delta (counter, key, delta)
        SELECT delta.counter, delta.key, delta.delta FROM delta
        WHERE (delta.counter NOT IN (-1044422635) OR delta.key NOT IN (SELECT taken0.key FROM taken0))
    )
    SELECT array_agg(delta.key::smallint) FILTER (
               WHERE delta.counter IN (-1044422635) AND delta.delta > 0
                 AND delta.key NOT IN (SELECT taken0.key FROM taken0)
                 AND NOT EXISTS (SELECT 1 FROM "adopters_sitetotals" AS t WHERE t."id" = delta.key::smallint))
    INTO _new0
    FROM delta;
ELSE
    FOR _i IN 1 .. cardinality(_counters) LOOP
        IF _counters[_i] IN (-1044422635) THEN
            IF random() < 1.0 / 8 THEN
                WITH taken AS (
                    SELECT t."id" FROM "adopters_sitetotals" AS t
                    WHERE t."id" = _keys[_i]::smallint AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(-78384896, hashtext(_keys[_i]) & 255)
                    FOR NO KEY UPDATE SKIP LOCKED
                ),
                absorbed AS (
                    DELETE FROM counters_delta AS p
                    WHERE p.id IN (
                        SELECT q.id FROM counters_delta AS q
                        WHERE q.key = _keys[_i] AND q.counter IN (-1044422635) AND EXISTS (SELECT FROM taken)
                        LIMIT 256)
                    RETURNING p.counter, p.delta
                ),
                summed AS (
                    SELECT (sum(x.delta) FILTER (WHERE x.counter = -1044422635))::bigint AS d0
                    FROM (
                        SELECT _counters[_i], _deltas[_i]
                        UNION ALL
                        SELECT absorbed.counter, absorbed.delta FROM absorbed
                    ) AS x (counter, delta)
                )
                UPDATE "adopters_sitetotals" AS t SET "memberships_count" = t."memberships_count" + coalesce(summed.d0, 0)
                FROM summed
                WHERE t."id" IN (SELECT taken."id" FROM taken);
            ELSE
                PERFORM FROM "adopters_sitetotals" AS t
                WHERE t."id" = _keys[_i]::smallint AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(-78384896, hashtext(_keys[_i]) & 255)
                FOR NO KEY UPDATE SKIP LOCKED;
                IF FOUND THEN
                    UPDATE "adopters_sitetotals" AS t SET "memberships_count" = CASE WHEN _counters[_i] = -1044422635 THEN t."memberships_count" + _deltas[_i] ELSE t."memberships_count" END
                    WHERE t."id" = _keys[_i]::smallint;
                END IF;
            END IF;
            IF FOUND THEN
                CONTINUE;
            END IF;
            IF _counters[_i] IN (-1044422635) AND _deltas[_i] > 0 AND NOT EXISTS (SELECT FROM "adopters_sitetotals" AS t WHERE t."id" = _keys[_i]::smallint) THEN
                _new0 := _new0 || _keys[_i]::smallint;
            END IF;
        END IF;
        INSERT INTO counters_delta (counter, key, delta) VALUES (_counters[_i], _keys[_i], _deltas[_i]);
    END LOOP;
END IF;
IF _new0 IS NOT NULL THEN
    WITH pending AS (
        SELECT p.key, (sum(p.delta) FILTER (WHERE p.counter = -1044422635))::bigint AS d0
        FROM counters_delta AS p
        WHERE p.counter IN (-1044422635) AND p.key IN (SELECT k.key::text FROM unnest(_new0) AS k (key))
        GROUP BY p.key
    ),
    created AS (
        INSERT INTO "adopters_sitetotals" ("id", "memberships_count")
        SELECT pending.key::smallint, 0 + coalesce(pending.d0, 0)
        FROM pending
        WHERE cardinality(_new0) > 64 OR pg_try_advisory_xact_lock(-1130938677, hashtext(pending.key) & 1023)
        ORDER BY 1
        ON CONFLICT DO NOTHING
        RETURNING "id"
    )
    DELETE FROM counters_delta AS p
    WHERE p.counter IN (-1044422635) AND p.key IN (SELECT created."id"::text FROM created);
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
            WHERE w.counter IN (-1044422635)
        ),
        taken AS (
            SELECT t."id" FROM "adopters_sitetotals" AS t
            WHERE t."id" IN (SELECT slice.key::smallint FROM slice) AND pg_try_advisory_xact_lock(-78384896, hashtext(t."id"::text) & 255)
            ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
        ),
        moved AS (
            DELETE FROM counters_delta AS p
            WHERE p.id IN (SELECT slice.id FROM slice WHERE slice.key IN (SELECT taken."id"::text FROM taken))
            RETURNING p.counter, p.key, p.delta
        ),
        summed AS (
            SELECT moved.key, (sum(moved.delta) FILTER (WHERE moved.counter = -1044422635))::bigint AS d0
            FROM moved GROUP BY moved.key
        ),
        folded AS (
            UPDATE "adopters_sitetotals" AS t SET "memberships_count" = t."memberships_count" + coalesce(summed.d0, 0)
            FROM summed WHERE t."id" = summed.key::smallint
            RETURNING t."id" AS key, false AS recompute
        )
        SELECT array_agg(folded.key) FILTER (WHERE folded.recompute) INTO _folded0 FROM folded;
    END IF;
END IF;
RETURN NULL;
