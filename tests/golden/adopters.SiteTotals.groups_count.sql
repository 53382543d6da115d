-- counter adopters.SiteTotals.groups_count (id -290199469 in counters_delta): auth.Group rows

-- trigger counters_adopters_delete on auth_group (adopters.AuthGroupCounters): AFTER DELETE FOR EACH STATEMENT
DECLARE _counters integer[]; _keys text[]; _deltas bigint[]; _i integer; _left boolean; _new0 smallint[]; _folded0 smallint[];
SELECT array_agg(d.counter), array_agg(d.key), array_agg(d.delta)
INTO _counters, _keys, _deltas
FROM (
    SELECT part.counter, part.key, sum(part.delta)::bigint AS delta
    FROM (
            SELECT -290199469, r.key::text, -count(*) FROM (
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
        WHERE t."id" IN (SELECT delta.key::smallint FROM delta WHERE delta.counter IN (-290199469))
          AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(-78384896, hashtext(t."id"::text) & 255)
        ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
    ),
    absorbed0 AS (
        DELETE FROM counters_delta AS p
        WHERE p.id IN (
            SELECT q.id FROM counters_delta AS q
            WHERE q.key IN (SELECT taken0.key FROM taken0) AND q.counter IN (-290199469)
            LIMIT 256)
        RETURNING p.counter, p.key, p.delta
    ),
    summed0 AS (
        SELECT x.key, (sum(x.delta) FILTER (WHERE x.counter = -290199469))::bigint AS d0
        FROM (
            SELECT delta.counter, delta.key, delta.delta FROM delta
            WHERE delta.counter IN (-290199469) AND delta.key IN (SELECT taken0.key FROM taken0)
            UNION ALL
            SELECT absorbed0.counter, absorbed0.key, absorbed0.delta FROM absorbed0
        ) AS x
        GROUP BY x.key
    ),
    updated0 AS (
        UPDATE "adopters_sitetotals" AS t SET "groups_count" = t."groups_count" + coalesce(summed.d0, 0)
        FROM summed0 AS summed WHERE t."id" = summed.key::smallint
        RETURNING t."id" AS key, false AS recompute
    ),
    appended AS (
        INSERT INTO counters_delta (counter, key, delta)
        SELECT delta.counter, delta.key, delta.delta FROM delta
        WHERE (delta.counter NOT IN (-290199469) OR delta.key NOT IN (SELECT taken0.key FROM taken0))
    )
    SELECT array_agg(delta.key::smallint) FILTER (
               WHERE delta.counter IN (-290199469) AND delta.delta > 0
                 AND delta.key NOT IN (SELECT taken0.key FROM taken0)
                 AND NOT EXISTS (SELECT 1 FROM "adopters_sitetotals" AS t WHERE t."id" = delta.key::smallint))
    INTO _new0
    FROM delta;
ELSE
    FOR _i IN 1 .. cardinality(_counters) LOOP
        IF _counters[_i] IN (-290199469) THEN
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
                        WHERE q.key = _keys[_i] AND q.counter IN (-290199469) AND EXISTS (SELECT FROM taken)
                        LIMIT 256)
                    RETURNING p.counter, p.delta
                ),
                summed AS (
                    SELECT (sum(x.delta) FILTER (WHERE x.counter = -290199469))::bigint AS d0
                    FROM (
                        SELECT _counters[_i], _deltas[_i]
                        UNION ALL
                        SELECT absorbed.counter, absorbed.delta FROM absorbed
                    ) AS x (counter, delta)
                )
                UPDATE "adopters_sitetotals" AS t SET "groups_count" = t."groups_count" + coalesce(summed.d0, 0)
                FROM summed
                WHERE t."id" IN (SELECT taken."id" FROM taken);
            ELSE
                PERFORM FROM "adopters_sitetotals" AS t
                WHERE t."id" = _keys[_i]::smallint AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(-78384896, hashtext(_keys[_i]) & 255)
                FOR NO KEY UPDATE SKIP LOCKED;
                IF FOUND THEN
                    UPDATE "adopters_sitetotals" AS t SET "groups_count" = CASE WHEN _counters[_i] = -290199469 THEN t."groups_count" + _deltas[_i] ELSE t."groups_count" END
                    WHERE t."id" = _keys[_i]::smallint;
                END IF;
            END IF;
            IF FOUND THEN
                CONTINUE;
            END IF;
            IF _counters[_i] IN (-290199469) AND _deltas[_i] > 0 AND NOT EXISTS (SELECT FROM "adopters_sitetotals" AS t WHERE t."id" = _keys[_i]::smallint) THEN
                _new0 := _new0 || _keys[_i]::smallint;
            END IF;
        END IF;
        INSERT INTO counters_delta (counter, key, delta) VALUES (_counters[_i], _keys[_i], _deltas[_i]);
    END LOOP;
