-- counter adopters.SiteTotals.staff_count (id 1640070225 in counters_delta): auth.User rows

-- trigger counters_adopters_delete on auth_user (adopters.AuthUserCounters): AFTER DELETE FOR EACH STATEMENT
DECLARE _new0 varchar(150)[]; _new1 smallint[]; _folded record;
WITH delta AS MATERIALIZED (
    SELECT part.counter, part.key, sum(part.delta)::bigint AS delta
    FROM (
        SELECT 1307081512, r.key::text, -count(*) FROM (
            SELECT s1."username" AS key FROM "adopters_article_likes" AS s0 JOIN counters_old AS s1 ON s1."id" = s0."user_id" WHERE s1."username" IS NOT NULL
        ) AS r GROUP BY r.key  -- adopters.MemberStats.likes_given
        UNION ALL
        SELECT 1640070225, r.key::text, -count(*) FROM (
            SELECT 1::smallint AS key FROM counters_old AS s0 WHERE (s0."is_staff")
        ) AS r GROUP BY r.key  -- adopters.SiteTotals.staff_count
        UNION ALL
        SELECT -78417697, r.key::text, -count(*) FROM (
            SELECT 1::smallint AS key FROM counters_old AS s0
        ) AS r GROUP BY r.key  -- adopters.SiteTotals.users_count
    ) AS part (counter, key, delta)
    GROUP BY part.counter, part.key
    HAVING sum(part.delta) <> 0
),
appended AS (
    INSERT INTO counters_delta (counter, key, delta)
    SELECT delta.counter, delta.key, delta.delta FROM delta
)
SELECT array_agg(delta.key::varchar(150)) FILTER (  -- "adopters_memberstats": keys counted for the first time
           WHERE delta.counter IN (1307081512) AND delta.delta > 0
             AND NOT EXISTS (SELECT 1 FROM "adopters_memberstats" AS t WHERE t."user_id" = delta.key::varchar(150))),
       array_agg(delta.key::smallint) FILTER (  -- "adopters_sitetotals": keys counted for the first time
           WHERE delta.counter IN (1640070225, -78417697) AND delta.delta > 0
             AND NOT EXISTS (SELECT 1 FROM "adopters_sitetotals" AS t WHERE t."id" = delta.key::smallint))
INTO _new0, _new1
FROM delta;
IF _new0 IS NOT NULL THEN  -- "adopters_memberstats": their row, with zeros, for the fold to add into,
    INSERT INTO "adopters_memberstats" ("user_id")  -- unless another writer is creating it right now (no waiting;
    SELECT DISTINCT k.key FROM unnest(_new0) AS k (key)  -- a bulk statement creates in key order)
    WHERE cardinality(_new0) > 64 OR pg_try_advisory_xact_lock(-1761523349, hashtext(k.key::text))
    ORDER BY 1 ON CONFLICT DO NOTHING;
END IF;
IF _new1 IS NOT NULL THEN  -- "adopters_sitetotals": their row, with zeros, for the fold to add into,
    INSERT INTO "adopters_sitetotals" ("id")  -- unless another writer is creating it right now (no waiting;
    SELECT DISTINCT k.key FROM unnest(_new1) AS k (key)  -- a bulk statement creates in key order)
    WHERE cardinality(_new1) > 64 OR pg_try_advisory_xact_lock(-1130938677, hashtext(k.key::text))
    ORDER BY 1 ON CONFLICT DO NOTHING;
