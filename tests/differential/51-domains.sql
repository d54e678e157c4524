-- CREATE DOMAIN as pagila and dvdrental declare them (the Sakila `year`,
-- a NOT NULL and a DEFAULT domain), columns of a domain type in CREATE
-- TABLE and ADD COLUMN, their checks on INSERT and UPDATE, DROP DOMAIN.
CREATE DOMAIN dm_year AS integer CONSTRAINT dm_year_check CHECK (((VALUE >= 1901) AND (VALUE <= 2155)));
CREATE DOMAIN public.dm_big AS bigint;
CREATE DOMAIN dm_email AS text NOT NULL CHECK (VALUE LIKE '%@%');
CREATE DOMAIN dm_posint AS int DEFAULT 1 CHECK (VALUE > 0);
CREATE DOMAIN dm_year AS integer;
CREATE DOMAIN dm_bad AS dm_nothing;
CREATE TABLE dm_film (id serial PRIMARY KEY, title text, release_year dm_year, contact dm_email, n dm_posint, big public.dm_big);
INSERT INTO dm_film (title, release_year, contact) VALUES ('a', 2006, 'x@y.z');
INSERT INTO dm_film (title, release_year, contact, big) VALUES ('b', 1999, 'p@q', 9007199254740993);
INSERT INTO dm_film (title, release_year, contact) VALUES ('c', 1800, 'x@y.z');
INSERT INTO dm_film (title, release_year, contact) VALUES ('d', 2000, 'nope');
INSERT INTO dm_film (title, release_year, contact) VALUES ('e', 2000, NULL);
INSERT INTO dm_film (title, release_year, contact, n) VALUES ('f', 2001, 'a@b', -5);
SELECT id, title, release_year, contact, n, big FROM dm_film ORDER BY id;
SELECT release_year + 1, release_year / 2, big * 2 FROM dm_film ORDER BY id;
UPDATE dm_film SET release_year = 3000 WHERE id = 1;
UPDATE dm_film SET release_year = release_year + 1 RETURNING id, release_year;
ALTER TABLE dm_film ADD COLUMN remake dm_year;
UPDATE dm_film SET remake = 1000;
UPDATE dm_film SET remake = 2020 WHERE id = 2;
SELECT id, remake FROM dm_film ORDER BY id;
ALTER DOMAIN dm_year OWNER TO CURRENT_USER;
ALTER DOMAIN dm_missing OWNER TO CURRENT_USER;
DROP TABLE dm_film;
DROP DOMAIN dm_year;
DROP DOMAIN dm_year;
DROP DOMAIN IF EXISTS dm_year;
DROP DOMAIN dm_email;
DROP DOMAIN dm_posint;
DROP DOMAIN dm_big;