END IF;
IF _new0 IS NOT NULL THEN
    WITH pending AS (
        SELECT p.key, (sum(p.delta) FILTER (WHERE p.counter = -290199469))::bigint AS d0
        FROM counters_delta AS p
        WHERE p.counter IN (-290199469) AND p.key IN (SELECT k.key::text FROM unnest(_new0) AS k (key))
        GROUP BY p.key
    ),
    created AS (
        INSERT INTO "adopters_sitetotals" ("id", "groups_count")
        SELECT pending.key::smallint, 0 + coalesce(pending.d0, 0)
        FROM pending
        WHERE cardinality(_new0) > 64 OR pg_try_advisory_xact_lock(-1130938677, hashtext(pending.key) & 1023)
        ORDER BY 1
        ON CONFLICT DO NOTHING
        RETURNING "id"
    )
    DELETE FROM counters_delta AS p
    WHERE p.counter IN (-290199469) AND p.key IN (SELECT created."id"::text FROM created);
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
            WHERE w.counter IN (-290199469)
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
            SELECT moved.key, (sum(moved.delta) FILTER (WHERE moved.counter = -290199469))::bigint AS d0
            FROM moved GROUP BY moved.key
        ),
        folded AS (
            UPDATE "adopters_sitetotals" AS t SET "groups_count" = t."groups_count" + coalesce(summed.d0, 0)
            FROM summed WHERE t."id" = summed.key::smallint
            RETURNING t."id" AS key, false AS recompute
        )
        SELECT array_agg(folded.key) FILTER (WHERE folded.recompute) INTO _folded0 FROM folded;
    END IF;
END IF;
RETURN NULL;