END IF;
IF random() < 1.0 / 64 THEN  -- now and then a writer folds a batch, when no folder runs ...
    IF (CASE WHEN pg_try_advisory_lock_shared(-12837143) THEN pg_advisory_unlock_shared(-12837143) ELSE false END) AND pg_try_advisory_xact_lock(1165328191, -1761523349) THEN  -- ... and nobody is folding this table
        WITH pending AS (
            (  -- the keys this statement touched (the hot ones)
                SELECT touched.key FROM (
                    SELECT r.key::text FROM (
                        SELECT s1."username" AS key FROM "adopters_article_likes" AS s0 JOIN counters_old AS s1 ON s1."id" = s0."user_id" WHERE s1."username" IS NOT NULL
                    ) AS r  -- adopters.MemberStats.likes_given
                ) AS touched (key)
                LIMIT 256
            )
            UNION
            (
                SELECT p.key FROM counters_delta AS p
                WHERE p.counter IN (1307081512)
                GROUP BY p.key ORDER BY p.key LIMIT 256
            )
        ),
        taken AS (  -- the target rows nobody holds right now
            SELECT t."user_id" FROM "adopters_memberstats" AS t
            WHERE t."user_id" IN (SELECT pending.key::varchar(150) FROM pending)
            ORDER BY t."user_id" FOR NO KEY UPDATE SKIP LOCKED
        ),
        moved AS (
            DELETE FROM counters_delta AS p
            WHERE p.counter IN (1307081512) AND p.key IN (SELECT taken."user_id"::text FROM taken)
            RETURNING p.counter, p.key, p.delta
        ),
        summed AS (
            SELECT moved.key, sum(moved.delta) FILTER (WHERE moved.counter = 1307081512) AS d0
            FROM moved GROUP BY moved.key
        ),
        folded AS (
            UPDATE "adopters_memberstats" AS t SET "likes_given" = t."likes_given" + coalesce(summed.d0, 0)
            FROM summed WHERE t."user_id" = summed.key::varchar(150)
            RETURNING 1
        ),
        rowless AS (  -- pending keys without their row: not created yet, or gone
            SELECT pending.key FROM pending
            WHERE NOT EXISTS (SELECT 1 FROM "adopters_memberstats" AS t WHERE t."user_id" = pending.key::varchar(150))
        ),
        orphans AS (  -- deltas of rows that are gone (their owner was deleted)
            DELETE FROM counters_delta AS p
            WHERE p.counter IN (1307081512) AND p.key IN (SELECT rowless.key FROM rowless)
              AND NOT EXISTS (SELECT 1 FROM "auth_user" AS o WHERE o."username" = p.key::varchar(150))
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM orphans) AS orphans,
               (SELECT count(*) FROM pending) AS seen, (SELECT max(pending.key) FROM pending) AS last_key,
               (SELECT count(*) FROM folded) AS updated, (SELECT count(*) FROM rowless) AS rowless INTO _folded;
        IF _folded.rowless > 0 THEN
            INSERT INTO "adopters_memberstats" ("user_id")  -- rows still missing: their first writer rolled back, or skipped
            SELECT pending.key::varchar(150)  -- creating them while another writer was at it
            FROM (
                SELECT DISTINCT p.key FROM counters_delta AS p
                WHERE p.counter IN (1307081512)
                ORDER BY p.key LIMIT 256
            ) AS pending
            WHERE NOT EXISTS (SELECT 1 FROM "adopters_memberstats" AS t WHERE t."user_id" = pending.key::varchar(150))
              AND pending.key::varchar(150) IN (  -- whose owner exists and is not being deleted right now
                  SELECT o."username" FROM "auth_user" AS o WHERE o."username" = pending.key::varchar(150)
                  FOR KEY SHARE SKIP LOCKED)
              AND pg_try_advisory_xact_lock(-1761523349, hashtext(pending.key))  -- nobody else creating it now
            ORDER BY 1
            ON CONFLICT DO NOTHING;
        END IF;
    END IF;
END IF;
IF random() < 1.0 / 64 THEN  -- now and then a writer folds a batch, when no folder runs ...
    IF (CASE WHEN pg_try_advisory_lock_shared(-12837143) THEN pg_advisory_unlock_shared(-12837143) ELSE false END) AND pg_try_advisory_xact_lock(1165328191, -1130938677) THEN  -- ... and nobody is folding this table
        WITH pending AS (
            (  -- the keys this statement touched (the hot ones)
                SELECT touched.key FROM (
                    SELECT r.key::text FROM (
                        SELECT 1::smallint AS key FROM counters_old AS s0 WHERE (s0."is_staff")
                    ) AS r  -- adopters.SiteTotals.staff_count
                    UNION
                    SELECT r.key::text FROM (
                        SELECT 1::smallint AS key FROM counters_old AS s0
                    ) AS r  -- adopters.SiteTotals.users_count
                ) AS touched (key)
                LIMIT 256
            )
            UNION
            (
                SELECT p.key FROM counters_delta AS p
                WHERE p.counter IN (1640070225, -78417697)
                GROUP BY p.key ORDER BY p.key LIMIT 256
            )
        ),
        taken AS (  -- the target rows nobody holds right now
            SELECT t."id" FROM "adopters_sitetotals" AS t
            WHERE t."id" IN (SELECT pending.key::smallint FROM pending)
            ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
        ),
        moved AS (
            DELETE FROM counters_delta AS p
            WHERE p.counter IN (1640070225, -78417697) AND p.key IN (SELECT taken."id"::text FROM taken)
            RETURNING p.counter, p.key, p.delta
        ),
        summed AS (
            SELECT moved.key, sum(moved.delta) FILTER (WHERE moved.counter = 1640070225) AS d0, sum(moved.delta) FILTER (WHERE moved.counter = -78417697) AS d1
            FROM moved GROUP BY moved.key
        ),
        folded AS (
            UPDATE "adopters_sitetotals" AS t SET "staff_count" = t."staff_count" + coalesce(summed.d0, 0), "users_count" = t."users_count" + coalesce(summed.d1, 0)
            FROM summed WHERE t."id" = summed.key::smallint
            RETURNING 1
        ),
        rowless AS (  -- pending keys without their row: not created yet, or gone
            SELECT pending.key FROM pending
            WHERE NOT EXISTS (SELECT 1 FROM "adopters_sitetotals" AS t WHERE t."id" = pending.key::smallint)
        ),
        orphans AS (  -- deltas of rows that are gone (their owner was deleted)
            DELETE FROM counters_delta AS p
            WHERE p.counter IN (1640070225, -78417697) AND p.key IN (SELECT rowless.key FROM rowless)
              AND false  -- a total's row is created, never gone: its deltas wait for it
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM orphans) AS orphans,
               (SELECT count(*) FROM pending) AS seen, (SELECT max(pending.key) FROM pending) AS last_key,
               (SELECT count(*) FROM folded) AS updated, (SELECT count(*) FROM rowless) AS rowless INTO _folded;
        IF _folded.rowless > 0 THEN
            INSERT INTO "adopters_sitetotals" ("id")  -- rows still missing: their first writer rolled back, or skipped
            SELECT pending.key::smallint  -- creating them while another writer was at it
            FROM (
                SELECT DISTINCT p.key FROM counters_delta AS p
                WHERE p.counter IN (1640070225, -78417697)
                ORDER BY p.key LIMIT 256
            ) AS pending
            WHERE NOT EXISTS (SELECT 1 FROM "adopters_sitetotals" AS t WHERE t."id" = pending.key::smallint)
              AND pg_try_advisory_xact_lock(-1130938677, hashtext(pending.key))  -- nobody else creating it now
            ORDER BY 1
            ON CONFLICT DO NOTHING;
        END IF;
    END IF;
