-- Division over numeric columns as applications write it: money columns
-- (numeric(10,2)) and unconstrained numerics holding whole numbers, shares
-- and averages computed by hand, ratios in WHERE, HAVING and ORDER BY,
-- the `x / nullif(y, 0)` guard. SQLite stores a whole numeric as an
-- integer, so each of these divides integers unless the column's type is
-- consulted.
CREATE TABLE nd_orders (id int PRIMARY KEY, customer text NOT NULL, total numeric(10,2) NOT NULL, items int NOT NULL, weight numeric, discount float8);
INSERT INTO nd_orders VALUES (1, 'ann', 10, 4, 3, 0.5), (2, 'ann', 25.50, 3, 7, 1), (3, 'bob', 7, 2, 10, 0), (4, 'bob', 100, 8, 1, 2.5), (5, 'cy', 0, 0, NULL, NULL);
SELECT id, total / 4 AS quarter, weight / 4 AS wq, items / 4 AS iq FROM nd_orders ORDER BY id;
SELECT id, (total * 2) / 8 AS x, (weight + 1) / 2 AS y, weight * 1.0 / 3 AS z FROM nd_orders WHERE id < 5 ORDER BY id;
SELECT id, total / items AS per_item FROM nd_orders WHERE items > 0 ORDER BY id;
SELECT id, total / nullif(items, 0) AS per_item FROM nd_orders ORDER BY id;
SELECT id FROM nd_orders WHERE total / 4 > 2 ORDER BY id;
SELECT id FROM nd_orders WHERE weight / 4 = 1.75;
SELECT id FROM nd_orders WHERE weight / 2 BETWEEN 1.2 AND 3.6 ORDER BY id;
SELECT id, round(total / 3, 2) AS third, round(weight / 3, 2) AS wthird FROM nd_orders ORDER BY id;
SELECT id, round(100 * weight / 7, 1) AS pct FROM nd_orders WHERE weight IS NOT NULL ORDER BY id;
SELECT customer, sum(total) / count(*) AS mean, sum(weight) / 2 AS half FROM nd_orders GROUP BY customer ORDER BY customer;
SELECT customer FROM nd_orders GROUP BY customer HAVING sum(weight) / count(*) > 5 ORDER BY customer;
SELECT id, weight FROM nd_orders WHERE weight IS NOT NULL ORDER BY weight / 3 DESC, id;
SELECT count(*) FILTER (WHERE weight / 4 > 2) AS heavy FROM nd_orders;
SELECT id, CASE WHEN weight / 4 > 1 THEN 'big' ELSE 'small' END AS size FROM nd_orders WHERE weight IS NOT NULL ORDER BY id;
SELECT id, weight / discount AS per_discount FROM nd_orders WHERE discount > 0 ORDER BY id;
SELECT id, weight % 3 AS rem, items % 3 AS irem FROM nd_orders WHERE weight IS NOT NULL ORDER BY id;
WITH shares AS (SELECT id, weight / 4 AS q FROM nd_orders WHERE weight IS NOT NULL) SELECT id FROM shares WHERE q > 1 ORDER BY id;
SELECT id, (SELECT max(weight) FROM nd_orders) / weight AS ratio FROM nd_orders WHERE weight IS NOT NULL ORDER BY id;
SELECT o.id, o.weight / p.weight AS rel FROM nd_orders o JOIN nd_orders p ON p.id = 1 WHERE o.weight IS NOT NULL ORDER BY o.id;
UPDATE nd_orders SET weight = weight / 4 WHERE id = 1 RETURNING id, weight;
SELECT id, weight FROM nd_orders WHERE id = 1;
SELECT total / 0 FROM nd_orders WHERE id = 1;
SELECT weight / items FROM nd_orders WHERE id = 5;
SELECT id, -weight / 4 AS neg FROM nd_orders WHERE id = 3;
SELECT id, weight * total AS wt, weight + total AS ws, total - weight AS wd, items * total AS it FROM nd_orders WHERE id > 1 ORDER BY id;
SELECT customer, sum(weight * total) AS wt FROM nd_orders WHERE id > 1 GROUP BY customer ORDER BY customer;
DROP TABLE nd_orders;
