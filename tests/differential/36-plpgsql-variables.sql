-- DO blocks with variables, as migration and maintenance scripts write
-- them: DECLARE with defaults, SELECT ... INTO, loops over queries and
-- ranges, dynamic EXECUTE over the catalog, FOUND, GET DIAGNOSTICS,
-- handlers reading SQLSTATE/SQLERRM. Each block leaves its results in
-- do_log, which the SELECTs compare.
CREATE TABLE do_log (id serial PRIMARY KEY, msg text NOT NULL);
CREATE TABLE staff (id serial PRIMARY KEY, name text NOT NULL, dept text, salary numeric(10,2), hired date, active boolean NOT NULL DEFAULT true);
INSERT INTO staff (name, dept, salary, hired) VALUES ('ann', 'eng', 100.50, '2020-01-05'), ('bob', 'eng', 90, '2021-03-01'), ('cat', 'ops', 80, '2019-07-15'), ('dan', 'ops', NULL, '2022-02-02');
DO $$
DECLARE
  n integer;
BEGIN
  SELECT count(*) INTO n FROM staff;
  INSERT INTO do_log (msg) VALUES ('staff: ' || n);
END $$;
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT name, dept FROM staff ORDER BY id LOOP
    INSERT INTO do_log (msg) VALUES (r.name || ' in ' || coalesce(r.dept, '?'));
  END LOOP;
END $$;
SELECT msg FROM do_log ORDER BY id;
DO $$
BEGIN
  FOR i IN 1..3 LOOP
    INSERT INTO do_log (msg) VALUES ('range ' || i);
  END LOOP;
  FOR i IN REVERSE 10..1 BY 4 LOOP
    INSERT INTO do_log (msg) VALUES ('reverse ' || i);
  END LOOP;
END $$;
SELECT msg FROM do_log WHERE msg LIKE 'range%' OR msg LIKE 'reverse%' ORDER BY id;
DO $$
DECLARE
  total numeric := 0;
  r record;
BEGIN
  FOR r IN SELECT salary FROM staff WHERE salary IS NOT NULL LOOP
    total := total + r.salary;
  END LOOP;
  INSERT INTO do_log (msg) VALUES ('total ' || total::numeric(10,2));
END $$;
SELECT msg FROM do_log WHERE msg LIKE 'total%';
DO $$
DECLARE
  v_id integer;
BEGIN
  INSERT INTO staff (name, dept) VALUES ('eve', 'eng') RETURNING id INTO v_id;
  UPDATE staff SET salary = 70 WHERE id = v_id;
  IF FOUND THEN
    INSERT INTO do_log (msg) VALUES ('updated eve ' || v_id);
  END IF;
  UPDATE staff SET salary = 1 WHERE id = -1;
  IF NOT FOUND THEN
    INSERT INTO do_log (msg) VALUES ('nobody with id -1');
  END IF;
END $$;
SELECT msg FROM do_log WHERE msg LIKE 'updated%' OR msg LIKE 'nobody%' ORDER BY id;
SELECT name, salary FROM staff WHERE name = 'eve';
DO $$
DECLARE
  v text;
BEGIN
  SELECT name INTO STRICT v FROM staff WHERE id = -1;
END $$;
DO $$
DECLARE
  v text;
BEGIN
  SELECT name INTO STRICT v FROM staff;
END $$;
DO $$
DECLARE
  v text;
BEGIN
  SELECT name INTO v FROM staff WHERE id = -1;
  INSERT INTO do_log (msg) VALUES ('no row: ' || coalesce(v, 'null') || ' found=' || FOUND::text);
END $$;
SELECT msg FROM do_log WHERE msg LIKE 'no row%';
DO $$
DECLARE
  n bigint;
BEGIN
  UPDATE staff SET active = true WHERE dept = 'eng';
  GET DIAGNOSTICS n = ROW_COUNT;
  INSERT INTO do_log (msg) VALUES ('eng rows ' || n);
END $$;
SELECT msg FROM do_log WHERE msg LIKE 'eng rows%';
CREATE TABLE tmp_one (x int);
CREATE TABLE tmp_two (x int);
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'tmp\_%' ORDER BY tablename LOOP
    EXECUTE format('DROP TABLE %I', t.tablename);
    INSERT INTO do_log (msg) VALUES ('dropped ' || t.tablename);
  END LOOP;
END $$;
SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'tmp\_%';
SELECT msg FROM do_log WHERE msg LIKE 'dropped%' ORDER BY id;
DO $$
DECLARE
  i integer := 0;
BEGIN
  LOOP
    i := i + 1;
    EXIT WHEN i >= 5;
  END LOOP;
  WHILE i < 8 LOOP
    i := i + 1;
    CONTINUE WHEN i = 7;
    INSERT INTO do_log (msg) VALUES ('while ' || i);
  END LOOP;
END $$;
SELECT msg FROM do_log WHERE msg LIKE 'while%' ORDER BY id;
DO $$
DECLARE
  x integer;
  r record;
BEGIN
  EXECUTE 'SELECT count(*) FROM staff WHERE salary > $1' INTO x USING 85;
  INSERT INTO do_log (msg) VALUES ('above 85: ' || x);
  FOR r IN EXECUTE 'SELECT name FROM staff WHERE id < $1 ORDER BY id' USING 3 LOOP
    INSERT INTO do_log (msg) VALUES ('dynamic ' || r.name);
  END LOOP;