END IF;
RETURN NULL;

-- trigger counters_adopters_insert on auth_user (adopters.AuthUserCounters): AFTER INSERT FOR EACH STATEMENT
DECLARE _new0 varchar(150)[]; _new1 smallint[]; _folded record;
WITH delta AS MATERIALIZED (
    SELECT part.counter, part.key, sum(part.delta)::bigint AS delta
    FROM (
        SELECT 1307081512, r.key::text, count(*) FROM (
            SELECT s1."username" AS key FROM "adopters_article_likes" AS s0 JOIN counters_new AS s1 ON s1."id" = s0."user_id" WHERE s1."username" IS NOT NULL
        ) AS r GROUP BY r.key  -- adopters.MemberStats.likes_given
        UNION ALL
        SELECT 1640070225, r.key::text, count(*) FROM (
            SELECT 1::smallint AS key FROM counters_new AS s0 WHERE (s0."is_staff")
        ) AS r GROUP BY r.key  -- adopters.SiteTotals.staff_count
        UNION ALL
        SELECT -78417697, r.key::text, count(*) FROM (
            SELECT 1::smallint AS key FROM counters_new AS s0
        ) AS r GROUP BY r.key  -- adopters.SiteTotals.users_count
    ) AS part (counter, key, delta)
    GROUP BY part.counter, part.key
    HAVING sum(part.delta) <> 0
),
appended AS (
    INSERT INTO counters_delta (counter, key, delta)
    SELECT delta.counter, delta.key, delta.delta FROM delta
)
SELECT array_agg(delta.key::varchar(150)) FILTER (  -- "adopters_memberstats": keys counted for the first time
           WHERE delta.counter IN (1307081512) AND delta.delta > 0
             AND NOT EXISTS (SELECT 1 FROM "adopters_memberstats" AS t WHERE t."user_id" = delta.key::varchar(150))),
       array_agg(delta.key::smallint) FILTER (  -- "adopters_sitetotals": keys counted for the first time
           WHERE delta.counter IN (1640070225, -78417697) AND delta.delta > 0
             AND NOT EXISTS (SELECT 1 FROM "adopters_sitetotals" AS t WHERE t."id" = delta.key::smallint))
INTO _new0, _new1
FROM delta;
IF _new0 IS NOT NULL THEN  -- "adopters_memberstats": their row, with zeros, for the fold to add into,
    INSERT INTO "adopters_memberstats" ("user_id")  -- unless another writer is creating it right now (no waiting;
    SELECT DISTINCT k.key FROM unnest(_new0) AS k (key)  -- a bulk statement creates in key order)
    WHERE cardinality(_new0) > 64 OR pg_try_advisory_xact_lock(-1761523349, hashtext(k.key::text))
    ORDER BY 1 ON CONFLICT DO NOTHING;
END IF;
IF _new1 IS NOT NULL THEN  -- "adopters_sitetotals": their row, with zeros, for the fold to add into,
    INSERT INTO "adopters_sitetotals" ("id")  -- unless another writer is creating it right now (no waiting;
    SELECT DISTINCT k.key FROM unnest(_new1) AS k (key)  -- a bulk statement creates in key order)
    WHERE cardinality(_new1) > 64 OR pg_try_advisory_xact_lock(-1130938677, hashtext(k.key::text))
    ORDER BY 1 ON CONFLICT DO NOTHING;