-- trigger counters_adopters_insert on auth_group (adopters.AuthGroupCounters): AFTER INSERT FOR EACH STATEMENT
DECLARE _counters integer[]; _keys text[]; _deltas bigint[]; _i integer; _left boolean; _new0 smallint[]; _folded0 smallint[];
SELECT array_agg(d.counter), array_agg(d.key), array_agg(d.delta)
INTO _counters, _keys, _deltas
FROM (
    SELECT part.counter, part.key, sum(part.delta)::bigint AS delta
    FROM (
            SELECT -290199469, r.key::text, count(*) FROM (
                SELECT 1::smallint AS key FROM counters_new AS s0
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
        WHERE t."id" IN (SELECT delta.key::smallint FROM delta WHERE delta.counter IN (-290199469))
          AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(-78384896, hashtext(t."id"::text) & 255)
        ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
    ),
    absorbed0 AS (
        DELETE FROM counters_delta AS p
        WHERE p.id IN (
            SELECT q.id FROM counters_delta AS q
            WHERE q.key IN (SELECT taken0.key FROM taken0) AND q.counter IN (-290199469)
            LIMIT 256)
        RETURNING p.counter, p.key, p.delta
    ),
    summed0 AS (
        SELECT x.key, (sum(x.delta) FILTER (WHERE x.counter = -290199469))::bigint AS d0
        FROM (
            SELECT delta.counter, delta.key, delta.delta FROM delta
            WHERE delta.counter IN (-290199469) AND delta.key IN (SELECT taken0.key FROM taken0)
            UNION ALL
            SELECT absorbed0.counter, absorbed0.key, absorbed0.delta FROM absorbed0
        ) AS x
        GROUP BY x.key
    ),
    updated0 AS (
        UPDATE "adopters_sitetotals" AS t SET "groups_count" = t."groups_count" + coalesce(summed.d0, 0)
        FROM summed0 AS summed WHERE t."id" = summed.key::smallint
        RETURNING t."id" AS key, false AS recompute
    ),
    appended AS (
        INSERT INTO counters_delta (counter, key, delta)
        SELECT delta.counter, delta.key, delta.delta FROM delta
        WHERE (delta.counter NOT IN (-290199469) OR delta.key NOT IN (SELECT taken0.key FROM taken0))
    )
    SELECT array_agg(delta.key::smallint) FILTER (
               WHERE delta.counter IN (-290199469) AND delta.delta > 0
                 AND delta.key NOT IN (SELECT taken0.key FROM taken0)
                 AND NOT EXISTS (SELECT 1 FROM "adopters_sitetotals" AS t WHERE t."id" = delta.key::smallint))
    INTO _new0
    FROM delta;
ELSE
    FOR _i IN 1 .. cardinality(_counters) LOOP
        IF _counters[_i] IN (-290199469) THEN
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
                        WHERE q.key = _keys[_i] AND q.counter IN (-290199469) AND EXISTS (SELECT FROM taken)
                        LIMIT 256)
                    RETURNING p.counter, p.delta
                ),
                summed AS (
                    SELECT (sum(x.delta) FILTER (WHERE x.counter = -290199469))::bigint AS d0
                    FROM (
                        SELECT _counters[_i], _deltas[_i]
                        UNION ALL
                        SELECT absorbed.counter, absorbed.delta FROM absorbed
                    ) AS x (counter, delta)
                )
                UPDATE "adopters_sitetotals" AS t SET "groups_count" = t."groups_count" + coalesce(summed.d0, 0)
                FROM summed
                WHERE t."id" IN (SELECT taken."id" FROM taken);
            ELSE
                PERFORM FROM "adopters_sitetotals" AS t
                WHERE t."id" = _keys[_i]::smallint AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(-78384896, hashtext(_keys[_i]) & 255)
                FOR NO KEY UPDATE SKIP LOCKED;
                IF FOUND THEN
                    UPDATE "adopters_sitetotals" AS t SET "groups_count" = CASE WHEN _counters[_i] = -290199469 THEN t."groups_count" + _deltas[_i] ELSE t."groups_count" END
                    WHERE t."id" = _keys[_i]::smallint;
                END IF;
            END IF;
            IF FOUND THEN
                CONTINUE;
            END IF;
            IF _counters[_i] IN (-290199469) AND _deltas[_i] > 0 AND NOT EXISTS (SELECT FROM "adopters_sitetotals" AS t WHERE t."id" = _keys[_i]::smallint) THEN
                _new0 := _new0 || _keys[_i]::smallint;
            END IF;
        END IF;
        INSERT INTO counters_delta (counter, key, delta) VALUES (_counters[_i], _keys[_i], _deltas[_i]);
    END LOOP;
END IF;
IF _new0 IS NOT NULL THEN
    WITH pending AS (
        SELECT p.key, (sum(p.delta) FILTER (WHERE p.counter = -290199469))::bigint AS d0
        FROM counters_delta AS p
        WHERE p.counter IN (-290199469) AND p.key IN (SELECT k.key::text FROM unnest(_new0) AS k (key))
        GROUP BY p.key
    ),
    created AS (
        INSERT INTO "adopters_sitetotals" ("id", "groups_count")
        SELECT pending.key::smallint, 0 + coalesce(pending.d0, 0)
        FROM pending
        WHERE cardinality(_new0) > 64 OR pg_try_advisory_xact_lock(-1130938677, hashtext(pending.key) & 1023)
        ORDER BY 1
        ON CONFLICT DO NOTHING
        RETURNING "id"
    )
    DELETE FROM counters_delta AS p
    WHERE p.counter IN (-290199469) AND p.key IN (SELECT created."id"::text FROM created);
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
            WHERE w.counter IN (-290199469)
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
            SELECT moved.key, (sum(moved.delta) FILTER (WHERE moved.counter = -290199469))::bigint AS d0
            FROM moved GROUP BY moved.key
        ),
        folded AS (
            UPDATE "adopters_sitetotals" AS t SET "groups_count" = t."groups_count" + coalesce(summed.d0, 0)
            FROM summed WHERE t."id" = summed.key::smallint
            RETURNING t."id" AS key, false AS recompute
        )
        SELECT array_agg(folded.key) FILTER (WHERE folded.recompute) INTO _folded0 FROM folded;
    END IF;