END $$;
SELECT msg FROM do_log WHERE msg LIKE 'above%' OR msg LIKE 'dynamic%' ORDER BY id;
DO $$
BEGIN
  PERFORM 1 / 0;
EXCEPTION WHEN division_by_zero THEN
  INSERT INTO do_log (msg) VALUES ('caught ' || SQLSTATE || ': ' || SQLERRM);
END $$;
DO $$
DECLARE
  m text;
  s text;
BEGIN
  INSERT INTO staff (id, name) VALUES (1, 'dup');
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, s = RETURNED_SQLSTATE;
  INSERT INTO do_log (msg) VALUES ('stacked ' || s);
END $$;
SELECT msg FROM do_log WHERE msg LIKE 'caught%' OR msg LIKE 'stacked%' ORDER BY id;
DO $$
DECLARE
  a integer[] := ARRAY[1, 2, 3];
  x integer;
  s integer := 0;
BEGIN
  FOREACH x IN ARRAY a LOOP
    s := s + x;
  END LOOP;
  INSERT INTO do_log (msg) VALUES ('array sum ' || s);
END $$;
SELECT msg FROM do_log WHERE msg LIKE 'array sum%';
DO $$ BEGIN ASSERT 1 = 2, 'math broke'; END $$;
DO $$ DECLARE c CONSTANT integer := 1; BEGIN c := 2; END $$;
DO $$ BEGIN EXIT; END $$;
DO $$ DECLARE x integer NOT NULL := NULL; BEGIN END $$;
DO $$ DECLARE r record; BEGIN INSERT INTO do_log (msg) VALUES (r.name); END $$;
DO $$
DECLARE
  v staff%ROWTYPE;
  w staff.name%TYPE;
BEGIN
  SELECT * INTO v FROM staff WHERE id = 1;
  SELECT name INTO w FROM staff WHERE id = 2;
  INSERT INTO do_log (msg) VALUES ('rowtype ' || v.name || ' ' || v.dept || ', type ' || w);
END $$;
SELECT msg FROM do_log WHERE msg LIKE 'rowtype%';
DO $$
<<outer>>
DECLARE
  i integer := 0;
BEGIN
  LOOP
    i := i + 1;
    IF i > 2 THEN
      EXIT outer;
    END IF;
  END LOOP;
  INSERT INTO do_log (msg) VALUES ('never');
END $$;
SELECT count(*) FROM do_log WHERE msg = 'never';
DO $$
DECLARE
  n integer := 1;
BEGIN
  DECLARE
    n integer := 10;
  BEGIN
    INSERT INTO do_log (msg) VALUES ('inner ' || n);
  END;
  INSERT INTO do_log (msg) VALUES ('outer ' || n);
END $$;
SELECT msg FROM do_log WHERE msg LIKE 'inner%' OR msg LIKE 'outer%' ORDER BY id;
DO $$
DECLARE
  v_name text := 'ann';
  v_sal numeric;
BEGIN
  SELECT salary INTO v_sal FROM staff WHERE name = v_name;
  UPDATE staff SET salary = v_sal + 1 WHERE name = v_name;
END $$;
SELECT name, salary FROM staff WHERE name = 'ann';
DO $$
DECLARE
  a text;
  b numeric;
  d date := '2024-01-31';
  ok boolean := true;
BEGIN
  FOR a, b IN SELECT name, salary FROM staff WHERE salary IS NOT NULL ORDER BY id LOOP
    INSERT INTO do_log (msg) VALUES ('pair ' || a || ' ' || (b > 85)::text);
  END LOOP;
  IF ok AND d + 1 = DATE '2024-02-01' THEN
    INSERT INTO do_log (msg) VALUES ('date ' || (d + 1));
  END IF;
END $$;
SELECT msg FROM do_log WHERE msg LIKE 'pair%' OR msg LIKE 'date%' ORDER BY id;
DO $$
BEGIN
  BEGIN
    RAISE EXCEPTION 'inner failure' USING ERRCODE = 'check_violation';
  EXCEPTION WHEN check_violation THEN
    RAISE;
  END;
EXCEPTION WHEN check_violation THEN
  INSERT INTO do_log (msg) VALUES ('re-raised ' || SQLERRM);
END $$;
SELECT msg FROM do_log WHERE msg LIKE 're-raised%';
DO $$
DECLARE
  col record;
BEGIN
  FOR col IN SELECT column_name FROM information_schema.columns WHERE table_name = 'staff' AND column_name IN ('dept', 'hired') ORDER BY column_name LOOP
    EXECUTE format('ALTER TABLE staff RENAME COLUMN %I TO %I', col.column_name, col.column_name || '_old');
  END LOOP;
END $$;
SELECT column_name FROM information_schema.columns WHERE table_name = 'staff' ORDER BY ordinal_position;
DO $$
DECLARE
  who text := 'O''Brien';
BEGIN
  INSERT INTO do_log (msg) VALUES ('quoted ' || who || ' it''s ' || E'tab\there');
  EXECUTE 'INSERT INTO do_log (msg) VALUES (''dynamic quoted '' || $1)' USING who;
END $$;
SELECT msg FROM do_log WHERE msg LIKE '%quoted%' ORDER BY id;
