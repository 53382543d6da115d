-- fold of adopters.SiteTotals (fold_counters, counters_fold(), writers now and then)
WITH pending AS (
    SELECT p.key FROM counters_delta AS p
    WHERE p.counter IN (-290199469, -1044422635, 1640070225, -78417697) AND (:after IS NULL OR p.key > :after)
    GROUP BY p.key ORDER BY p.key LIMIT :batch
),
taken AS (
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
rowless AS (
    SELECT pending.key FROM pending
    WHERE NOT EXISTS (SELECT 1 FROM "adopters_sitetotals" AS t WHERE t."id" = pending.key::smallint)
),
orphans AS (
    DELETE FROM counters_delta AS p
    WHERE p.counter IN (-290199469, -1044422635, 1640070225, -78417697) AND p.key IN (SELECT rowless.key FROM rowless)
      AND false
    RETURNING 1
)
SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM orphans) AS orphans,
       (SELECT count(*) FROM pending) AS seen, (SELECT max(pending.key) FROM pending) AS last_key,
       (SELECT count(*) FROM folded) AS updated, (SELECT count(*) FROM rowless) AS rowless,
       (SELECT array_agg(folded.key) FROM folded WHERE folded.recompute) AS recompute

-- recount: the drifted rows of a batch of keys (lo, hi]
SELECT d.k,
       coalesce(t."groups_count", 0) + coalesce(p.d0, 0),
       coalesce(t."memberships_count", 0) + coalesce(p.d1, 0),
       coalesce(t."staff_count", 0) + coalesce(p.d2, 0),
       coalesce(t."users_count", 0) + coalesce(p.d3, 0),
       coalesce(c0.n, 0),
       coalesce(c1.n, 0),
       coalesce(c2.n, 0),
       coalesce(c3.n, 0)
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
  (SELECT r.key,
          count(*) AS n
   FROM
     (SELECT 1::smallint AS KEY
      FROM "auth_user_groups" AS s0) AS r
   WHERE (%(lo)s IS NULL
          OR r.key > %(lo)s)
     AND (%(hi)s IS NULL
          OR r.key <= %(hi)s)
   GROUP BY r.key) AS c1 ON c1.key = d.k
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
   GROUP BY r.key) AS c2 ON c2.key = d.k
LEFT JOIN
  (SELECT r.key,
          count(*) AS n
   FROM
     (SELECT 1::smallint AS KEY
      FROM "auth_user" AS s0) AS r
   WHERE (%(lo)s IS NULL
          OR r.key > %(lo)s)
     AND (%(hi)s IS NULL
          OR r.key <= %(hi)s)
   GROUP BY r.key) AS c3 ON c3.key = d.k
LEFT JOIN
  (SELECT p.key,
          (sum(p.delta) FILTER (
                                WHERE p.counter = -290199469))::bigint AS d0,
          (sum(p.delta) FILTER (
                                WHERE p.counter = -1044422635))::bigint AS d1,
          (sum(p.delta) FILTER (
                                WHERE p.counter = 1640070225))::bigint AS d2,
          (sum(p.delta) FILTER (
                                WHERE p.counter = -78417697))::bigint AS d3
   FROM counters_delta AS p
   WHERE p.counter IN (-290199469,
                       -1044422635,
                       1640070225,
                       -78417697)
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
       FROM coalesce(c0.n, 0)
       OR coalesce(t."memberships_count", 0) + coalesce(p.d1, 0) IS DISTINCT
       FROM coalesce(c1.n, 0)
       OR coalesce(t."staff_count", 0) + coalesce(p.d2, 0) IS DISTINCT
       FROM coalesce(c2.n, 0)
       OR coalesce(t."users_count", 0) + coalesce(p.d3, 0) IS DISTINCT
       FROM coalesce(c3.n, 0))
ORDER BY d.k

