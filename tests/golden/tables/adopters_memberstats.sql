-- fold of adopters.MemberStats (fold_counters, counters_fold(), writers now and then)
WITH pending AS (
    SELECT p.key FROM counters_delta AS p
    WHERE p.counter IN (1307081512) AND (:after IS NULL OR p.key > :after)
    GROUP BY p.key ORDER BY p.key LIMIT :batch
),
taken AS (
    SELECT t."user_id" FROM "adopters_memberstats" AS t
    WHERE t."user_id" IN (SELECT pending.key::varchar(150) FROM pending) AND pg_try_advisory_xact_lock(-227356776, hashtext(t."user_id"::text) & 255)
    ORDER BY t."user_id" FOR NO KEY UPDATE SKIP LOCKED
),
moved AS (
    DELETE FROM counters_delta AS p
    WHERE p.counter IN (1307081512) AND p.key IN (SELECT taken."user_id"::text FROM taken)
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
),
rowless AS (
    SELECT pending.key FROM pending
    WHERE NOT EXISTS (SELECT 1 FROM "adopters_memberstats" AS t WHERE t."user_id" = pending.key::varchar(150))
),
orphans AS (
    DELETE FROM counters_delta AS p
    WHERE p.counter IN (1307081512) AND p.key IN (SELECT rowless.key FROM rowless)
      AND NOT EXISTS (SELECT 1 FROM "auth_user" AS o WHERE o."username" = p.key::varchar(150))
    RETURNING 1
)
SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM orphans) AS orphans,
       (SELECT count(*) FROM pending) AS seen, (SELECT max(pending.key) FROM pending) AS last_key,
       (SELECT count(*) FROM folded) AS updated, (SELECT count(*) FROM rowless) AS rowless,
       (SELECT array_agg(folded.key) FROM folded WHERE folded.recompute) AS recompute

-- recount: the drifted rows of a batch of keys (lo, hi]
SELECT d.k,
       coalesce(t."likes_given", 0) + coalesce(p.d0, 0),
       coalesce(c0.n, 0)
FROM
  (SELECT "username" AS k
   FROM "auth_user") AS d
LEFT JOIN "adopters_memberstats" AS t ON t."user_id" = d.k
AND (%(lo)s IS NULL
     OR t."user_id" > %(lo)s)
AND (%(hi)s IS NULL
     OR t."user_id" <= %(hi)s)
LEFT JOIN
  (SELECT r.key,
          count(*) AS n
   FROM
     (SELECT s1."username" AS KEY
      FROM "adopters_article_likes" AS s0
      JOIN "auth_user" AS s1 ON s1."id" = s0."user_id"
      WHERE s1."username" IS NOT NULL) AS r
   WHERE (%(lo)s IS NULL
          OR r.key > %(lo)s)
     AND (%(hi)s IS NULL
          OR r.key <= %(hi)s)
   GROUP BY r.key) AS c0 ON c0.key = d.k
LEFT JOIN
  (SELECT p.key,
          (sum(p.delta) FILTER (
                                WHERE p.counter = 1307081512))::bigint AS d0
   FROM counters_delta AS p
   WHERE p.counter IN (1307081512)
     AND p.key IN
       (SELECT b.k::text
        FROM
          (SELECT "username" AS k
           FROM "auth_user") AS b
        WHERE (%(lo)s IS NULL
               OR b.k > %(lo)s)
          AND (%(hi)s IS NULL
               OR b.k <= %(hi)s))
   GROUP BY p.key) AS p ON p.key = d.k::text
WHERE (%(lo)s IS NULL
       OR d.k > %(lo)s)
  AND (%(hi)s IS NULL
       OR d.k <= %(hi)s)
  AND (coalesce(t."likes_given", 0) + coalesce(p.d0, 0) IS DISTINCT
       FROM coalesce(c0.n, 0))
ORDER BY d.k

-- recount: write the true values, drop the deltas they include
WITH drift(k, cached0, true0) AS
  (SELECT d.k,
          coalesce(t."likes_given", 0) + coalesce(p.d0, 0),
          coalesce(c0.n, 0)
   FROM
     (SELECT "username" AS k
      FROM "auth_user") AS d
   LEFT JOIN "adopters_memberstats" AS t ON t."user_id" = d.k
   AND (%(lo)s IS NULL
        OR t."user_id" > %(lo)s)
   AND (%(hi)s IS NULL
        OR t."user_id" <= %(hi)s)
   LEFT JOIN
     (SELECT r.key,
             count(*) AS n
      FROM
        (SELECT s1."username" AS KEY
         FROM "adopters_article_likes" AS s0
         JOIN "auth_user" AS s1 ON s1."id" = s0."user_id"
         WHERE s1."username" IS NOT NULL) AS r
      WHERE (%(lo)s IS NULL
             OR r.key > %(lo)s)
        AND (%(hi)s IS NULL
             OR r.key <= %(hi)s)
      GROUP BY r.key) AS c0 ON c0.key = d.k
   LEFT JOIN
     (SELECT p.key,
             (sum(p.delta) FILTER (
                                   WHERE p.counter = 1307081512))::bigint AS d0
      FROM counters_delta AS p
      WHERE p.counter IN (1307081512)
        AND p.key IN
          (SELECT b.k::text
           FROM
             (SELECT "username" AS k
              FROM "auth_user") AS b
           WHERE (%(lo)s IS NULL
                  OR b.k > %(lo)s)
             AND (%(hi)s IS NULL
                  OR b.k <= %(hi)s))
      GROUP BY p.key) AS p ON p.key = d.k::text
   WHERE (%(lo)s IS NULL
          OR d.k > %(lo)s)
     AND (%(hi)s IS NULL
          OR d.k <= %(hi)s)
     AND (coalesce(t."likes_given", 0) + coalesce(p.d0, 0) IS DISTINCT
          FROM coalesce(c0.n, 0))
   ORDER BY d.k),
     fixed AS
  (UPDATE "adopters_memberstats" AS t
   SET "likes_given" = drift.true0
   FROM drift
   WHERE t."user_id" = drift.k),
     counted AS
  (DELETE
   FROM counters_delta AS p USING drift
   WHERE p.counter IN (1307081512)
     AND p.key = drift.k::text)
SELECT *
FROM drift
ORDER BY drift.k

-- the view for SQL readers
CREATE VIEW "adopters_memberstats_exact" AS
SELECT t."user_id", t."likes_given" + coalesce(p.d0, 0) AS "likes_given"
FROM "adopters_memberstats" AS t
LEFT JOIN LATERAL (
    SELECT (sum(p.delta) FILTER (WHERE p.counter = 1307081512))::bigint AS d0
    FROM counters_delta AS p
    WHERE p.counter IN (1307081512) AND p.key = t."user_id"::text
) AS p ON true
