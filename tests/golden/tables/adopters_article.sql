-- fold of adopters.Article (fold_counters, counters_fold(), writers now and then)
WITH pending AS (
    SELECT p.key FROM counters_delta AS p
    WHERE p.counter IN (-617392757, 971165650, -1528015454, -1745088253) AND (:after IS NULL OR p.key > :after)
    GROUP BY p.key ORDER BY p.key LIMIT :batch
),
taken AS (
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
rowless AS (
    SELECT pending.key FROM pending
    WHERE NOT EXISTS (SELECT 1 FROM "adopters_article" AS t WHERE t."id" = pending.key::bigint)
),
orphans AS (
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
       coalesce(t."comments_count", 0) + coalesce(p.d0, 0),
       (CASE
            WHEN p.m1 THEN
                   (SELECT max(r.value)
                    FROM
                      (SELECT s1."id" AS KEY,
                                         s0."created_at" AS value
                       FROM "adopters_comment" AS s0
                       JOIN "adopters_article" AS s1 ON s1."slug" = s0."article_id"
                       WHERE s1."id" IS NOT NULL
                         AND s0."created_at" IS NOT NULL) AS r
                    WHERE r.key = d.k)
            ELSE greatest(coalesce(t."last_comment_at", NULL), (timestamptz 'epoch' + (p.d1) * interval '1 microsecond'))
        END)::timestamp WITH TIME ZONE,
                                  coalesce(t."likes_count", 0) + coalesce(p.d2, 0),
                                  coalesce(c0.n, 0),
                                  coalesce(c1.n, NULL),
                                  coalesce(c2.n, 0)
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
     (SELECT s1."id" AS KEY
      FROM "adopters_comment" AS s0
      JOIN "adopters_article" AS s1 ON s1."slug" = s0."article_id"
      WHERE s1."id" IS NOT NULL) AS r
   WHERE (%(lo)s IS NULL
          OR r.key > %(lo)s)
     AND (%(hi)s IS NULL
          OR r.key <= %(hi)s)
   GROUP BY r.key) AS c0 ON c0.key = d.k
LEFT JOIN
  (SELECT r.key,
          max(r.value) AS n
   FROM
     (SELECT s1."id" AS KEY,
             s0."created_at" AS value
      FROM "adopters_comment" AS s0
      JOIN "adopters_article" AS s1 ON s1."slug" = s0."article_id"
      WHERE s1."id" IS NOT NULL
        AND s0."created_at" IS NOT NULL) AS r
   WHERE (%(lo)s IS NULL
          OR r.key > %(lo)s)
     AND (%(hi)s IS NULL
          OR r.key <= %(hi)s)
   GROUP BY r.key) AS c1 ON c1.key = d.k
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
   GROUP BY r.key) AS c2 ON c2.key = d.k
