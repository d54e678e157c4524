-- DROP of what other objects depend on: refused without CASCADE (2BP01)
-- and nothing dropped; allowed once the dependents are gone.
CREATE TYPE dd_mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE dd_m (who text, feel dd_mood);
INSERT INTO dd_m VALUES ('x', 'happy'), ('y', 'sad');
CREATE VIEW dd_v AS SELECT who, feel FROM dd_m WHERE feel > 'sad';
DROP TABLE dd_m;
DROP TYPE dd_mood;
SELECT who, feel::text FROM dd_v ORDER BY who;
DROP VIEW dd_v;
DROP TYPE IF EXISTS dd_mood;
SELECT who, feel::text FROM dd_m ORDER BY feel;
DROP TABLE dd_m;
DROP TYPE dd_mood;
DROP TYPE IF EXISTS dd_mood;
CREATE TABLE dd_p (id int PRIMARY KEY);
CREATE TABLE dd_c (id int, pid int REFERENCES dd_p (id));
CREATE TABLE dd_c2 (id int, pid int, CONSTRAINT dd_c2_parent FOREIGN KEY (pid) REFERENCES dd_p (id));
DROP TABLE dd_p;
DROP TABLE dd_p, dd_c;
DROP TABLE dd_c2, dd_c, dd_p;
SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'dd\_%';
