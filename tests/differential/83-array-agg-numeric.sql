-- array_agg keeps each element's numeric scale and nests arrays into a
-- second dimension; numeric(p, s)[] columns round and print their
-- elements with the scale.
CREATE TABLE line (id int PRIMARY KEY, order_id int, amount numeric(10,2), rate numeric(6,3), dims int[]);
INSERT INTO line VALUES (1, 1, 10.50, 1.5, '{1,2}'), (2, 1, 20, 2, '{3,4}'), (3, 2, 5.25, 0.125, '{5,6}'), (4, 2, NULL, NULL, NULL);
SELECT array_agg(amount ORDER BY id) FROM line;
SELECT order_id, array_agg(amount ORDER BY id), array_agg(rate ORDER BY id) FROM line GROUP BY order_id ORDER BY order_id;
SELECT array_agg(amount ORDER BY id) FILTER (WHERE amount > 6) FROM line;
SELECT array_agg(amount * 2 ORDER BY id) AS doubled, array_agg(rate + 1 ORDER BY id) AS plus_one FROM line WHERE amount IS NOT NULL;
SELECT (array_agg(amount ORDER BY id))[1] AS first_amount FROM line;
SELECT array_agg(dims ORDER BY id) FROM line WHERE dims IS NOT NULL;
SELECT array_agg(DISTINCT amount) FROM line;
SELECT order_id, array_agg(id ORDER BY id) FROM line GROUP BY order_id ORDER BY order_id;
SELECT array_agg(1.50);
CREATE TABLE quote (id int PRIMARY KEY, prices numeric(6,2)[], whole numeric(5)[]);
INSERT INTO quote VALUES (1, '{1.5,2}', '{2.5}'), (2, ARRAY[3.456, 4], ARRAY[1.4]);
INSERT INTO quote SELECT 3, ARRAY[7.777], ARRAY[9.5];
SELECT * FROM quote ORDER BY id;
SELECT id, prices[1], prices[2] FROM quote ORDER BY id;
SELECT q.id, x FROM quote q, unnest(q.prices) AS x ORDER BY q.id, x;
SELECT sum(x) FROM quote, unnest(prices) AS x;
SELECT * FROM quote WHERE prices[1] = 3.46;
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'quote'::regclass AND attnum > 0 ORDER BY attnum;
