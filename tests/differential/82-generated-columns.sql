-- Stored generated columns (Django's GeneratedField, Rails' virtual
-- columns): typed in results and expressions, in a row's JSON, refused as
-- targets of INSERT and UPDATE, recomputed on UPDATE.
CREATE TABLE prod (id serial PRIMARY KEY, price numeric(10,2), qty int, total numeric(12,2) GENERATED ALWAYS AS (price * qty) STORED, label text GENERATED ALWAYS AS (upper('p' || id::text)) STORED);
INSERT INTO prod (price, qty) VALUES (2.50, 4), (1.25, 3) RETURNING *;
SELECT * FROM prod ORDER BY id;
SELECT total, total * 2 AS dbl, total / qty AS unit, round(total, 1) AS r FROM prod ORDER BY id;
SELECT sum(total), max(total), avg(total) FROM prod;
SELECT to_jsonb(p) - 'id' FROM prod p ORDER BY id;
SELECT row_to_json(p) FROM prod p ORDER BY id;
SELECT json_agg(p ORDER BY id) FROM prod p;
INSERT INTO prod (price, qty, total) VALUES (1, 1, 5);
UPDATE prod SET total = 3;
UPDATE prod SET qty = qty + 1 WHERE id = 1 RETURNING total;
SELECT attname, attgenerated FROM pg_attribute WHERE attrelid = 'prod'::regclass AND attnum > 0 ORDER BY attnum;
SELECT column_name, is_generated, data_type, numeric_scale FROM information_schema.columns WHERE table_name = 'prod' ORDER BY ordinal_position;
INSERT INTO prod (price, qty) SELECT 3.00, 2;
SELECT id, total, label FROM prod ORDER BY id;
CREATE VIEW prod_v AS SELECT id, total, total * 1.1 AS with_tax FROM prod;
SELECT * FROM prod_v ORDER BY id;