END IF;
RETURN NULL;

-- trigger counters_adopters_truncate on auth_group (adopters.AuthGroupCounters): AFTER TRUNCATE FOR EACH STATEMENT
PERFORM pg_advisory_xact_lock(1165328191, -1130938677);
PERFORM 1 FROM "adopters_sitetotals" WHERE "groups_count" <> 0 ORDER BY "id" FOR NO KEY UPDATE;
UPDATE "adopters_sitetotals" SET "groups_count" = 0 WHERE "groups_count" <> 0;
DELETE FROM counters_delta WHERE counter IN (-290199469);
RETURN NULL;

-- trigger counters_adopters_update on auth_group (adopters.AuthGroupCounters): AFTER UPDATE FOR EACH STATEMENT
DECLARE _counters integer[]; _keys text[]; _deltas bigint[]; _i integer; _left boolean; _new0 smallint[]; _folded0 smallint[];
SELECT array_agg(d.counter), array_agg(d.key), array_agg(d.delta)
INTO _counters, _keys, _deltas
FROM (
    SELECT part.counter, part.key, sum(part.delta)::bigint AS delta
    FROM (
            SELECT -290199469, r.key::text, count(*) FROM (
                SELECT 1::smallint AS key FROM counters_new AS s0
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT -290199469, r.key::text, -count(*) FROM (
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
        WHERE t."id" IN (SELECT delta.key::smallint FROM delta WHERE delta.counter IN (-290199469))
          AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(-78384896, hashtext(t."id"::text) & 255)
        ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
    ),
    absorbed0 AS (
        DELETE FROM counters_delta AS p
        WHERE p.id IN (
            SELECT q.id FROM counters_delta AS q
            WHERE q.key IN (SELECT taken0.key FROM taken0) AND q.counter IN (-290199469)
            LIMIT 256)
        RETURNING p.counter, p.key, p.delta
    ),
    summed0 AS (
        SELECT x.key, (sum(x.delta) FILTER (WHERE x.counter = -290199469))::bigint AS d0
        FROM (
            SELECT delta.counter, delta.key, delta.delta FROM delta
            WHERE delta.counter IN (-290199469) AND delta.key IN (SELECT taken0.key FROM taken0)
            UNION ALL
            SELECT absorbed0.counter, absorbed0.key, absorbed0.delta FROM absorbed0
        ) AS x
        GROUP BY x.key
    ),
    updated0 AS (
        UPDATE "adopters_sitetotals" AS t SET "groups_count" = t."groups_count" + coalesce(summed.d0, 0)
        FROM summed0 AS summed WHERE t."id" = summed.key::smallint
        RETURNING t."id" AS key, false AS recompute
    ),
    appended AS (
        INSERT INTO counters_delta (counter, key, delta)
        SELECT delta.counter, delta.key, delta.delta FROM delta
        WHERE (delta.counter NOT IN (-290199469) OR delta.key NOT IN (SELECT taken0.key FROM taken0))
    )
    SELECT array_agg(delta.key::smallint) FILTER (
               WHERE delta.counter IN (-290199469) AND delta.delta > 0
                 AND delta.key NOT IN (SELECT taken0.key FROM taken0)
                 AND NOT EXISTS (SELECT 1 FROM "adopters_sitetotals" AS t WHERE t."id" = delta.key::smallint))
    INTO _new0
    FROM delta;
ELSE
    FOR _i IN 1 .. cardinality(_counters) LOOP
        IF _counters[_i] IN (-290199469) THEN
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
                        WHERE q.key = _keys[_i] AND q.counter IN (-290199469) AND EXISTS (SELECT FROM taken)
                        LIMIT 256)
                    RETURNING p.counter, p.delta
                ),
                summed AS (
                    SELECT (sum(x.delta) FILTER (WHERE x.counter = -290199469))::bigint AS d0
                    FROM (
                        SELECT _counters[_i], _deltas[_i]
                        UNION ALL
                        SELECT absorbed.counter, absorbed.delta FROM absorbed
                    ) AS x (counter, delta)
                )
                UPDATE "adopters_sitetotals" AS t SET "groups_count" = t."groups_count" + coalesce(summed.d0, 0)
                FROM summed
                WHERE t."id" IN (SELECT taken."id" FROM taken);
            ELSE
                PERFORM FROM "adopters_sitetotals" AS t
                WHERE t."id" = _keys[_i]::smallint AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(-78384896, hashtext(_keys[_i]) & 255)
                FOR NO KEY UPDATE SKIP LOCKED;
                IF FOUND THEN
                    UPDATE "adopters_sitetotals" AS t SET "groups_count" = CASE WHEN _counters[_i] = -290199469 THEN t."groups_count" + _deltas[_i] ELSE t."groups_count" END
                    WHERE t."id" = _keys[_i]::smallint;
                END IF;
            END IF;
            IF FOUND THEN
                CONTINUE;
            END IF;
            IF _counters[_i] IN (-290199469) AND _deltas[_i] > 0 AND NOT EXISTS (SELECT FROM "adopters_sitetotals" AS t WHERE t."id" = _keys[_i]::smallint) THEN
                _new0 := _new0 || _keys[_i]::smallint;
            END IF;
        END IF;
        INSERT INTO counters_delta (counter, key, delta) VALUES (_counters[_i], _keys[_i], _deltas[_i]);
    END LOOP;
END IF;
IF _new0 IS NOT NULL THEN
    WITH pending AS (
        SELECT p.key, (sum(p.delta) FILTER (WHERE p.counter = -290199469))::bigint AS d0
        FROM counters_delta AS p
        WHERE p.counter IN (-290199469) AND p.key IN (SELECT k.key::text FROM unnest(_new0) AS k (key))
        GROUP BY p.key
    ),
    created AS (
        INSERT INTO "adopters_sitetotals" ("id", "groups_count")
        SELECT pending.key::smallint, 0 + coalesce(pending.d0, 0)
        FROM pending
        WHERE cardinality(_new0) > 64 OR pg_try_advisory_xact_lock(-1130938677, hashtext(pending.key) & 1023)
        ORDER BY 1
        ON CONFLICT DO NOTHING
        RETURNING "id"
    )
    DELETE FROM counters_delta AS p
    WHERE p.counter IN (-290199469) AND p.key IN (SELECT created."id"::text FROM created);
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
            WHERE w.counter IN (-290199469)
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
            SELECT moved.key, (sum(moved.delta) FILTER (WHERE moved.counter = -290199469))::bigint AS d0
            FROM moved GROUP BY moved.key
        ),
        folded AS (
            UPDATE "adopters_sitetotals" AS t SET "groups_count" = t."groups_count" + coalesce(summed.d0, 0)
            FROM summed WHERE t."id" = summed.key::smallint
            RETURNING t."id" AS key, false AS recompute
        )
        SELECT array_agg(folded.key) FILTER (WHERE folded.recompute) INTO _folded0 FROM folded;
    END IF;
