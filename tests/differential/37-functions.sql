-- User-defined functions as schemas and the PostgreSQL manual write them:
-- SQL functions (positional and named arguments, several statements,
-- RETURN bodies, void), PL/pgSQL functions (DECLARE, IF, loops, SELECT
-- INTO, RAISE), called in select lists, WHERE, views and other functions;
-- CREATE OR REPLACE, DROP.
CREATE TABLE fn_weather (city varchar(80), temp_lo int, temp_hi int, prcp real, day date);
INSERT INTO fn_weather VALUES ('San Francisco', 46, 50, 0.25, '1994-11-27'), ('San Francisco', 43, 57, 0.0, '1994-11-29'), ('Hayward', 37, 54, NULL, '1994-11-29');
CREATE FUNCTION add_em(integer, integer) RETURNS integer AS $$ SELECT $1 + $2; $$ LANGUAGE SQL;
SELECT add_em(1, 2) AS answer;
SELECT add_em(1, 2);
SELECT add_em(temp_lo, temp_hi) FROM fn_weather ORDER BY 1;
CREATE FUNCTION add_em(integer, integer) RETURNS integer AS $$ SELECT $1 + $2; $$ LANGUAGE SQL;
CREATE OR REPLACE FUNCTION add_em(integer, integer) RETURNS integer AS $$ SELECT $1 + $2 + 0; $$ LANGUAGE SQL;
CREATE FUNCTION city_days(c text) RETURNS bigint LANGUAGE sql STABLE AS 'SELECT count(*) FROM fn_weather WHERE city = c';
SELECT city_days('Hayward'), city_days('San Francisco'), city_days('Nowhere');
CREATE FUNCTION is_warm(t int) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT t > 55 $$;
SELECT city, day, is_warm(temp_hi) FROM fn_weather ORDER BY day, city;
SELECT city, day FROM fn_weather WHERE is_warm(temp_hi) ORDER BY day;
SELECT count(*) FILTER (WHERE is_warm(temp_hi)) AS warm_days, count(*) FILTER (WHERE NOT is_warm(temp_hi)) AS cool_days FROM fn_weather;
CREATE FUNCTION full_name(first text, last text) RETURNS text LANGUAGE sql IMMUTABLE RETURN first || ' ' || last;
SELECT full_name('Ada', 'Lovelace'), full_name('Grace', NULL);
CREATE FUNCTION avg_temp(c text) RETURNS numeric LANGUAGE sql AS $$
  SELECT round(avg((temp_lo + temp_hi) / 2.0)) FROM fn_weather WHERE city = c
$$;
SELECT avg_temp('San Francisco');
CREATE FUNCTION inc(i integer) RETURNS integer AS $$
BEGIN
  RETURN i + 1;
END;
$$ LANGUAGE plpgsql;
SELECT inc(41), inc(inc(1)), inc(NULL);
CREATE FUNCTION fact(n integer) RETURNS bigint LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  r bigint := 1;
BEGIN
  FOR i IN 2..n LOOP
    r := r * i;
  END LOOP;
  RETURN r;
END $$;
SELECT fact(1), fact(5), fact(20);
CREATE FUNCTION grade(score integer) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF score IS NULL THEN
    RETURN 'none';
  ELSIF score >= 90 THEN
    RETURN 'A';
  ELSIF score >= 80 THEN
    RETURN 'B';
  END IF;
  RETURN 'C';
END $$;
SELECT s, grade(s) FROM (VALUES (95), (85), (10), (NULL)) AS v(s) ORDER BY s NULLS LAST;
CREATE FUNCTION hottest(c text) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v integer;
BEGIN
  SELECT max(temp_hi) INTO v FROM fn_weather WHERE city = c;
  IF v IS NULL THEN
    RAISE EXCEPTION 'no readings for %', c USING ERRCODE = 'no_data_found';
  END IF;
  RETURN v;
END $$;
SELECT hottest('Hayward'), hottest('San Francisco');
SELECT hottest('Nowhere');
CREATE FUNCTION log_reading(c text, lo int, hi int) RETURNS void LANGUAGE sql AS $$
  INSERT INTO fn_weather (city, temp_lo, temp_hi, day) VALUES (c, lo, hi, DATE '1994-12-01')
$$;
SELECT log_reading('Oakland', 40, 60);
SELECT city, temp_lo, temp_hi, day FROM fn_weather WHERE city = 'Oakland';
CREATE FUNCTION readings_total() RETURNS bigint LANGUAGE sql AS $$ SELECT sum(temp_lo) FROM fn_weather $$;
SELECT readings_total();
CREATE VIEW fn_warm AS SELECT city, day, add_em(temp_lo, temp_hi) AS total FROM fn_weather;
SELECT * FROM fn_warm ORDER BY day, city;
SELECT inc(1, 2);
DROP FUNCTION inc(integer);
SELECT inc(1);
DROP FUNCTION inc(integer);
DROP FUNCTION IF EXISTS inc(integer);
CREATE FUNCTION bad_lang() RETURNS integer LANGUAGE nosuchlang AS 'x';
CREATE FUNCTION broken() RETURNS integer LANGUAGE sql AS 'SELEC 1';
CREATE FUNCTION safe_int(t text) RETURNS integer LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN t::integer;
EXCEPTION WHEN invalid_text_representation THEN
  RETURN NULL;
END $$;
SELECT safe_int('42'), safe_int('x'), safe_int(NULL);
CREATE TABLE fn_kv (k text PRIMARY KEY, v int);
CREATE FUNCTION put(key text, val int) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO fn_kv VALUES (key, val);
  RETURN 'inserted';
EXCEPTION WHEN unique_violation THEN
  UPDATE fn_kv SET v = val WHERE k = key;
  RETURN 'updated';
END $$;
SELECT put('a', 1);
SELECT put('a', 2);
SELECT * FROM fn_kv ORDER BY k;
CREATE FUNCTION err_info() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  m text;
  c text;
BEGIN
  PERFORM 1 / 0;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, c = RETURNED_SQLSTATE;
  RETURN c || ': ' || m;
END $$;
SELECT err_info();
CREATE FUNCTION rethrow() RETURNS integer LANGUAGE plpgsql AS $$ BEGIN PERFORM 1 / 0; RETURN 1; EXCEPTION WHEN division_by_zero THEN RAISE; END $$;
SELECT rethrow();
