-- A type name called like a function is a cast (text(x), int4(x), ...):
-- PostgreSQL's function-style casts, named after the function.
CREATE TABLE fc (id serial PRIMARY KEY, n int, s text, f float8, ip inet, j text);
INSERT INTO fc (n, s, f, ip, j) VALUES (12, '34', 1.5, '10.0.0.1/8', '{"a":1}'), (7, 'true', 2.25, '192.168.1.5/24', '[1,2]');
SELECT text(123), int4('12'), int8(5), float8('1.5'), bool('t'), int4(2.6), text(true);
SELECT text(n), int4(s) + 1 FROM fc WHERE id = 1;
SELECT id, text(ip), float4(f), int2(n) FROM fc ORDER BY id;
SELECT bool(s) FROM fc WHERE id = 2;
SELECT jsonb(j) -> 0 FROM fc WHERE id = 2;
SELECT pg_catalog.text(n) AS t, int8(n) * 2 AS d FROM fc ORDER BY int8(n);
SELECT count(*) FROM fc WHERE text(n) = '12';
SELECT uuid('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
SELECT int4('x');
SELECT length(text(n)) FROM fc ORDER BY 1;
SELECT text(x) FROM (SELECT 5 AS x) s;
SELECT int8(n) FROM fc GROUP BY int8(n) ORDER BY 1;
