-- fold of testapp.QuizTotals (fold_counters, counters_fold(), writers now and then)
WITH pending AS (
    SELECT p.key FROM counters_delta AS p
    WHERE p.counter IN (1939868221) AND (:after IS NULL OR p.key > :after)
    GROUP BY p.key ORDER BY p.key LIMIT :batch
),
taken AS (
    SELECT t."id" FROM "testapp_quiztotals" AS t
    WHERE t."id" IN (SELECT pending.key::smallint FROM pending) AND pg_try_advisory_xact_lock(1210187967, hashtext(t."id"::text) & 255)
    ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
),
moved AS (
    DELETE FROM counters_delta AS p
    WHERE p.counter IN (1939868221) AND p.key IN (SELECT taken."id"::text FROM taken)
    RETURNING p.counter, p.key, p.delta
),
summed AS (
    SELECT moved.key, (sum(moved.delta) FILTER (WHERE moved.counter = 1939868221))::bigint AS d0
    FROM moved GROUP BY moved.key
),
folded AS (
    UPDATE "testapp_quiztotals" AS t SET "answering_profiles" = t."answering_profiles" + coalesce(summed.d0, 0)
    FROM summed WHERE t."id" = summed.key::smallint
    RETURNING t."id" AS key, false AS recompute
),
rowless AS (
    SELECT pending.key FROM pending
    WHERE NOT EXISTS (SELECT 1 FROM "testapp_quiztotals" AS t WHERE t."id" = pending.key::smallint)
),
orphans AS (
    DELETE FROM counters_delta AS p
    WHERE p.counter IN (1939868221) AND p.key IN (SELECT rowless.key FROM rowless)
      AND false
    RETURNING 1
)
SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM orphans) AS orphans,
       (SELECT count(*) FROM pending) AS seen, (SELECT max(pending.key) FROM pending) AS last_key,
       (SELECT count(*) FROM folded) AS updated, (SELECT count(*) FROM rowless) AS rowless,
       (SELECT array_agg(folded.key) FROM folded WHERE folded.recompute) AS recompute

-- recount: the drifted rows of a batch of keys (lo, hi]
SELECT d.k,
       coalesce(t."answering_profiles", 0) + coalesce(p.d0, 0),
       coalesce(c0.n, 0)
FROM
  (SELECT 1::smallint AS k) AS d
LEFT JOIN "testapp_quiztotals" AS t ON t."id" = d.k
AND (%(lo)s IS NULL
     OR t."id" > %(lo)s)
AND (%(hi)s IS NULL
     OR t."id" <= %(hi)s)
LEFT JOIN
  (SELECT r.key,
          count(*) AS n
   FROM
     (SELECT 1::smallint AS KEY
      FROM "testapp_profile" AS s0
      WHERE (s0."answers_count" > 0)) AS r
   WHERE (%(lo)s IS NULL
          OR r.key > %(lo)s)
     AND (%(hi)s IS NULL
          OR r.key <= %(hi)s)
   GROUP BY r.key) AS c0 ON c0.key = d.k
LEFT JOIN
  (SELECT p.key,
          (sum(p.delta) FILTER (
                                WHERE p.counter = 1939868221))::bigint AS d0
   FROM counters_delta AS p
   WHERE p.counter IN (1939868221)
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
  AND (coalesce(t."answering_profiles", 0) + coalesce(p.d0, 0) IS DISTINCT
       FROM coalesce(c0.n, 0))
ORDER BY d.k

-- recount: write the true values, drop the deltas they include
WITH drift(k, cached0, true0) AS
  (SELECT d.k,
          coalesce(t."answering_profiles", 0) + coalesce(p.d0, 0),
          coalesce(c0.n, 0)
   FROM
     (SELECT 1::smallint AS k) AS d
   LEFT JOIN "testapp_quiztotals" AS t ON t."id" = d.k
   AND (%(lo)s IS NULL
        OR t."id" > %(lo)s)
   AND (%(hi)s IS NULL
        OR t."id" <= %(hi)s)
   LEFT JOIN
     (SELECT r.key,
             count(*) AS n
      FROM
        (SELECT 1::smallint AS KEY
         FROM "testapp_profile" AS s0
         WHERE (s0."answers_count" > 0)) AS r
      WHERE (%(lo)s IS NULL
             OR r.key > %(lo)s)
        AND (%(hi)s IS NULL
             OR r.key <= %(hi)s)
      GROUP BY r.key) AS c0 ON c0.key = d.k
   LEFT JOIN
     (SELECT p.key,
             (sum(p.delta) FILTER (
                                   WHERE p.counter = 1939868221))::bigint AS d0
      FROM counters_delta AS p
      WHERE p.counter IN (1939868221)
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
     AND (coalesce(t."answering_profiles", 0) + coalesce(p.d0, 0) IS DISTINCT
          FROM coalesce(c0.n, 0))
   ORDER BY d.k),
     fixed AS
  (UPDATE "testapp_quiztotals" AS t
   SET "answering_profiles" = drift.true0
   FROM drift
   WHERE t."id" = drift.k),
     counted AS
  (DELETE
   FROM counters_delta AS p USING drift
   WHERE p.counter IN (1939868221)
     AND p.key = drift.k::text)
SELECT *
FROM drift
ORDER BY drift.k

-- the view for SQL readers
CREATE VIEW "testapp_quiztotals_exact" AS
SELECT t."id", t."answering_profiles" + coalesce(p.d0, 0) AS "answering_profiles"
FROM "testapp_quiztotals" AS t
LEFT JOIN LATERAL (
    SELECT (sum(p.delta) FILTER (WHERE p.counter = 1939868221))::bigint AS d0
    FROM counters_delta AS p
    WHERE p.counter IN (1939868221) AND p.key = t."id"::text
) AS p ON true
