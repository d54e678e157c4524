-- Views whose columns are computed (sums, coalesce, arithmetic on numeric(p,s),
-- comparisons, casts, arrays) read with PostgreSQL's types and scales, also
-- through a view over views and after CREATE OR REPLACE VIEW.
CREATE TABLE vc_j (id int, account_id int, amount numeric(12,2));
INSERT INTO vc_j VALUES (1, 1, 100), (2, 1, -30.5);
CREATE VIEW vc_v1 AS SELECT account_id, sum(amount) AS total FROM vc_j GROUP BY account_id;
CREATE VIEW vc_v2 AS SELECT account_id, coalesce(sum(amount), 0) AS total, count(id) AS n FROM vc_j GROUP BY account_id;
CREATE VIEW vc_v3 AS SELECT account_id, amount * 2 AS dbl, amount::text AS t, id > 1 AS later FROM vc_j;
SELECT * FROM vc_v1;
SELECT * FROM vc_v2;
SELECT * FROM vc_v3 ORDER BY dbl;
SELECT total + 1 FROM vc_v1;
SELECT later, t FROM vc_v3 WHERE later ORDER BY t;
CREATE VIEW vc_v4 AS SELECT vc_v1.total * 2 AS twice, vc_v3.later FROM vc_v1 JOIN vc_v3 USING (account_id);
SELECT * FROM vc_v4 ORDER BY twice, later;
CREATE VIEW vc_v5 AS SELECT id, amount, amount > 0 AS credit, round(amount / 3, 1) AS third, now() - interval '1 day' > '2000-01-01' AS recent, upper('x') AS u, '{1,2}'::int[] AS arr FROM vc_j;
SELECT * FROM vc_v5 ORDER BY id;
SELECT * FROM vc_v5 ORDER BY id;
CREATE OR REPLACE VIEW vc_v5 AS SELECT id, amount, amount > 0 AS credit, round(amount / 3, 1) AS third, now() - interval '1 day' > '2000-01-01' AS recent, upper('x') AS u, '{1,2}'::int[] AS arr, amount * 1.5 AS amt FROM vc_j;
SELECT * FROM vc_v5 ORDER BY id;