END IF;
IF random() < 1.0 / 64 THEN  -- now and then a writer folds a batch, when no folder runs ...
    IF (CASE WHEN pg_try_advisory_lock_shared(-12837143) THEN pg_advisory_unlock_shared(-12837143) ELSE false END) AND pg_try_advisory_xact_lock(1165328191, -1761523349) THEN  -- ... and nobody is folding this table
        WITH pending AS (
            (  -- the keys this statement touched (the hot ones)
                SELECT touched.key FROM (
                    SELECT r.key::text FROM (
                        SELECT s1."username" AS key FROM "adopters_article_likes" AS s0 JOIN counters_new AS s1 ON s1."id" = s0."user_id" WHERE s1."username" IS NOT NULL
                    ) AS r  -- adopters.MemberStats.likes_given
                ) AS touched (key)
                LIMIT 256
            )
            UNION
            (
                SELECT p.key FROM counters_delta AS p
                WHERE p.counter IN (1307081512)
                GROUP BY p.key ORDER BY p.key LIMIT 256
            )
        ),
        taken AS (  -- the target rows nobody holds right now
            SELECT t."user_id" FROM "adopters_memberstats" AS t
            WHERE t."user_id" IN (SELECT pending.key::varchar(150) FROM pending)
            ORDER BY t."user_id" FOR NO KEY UPDATE SKIP LOCKED
        ),
        moved AS (
            DELETE FROM counters_delta AS p
            WHERE p.counter IN (1307081512) AND p.key IN (SELECT taken."user_id"::text FROM taken)
            RETURNING p.counter, p.key, p.delta
        ),
        summed AS (
            SELECT moved.key, sum(moved.delta) FILTER (WHERE moved.counter = 1307081512) AS d0
            FROM moved GROUP BY moved.key
        ),
        folded AS (
            UPDATE "adopters_memberstats" AS t SET "likes_given" = t."likes_given" + coalesce(summed.d0, 0)
            FROM summed WHERE t."user_id" = summed.key::varchar(150)
            RETURNING 1
        ),
        rowless AS (  -- pending keys without their row: not created yet, or gone
            SELECT pending.key FROM pending
            WHERE NOT EXISTS (SELECT 1 FROM "adopters_memberstats" AS t WHERE t."user_id" = pending.key::varchar(150))
        ),
        orphans AS (  -- deltas of rows that are gone (their owner was deleted)
            DELETE FROM counters_delta AS p
            WHERE p.counter IN (1307081512) AND p.key IN (SELECT rowless.key FROM rowless)
              AND NOT EXISTS (SELECT 1 FROM "auth_user" AS o WHERE o."username" = p.key::varchar(150))
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM orphans) AS orphans,
               (SELECT count(*) FROM pending) AS seen, (SELECT max(pending.key) FROM pending) AS last_key,
               (SELECT count(*) FROM folded) AS updated, (SELECT count(*) FROM rowless) AS rowless INTO _folded;
        IF _folded.rowless > 0 THEN
            INSERT INTO "adopters_memberstats" ("user_id")  -- rows still missing: their first writer rolled back, or skipped
            SELECT pending.key::varchar(150)  -- creating them while another writer was at it
            FROM (
                SELECT DISTINCT p.key FROM counters_delta AS p
                WHERE p.counter IN (1307081512)
                ORDER BY p.key LIMIT 256
            ) AS pending
            WHERE NOT EXISTS (SELECT 1 FROM "adopters_memberstats" AS t WHERE t."user_id" = pending.key::varchar(150))
              AND pending.key::varchar(150) IN (  -- whose owner exists and is not being deleted right now
                  SELECT o."username" FROM "auth_user" AS o WHERE o."username" = pending.key::varchar(150)
                  FOR KEY SHARE SKIP LOCKED)
              AND pg_try_advisory_xact_lock(-1761523349, hashtext(pending.key))  -- nobody else creating it now
            ORDER BY 1
            ON CONFLICT DO NOTHING;
        END IF;
    END IF;
END IF;
IF random() < 1.0 / 64 THEN  -- now and then a writer folds a batch, when no folder runs ...
    IF (CASE WHEN pg_try_advisory_lock_shared(-12837143) THEN pg_advisory_unlock_shared(-12837143) ELSE false END) AND pg_try_advisory_xact_lock(1165328191, -1130938677) THEN  -- ... and nobody is folding this table
        WITH pending AS (
            (  -- the keys this statement touched (the hot ones)
                SELECT touched.key FROM (
                    SELECT r.key::text FROM (
                        SELECT 1::smallint AS key FROM counters_new AS s0 WHERE (s0."is_staff")
                    ) AS r  -- adopters.SiteTotals.staff_count
                    UNION
                    SELECT r.key::text FROM (
                        SELECT 1::smallint AS key FROM counters_new AS s0
                    ) AS r  -- adopters.SiteTotals.users_count
                ) AS touched (key)
                LIMIT 256
            )
            UNION
            (
                SELECT p.key FROM counters_delta AS p
                WHERE p.counter IN (1640070225, -78417697)
                GROUP BY p.key ORDER BY p.key LIMIT 256
            )
        ),
        taken AS (  -- the target rows nobody holds right now
            SELECT t."id" FROM "adopters_sitetotals" AS t
            WHERE t."id" IN (SELECT pending.key::smallint FROM pending)
            ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
        ),
        moved AS (
            DELETE FROM counters_delta AS p
            WHERE p.counter IN (1640070225, -78417697) AND p.key IN (SELECT taken."id"::text FROM taken)
            RETURNING p.counter, p.key, p.delta
        ),
        summed AS (
            SELECT moved.key, sum(moved.delta) FILTER (WHERE moved.counter = 1640070225) AS d0, sum(moved.delta) FILTER (WHERE moved.counter = -78417697) AS d1
            FROM moved GROUP BY moved.key
        ),
        folded AS (
            UPDATE "adopters_sitetotals" AS t SET "staff_count" = t."staff_count" + coalesce(summed.d0, 0), "users_count" = t."users_count" + coalesce(summed.d1, 0)
            FROM summed WHERE t."id" = summed.key::smallint
            RETURNING 1
        ),
        rowless AS (  -- pending keys without their row: not created yet, or gone
            SELECT pending.key FROM pending
            WHERE NOT EXISTS (SELECT 1 FROM "adopters_sitetotals" AS t WHERE t."id" = pending.key::smallint)
        ),
        orphans AS (  -- deltas of rows that are gone (their owner was deleted)
            DELETE FROM counters_delta AS p
            WHERE p.counter IN (1640070225, -78417697) AND p.key IN (SELECT rowless.key FROM rowless)
              AND false  -- a total's row is created, never gone: its deltas wait for it
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM orphans) AS orphans,
               (SELECT count(*) FROM pending) AS seen, (SELECT max(pending.key) FROM pending) AS last_key,
               (SELECT count(*) FROM folded) AS updated, (SELECT count(*) FROM rowless) AS rowless INTO _folded;
        IF _folded.rowless > 0 THEN
            INSERT INTO "adopters_sitetotals" ("id")  -- rows still missing: their first writer rolled back, or skipped
            SELECT pending.key::smallint  -- creating them while another writer was at it
            FROM (
                SELECT DISTINCT p.key FROM counters_delta AS p
                WHERE p.counter IN (1640070225, -78417697)
                ORDER BY p.key LIMIT 256
            ) AS pending
            WHERE NOT EXISTS (SELECT 1 FROM "adopters_sitetotals" AS t WHERE t."id" = pending.key::smallint)
              AND pg_try_advisory_xact_lock(-1130938677, hashtext(pending.key))  -- nobody else creating it now
            ORDER BY 1
            ON CONFLICT DO NOTHING;
        END IF;
    END IF;