END IF;
RETURN NULL;

-- read-only guard counters_readonly_insert on adopters_sitetotals (adopters.SiteTotals): BEFORE INSERT FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (NEW."groups_count" IS DISTINCT FROM 0 OR NEW."memberships_count" IS DISTINCT FROM 0 OR NEW."staff_count" IS DISTINCT FROM 0 OR NEW."users_count" IS DISTINCT FROM 0)
NEW."groups_count" := 0;
NEW."memberships_count" := 0;
NEW."staff_count" := 0;
NEW."users_count" := 0;
RETURN NEW;

-- read-only guard counters_readonly_update on adopters_sitetotals (adopters.SiteTotals): BEFORE UPDATE FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (OLD."groups_count" IS DISTINCT FROM NEW."groups_count" OR OLD."memberships_count" IS DISTINCT FROM NEW."memberships_count" OR OLD."staff_count" IS DISTINCT FROM NEW."staff_count" OR OLD."users_count" IS DISTINCT FROM NEW."users_count")
NEW."groups_count" := OLD."groups_count";
NEW."memberships_count" := OLD."memberships_count";
NEW."staff_count" := OLD."staff_count";
NEW."users_count" := OLD."users_count";
RETURN NEW;

-- fold of adopters.SiteTotals (fold_counters, counters_fold(), writers now and then)
WITH pending AS (
    SELECT p.key FROM counters_delta AS p
    WHERE p.counter IN (-290199469, -1044422635, 1640070225, -78417697) AND (:after IS NULL OR p.key > :after)
    GROUP BY p.key ORDER BY p.key LIMIT :batch
),
taken AS (  -- the target rows nobody holds right now
    SELECT t."id" FROM "adopters_sitetotals" AS t
    WHERE t."id" IN (SELECT pending.key::smallint FROM pending) AND pg_try_advisory_xact_lock(-78384896, hashtext(t."id"::text) & 255)
    ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
),
moved AS (
    DELETE FROM counters_delta AS p
    WHERE p.counter IN (-290199469, -1044422635, 1640070225, -78417697) AND p.key IN (SELECT taken."id"::text FROM taken)
    RETURNING p.counter, p.key, p.delta
),
summed AS (
    SELECT moved.key, (sum(moved.delta) FILTER (WHERE moved.counter = -290199469))::bigint AS d0, (sum(moved.delta) FILTER (WHERE moved.counter = -1044422635))::bigint AS d1, (sum(moved.delta) FILTER (WHERE moved.counter = 1640070225))::bigint AS d2, (sum(moved.delta) FILTER (WHERE moved.counter = -78417697))::bigint AS d3
    FROM moved GROUP BY moved.key
),
folded AS (
    UPDATE "adopters_sitetotals" AS t SET "groups_count" = t."groups_count" + coalesce(summed.d0, 0), "memberships_count" = t."memberships_count" + coalesce(summed.d1, 0), "staff_count" = t."staff_count" + coalesce(summed.d2, 0), "users_count" = t."users_count" + coalesce(summed.d3, 0)
    FROM summed WHERE t."id" = summed.key::smallint
    RETURNING t."id" AS key, false AS recompute
),
rowless AS (  -- pending keys without their row: not created yet, or gone
    SELECT pending.key FROM pending
    WHERE NOT EXISTS (SELECT 1 FROM "adopters_sitetotals" AS t WHERE t."id" = pending.key::smallint)
),
orphans AS (  -- deltas of rows that are gone (their owner was deleted)
    DELETE FROM counters_delta AS p
    WHERE p.counter IN (-290199469, -1044422635, 1640070225, -78417697) AND p.key IN (SELECT rowless.key FROM rowless)
      AND false  -- a total's row is created, never gone: its deltas wait for it
    RETURNING 1
)
SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM orphans) AS orphans,
       (SELECT count(*) FROM pending) AS seen, (SELECT max(pending.key) FROM pending) AS last_key,
       (SELECT count(*) FROM folded) AS updated, (SELECT count(*) FROM rowless) AS rowless,
       (SELECT array_agg(folded.key) FROM folded WHERE folded.recompute) AS recompute

