-- counter adopters.Article.likes_count (id -1745088253 in counters_delta): adopters.Article_likes rows by article

-- trigger counters_adopters_delete on adopters_article_likes (adopters.AdoptersArticle_likesCounters): AFTER DELETE FOR EACH STATEMENT
DECLARE _counters integer[]; _keys text[]; _deltas bigint[]; _i integer; _left boolean; _folded0 bigint[]; _new1 varchar(150)[]; _folded1 varchar(150)[];
SELECT array_agg(d.counter), array_agg(d.key), array_agg(d.delta)
INTO _counters, _keys, _deltas
FROM (
    SELECT part.counter, part.key, sum(part.delta)::bigint AS delta
    FROM (
            SELECT -1745088253, r.key::text, -count(*) FROM (
                SELECT s0."article_id" AS key FROM counters_old AS s0 WHERE s0."article_id" IS NOT NULL
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT 1307081512, r.key::text, -count(*) FROM (
                SELECT s1."username" AS key FROM counters_old AS s0 JOIN "auth_user" AS s1 ON s1."id" = s0."user_id" WHERE s1."username" IS NOT NULL ORDER BY s1."id" FOR KEY SHARE OF s1
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

-- trigger counters_adopters_truncate on adopters_article_likes (adopters.AdoptersArticle_likesCounters): AFTER TRUNCATE FOR EACH STATEMENT
PERFORM pg_advisory_xact_lock(1165328191, 2103454382);
PERFORM 1 FROM "adopters_article" WHERE "likes_count" <> 0 ORDER BY "id" FOR NO KEY UPDATE;
UPDATE "adopters_article" SET "likes_count" = 0 WHERE "likes_count" <> 0;
DELETE FROM counters_delta WHERE counter IN (-1745088253);
PERFORM pg_advisory_xact_lock(1165328191, -1761523349);
PERFORM 1 FROM "adopters_memberstats" WHERE "likes_given" <> 0 ORDER BY "user_id" FOR NO KEY UPDATE;
UPDATE "adopters_memberstats" SET "likes_given" = 0 WHERE "likes_given" <> 0;
DELETE FROM counters_delta WHERE counter IN (1307081512);
RETURN NULL;

-- trigger counters_adopters_update on adopters_article_likes (adopters.AdoptersArticle_likesCounters): AFTER UPDATE FOR EACH STATEMENT
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
            SELECT -1745088253, r.key::text, -count(*) FROM (
                SELECT s0."article_id" AS key FROM counters_old AS s0 WHERE s0."article_id" IS NOT NULL
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT 1307081512, r.key::text, count(*) FROM (
                SELECT s1."username" AS key FROM counters_new AS s0 JOIN "auth_user" AS s1 ON s1."id" = s0."user_id" WHERE s1."username" IS NOT NULL ORDER BY s1."id" FOR KEY SHARE OF s1
            ) AS r GROUP BY r.key
            UNION ALL
            SELECT 1307081512, r.key::text, -count(*) FROM (
                SELECT s1."username" AS key FROM counters_old AS s0 JOIN "auth_user" AS s1 ON s1."id" = s0."user_id" WHERE s1."username" IS NOT NULL ORDER BY s1."id" FOR KEY SHARE OF s1
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
       coalesce(t."likes_count", 0) + coalesce(p.d0, 0),
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
     (SELECT s0."article_id" AS KEY
      FROM "adopters_article_likes" AS s0
      WHERE s0."article_id" IS NOT NULL) AS r
   WHERE (%(lo)s IS NULL
          OR r.key > %(lo)s)
     AND (%(hi)s IS NULL
          OR r.key <= %(hi)s)
   GROUP BY r.key) AS c0 ON c0.key = d.k
LEFT JOIN
  (SELECT p.key,
          (sum(p.delta) FILTER (
                                WHERE p.counter = -1745088253))::bigint AS d0
   FROM counters_delta AS p
   WHERE p.counter IN (-1745088253)
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
  AND (coalesce(t."likes_count", 0) + coalesce(p.d0, 0) IS DISTINCT
       FROM coalesce(c0.n, 0))
ORDER BY d.k

-- recount: write the true values, drop the deltas they include
WITH drift(k, cached0, true0) AS
  (SELECT d.k,
          coalesce(t."likes_count", 0) + coalesce(p.d0, 0),
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
        (SELECT s0."article_id" AS KEY
         FROM "adopters_article_likes" AS s0
         WHERE s0."article_id" IS NOT NULL) AS r
      WHERE (%(lo)s IS NULL
             OR r.key > %(lo)s)
        AND (%(hi)s IS NULL
             OR r.key <= %(hi)s)
      GROUP BY r.key) AS c0 ON c0.key = d.k
   LEFT JOIN
     (SELECT p.key,
             (sum(p.delta) FILTER (
                                   WHERE p.counter = -1745088253))::bigint AS d0
      FROM counters_delta AS p
      WHERE p.counter IN (-1745088253)
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
     AND (coalesce(t."likes_count", 0) + coalesce(p.d0, 0) IS DISTINCT
          FROM coalesce(c0.n, 0))
   ORDER BY d.k),
     fixed AS
  (UPDATE "adopters_article" AS t
   SET "likes_count" = drift.true0
   FROM drift
   WHERE t."id" = drift.k),
     counted AS
  (DELETE
   FROM counters_delta AS p USING drift
   WHERE p.counter IN (-1745088253)
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