END IF;
RETURN NULL;

-- trigger counters_adopters_truncate on auth_user (adopters.AuthUserCounters): AFTER TRUNCATE FOR EACH STATEMENT
-- "adopters_memberstats": a TRUNCATE on the path leaves nothing to count
PERFORM pg_advisory_xact_lock(1165328191, -1761523349);  -- no fold of this table meanwhile
PERFORM 1 FROM "adopters_memberstats" WHERE "likes_given" <> 0 ORDER BY "user_id" FOR NO KEY UPDATE;
UPDATE "adopters_memberstats" SET "likes_given" = 0 WHERE "likes_given" <> 0;
DELETE FROM counters_delta WHERE counter IN (1307081512);
-- "adopters_sitetotals": a TRUNCATE on the path leaves nothing to count
PERFORM pg_advisory_xact_lock(1165328191, -1130938677);  -- no fold of this table meanwhile
PERFORM 1 FROM "adopters_sitetotals" WHERE "staff_count" <> 0 OR "users_count" <> 0 ORDER BY "id" FOR NO KEY UPDATE;
UPDATE "adopters_sitetotals" SET "staff_count" = 0, "users_count" = 0 WHERE "staff_count" <> 0 OR "users_count" <> 0;
DELETE FROM counters_delta WHERE counter IN (1640070225, -78417697);
RETURN NULL;

-- trigger counters_adopters_update on auth_user (adopters.AuthUserCounters): AFTER UPDATE FOR EACH STATEMENT
DECLARE _new0 varchar(150)[]; _new1 smallint[]; _folded record;
WITH delta AS MATERIALIZED (
    SELECT part.counter, part.key, sum(part.delta)::bigint AS delta
    FROM (
        SELECT 1307081512, r.key::text, count(*) FROM (
            SELECT s1."username" AS key FROM "adopters_article_likes" AS s0 JOIN counters_new AS s1 ON s1."id" = s0."user_id" WHERE s1."username" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM counters_old AS u WHERE u."id" = s1."id" AND u."username" IS NOT DISTINCT FROM s1."username")
        ) AS r GROUP BY r.key  -- adopters.MemberStats.likes_given
        UNION ALL
        SELECT 1307081512, r.key::text, -count(*) FROM (
            SELECT s1."username" AS key FROM "adopters_article_likes" AS s0 JOIN counters_old AS s1 ON s1."id" = s0."user_id" WHERE s1."username" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM counters_new AS u WHERE u."id" = s1."id" AND u."username" IS NOT DISTINCT FROM s1."username")
        ) AS r GROUP BY r.key  -- adopters.MemberStats.likes_given
        UNION ALL
        SELECT 1640070225, r.key::text, count(*) FROM (
            SELECT 1::smallint AS key FROM counters_new AS s0 WHERE (s0."is_staff")
        ) AS r GROUP BY r.key  -- adopters.SiteTotals.staff_count
        UNION ALL
        SELECT 1640070225, r.key::text, -count(*) FROM (
            SELECT 1::smallint AS key FROM counters_old AS s0 WHERE (s0."is_staff")
        ) AS r GROUP BY r.key  -- adopters.SiteTotals.staff_count
        UNION ALL
        SELECT -78417697, r.key::text, count(*) FROM (
            SELECT 1::smallint AS key FROM counters_new AS s0
        ) AS r GROUP BY r.key  -- adopters.SiteTotals.users_count
        UNION ALL
        SELECT -78417697, r.key::text, -count(*) FROM (
            SELECT 1::smallint AS key FROM counters_old AS s0
        ) AS r GROUP BY r.key  -- adopters.SiteTotals.users_count
    ) AS part (counter, key, delta)
    GROUP BY part.counter, part.key
    HAVING sum(part.delta) <> 0
),
appended AS (
    INSERT INTO counters_delta (counter, key, delta)
    SELECT delta.counter, delta.key, delta.delta FROM delta
)
SELECT array_agg(delta.key::varchar(150)) FILTER (  -- "adopters_memberstats": keys counted for the first time
           WHERE delta.counter IN (1307081512) AND delta.delta > 0
             AND NOT EXISTS (SELECT 1 FROM "adopters_memberstats" AS t WHERE t."user_id" = delta.key::varchar(150))),
       array_agg(delta.key::smallint) FILTER (  -- "adopters_sitetotals": keys counted for the first time
           WHERE delta.counter IN (1640070225, -78417697) AND delta.delta > 0
             AND NOT EXISTS (SELECT 1 FROM "adopters_sitetotals" AS t WHERE t."id" = delta.key::smallint))