-- recount: write the true values, drop the deltas they include
WITH drift(k, cached0, cached1, cached2, cached3, true0, true1, true2, true3) AS
  (SELECT d.k,
          coalesce(t."groups_count", 0) + coalesce(p.d0, 0),
          coalesce(t."memberships_count", 0) + coalesce(p.d1, 0),
          coalesce(t."staff_count", 0) + coalesce(p.d2, 0),
          coalesce(t."users_count", 0) + coalesce(p.d3, 0),
          coalesce(c0.n, 0),
          coalesce(c1.n, 0),
          coalesce(c2.n, 0),
          coalesce(c3.n, 0)
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
     (SELECT r.key,
             count(*) AS n
      FROM
        (SELECT 1::smallint AS KEY
         FROM "auth_user_groups" AS s0) AS r
      WHERE (%(lo)s IS NULL
             OR r.key > %(lo)s)
        AND (%(hi)s IS NULL
             OR r.key <= %(hi)s)
      GROUP BY r.key) AS c1 ON c1.key = d.k
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
      GROUP BY r.key) AS c2 ON c2.key = d.k
   LEFT JOIN
     (SELECT r.key,
             count(*) AS n
      FROM
        (SELECT 1::smallint AS KEY
         FROM "auth_user" AS s0) AS r
      WHERE (%(lo)s IS NULL
             OR r.key > %(lo)s)
        AND (%(hi)s IS NULL
             OR r.key <= %(hi)s)
      GROUP BY r.key) AS c3 ON c3.key = d.k
   LEFT JOIN
     (SELECT p.key,
             (sum(p.delta) FILTER (
                                   WHERE p.counter = -290199469))::bigint AS d0,
             (sum(p.delta) FILTER (
                                   WHERE p.counter = -1044422635))::bigint AS d1,
             (sum(p.delta) FILTER (
                                   WHERE p.counter = 1640070225))::bigint AS d2,
             (sum(p.delta) FILTER (
                                   WHERE p.counter = -78417697))::bigint AS d3
      FROM counters_delta AS p
      WHERE p.counter IN (-290199469,
                          -1044422635,
                          1640070225,
                          -78417697)
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
          FROM coalesce(c0.n, 0)
          OR coalesce(t."memberships_count", 0) + coalesce(p.d1, 0) IS DISTINCT
          FROM coalesce(c1.n, 0)
          OR coalesce(t."staff_count", 0) + coalesce(p.d2, 0) IS DISTINCT
          FROM coalesce(c2.n, 0)
          OR coalesce(t."users_count", 0) + coalesce(p.d3, 0) IS DISTINCT
          FROM coalesce(c3.n, 0))
   ORDER BY d.k),
     fixed AS
  (UPDATE "adopters_sitetotals" AS t
   SET "groups_count" = drift.true0,
       "memberships_count" = drift.true1,
       "staff_count" = drift.true2,
       "users_count" = drift.true3
   FROM drift
   WHERE t."id" = drift.k),
     counted AS
  (DELETE
   FROM counters_delta AS p USING drift
   WHERE p.counter IN (-290199469,
                       -1044422635,
                       1640070225,
                       -78417697)
     AND p.key = drift.k::text)
SELECT *
FROM drift
ORDER BY drift.k

-- the view for SQL readers
CREATE VIEW "adopters_sitetotals_exact" AS
SELECT t."id", t."groups_count" + coalesce(p.d0, 0) AS "groups_count", t."memberships_count" + coalesce(p.d1, 0) AS "memberships_count", t."staff_count" + coalesce(p.d2, 0) AS "staff_count", t."users_count" + coalesce(p.d3, 0) AS "users_count"
FROM "adopters_sitetotals" AS t
LEFT JOIN LATERAL (
    SELECT (sum(p.delta) FILTER (WHERE p.counter = -290199469))::bigint AS d0, (sum(p.delta) FILTER (WHERE p.counter = -1044422635))::bigint AS d1, (sum(p.delta) FILTER (WHERE p.counter = 1640070225))::bigint AS d2, (sum(p.delta) FILTER (WHERE p.counter = -78417697))::bigint AS d3
    FROM counters_delta AS p
    WHERE p.counter IN (-290199469, -1044422635, 1640070225, -78417697) AND p.key = t."id"::text
) AS p ON true
