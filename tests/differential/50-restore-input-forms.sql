-- What restoring a pg_dump file or a sample database (Northwind, Chinook)
-- sends: keys added after the data with ALTER TABLE ONLY, foreign keys
-- naming only the parent table, OWNER TO (no owners are kept: the role
-- and the object must exist), dates in PostgreSQL's other input forms
-- (DateStyle MDY, month names, 2021/1/1, Julian days, zone names), and
-- real (float4) columns, which PostgreSQL computes on as the float4 it stores.
CREATE TABLE rs_region (region_id smallint NOT NULL, region_description text NOT NULL);
CREATE TABLE rs_territory (territory_id varchar(20) NOT NULL, description text, region_id smallint NOT NULL);
INSERT INTO rs_region VALUES (1, 'Eastern'), (2, 'Western');
INSERT INTO rs_territory VALUES ('01581', 'Westboro', 1), ('01730', 'Bedford', 2);
ALTER TABLE ONLY rs_region ADD CONSTRAINT pk_region PRIMARY KEY (region_id);
ALTER TABLE ONLY rs_territory ADD CONSTRAINT pk_territories PRIMARY KEY (territory_id);
ALTER TABLE ONLY rs_territory ADD CONSTRAINT fk_territories_region FOREIGN KEY (region_id) REFERENCES rs_region;
INSERT INTO rs_territory VALUES ('02116', 'Boston', 3);
INSERT INTO rs_territory VALUES ('02116', 'Boston', 1);
DELETE FROM rs_region WHERE region_id = 2;
SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'rs_territory'::regclass ORDER BY conname;
CREATE TABLE rs_note (id int, territory_id varchar(20));
ALTER TABLE rs_note ADD CONSTRAINT rs_note_territory FOREIGN KEY (territory_id) REFERENCES rs_territory ON DELETE CASCADE;
INSERT INTO rs_note VALUES (1, '01581'), (2, '02116');
DELETE FROM rs_territory WHERE territory_id = '02116';
SELECT * FROM rs_note ORDER BY id;
ALTER TABLE rs_region OWNER TO CURRENT_USER;
ALTER TABLE ONLY public.rs_territory OWNER TO CURRENT_USER;
ALTER TABLE rs_missing OWNER TO CURRENT_USER;
ALTER TABLE rs_region OWNER TO rs_nobody;
CREATE TYPE rs_mood AS ENUM ('sad', 'ok');
ALTER TYPE public.rs_mood OWNER TO CURRENT_USER;
ALTER TYPE rs_nomood OWNER TO CURRENT_USER;
DROP TYPE rs_mood;
CREATE TABLE rs_nokey (id int);
ALTER TABLE rs_note ADD CONSTRAINT rs_note_nokey FOREIGN KEY (id) REFERENCES rs_nokey;
CREATE TABLE rs_employee (id int PRIMARY KEY, birth_date date, hire_date timestamp, seen timestamptz);
INSERT INTO rs_employee VALUES (1, '1962/2/18', '2002/8/14 00:00:00', '2021/1/1 10:00+02');
INSERT INTO rs_employee VALUES (2, '12/8/1948', 'May 1, 1992', 'Jan 5 2020 15:00 UTC');
INSERT INTO rs_employee VALUES (3, 'August 30, 1963', '1994-Nov-15 3:30 PM', '2000-01-01 10:00:00 EST');
INSERT INTO rs_employee VALUES (4, '19650302', '19990108 040506', '2000-07-01 10:00 America/New_York');
INSERT INTO rs_employee VALUES (5, 'J2451187', 'Sat Jan 01 2000 10:00:00', '2000-01-01T10:00:00.5+05:30');
INSERT INTO rs_employee VALUES (6, '08-Jan-99', '1999.008', '1999-01-08 04:05:06 PST');
SELECT * FROM rs_employee ORDER BY id;
SELECT id, age(hire_date, birth_date), extract(year FROM birth_date) FROM rs_employee ORDER BY id;
SELECT '2021/1/1'::timestamp, '1962/2/18'::date, '1/8/1999'::date, '01/02/2003 10:00'::timestamp;
SELECT 'January 8, 1999'::date, 'Jan 8 1999'::date, '8 Jan 1999'::date, '1999-Jan-08'::date, 'Jan-08-1999'::date;
SELECT '2024-01-02 3:04:05 PM'::timestamp, '2024-01-02 12:00 am'::timestamp, '1999/01/08T10:00'::timestamp;
SELECT '2000-01-01 10:00:00 EST'::timestamptz, '2000-01-01 10:00 America/New_York'::timestamptz, '2000-07-01 10:00 Europe/Paris'::timestamptz;
SELECT 'allballs'::time, '10:00 PM'::time, '04:05:06.789-8'::time, '1:2'::time;
SELECT 'tomorrow'::date - 'today'::date, 'today'::date - 'yesterday'::date;
SELECT count(*) FILTER (WHERE birth_date = 'August 30, 1963'), count(*) FILTER (WHERE hire_date > 'Jan 1 1995'), count(*) FILTER (WHERE birth_date BETWEEN '1/1/1960' AND '12/31/1965') FROM rs_employee;
SELECT '2021/13/1'::date;
SELECT '2/30/2021'::date;
SELECT 'Jan 1999'::date;
SELECT '13:00 PM'::time;
INSERT INTO rs_employee VALUES (7, 'sometime', NULL, NULL);
CREATE TABLE rs_detail (order_id int, unit_price real, quantity smallint, discount real, freight real);
INSERT INTO rs_detail VALUES (10248, 14, 12, 0, 32.3800011), (10248, 9.80000019, 10, 0, 11.6099997), (10249, 34.7999992, 5, 0.15, 65.8300018), (10250, 42.4000015, 35, 0.150000006, 41.3400002), (10250, 16.7999992, 15, 0.25, 51.2999992);
SELECT unit_price, discount, freight FROM rs_detail ORDER BY order_id, unit_price;
SELECT order_id, unit_price * quantity * (1 - discount) AS net FROM rs_detail ORDER BY order_id, net;
SELECT order_id, sum(unit_price * quantity * (1 - discount)) AS total FROM rs_detail GROUP BY order_id ORDER BY total DESC;
SELECT unit_price * quantity, unit_price::float8, unit_price::numeric(10,2), unit_price::int, unit_price * 1.1 FROM rs_detail ORDER BY order_id, 2;
SELECT count(*) FILTER (WHERE discount = 0.15), count(*) FILTER (WHERE discount > 0.1), count(*) FILTER (WHERE unit_price = 14) FROM rs_detail;
SELECT avg(unit_price), avg(freight), max(freight), min(discount), stddev(freight) FROM rs_detail;
SELECT round(avg(unit_price)::numeric, 2), round(sum(unit_price * quantity)::numeric, 2) FROM rs_detail;
UPDATE rs_detail SET freight = freight * 2 WHERE order_id = 10248;
SELECT order_id, freight FROM rs_detail ORDER BY order_id, freight;
DROP TABLE rs_note, rs_territory, rs_region, rs_nokey, rs_employee, rs_detail;
