-- SELECT * over joins with USING and NATURAL: PostgreSQL lists the merged
-- columns first, then the left side's, then the right side's (inner, left,
-- right and full joins, aliases, a join chain, * beside expressions).
CREATE TABLE js_customers (name text, customer_id int PRIMARY KEY, city text);
CREATE TABLE js_orders (id serial PRIMARY KEY, customer_id int REFERENCES js_customers, total numeric(8,2), placed date);
CREATE TABLE js_items (id int, order_id int, sku text, qty int);
INSERT INTO js_customers VALUES ('ann', 1, 'Oslo'), ('bob', 2, 'Rome'), ('cy', 3, NULL);
INSERT INTO js_orders (customer_id, total, placed) VALUES (1, 10.50, '2024-01-02'), (1, 7, '2024-01-05'), (2, 99.99, '2024-02-01');
INSERT INTO js_items VALUES (1, 1, 'A', 2), (2, 1, 'B', 1), (3, 3, 'A', 5);
SELECT * FROM js_orders JOIN js_customers USING (customer_id) ORDER BY id;
SELECT * FROM js_orders o LEFT JOIN js_customers c USING (customer_id) WHERE c.city IS NOT NULL ORDER BY o.id;
SELECT * FROM js_customers LEFT JOIN js_orders USING (customer_id) ORDER BY customer_id, id;
SELECT * FROM js_orders RIGHT JOIN js_customers USING (customer_id) ORDER BY customer_id, id;
SELECT * FROM js_orders FULL JOIN js_customers USING (customer_id) ORDER BY customer_id, id;
SELECT * FROM js_orders NATURAL JOIN js_customers ORDER BY id;
SELECT *, total * 2 AS doubled FROM js_orders INNER JOIN js_customers USING (customer_id) ORDER BY id;
SELECT c.*, o.total FROM js_orders o JOIN js_customers c USING (customer_id) ORDER BY o.id;
SELECT * FROM js_items i JOIN js_orders o ON o.id = i.order_id JOIN js_customers USING (customer_id) ORDER BY i.id;
SELECT * FROM js_orders JOIN js_customers USING (customer_id) JOIN js_items ON js_items.order_id = js_orders.id ORDER BY js_items.id;
WITH js_customers AS (SELECT 1 AS customer_id, 'x' AS nick) SELECT * FROM js_orders JOIN js_customers USING (customer_id) ORDER BY id;
SELECT count(*) FROM (SELECT * FROM js_orders JOIN js_customers USING (customer_id)) s;
SELECT * FROM js_orders JOIN js_customers USING (customer_id) WHERE customer_id = 1 ORDER BY id LIMIT 1;
SELECT * FROM js_orders JOIN js_customers USING (nosuch);
CREATE TABLE js_a (id int, x int, name text);
CREATE TABLE js_b (x int, v text, id int);
INSERT INTO js_a VALUES (1, 10, 'one'), (2, 20, 'two'), (3, NULL, 'three');
INSERT INTO js_b VALUES (10, 'ten', 1), (30, 'thirty', 3), (20, 'tw', 5);
SELECT * FROM js_a JOIN js_b USING (x) ORDER BY 1;
SELECT * FROM js_a NATURAL JOIN js_b ORDER BY 1;
SELECT * FROM js_a LEFT JOIN js_b USING (x) ORDER BY 1, 2;
SELECT * FROM js_a FULL JOIN js_b USING (x) ORDER BY 1, 2;
SELECT * FROM js_a RIGHT JOIN js_b USING (id, x) ORDER BY 1, 2;
SELECT * FROM js_a NATURAL LEFT JOIN js_b ORDER BY 1;
SELECT x, js_a.*, js_b.v FROM js_a JOIN js_b USING (x) ORDER BY 1;
SELECT js_a.x, js_b.x, x FROM js_a FULL JOIN js_b USING (x) ORDER BY 3;
SELECT count(*) FROM js_a CROSS JOIN js_b;
SELECT * FROM js_a JOIN js_b USING (id) JOIN js_a a2 USING (id) ORDER BY 1;
