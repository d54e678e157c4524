-- Date-time columns with fewer than six fractional digits (Prisma's
-- TIMESTAMP(3), Laravel's timestamp(0)) keep values rounded to their
-- precision, from literals, parameters, updates and clock defaults; casts
-- to an enum type compare in label order and refuse other text.
CREATE TABLE pe_events (id int PRIMARY KEY, at0 timestamp(0), at3 timestamptz(3), t2 time(2), made timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, plain timestamp);
INSERT INTO pe_events (id, at0, at3, t2, plain) VALUES (1, '2024-01-01 10:00:00.567', '2024-01-01 10:00:00.12345+00', '10:00:00.125', '2024-01-01 10:00:00.567');
INSERT INTO pe_events (id, at0, at3, t2) VALUES (2, '2024-12-31 23:59:59.6', '2024-06-30 10:00:00.9996+02', '23:59:59.999');
INSERT INTO pe_events (id, at0, at3) VALUES (3, '1999-05-05 12:00:00.5', '2024-01-01 00:00:00.0004+00');
SELECT id, at0, at3, t2, plain FROM pe_events ORDER BY id;
SELECT id, length(made::text) <= 23 AS ms_or_less FROM pe_events ORDER BY id;
UPDATE pe_events SET at0 = '2024-01-01 10:00:00.4', at3 = '2024-01-01 10:00:00.0015+00' WHERE id = 1;
SELECT at0, at3 FROM pe_events WHERE id = 1;
ALTER TABLE pe_events ADD COLUMN touched timestamp(0) DEFAULT now();
SELECT id, touched::text NOT LIKE '%.%' AS whole_seconds FROM pe_events ORDER BY id;
SELECT column_name, column_default, datetime_precision FROM information_schema.columns WHERE table_name = 'pe_events' ORDER BY ordinal_position;
SELECT '2024-01-01 10:00:00.567'::timestamp(0), '10:00:00.567'::time(1), '2024-01-01 10:00:00.55'::timestamp(1);
CREATE TYPE pe_mood AS ENUM ('sad', 'ok', 'happy');
SELECT 'happy'::pe_mood > 'sad'::pe_mood AS gt, 'ok'::pe_mood < 'happy'::pe_mood AS lt, CAST('sad' AS pe_mood) = 'sad' AS eq;
CREATE TABLE pe_people (name text PRIMARY KEY, mood pe_mood NOT NULL DEFAULT 'ok');
INSERT INTO pe_people VALUES ('ann', 'happy'), ('bob', 'sad'::pe_mood), ('cy', DEFAULT);
SELECT name, mood FROM pe_people WHERE mood > 'sad'::pe_mood ORDER BY mood DESC, name;
SELECT name FROM pe_people WHERE mood BETWEEN 'sad'::pe_mood AND 'ok'::pe_mood ORDER BY name;
SELECT max(mood), min(mood) FROM pe_people;
SELECT 'nope'::pe_mood;
SELECT name FROM pe_people WHERE mood = 'nope'::pe_mood;
SELECT mood::text || '!' FROM pe_people ORDER BY mood;
CREATE TABLE "PeUsers" (id serial PRIMARY KEY, email text);
INSERT INTO "PeUsers" (email) VALUES ('a@x'), ('b@x');
SELECT pg_get_serial_sequence('"PeUsers"', 'id');
SELECT setval(pg_get_serial_sequence('"PeUsers"', 'id'), coalesce(max(id), 0) + 1, false) FROM "PeUsers";
INSERT INTO "PeUsers" (email) VALUES ('c@x') RETURNING id;
DROP TABLE IF EXISTS pe_missing, "PeUsers";
DROP TYPE IF EXISTS pe_missing_type;
SELECT count(*) FROM pg_tables WHERE tablename = 'PeUsers';
