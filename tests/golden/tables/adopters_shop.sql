-- fold of adopters.Shop (fold_counters, counters_fold(), writers now and then)
WITH pending AS (
    SELECT p.key FROM counters_delta AS p
    WHERE p.counter IN (-1624360583, -561523171) AND (:after IS NULL OR p.key > :after)
    GROUP BY p.key ORDER BY p.key LIMIT :batch
),
taken AS (
    SELECT t."id" FROM "adopters_shop" AS t
    WHERE t."id" IN (SELECT pending.key::uuid FROM pending) AND pg_try_advisory_xact_lock(1564123263, hashtext(t."id"::text) & 255)
    ORDER BY t."id" FOR NO KEY UPDATE SKIP LOCKED
),
moved AS (
    DELETE FROM counters_delta AS p
    WHERE p.counter IN (-1624360583, -561523171) AND p.key IN (SELECT taken."id"::text FROM taken)
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
),
rowless AS (
    SELECT pending.key FROM pending
    WHERE NOT EXISTS (SELECT 1 FROM "adopters_shop" AS t WHERE t."id" = pending.key::uuid)
),
orphans AS (
    DELETE FROM counters_delta AS p
    WHERE p.counter IN (-1624360583, -561523171) AND p.key IN (SELECT rowless.key FROM rowless)
    RETURNING 1
)
SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM orphans) AS orphans,
       (SELECT count(*) FROM pending) AS seen, (SELECT max(pending.key) FROM pending) AS last_key,
       (SELECT count(*) FROM folded) AS updated, (SELECT count(*) FROM rowless) AS rowless,
       (SELECT array_agg(folded.key) FROM folded WHERE folded.recompute) AS recompute

-- recount: the drifted rows of a batch of keys (lo, hi]
SELECT d.k,
       coalesce(t."paid_orders_count", 0) + coalesce(p.d0, 0),
       (coalesce(t."paid_total", 0) + coalesce(((p.d1)::numeric / 100), 0))::numeric(14, 2),
       coalesce(c0.n, 0),
       coalesce(c1.n, 0)
FROM
  (SELECT "id" AS k
   FROM "adopters_shop") AS d
LEFT JOIN "adopters_shop" AS t ON t."id" = d.k
AND (%(lo)s IS NULL
     OR t."id" > %(lo)s)
AND (%(hi)s IS NULL
     OR t."id" <= %(hi)s)
LEFT JOIN
  (SELECT r.key,
          count(*) AS n
   FROM
     (SELECT s0."shop_id" AS KEY
      FROM "adopters_order" AS s0
      WHERE s0."shop_id" IS NOT NULL
        AND (s0."paid")) AS r
   WHERE (%(lo)s IS NULL
          OR r.key > %(lo)s)
     AND (%(hi)s IS NULL
          OR r.key <= %(hi)s)
   GROUP BY r.key) AS c0 ON c0.key = d.k
LEFT JOIN
  (SELECT r.key,
          sum(r.value) AS n
   FROM
     (SELECT s0."shop_id" AS KEY,
             s0."amount" AS value
      FROM "adopters_order" AS s0
      WHERE s0."shop_id" IS NOT NULL
        AND s0."amount" IS NOT NULL
        AND (s0."paid")) AS r
   WHERE (%(lo)s IS NULL
          OR r.key > %(lo)s)
     AND (%(hi)s IS NULL
          OR r.key <= %(hi)s)
   GROUP BY r.key) AS c1 ON c1.key = d.k
LEFT JOIN
  (SELECT p.key,
          (sum(p.delta) FILTER (
                                WHERE p.counter = -1624360583))::bigint AS d0,
          sum(p.delta) FILTER (
                               WHERE p.counter = -561523171) AS d1
   FROM counters_delta AS p
   WHERE p.counter IN (-1624360583,
                       -561523171)
     AND p.key IN
       (SELECT b.k::text
        FROM
          (SELECT "id" AS k
           FROM "adopters_shop") AS b
        WHERE (%(lo)s IS NULL
               OR b.k > %(lo)s)
          AND (%(hi)s IS NULL
               OR b.k <= %(hi)s))
   GROUP BY p.key) AS p ON p.key = d.k::text
WHERE (%(lo)s IS NULL
       OR d.k > %(lo)s)
  AND (%(hi)s IS NULL
       OR d.k <= %(hi)s)
  AND (coalesce(t."paid_orders_count", 0) + coalesce(p.d0, 0) IS DISTINCT
       FROM coalesce(c0.n, 0)
       OR (coalesce(t."paid_total", 0) + coalesce(((p.d1)::numeric / 100), 0))::numeric(14, 2) IS DISTINCT
       FROM coalesce(c1.n, 0))