LEFT JOIN
  (SELECT p.key,
          (sum(p.delta) FILTER (
                                WHERE p.counter = -617392757))::bigint AS d0,
          max(p.delta) FILTER (
                               WHERE p.counter = 971165650) AS d1,
          bool_or(p.counter = -1528015454) AS m1,
          max(p.delta) FILTER (
                               WHERE p.counter = -1528015454) AS v1,
          (sum(p.delta) FILTER (
                                WHERE p.counter = -1745088253))::bigint AS d2
   FROM counters_delta AS p
   WHERE p.counter IN (-617392757,
                       971165650,
                       -1528015454,
                       -1745088253)
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
  AND (coalesce(t."comments_count", 0) + coalesce(p.d0, 0) IS DISTINCT
       FROM coalesce(c0.n, 0)
       OR (CASE
               WHEN p.m1 THEN
                      (SELECT max(r.value)
                       FROM
                         (SELECT s1."id" AS KEY,
                                            s0."created_at" AS value
                          FROM "adopters_comment" AS s0
                          JOIN "adopters_article" AS s1 ON s1."slug" = s0."article_id"
                          WHERE s1."id" IS NOT NULL
                            AND s0."created_at" IS NOT NULL) AS r
                       WHERE r.key = d.k)
               ELSE greatest(coalesce(t."last_comment_at", NULL), (timestamptz 'epoch' + (p.d1) * interval '1 microsecond'))
           END)::timestamp WITH TIME ZONE IS DISTINCT
       FROM coalesce(c1.n, NULL)
       OR coalesce(t."likes_count", 0) + coalesce(p.d2, 0) IS DISTINCT
       FROM coalesce(c2.n, 0))
ORDER BY d.k

-- recount: write the true values, drop the deltas they include
WITH drift(k, cached0, cached1, cached2, true0, true1, true2) AS
  (SELECT d.k,
          coalesce(t."comments_count", 0) + coalesce(p.d0, 0),
          (CASE
               WHEN p.m1 THEN
                      (SELECT max(r.value)
                       FROM
                         (SELECT s1."id" AS KEY,
                                            s0."created_at" AS value
                          FROM "adopters_comment" AS s0
                          JOIN "adopters_article" AS s1 ON s1."slug" = s0."article_id"
                          WHERE s1."id" IS NOT NULL
                            AND s0."created_at" IS NOT NULL) AS r
                       WHERE r.key = d.k)
               ELSE greatest(coalesce(t."last_comment_at", NULL), (timestamptz 'epoch' + (p.d1) * interval '1 microsecond'))
           END)::timestamp WITH TIME ZONE,
                                     coalesce(t."likes_count", 0) + coalesce(p.d2, 0),
                                     coalesce(c0.n, 0),
                                     coalesce(c1.n, NULL),
                                     coalesce(c2.n, 0)
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
        (SELECT s1."id" AS KEY
         FROM "adopters_comment" AS s0
         JOIN "adopters_article" AS s1 ON s1."slug" = s0."article_id"
         WHERE s1."id" IS NOT NULL) AS r
      WHERE (%(lo)s IS NULL
             OR r.key > %(lo)s)
        AND (%(hi)s IS NULL
             OR r.key <= %(hi)s)
      GROUP BY r.key) AS c0 ON c0.key = d.k
   LEFT JOIN
     (SELECT r.key,
             max(r.value) AS n
      FROM
        (SELECT s1."id" AS KEY,
                s0."created_at" AS value
         FROM "adopters_comment" AS s0
         JOIN "adopters_article" AS s1 ON s1."slug" = s0."article_id"
         WHERE s1."id" IS NOT NULL
           AND s0."created_at" IS NOT NULL) AS r
      WHERE (%(lo)s IS NULL
             OR r.key > %(lo)s)
        AND (%(hi)s IS NULL
             OR r.key <= %(hi)s)
      GROUP BY r.key) AS c1 ON c1.key = d.k
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
      GROUP BY r.key) AS c2 ON c2.key = d.k
   LEFT JOIN
     (SELECT p.key,
             (sum(p.delta) FILTER (
                                   WHERE p.counter = -617392757))::bigint AS d0,
             max(p.delta) FILTER (
                                  WHERE p.counter = 971165650) AS d1,
             bool_or(p.counter = -1528015454) AS m1,
             max(p.delta) FILTER (
                                  WHERE p.counter = -1528015454) AS v1,
             (sum(p.delta) FILTER (
                                   WHERE p.counter = -1745088253))::bigint AS d2
      FROM counters_delta AS p
      WHERE p.counter IN (-617392757,
                          971165650,
                          -1528015454,
                          -1745088253)
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
     AND (coalesce(t."comments_count", 0) + coalesce(p.d0, 0) IS DISTINCT
          FROM coalesce(c0.n, 0)
          OR (CASE
                  WHEN p.m1 THEN
                         (SELECT max(r.value)
                          FROM
                            (SELECT s1."id" AS KEY,
                                               s0."created_at" AS value
                             FROM "adopters_comment" AS s0
                             JOIN "adopters_article" AS s1 ON s1."slug" = s0."article_id"
                             WHERE s1."id" IS NOT NULL
                               AND s0."created_at" IS NOT NULL) AS r
                          WHERE r.key = d.k)
                  ELSE greatest(coalesce(t."last_comment_at", NULL), (timestamptz 'epoch' + (p.d1) * interval '1 microsecond'))
              END)::timestamp WITH TIME ZONE IS DISTINCT
          FROM coalesce(c1.n, NULL)
          OR coalesce(t."likes_count", 0) + coalesce(p.d2, 0) IS DISTINCT
          FROM coalesce(c2.n, 0))
   ORDER BY d.k),
     fixed AS
  (UPDATE "adopters_article" AS t
   SET "comments_count" = drift.true0,
       "last_comment_at" = drift.true1,
       "likes_count" = drift.true2
   FROM drift
   WHERE t."id" = drift.k),
     counted AS
  (DELETE
   FROM counters_delta AS p USING drift
   WHERE p.counter IN (-617392757,
                       971165650,
                       -1528015454,
                       -1745088253)
     AND p.key = drift.k::text)
SELECT *
FROM drift
ORDER BY drift.k

-- the view for SQL readers
CREATE VIEW "adopters_article_exact" AS
SELECT t."id", t."comments_count" + coalesce(p.d0, 0) AS "comments_count", (CASE WHEN p.m1 THEN (SELECT max(r.value) FROM (SELECT s1."id" AS key, s0."created_at" AS value FROM "adopters_comment" AS s0 JOIN "adopters_article" AS s1 ON s1."slug" = s0."article_id" WHERE s1."id" IS NOT NULL AND s0."created_at" IS NOT NULL) AS r WHERE r.key = t."id") ELSE greatest(t."last_comment_at", (timestamptz 'epoch' + (p.d1) * interval '1 microsecond')) END)::timestamp with time zone AS "last_comment_at", t."likes_count" + coalesce(p.d2, 0) AS "likes_count"
FROM "adopters_article" AS t
LEFT JOIN LATERAL (
    SELECT (sum(p.delta) FILTER (WHERE p.counter = -617392757))::bigint AS d0, max(p.delta) FILTER (WHERE p.counter = 971165650) AS d1, bool_or(p.counter = -1528015454) AS m1, max(p.delta) FILTER (WHERE p.counter = -1528015454) AS v1, (sum(p.delta) FILTER (WHERE p.counter = -1745088253))::bigint AS d2
    FROM counters_delta AS p
    WHERE p.counter IN (-617392757, 971165650, -1528015454, -1745088253) AND p.key = t."id"::text
) AS p ON true
