-- trigger counters_adopters_insert on adopters_article_likes (adopters.AdoptersArticle_likesCounters): AFTER INSERT FOR EACH STATEMENT
DECLARE _counters integer[]; _keys text[]; _deltas bigint[]; _i integer; _left boolean; _folded0 bigint[]; _new1 varchar(150)[]; _folded1 varchar(150)[];
SELECT array_agg(d.counter), array_agg(d.key), array_agg(d.delta)
INTO _counters, _keys, _deltas
FROM (
    SELECT part.counter, part.key, sum(part.delta)::bigint AS delta
    FROM (
            SELECT -1745088253, r.key::text, count(*) FROM (
                SELECT s0."article_id" AS key FROM counters_new AS s0 WHERE s0."article_id" IS NOT NULL
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT 1307081512, r.key::text, count(*) FROM (
                SELECT s1."username" AS key FROM counters_new AS s0 JOIN "auth_user" AS s1 ON s1."id" = s0."user_id" WHERE s1."username" IS NOT NULL ORDER BY s1."id" FOR KEY SHARE OF s1
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
        SELECT t."id"::text AS key FROM "adopters_article" AS t
        WHERE t."id" IN (SELECT delta.key::bigint FROM delta WHERE delta.counter IN (-1745088253))
          AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(395332271, hashtext(t."id"::text) & 255)
        ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
    ),
    absorbed0 AS (
        DELETE FROM counters_delta AS p
        WHERE p.id IN (
            SELECT q.id FROM counters_delta AS q
            WHERE q.key IN (SELECT taken0.key FROM taken0) AND q.counter IN (-1745088253)
            LIMIT 256)
        RETURNING p.counter, p.key, p.delta
    ),
    summed0 AS (
        SELECT x.key, (sum(x.delta) FILTER (WHERE x.counter = -1745088253))::bigint AS d0
        FROM (
            SELECT delta.counter, delta.key, delta.delta FROM delta
            WHERE delta.counter IN (-1745088253) AND delta.key IN (SELECT taken0.key FROM taken0)
            UNION ALL
            SELECT absorbed0.counter, absorbed0.key, absorbed0.delta FROM absorbed0
        ) AS x
        GROUP BY x.key
    ),
    updated0 AS (
        UPDATE "adopters_article" AS t SET "likes_count" = t."likes_count" + coalesce(summed.d0, 0)
        FROM summed0 AS summed WHERE t."id" = summed.key::bigint
        RETURNING t."id" AS key, false AS recompute
    ),
    taken1 AS MATERIALIZED (
        SELECT t."user_id"::text AS key FROM "adopters_memberstats" AS t
        WHERE t."user_id" IN (SELECT delta.key::varchar(150) FROM delta WHERE delta.counter IN (1307081512))
          AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(-227356776, hashtext(t."user_id"::text) & 255)
        ORDER BY t."user_id" FOR NO KEY UPDATE SKIP LOCKED
    ),
    absorbed1 AS (
        DELETE FROM counters_delta AS p
        WHERE p.id IN (
            SELECT q.id FROM counters_delta AS q
            WHERE q.key IN (SELECT taken1.key FROM taken1) AND q.counter IN (1307081512)
            LIMIT 256)
        RETURNING p.counter, p.key, p.delta
    ),
    summed1 AS (
        SELECT x.key, (sum(x.delta) FILTER (WHERE x.counter = 1307081512))::bigint AS d0
        FROM (
            SELECT delta.counter, delta.key, delta.delta FROM delta
            WHERE delta.counter IN (1307081512) AND delta.key IN (SELECT taken1.key FROM taken1)
            UNION ALL
            SELECT absorbed1.counter, absorbed1.key, absorbed1.delta FROM absorbed1
        ) AS x
        GROUP BY x.key
    ),
    updated1 AS (
        UPDATE "adopters_memberstats" AS t SET "likes_given" = t."likes_given" + coalesce(summed.d0, 0)
        FROM summed1 AS summed WHERE t."user_id" = summed.key::varchar(150)
        RETURNING t."user_id" AS key, false AS recompute
    ),
    appended AS (
        INSERT INTO counters_delta (counter, key, delta)
        SELECT delta.counter, delta.key, delta.delta FROM delta
        WHERE (delta.counter NOT IN (-1745088253) OR delta.key NOT IN (SELECT taken0.key FROM taken0))
          AND (delta.counter NOT IN (1307081512) OR delta.key NOT IN (SELECT taken1.key FROM taken1))
    )
    SELECT array_agg(delta.key::varchar(150)) FILTER (
               WHERE delta.counter IN (1307081512) AND delta.delta > 0
                 AND delta.key NOT IN (SELECT taken1.key FROM taken1)
                 AND NOT EXISTS (SELECT 1 FROM "adopters_memberstats" AS t WHERE t."user_id" = delta.key::varchar(150)))
    INTO _new1
    FROM delta;
ELSE
    FOR _i IN 1 .. cardinality(_counters) LOOP
        IF _counters[_i] IN (-1745088253) THEN
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
                        WHERE q.key = _keys[_i] AND q.counter IN (-1745088253) AND EXISTS (SELECT FROM taken)
                        LIMIT 256)
                    RETURNING p.counter, p.delta
                ),
                summed AS (
                    SELECT (sum(x.delta) FILTER (WHERE x.counter = -1745088253))::bigint AS d0
                    FROM (
                        SELECT _counters[_i], _deltas[_i]
                        UNION ALL
                        SELECT absorbed.counter, absorbed.delta FROM absorbed
                    ) AS x (counter, delta)
                )
                UPDATE "adopters_article" AS t SET "likes_count" = t."likes_count" + coalesce(summed.d0, 0)
                FROM summed
                WHERE t."id" IN (SELECT taken."id" FROM taken);
            ELSE
                PERFORM FROM "adopters_article" AS t
                WHERE t."id" = _keys[_i]::bigint AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(395332271, hashtext(_keys[_i]) & 255)
                FOR NO KEY UPDATE SKIP LOCKED;
                IF FOUND THEN
                    UPDATE "adopters_article" AS t SET "likes_count" = CASE WHEN _counters[_i] = -1745088253 THEN t."likes_count" + _deltas[_i] ELSE t."likes_count" END
                    WHERE t."id" = _keys[_i]::bigint;
                END IF;
            END IF;
            IF FOUND THEN
                CONTINUE;
            END IF;
        END IF;
        IF _counters[_i] IN (1307081512) THEN
            IF random() < 1.0 / 8 THEN
                WITH taken AS (
                    SELECT t."user_id" FROM "adopters_memberstats" AS t
                    WHERE t."user_id" = _keys[_i]::varchar(150) AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(-227356776, hashtext(_keys[_i]) & 255)
                    FOR NO KEY UPDATE SKIP LOCKED
                ),
                absorbed AS (
                    DELETE FROM counters_delta AS p
                    WHERE p.id IN (
                        SELECT q.id FROM counters_delta AS q
                        WHERE q.key = _keys[_i] AND q.counter IN (1307081512) AND EXISTS (SELECT FROM taken)
                        LIMIT 256)
                    RETURNING p.counter, p.delta
                ),
                summed AS (
                    SELECT (sum(x.delta) FILTER (WHERE x.counter = 1307081512))::bigint AS d0
                    FROM (
                        SELECT _counters[_i], _deltas[_i]
                        UNION ALL
                        SELECT absorbed.counter, absorbed.delta FROM absorbed
                    ) AS x (counter, delta)
                )
                UPDATE "adopters_memberstats" AS t SET "likes_given" = t."likes_given" + coalesce(summed.d0, 0)
                FROM summed
                WHERE t."user_id" IN (SELECT taken."user_id" FROM taken);
            ELSE
                PERFORM FROM "adopters_memberstats" AS t
                WHERE t."user_id" = _keys[_i]::varchar(150) AND current_setting('counters.deferred', true) IS DISTINCT FROM 'on' AND pg_try_advisory_xact_lock(-227356776, hashtext(_keys[_i]) & 255)
                FOR NO KEY UPDATE SKIP LOCKED;
                IF FOUND THEN
                    UPDATE "adopters_memberstats" AS t SET "likes_given" = CASE WHEN _counters[_i] = 1307081512 THEN t."likes_given" + _deltas[_i] ELSE t."likes_given" END
                    WHERE t."user_id" = _keys[_i]::varchar(150);
                END IF;
            END IF;
            IF FOUND THEN
                CONTINUE;
            END IF;
            IF _counters[_i] IN (1307081512) AND _deltas[_i] > 0 AND NOT EXISTS (SELECT FROM "adopters_memberstats" AS t WHERE t."user_id" = _keys[_i]::varchar(150)) THEN
                _new1 := _new1 || _keys[_i]::varchar(150);
            END IF;
        END IF;
        INSERT INTO counters_delta (counter, key, delta) VALUES (_counters[_i], _keys[_i], _deltas[_i]);
    END LOOP;
END IF;
IF _new1 IS NOT NULL THEN
    WITH pending AS (
        SELECT p.key, (sum(p.delta) FILTER (WHERE p.counter = 1307081512))::bigint AS d0
        FROM counters_delta AS p
        WHERE p.counter IN (1307081512) AND p.key IN (SELECT k.key::text FROM unnest(_new1) AS k (key))
        GROUP BY p.key
    ),
    created AS (
        INSERT INTO "adopters_memberstats" ("user_id", "likes_given")
        SELECT pending.key::varchar(150), 0 + coalesce(pending.d0, 0)
        FROM pending
        WHERE cardinality(_new1) > 64 OR pg_try_advisory_xact_lock(-1761523349, hashtext(pending.key) & 1023)
        ORDER BY 1
        ON CONFLICT DO NOTHING
        RETURNING "user_id"
    )
    DELETE FROM counters_delta AS p
    WHERE p.counter IN (1307081512) AND p.key IN (SELECT created."user_id"::text FROM created);
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
            WHERE w.counter IN (-1745088253)
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
            SELECT moved.key, (sum(moved.delta) FILTER (WHERE moved.counter = -1745088253))::bigint AS d0
            FROM moved GROUP BY moved.key
        ),
        folded AS (
            UPDATE "adopters_article" AS t SET "likes_count" = t."likes_count" + coalesce(summed.d0, 0)
            FROM summed WHERE t."id" = summed.key::bigint
            RETURNING t."id" AS key, false AS recompute
        )
        SELECT array_agg(folded.key) FILTER (WHERE folded.recompute) INTO _folded0 FROM folded;
    END IF;
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
            WHERE w.counter IN (1307081512)
        ),
        taken AS (
            SELECT t."user_id" FROM "adopters_memberstats" AS t
            WHERE t."user_id" IN (SELECT slice.key::varchar(150) FROM slice) AND pg_try_advisory_xact_lock(-227356776, hashtext(t."user_id"::text) & 255)
            ORDER BY t."user_id" FOR NO KEY UPDATE SKIP LOCKED
        ),
        moved AS (
            DELETE FROM counters_delta AS p
            WHERE p.id IN (SELECT slice.id FROM slice WHERE slice.key IN (SELECT taken."user_id"::text FROM taken))
            RETURNING p.counter, p.key, p.delta
        ),
        summed AS (
            SELECT moved.key, (sum(moved.delta) FILTER (WHERE moved.counter = 1307081512))::bigint AS d0
            FROM moved GROUP BY moved.key
        ),
        folded AS (
            UPDATE "adopters_memberstats" AS t SET "likes_given" = t."likes_given" + coalesce(summed.d0, 0)
            FROM summed WHERE t."user_id" = summed.key::varchar(150)
            RETURNING t."user_id" AS key, false AS recompute
        )
        SELECT array_agg(folded.key) FILTER (WHERE folded.recompute) INTO _folded1 FROM folded;
    END IF;
END IF;
RETURN NULL;