ORDER BY d.k

-- recount: write the true values, drop the deltas they include
WITH drift(k, cached0, cached1, true0, true1) AS
  (SELECT d.k,
          coalesce(t."paid_orders_count", 0) + coalesce(p.d0, 0),
          (coalesce(t."paid_total", 0) + coalesce(((p.d1)::numeric / 100), 0))::numeric(14, 2),
          coalesce(c0.n, 0),
          coalesce(c1.n, 0)
   FROM
     (SELECT "id" AS k
      FROM "adopters_shop") AS d
   LEFT JOIN "adopters_shop" AS t ON t."id" = d.k
   AND (%(lo)s IS NULL
        OR t."id" > %(lo)s)
   AND (%(hi)s IS NULL
        OR t."id" <= %(hi)s)
   LEFT JOIN
     (SELECT r.key,
             count(*) AS n
      FROM
        (SELECT s0."shop_id" AS KEY
         FROM "adopters_order" AS s0
         WHERE s0."shop_id" IS NOT NULL
           AND (s0."paid")) AS r
      WHERE (%(lo)s IS NULL
             OR r.key > %(lo)s)
        AND (%(hi)s IS NULL
             OR r.key <= %(hi)s)
      GROUP BY r.key) AS c0 ON c0.key = d.k
   LEFT JOIN
     (SELECT r.key,
             sum(r.value) AS n
      FROM
        (SELECT s0."shop_id" AS KEY,
                s0."amount" AS value
         FROM "adopters_order" AS s0
         WHERE s0."shop_id" IS NOT NULL
           AND s0."amount" IS NOT NULL
           AND (s0."paid")) AS r
      WHERE (%(lo)s IS NULL
             OR r.key > %(lo)s)
        AND (%(hi)s IS NULL
             OR r.key <= %(hi)s)
      GROUP BY r.key) AS c1 ON c1.key = d.k
   LEFT JOIN
     (SELECT p.key,
             (sum(p.delta) FILTER (
                                   WHERE p.counter = -1624360583))::bigint AS d0,
             sum(p.delta) FILTER (
                                  WHERE p.counter = -561523171) AS d1
      FROM counters_delta AS p
      WHERE p.counter IN (-1624360583,
                          -561523171)
        AND p.key IN
          (SELECT b.k::text
           FROM
             (SELECT "id" AS k
              FROM "adopters_shop") AS b
           WHERE (%(lo)s IS NULL
                  OR b.k > %(lo)s)
             AND (%(hi)s IS NULL
                  OR b.k <= %(hi)s))
      GROUP BY p.key) AS p ON p.key = d.k::text
   WHERE (%(lo)s IS NULL
          OR d.k > %(lo)s)
     AND (%(hi)s IS NULL
          OR d.k <= %(hi)s)
     AND (coalesce(t."paid_orders_count", 0) + coalesce(p.d0, 0) IS DISTINCT
          FROM coalesce(c0.n, 0)
          OR (coalesce(t."paid_total", 0) + coalesce(((p.d1)::numeric / 100), 0))::numeric(14, 2) IS DISTINCT
          FROM coalesce(c1.n, 0))
   ORDER BY d.k),
     fixed AS
  (UPDATE "adopters_shop" AS t
   SET "paid_orders_count" = drift.true0,
       "paid_total" = drift.true1
   FROM drift
   WHERE t."id" = drift.k),
     counted AS
  (DELETE
   FROM counters_delta AS p USING drift
   WHERE p.counter IN (-1624360583,
                       -561523171)
     AND p.key = drift.k::text)
SELECT *
FROM drift
ORDER BY drift.k

-- the view for SQL readers
CREATE VIEW "adopters_shop_exact" AS
SELECT t."id", t."paid_orders_count" + coalesce(p.d0, 0) AS "paid_orders_count", (t."paid_total" + coalesce(((p.d1)::numeric / 100), 0))::numeric(14, 2) AS "paid_total"
FROM "adopters_shop" AS t
LEFT JOIN LATERAL (
    SELECT (sum(p.delta) FILTER (WHERE p.counter = -1624360583))::bigint AS d0, sum(p.delta) FILTER (WHERE p.counter = -561523171) AS d1
    FROM counters_delta AS p
    WHERE p.counter IN (-1624360583, -561523171) AND p.key = t."id"::text
) AS p ON true