INTO _new0, _new1
FROM delta;
IF _new0 IS NOT NULL THEN  -- "adopters_memberstats": their row, with zeros, for the fold to add into,
    INSERT INTO "adopters_memberstats" ("user_id")  -- unless another writer is creating it right now (no waiting;
    SELECT DISTINCT k.key FROM unnest(_new0) AS k (key)  -- a bulk statement creates in key order)
    WHERE cardinality(_new0) > 64 OR pg_try_advisory_xact_lock(-1761523349, hashtext(k.key::text))
    ORDER BY 1 ON CONFLICT DO NOTHING;
END IF;
IF _new1 IS NOT NULL THEN  -- "adopters_sitetotals": their row, with zeros, for the fold to add into,
    INSERT INTO "adopters_sitetotals" ("id")  -- unless another writer is creating it right now (no waiting;
    SELECT DISTINCT k.key FROM unnest(_new1) AS k (key)  -- a bulk statement creates in key order)
    WHERE cardinality(_new1) > 64 OR pg_try_advisory_xact_lock(-1130938677, hashtext(k.key::text))
    ORDER BY 1 ON CONFLICT DO NOTHING;
END IF;
IF random() < 1.0 / 64 THEN  -- now and then a writer folds a batch, when no folder runs ...
    IF (CASE WHEN pg_try_advisory_lock_shared(-12837143) THEN pg_advisory_unlock_shared(-12837143) ELSE false END) AND pg_try_advisory_xact_lock(1165328191, -1761523349) THEN  -- ... and nobody is folding this table
        WITH pending AS (
            (  -- the keys this statement touched (the hot ones)
                SELECT touched.key FROM (
                    SELECT r.key::text FROM (
                        SELECT s1."username" AS key FROM "adopters_article_likes" AS s0 JOIN counters_new AS s1 ON s1."id" = s0."user_id" WHERE s1."username" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM counters_old AS u WHERE u."id" = s1."id" AND u."username" IS NOT DISTINCT FROM s1."username")
                    ) AS r  -- adopters.MemberStats.likes_given
                    UNION
                    SELECT r.key::text FROM (
                        SELECT s1."username" AS key FROM "adopters_article_likes" AS s0 JOIN counters_old AS s1 ON s1."id" = s0."user_id" WHERE s1."username" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM counters_new AS u WHERE u."id" = s1."id" AND u."username" IS NOT DISTINCT FROM s1."username")
                    ) AS r  -- adopters.MemberStats.likes_given
                ) AS touched (key)
                LIMIT 256
            )
            UNION
            (
                SELECT p.key FROM counters_delta AS p
                WHERE p.counter IN (1307081512)
                GROUP BY p.key ORDER BY p.key LIMIT 256
            )
        ),
        taken AS (  -- the target rows nobody holds right now
            SELECT t."user_id" FROM "adopters_memberstats" AS t
            WHERE t."user_id" IN (SELECT pending.key::varchar(150) FROM pending)
            ORDER BY t."user_id" FOR NO KEY UPDATE SKIP LOCKED
        ),
        moved AS (
            DELETE FROM counters_delta AS p
            WHERE p.counter IN (1307081512) AND p.key IN (SELECT taken."user_id"::text FROM taken)
            RETURNING p.counter, p.key, p.delta
        ),
        summed AS (
            SELECT moved.key, sum(moved.delta) FILTER (WHERE moved.counter = 1307081512) AS d0
            FROM moved GROUP BY moved.key
        ),
        folded AS (
            UPDATE "adopters_memberstats" AS t SET "likes_given" = t."likes_given" + coalesce(summed.d0, 0)
            FROM summed WHERE t."user_id" = summed.key::varchar(150)
            RETURNING 1
        ),
        rowless AS (  -- pending keys without their row: not created yet, or gone
            SELECT pending.key FROM pending
            WHERE NOT EXISTS (SELECT 1 FROM "adopters_memberstats" AS t WHERE t."user_id" = pending.key::varchar(150))
        ),
        orphans AS (  -- deltas of rows that are gone (their owner was deleted)
            DELETE FROM counters_delta AS p
            WHERE p.counter IN (1307081512) AND p.key IN (SELECT rowless.key FROM rowless)
              AND NOT EXISTS (SELECT 1 FROM "auth_user" AS o WHERE o."username" = p.key::varchar(150))
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM orphans) AS orphans,
               (SELECT count(*) FROM pending) AS seen, (SELECT max(pending.key) FROM pending) AS last_key,
               (SELECT count(*) FROM folded) AS updated, (SELECT count(*) FROM rowless) AS rowless INTO _folded;
        IF _folded.rowless > 0 THEN
            INSERT INTO "adopters_memberstats" ("user_id")  -- rows still missing: their first writer rolled back, or skipped
            SELECT pending.key::varchar(150)  -- creating them while another writer was at it
            FROM (
                SELECT DISTINCT p.key FROM counters_delta AS p
                WHERE p.counter IN (1307081512)
                ORDER BY p.key LIMIT 256
            ) AS pending
            WHERE NOT EXISTS (SELECT 1 FROM "adopters_memberstats" AS t WHERE t."user_id" = pending.key::varchar(150))
              AND pending.key::varchar(150) IN (  -- whose owner exists and is not being deleted right now
                  SELECT o."username" FROM "auth_user" AS o WHERE o."username" = pending.key::varchar(150)
                  FOR KEY SHARE SKIP LOCKED)
              AND pg_try_advisory_xact_lock(-1761523349, hashtext(pending.key))  -- nobody else creating it now
            ORDER BY 1
            ON CONFLICT DO NOTHING;
        END IF;
    END IF;
