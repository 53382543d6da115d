-- fold of testapp.QuizSession (fold_counters, counters_fold(), writers now and then)
WITH pending AS (
    SELECT p.key FROM counters_delta AS p
    WHERE p.counter IN (38350669) AND (:after IS NULL OR p.key > :after)
    GROUP BY p.key ORDER BY p.key LIMIT :batch
),
taken AS (
    SELECT t."id" FROM "testapp_quizsession" AS t
    WHERE t."id" IN (SELECT pending.key::bigint FROM pending) AND pg_try_advisory_xact_lock(-1775926648, hashtext(t."id"::text) & 255)
    ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
),
moved AS (
    DELETE FROM counters_delta AS p
    WHERE p.counter IN (38350669) AND p.key IN (SELECT taken."id"::text FROM taken)
    RETURNING p.counter, p.key, p.delta
),
summed AS (
    SELECT moved.key, (sum(moved.delta) FILTER (WHERE moved.counter = 38350669))::bigint AS d0
    FROM moved GROUP BY moved.key
),
folded AS (
    UPDATE "testapp_quizsession" AS t SET "answers_count" = t."answers_count" + coalesce(summed.d0, 0)
    FROM summed WHERE t."id" = summed.key::bigint
    RETURNING t."id" AS key, false AS recompute
),
rowless AS (
    SELECT pending.key FROM pending
    WHERE NOT EXISTS (SELECT 1 FROM "testapp_quizsession" AS t WHERE t."id" = pending.key::bigint)
),
orphans AS (
    DELETE FROM counters_delta AS p
    WHERE p.counter IN (38350669) AND p.key IN (SELECT rowless.key FROM rowless)
    RETURNING 1
)
SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM orphans) AS orphans,
       (SELECT count(*) FROM pending) AS seen, (SELECT max(pending.key) FROM pending) AS last_key,
       (SELECT count(*) FROM folded) AS updated, (SELECT count(*) FROM rowless) AS rowless,
       (SELECT array_agg(folded.key) FROM folded WHERE folded.recompute) AS recompute

-- recount: the drifted rows of a batch of keys (lo, hi]
SELECT d.k,
       coalesce(t."answers_count", 0) + coalesce(p.d0, 0),
       coalesce(c0.n, 0)
FROM
  (SELECT "id" AS k
   FROM "testapp_quizsession") AS d
LEFT JOIN "testapp_quizsession" AS t ON t."id" = d.k
AND (%(lo)s IS NULL
     OR t."id" > %(lo)s)
AND (%(hi)s IS NULL
     OR t."id" <= %(hi)s)
LEFT JOIN
  (SELECT r.key,
          count(*) AS n
   FROM
     (SELECT s0."session_id" AS KEY
      FROM "testapp_answer" AS s0
      WHERE s0."session_id" IS NOT NULL) AS r
   WHERE (%(lo)s IS NULL
          OR r.key > %(lo)s)
     AND (%(hi)s IS NULL
          OR r.key <= %(hi)s)
   GROUP BY r.key) AS c0 ON c0.key = d.k
LEFT JOIN
  (SELECT p.key,
          (sum(p.delta) FILTER (
                                WHERE p.counter = 38350669))::bigint AS d0
   FROM counters_delta AS p
   WHERE p.counter IN (38350669)
     AND p.key IN
       (SELECT b.k::text
        FROM
          (SELECT "id" AS k
           FROM "testapp_quizsession") AS b
        WHERE (%(lo)s IS NULL
               OR b.k > %(lo)s)
          AND (%(hi)s IS NULL
               OR b.k <= %(hi)s))
   GROUP BY p.key) AS p ON p.key = d.k::text
WHERE (%(lo)s IS NULL
       OR d.k > %(lo)s)
  AND (%(hi)s IS NULL
       OR d.k <= %(hi)s)
  AND (coalesce(t."answers_count", 0) + coalesce(p.d0, 0) IS DISTINCT
       FROM coalesce(c0.n, 0))
ORDER BY d.k

-- recount: write the true values, drop the deltas they include
WITH drift(k, cached0, true0) AS
  (SELECT d.k,
          coalesce(t."answers_count", 0) + coalesce(p.d0, 0),
          coalesce(c0.n, 0)
   FROM
     (SELECT "id" AS k
      FROM "testapp_quizsession") AS d
   LEFT JOIN "testapp_quizsession" AS t ON t."id" = d.k
   AND (%(lo)s IS NULL
        OR t."id" > %(lo)s)
   AND (%(hi)s IS NULL
        OR t."id" <= %(hi)s)
   LEFT JOIN
     (SELECT r.key,
             count(*) AS n
      FROM
        (SELECT s0."session_id" AS KEY
         FROM "testapp_answer" AS s0
         WHERE s0."session_id" IS NOT NULL) AS r
      WHERE (%(lo)s IS NULL
             OR r.key > %(lo)s)
        AND (%(hi)s IS NULL
             OR r.key <= %(hi)s)
      GROUP BY r.key) AS c0 ON c0.key = d.k
   LEFT JOIN
     (SELECT p.key,
             (sum(p.delta) FILTER (
                                   WHERE p.counter = 38350669))::bigint AS d0
      FROM counters_delta AS p
      WHERE p.counter IN (38350669)
        AND p.key IN
          (SELECT b.k::text
           FROM
             (SELECT "id" AS k
              FROM "testapp_quizsession") AS b
           WHERE (%(lo)s IS NULL
                  OR b.k > %(lo)s)
             AND (%(hi)s IS NULL
                  OR b.k <= %(hi)s))
      GROUP BY p.key) AS p ON p.key = d.k::text
   WHERE (%(lo)s IS NULL
          OR d.k > %(lo)s)
     AND (%(hi)s IS NULL
          OR d.k <= %(hi)s)
     AND (coalesce(t."answers_count", 0) + coalesce(p.d0, 0) IS DISTINCT
          FROM coalesce(c0.n, 0))
   ORDER BY d.k),
     fixed AS
  (UPDATE "testapp_quizsession" AS t
   SET "answers_count" = drift.true0
   FROM drift
   WHERE t."id" = drift.k),
     counted AS
  (DELETE
   FROM counters_delta AS p USING drift
   WHERE p.counter IN (38350669)
     AND p.key = drift.k::text)
SELECT *
FROM drift
ORDER BY drift.k

-- the view for SQL readers
CREATE VIEW "testapp_quizsession_exact" AS
SELECT t."id", t."answers_count" + coalesce(p.d0, 0) AS "answers_count"
FROM "testapp_quizsession" AS t
LEFT JOIN LATERAL (
    SELECT (sum(p.delta) FILTER (WHERE p.counter = 38350669))::bigint AS d0
    FROM counters_delta AS p
    WHERE p.counter IN (38350669) AND p.key = t."id"::text
) AS p ON true
