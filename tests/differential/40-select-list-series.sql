-- generate_series and unnest in the select list of a query over a table's
-- rows: one output row per value, the row's other columns repeated; a row
-- whose series is empty yields no row.
CREATE TABLE srf_orders (id int PRIMARY KEY, qty int, starts date, tags text[]);
INSERT INTO srf_orders VALUES (1, 3, '2024-01-30', '{a,b}'), (2, 1, '2024-02-28', '{c}'), (3, 0, '2024-03-01', '{}');
SELECT id, generate_series(1, qty) FROM srf_orders ORDER BY id, 2;
SELECT id, generate_series(1, qty) AS n FROM srf_orders ORDER BY id, n;
SELECT id, generate_series(qty, 1, -1) AS n FROM srf_orders ORDER BY id, n DESC;
SELECT id, generate_series(0, qty * 10, 5) AS n FROM srf_orders WHERE id < 3 ORDER BY id, n;
SELECT count(*) FROM (SELECT id, generate_series(1, qty) FROM srf_orders) s;
SELECT id, generate_series(starts, starts + 2, interval '1 day') AS d FROM srf_orders ORDER BY id, d;
SELECT id, generate_series(starts::timestamp, starts + interval '1 month', '2 weeks') AS d FROM srf_orders WHERE id = 1 ORDER BY d;
SELECT id, unnest(tags) AS tag FROM srf_orders ORDER BY id, tag;
SELECT o.id, generate_series(1, o.qty) AS n, o.qty * 2 AS double FROM srf_orders o WHERE o.qty > 0 ORDER BY 1, 2;
SELECT id, generate_series(1, 2) FROM srf_orders ORDER BY 1, 2;
SELECT id, generate_series(0.5, 1.5, 0.5) AS x FROM srf_orders WHERE id = 1 ORDER BY x;
SELECT id, generate_series(1, qty, 0) FROM srf_orders;