-- recount: the drifted rows of a batch of keys (lo, hi]
SELECT d.k,
       coalesce(t."groups_count", 0) + coalesce(p.d0, 0),
       coalesce(c0.n, 0)
FROM
  (SELECT 1::smallint AS k) AS d
LEFT JOIN "adopters_sitetotals" AS t ON t."id" = d.k
AND (%(lo)s IS NULL
     OR t."id" > %(lo)s)
AND (%(hi)s IS NULL
     OR t."id" <= %(hi)s)
LEFT JOIN
  (SELECT r.key,
          count(*) AS n
   FROM
     (SELECT 1::smallint AS KEY
      FROM "auth_group" AS s0) AS r
   WHERE (%(lo)s IS NULL
          OR r.key > %(lo)s)
     AND (%(hi)s IS NULL
          OR r.key <= %(hi)s)
   GROUP BY r.key) AS c0 ON c0.key = d.k
LEFT JOIN
  (SELECT p.key,
          (sum(p.delta) FILTER (
                                WHERE p.counter = -290199469))::bigint AS d0
   FROM counters_delta AS p
   WHERE p.counter IN (-290199469)
     AND p.key IN
       (SELECT b.k::text
        FROM
          (SELECT 1::smallint AS k) AS b
        WHERE (%(lo)s IS NULL
               OR b.k > %(lo)s)
          AND (%(hi)s IS NULL
               OR b.k <= %(hi)s))
   GROUP BY p.key) AS p ON p.key = d.k::text
