-- EXCLUDE USING gist (room WITH =, during WITH &&): no double booking
-- (btree_gist's = beside a range's &&), in CREATE TABLE and added later;
-- a failed INSERT uses up its serial number as in PostgreSQL.
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TABLE rsv (id serial PRIMARY KEY, room int NOT NULL, during tstzrange NOT NULL, EXCLUDE USING gist (room WITH =, during WITH &&));
INSERT INTO rsv (room, during) VALUES (1, '[2024-01-01 10:00+00, 2024-01-01 12:00+00)');
INSERT INTO rsv (room, during) VALUES (1, '[2024-01-01 11:00+00, 2024-01-01 13:00+00)');
INSERT INTO rsv (room, during) VALUES (2, '[2024-01-01 11:00+00, 2024-01-01 13:00+00)');
INSERT INTO rsv (room, during) VALUES (1, '[2024-01-01 12:00+00, 2024-01-01 13:00+00)');
UPDATE rsv SET during = '[2024-01-01 09:00+00, 2024-01-01 12:30+00)' WHERE id = 3;
UPDATE rsv SET during = '[2024-01-01 11:30+00, 2024-01-01 13:00+00)' WHERE id = 4;
UPDATE rsv SET during = '[2024-01-01 12:00+00, 2024-01-01 14:00+00)' WHERE id = 4;
SELECT * FROM rsv ORDER BY id;
INSERT INTO rsv (room, during) VALUES (3, '[2024-01-02 10:00+00, 2024-01-02 11:00+00)'), (3, '[2024-01-02 10:30+00, 2024-01-02 11:30+00)');
SELECT count(*) FROM rsv WHERE room = 3;
ALTER TABLE rsv ADD CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&);
CREATE TABLE shift (id serial PRIMARY KEY, staff text, days daterange, CONSTRAINT one_shift EXCLUDE USING gist (staff WITH =, days WITH &&));
INSERT INTO shift (staff, days) VALUES ('ann', '[2024-03-01,2024-03-05)'), ('bob', '[2024-03-01,2024-03-05)');
INSERT INTO shift (staff, days) VALUES ('ann', '[2024-03-04,2024-03-06)');
INSERT INTO shift (staff, days) VALUES ('ann', '[2024-03-05,2024-03-06)'), (NULL, '[2024-03-01,2024-03-02)'), (NULL, '[2024-03-01,2024-03-02)');
SELECT * FROM shift ORDER BY id;
ALTER TABLE shift DROP CONSTRAINT one_shift;
INSERT INTO shift (staff, days) VALUES ('ann', '[2024-03-04,2024-03-06)');
ALTER TABLE shift DROP CONSTRAINT IF EXISTS one_shift;
ALTER TABLE shift DROP CONSTRAINT one_shift;
SELECT count(*) FROM shift WHERE staff = 'ann';
