-- A regclass literal in a result column prints the relation's name (the
-- cast stays an OID where it is compared with oid columns, as in ORMs'
-- reflection queries).
CREATE TABLE rc_a (id int PRIMARY KEY);
CREATE TABLE rc_b (id int PRIMARY KEY, a_id int REFERENCES rc_a (id));
SELECT 'rc_a'::regclass;
SELECT 'rc_b'::regclass AS tbl, 'rc_a'::regclass::text AS name;
SELECT 'rc_a'::regclass::oid = (SELECT oid FROM pg_class WHERE relname = 'rc_a') AS same;
SELECT relname FROM pg_class WHERE oid = 'rc_b'::regclass;
SELECT attname FROM pg_attribute WHERE attrelid = 'rc_b'::regclass AND attnum > 0 ORDER BY attnum;
SELECT count(*) FROM pg_constraint WHERE conrelid IN (SELECT 'rc_b'::regclass) AND contype = 'f';
DROP TABLE rc_b, rc_a;