END IF;
IF random() < 1.0 / 64 THEN  -- now and then a writer folds a batch, when no folder runs ...
    IF (CASE WHEN pg_try_advisory_lock_shared(-12837143) THEN pg_advisory_unlock_shared(-12837143) ELSE false END) AND pg_try_advisory_xact_lock(1165328191, -1130938677) THEN  -- ... and nobody is folding this table
        WITH pending AS (
            (  -- the keys this statement touched (the hot ones)
                SELECT touched.key FROM (
                    SELECT r.key::text FROM (
                        SELECT 1::smallint AS key FROM counters_new AS s0 WHERE (s0."is_staff")
                    ) AS r  -- adopters.SiteTotals.staff_count
                    UNION
                    SELECT r.key::text FROM (
                        SELECT 1::smallint AS key FROM counters_old AS s0 WHERE (s0."is_staff")
                    ) AS r  -- adopters.SiteTotals.staff_count
                    UNION
                    SELECT r.key::text FROM (
                        SELECT 1::smallint AS key FROM counters_new AS s0
                    ) AS r  -- adopters.SiteTotals.users_count
                    UNION
                    SELECT r.key::text FROM (
                        SELECT 1::smallint AS key FROM counters_old AS s0
                    ) AS r  -- adopters.SiteTotals.users_count
                ) AS touched (key)
                LIMIT 256
            )
            UNION
            (
                SELECT p.key FROM counters_delta AS p
                WHERE p.counter IN (1640070225, -78417697)
                GROUP BY p.key ORDER BY p.key LIMIT 256
            )
        ),
        taken AS (  -- the target rows nobody holds right now
            SELECT t."id" FROM "adopters_sitetotals" AS t
            WHERE t."id" IN (SELECT pending.key::smallint FROM pending)
            ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
        ),
        moved AS (
            DELETE FROM counters_delta AS p
            WHERE p.counter IN (1640070225, -78417697) AND p.key IN (SELECT taken."id"::text FROM taken)
            RETURNING p.counter, p.key, p.delta
        ),
        summed AS (
            SELECT moved.key, sum(moved.delta) FILTER (WHERE moved.counter = 1640070225) AS d0, sum(moved.delta) FILTER (WHERE moved.counter = -78417697) AS d1
            FROM moved GROUP BY moved.key
        ),
        folded AS (
            UPDATE "adopters_sitetotals" AS t SET "staff_count" = t."staff_count" + coalesce(summed.d0, 0), "users_count" = t."users_count" + coalesce(summed.d1, 0)
            FROM summed WHERE t."id" = summed.key::smallint
            RETURNING 1
        ),
        rowless AS (  -- pending keys without their row: not created yet, or gone
            SELECT pending.key FROM pending
            WHERE NOT EXISTS (SELECT 1 FROM "adopters_sitetotals" AS t WHERE t."id" = pending.key::smallint)
        ),
        orphans AS (  -- deltas of rows that are gone (their owner was deleted)
            DELETE FROM counters_delta AS p
            WHERE p.counter IN (1640070225, -78417697) AND p.key IN (SELECT rowless.key FROM rowless)
              AND false  -- a total's row is created, never gone: its deltas wait for it
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM orphans) AS orphans,
               (SELECT count(*) FROM pending) AS seen, (SELECT max(pending.key) FROM pending) AS last_key,
               (SELECT count(*) FROM folded) AS updated, (SELECT count(*) FROM rowless) AS rowless INTO _folded;
        IF _folded.rowless > 0 THEN
            INSERT INTO "adopters_sitetotals" ("id")  -- rows still missing: their first writer rolled back, or skipped
            SELECT pending.key::smallint  -- creating them while another writer was at it
            FROM (
                SELECT DISTINCT p.key FROM counters_delta AS p
                WHERE p.counter IN (1640070225, -78417697)
                ORDER BY p.key LIMIT 256
            ) AS pending
            WHERE NOT EXISTS (SELECT 1 FROM "adopters_sitetotals" AS t WHERE t."id" = pending.key::smallint)
              AND pg_try_advisory_xact_lock(-1130938677, hashtext(pending.key))  -- nobody else creating it now
            ORDER BY 1
            ON CONFLICT DO NOTHING;
        END IF;
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
    WHERE t."id" IN (SELECT pending.key::smallint FROM pending)
    ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
),
moved AS (
    DELETE FROM counters_delta AS p
    WHERE p.counter IN (-290199469, -1044422635, 1640070225, -78417697) AND p.key IN (SELECT taken."id"::text FROM taken)
    RETURNING p.counter, p.key, p.delta
),
summed AS (
    SELECT moved.key, sum(moved.delta) FILTER (WHERE moved.counter = -290199469) AS d0, sum(moved.delta) FILTER (WHERE moved.counter = -1044422635) AS d1, sum(moved.delta) FILTER (WHERE moved.counter = 1640070225) AS d2, sum(moved.delta) FILTER (WHERE moved.counter = -78417697) AS d3
    FROM moved GROUP BY moved.key
),
folded AS (
    UPDATE "adopters_sitetotals" AS t SET "groups_count" = t."groups_count" + coalesce(summed.d0, 0), "memberships_count" = t."memberships_count" + coalesce(summed.d1, 0), "staff_count" = t."staff_count" + coalesce(summed.d2, 0), "users_count" = t."users_count" + coalesce(summed.d3, 0)
    FROM summed WHERE t."id" = summed.key::smallint
    RETURNING 1
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
       (SELECT count(*) FROM folded) AS updated, (SELECT count(*) FROM rowless) AS rowless

-- recount: the drifted rows of a batch of keys (lo, hi]
SELECT d.k,
       coalesce(t."staff_count", 0) + coalesce(p.d0, 0),
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
      FROM "auth_user" AS s0
      WHERE (s0."is_staff")) AS r
   WHERE (%(lo)s IS NULL
          OR r.key > %(lo)s)
     AND (%(hi)s IS NULL
          OR r.key <= %(hi)s)
   GROUP BY r.key) AS c0 ON c0.key = d.k
