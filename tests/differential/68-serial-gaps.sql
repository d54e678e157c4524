-- Ids a failed or rolled-back insert took stay used, as PostgreSQL's sequences
-- are not transactional: a unique or check violation (one row, or the third
-- of three), ROLLBACK, ROLLBACK TO SAVEPOINT, an identity key, upserts that
-- do nothing.
CREATE TABLE sg_t (id serial PRIMARY KEY, v text UNIQUE, n int CHECK (n > 0));
INSERT INTO sg_t (v, n) VALUES ('a', 1), ('b', 1), ('a', 1);
INSERT INTO sg_t (v, n) VALUES ('c', 1) RETURNING id;
INSERT INTO sg_t (v, n) VALUES ('d', 1), ('e', 0), ('f', 1);
INSERT INTO sg_t (v, n) VALUES ('g', 1) RETURNING id;
BEGIN;
INSERT INTO sg_t (v, n) VALUES ('h', 1);
INSERT INTO sg_t (v, n) VALUES ('h', 1);
INSERT INTO sg_t (v, n) VALUES ('i', 1);
ROLLBACK;
INSERT INTO sg_t (v, n) VALUES ('j', 1) RETURNING id;
BEGIN;
INSERT INTO sg_t (v, n) VALUES ('k', 1);
SAVEPOINT sp;
INSERT INTO sg_t (v, n) VALUES ('l', 1);
ROLLBACK TO SAVEPOINT sp;
INSERT INTO sg_t (v, n) VALUES ('m', 1) RETURNING id;
COMMIT;
INSERT INTO sg_t (v, n) SELECT v || '2', n FROM sg_t WHERE v IN ('a', 'c') ORDER BY v;
INSERT INTO sg_t (v, n) VALUES ('z', 1) RETURNING id;
SELECT id, v FROM sg_t ORDER BY id;
CREATE TABLE sg_t2 (id serial PRIMARY KEY, v text NOT NULL);
INSERT INTO sg_t2 (v) VALUES ('a'), ('b'), ('c');
DELETE FROM sg_t2 WHERE id = 3;
INSERT INTO sg_t2 (v) VALUES ('d') RETURNING id;
INSERT INTO sg_t2 (v) VALUES (NULL);
INSERT INTO sg_t2 (v) VALUES ('e') RETURNING id;
BEGIN;
INSERT INTO sg_t2 (v) VALUES ('f') RETURNING id;
ROLLBACK;
INSERT INTO sg_t2 (v) VALUES ('g') RETURNING id;
INSERT INTO sg_t2 (v) VALUES ('h'), (NULL);
INSERT INTO sg_t2 (v) VALUES ('i') RETURNING id;
SELECT currval('sg_t2_id_seq');
CREATE TABLE sg_u (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text UNIQUE);
INSERT INTO sg_u (v) VALUES ('a');
INSERT INTO sg_u (v) VALUES ('a');
INSERT INTO sg_u (v) VALUES ('b') RETURNING id;
INSERT INTO sg_u (v) VALUES ('b') ON CONFLICT DO NOTHING RETURNING id;
INSERT INTO sg_u (v) VALUES ('c') RETURNING id;