WHERE (%(lo)s IS NULL
       OR d.k > %(lo)s)
  AND (%(hi)s IS NULL
       OR d.k <= %(hi)s)
  AND (coalesce(t."groups_count", 0) + coalesce(p.d0, 0) IS DISTINCT
       FROM coalesce(c0.n, 0))
ORDER BY d.k

-- recount: write the true values, drop the deltas they include
WITH drift(k, cached0, true0) AS
  (SELECT d.k,
          coalesce(t."groups_count", 0) + coalesce(p.d0, 0),
          coalesce(c0.n, 0)
   FROM
     (SELECT 1::smallint AS k) AS d
   LEFT JOIN "adopters_sitetotals" AS t ON t."id" = d.k
   AND (%(lo)s IS NULL
        OR t."id" > %(lo)s)
   AND (%(hi)s IS NULL
        OR t."id" <= %(hi)s)
   LEFT JOIN
     (SELECT r.key,
             count(*) AS n
      FROM
        (SELECT 1::smallint AS KEY
         FROM "auth_group" AS s0) AS r
      WHERE (%(lo)s IS NULL
             OR r.key > %(lo)s)
        AND (%(hi)s IS NULL
             OR r.key <= %(hi)s)
      GROUP BY r.key) AS c0 ON c0.key = d.k
   LEFT JOIN
     (SELECT p.key,
             (sum(p.delta) FILTER (
                                   WHERE p.counter = -290199469))::bigint AS d0
      FROM counters_delta AS p
      WHERE p.counter IN (-290199469)
        AND p.key IN
          (SELECT b.k::text
           FROM
             (SELECT 1::smallint AS k) AS b
           WHERE (%(lo)s IS NULL
                  OR b.k > %(lo)s)
             AND (%(hi)s IS NULL
                  OR b.k <= %(hi)s))
      GROUP BY p.key) AS p ON p.key = d.k::text
   WHERE (%(lo)s IS NULL
          OR d.k > %(lo)s)
     AND (%(hi)s IS NULL
          OR d.k <= %(hi)s)
     AND (coalesce(t."groups_count", 0) + coalesce(p.d0, 0) IS DISTINCT
          FROM coalesce(c0.n, 0))
   ORDER BY d.k),
     fixed AS
  (UPDATE "adopters_sitetotals" AS t
   SET "groups_count" = drift.true0
   FROM drift
   WHERE t."id" = drift.k),
     counted AS
  (DELETE
   FROM counters_delta AS p USING drift
   WHERE p.counter IN (-290199469)
     AND p.key = drift.k::text)
SELECT *
FROM drift
ORDER BY drift.k

-- the view for SQL readers
CREATE VIEW "adopters_sitetotals_exact" AS  -- adopters.SiteTotals: counters with the deltas still pending added
SELECT t."id", t."groups_count" + coalesce(p.d0, 0) AS "groups_count", t."memberships_count" + coalesce(p.d1, 0) AS "memberships_count", t."staff_count" + coalesce(p.d2, 0) AS "staff_count", t."users_count" + coalesce(p.d3, 0) AS "users_count"
FROM "adopters_sitetotals" AS t
LEFT JOIN LATERAL (
    SELECT (sum(p.delta) FILTER (WHERE p.counter = -290199469))::bigint AS d0, (sum(p.delta) FILTER (WHERE p.counter = -1044422635))::bigint AS d1, (sum(p.delta) FILTER (WHERE p.counter = 1640070225))::bigint AS d2, (sum(p.delta) FILTER (WHERE p.counter = -78417697))::bigint AS d3
    FROM counters_delta AS p
    WHERE p.counter IN (-290199469, -1044422635, 1640070225, -78417697) AND p.key = t."id"::text
) AS p ON true