LEFT JOIN
  (SELECT p.key,
          sum(p.delta) FILTER (
                               WHERE p.counter = 1640070225) AS d0
   FROM counters_delta AS p
   WHERE p.counter IN (1640070225)
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
  AND (coalesce(t."staff_count", 0) + coalesce(p.d0, 0) IS DISTINCT
       FROM coalesce(c0.n, 0))
ORDER BY d.k

-- recount: write the true values, drop the deltas they include
WITH drift(k, cached0, true0) AS
  (SELECT d.k,
          coalesce(t."staff_count", 0) + coalesce(p.d0, 0),
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
         FROM "auth_user" AS s0
         WHERE (s0."is_staff")) AS r
      WHERE (%(lo)s IS NULL
             OR r.key > %(lo)s)
        AND (%(hi)s IS NULL
             OR r.key <= %(hi)s)
      GROUP BY r.key) AS c0 ON c0.key = d.k
   LEFT JOIN
     (SELECT p.key,
             sum(p.delta) FILTER (
                                  WHERE p.counter = 1640070225) AS d0
      FROM counters_delta AS p
      WHERE p.counter IN (1640070225)
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
     AND (coalesce(t."staff_count", 0) + coalesce(p.d0, 0) IS DISTINCT
          FROM coalesce(c0.n, 0))
   ORDER BY d.k),
     fixed AS
  (UPDATE "adopters_sitetotals" AS t
   SET "staff_count" = drift.true0
   FROM drift
   WHERE t."id" = drift.k),
     counted AS
  (DELETE
   FROM counters_delta AS p USING drift
   WHERE p.counter IN (1640070225)
     AND p.key = drift.k::text)
SELECT *
FROM drift
ORDER BY drift.k

-- the view for SQL readers
CREATE VIEW "adopters_sitetotals_exact" AS  -- adopters.SiteTotals: counters with the deltas still pending added
SELECT t."id", t."groups_count" + coalesce(p.d0, 0) AS "groups_count", t."memberships_count" + coalesce(p.d1, 0) AS "memberships_count", t."staff_count" + coalesce(p.d2, 0) AS "staff_count", t."users_count" + coalesce(p.d3, 0) AS "users_count"
FROM "adopters_sitetotals" AS t
LEFT JOIN LATERAL (
    SELECT sum(p.delta) FILTER (WHERE p.counter = -290199469) AS d0, sum(p.delta) FILTER (WHERE p.counter = -1044422635) AS d1, sum(p.delta) FILTER (WHERE p.counter = 1640070225) AS d2, sum(p.delta) FILTER (WHERE p.counter = -78417697) AS d3
    FROM counters_delta AS p
    WHERE p.counter IN (-290199469, -1044422635, 1640070225, -78417697) AND p.key = t."id"::text
) AS p ON true
