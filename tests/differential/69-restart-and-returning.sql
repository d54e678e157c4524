-- DEFAULT VALUES, row-valued SET, TRUNCATE ... RESTART/CONTINUE IDENTITY,
-- pg_get_serial_sequence and nextval on it, upserts with a
-- target alias (RETURNING x.*) and ON CONSTRAINT, MERGE, writable CTEs.
CREATE TABLE rs_t (id serial PRIMARY KEY, a int DEFAULT 1, b text DEFAULT 'x');
INSERT INTO rs_t DEFAULT VALUES RETURNING *;
INSERT INTO rs_t (a) VALUES (DEFAULT), (5) RETURNING *;
UPDATE rs_t SET (a, b) = (a + 10, b || 'y') WHERE id = 1 RETURNING *;
UPDATE rs_t SET (a, b) = (SELECT 7, 'sub') WHERE id = 2 RETURNING *;
TRUNCATE rs_t RESTART IDENTITY;
INSERT INTO rs_t (a) VALUES (1) RETURNING id;
TRUNCATE rs_t CONTINUE IDENTITY;
INSERT INTO rs_t (a) VALUES (1) RETURNING id;
INSERT INTO rs_t (a) VALUES (1) RETURNING id;
INSERT INTO rs_t (a) VALUES (1) RETURNING id;
SELECT pg_get_serial_sequence('rs_t', 'id');
SELECT nextval(pg_get_serial_sequence('rs_t', 'id'));
INSERT INTO rs_t (a) VALUES (1) RETURNING id;
DELETE FROM rs_t WHERE id > 10 RETURNING id;
SELECT * FROM rs_t ORDER BY id;
CREATE TABLE rs_w (k text PRIMARY KEY, n int NOT NULL DEFAULT 0);
INSERT INTO rs_w VALUES ('a', 1) ON CONFLICT (k) DO UPDATE SET n = rs_w.n + EXCLUDED.n WHERE rs_w.n < 5 RETURNING *;
INSERT INTO rs_w VALUES ('a', 1) ON CONFLICT (k) DO UPDATE SET n = rs_w.n + EXCLUDED.n WHERE rs_w.n < 5 RETURNING *;
INSERT INTO rs_w VALUES ('a', 10), ('b', 2) ON CONFLICT ON CONSTRAINT rs_w_pkey DO UPDATE SET n = EXCLUDED.n RETURNING k, n;
INSERT INTO rs_w AS x VALUES ('b', 3) ON CONFLICT (k) DO UPDATE SET n = x.n * 100 RETURNING x.*;
MERGE INTO rs_w USING (VALUES ('b', 1), ('c', 9)) AS s(k, n) ON rs_w.k = s.k WHEN MATCHED THEN UPDATE SET n = rs_w.n + s.n WHEN NOT MATCHED THEN INSERT VALUES (s.k, s.n);
SELECT * FROM rs_w ORDER BY k;
WITH moved AS (DELETE FROM rs_w WHERE n > 100 RETURNING *) SELECT count(*) FROM moved;
WITH up AS (UPDATE rs_w SET n = n + 1 RETURNING k, n) SELECT * FROM up ORDER BY k;
SELECT * FROM rs_w ORDER BY k FOR UPDATE SKIP LOCKED;
