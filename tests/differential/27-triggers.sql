-- PL/pgSQL trigger functions as applications write them.
CREATE TABLE posts (id serial PRIMARY KEY, title text NOT NULL, body text, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz, version int NOT NULL DEFAULT 1, slug text, word_count int);
CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger AS $$
BEGIN
  NEW.updated_at = now();
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER posts_set_updated_at BEFORE UPDATE ON posts FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE FUNCTION posts_derive() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  NEW.slug := lower(replace(trim(NEW.title), ' ', '-'));
  IF NEW.body IS NULL THEN
    NEW.word_count := 0;
  ELSIF NEW.body = '' THEN
    NEW.word_count := 0;
  ELSE
    NEW.word_count := array_length(string_to_array(NEW.body, ' '), 1);
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.body IS DISTINCT FROM OLD.body THEN
    NEW.version := OLD.version + 1;
  END IF;
  RETURN NEW;
END
$body$;
CREATE TRIGGER posts_derive BEFORE INSERT OR UPDATE ON posts FOR EACH ROW EXECUTE PROCEDURE posts_derive();
INSERT INTO posts (title, body) VALUES ('Hello World', 'one two three'), ('  Second Post ', NULL), ('Third', '');
SELECT id, title, slug, word_count, version, updated_at IS NULL AS never_updated FROM posts ORDER BY id;
UPDATE posts SET body = 'a b' WHERE id = 1;
UPDATE posts SET title = 'Second post, again' WHERE id = 2;
SELECT id, slug, word_count, version, updated_at >= created_at AS stamped FROM posts ORDER BY id;
UPDATE posts SET body = body;
SELECT id, version FROM posts ORDER BY id;
-- RAISE refuses a row, with the SQLSTATE asked for.
CREATE FUNCTION posts_guard() RETURNS trigger AS $$
BEGIN
  IF length(NEW.title) > 40 THEN
    RAISE EXCEPTION 'title too long: % characters', length(NEW.title) USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.title ~ '^\s*$' THEN
    RAISE EXCEPTION 'title must not be blank';
  END IF;
  RAISE NOTICE 'checked %', NEW.title;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER posts_guard BEFORE INSERT OR UPDATE OF title ON posts FOR EACH ROW EXECUTE FUNCTION posts_guard();
INSERT INTO posts (title) VALUES ('This title is much too long to be accepted by the guard');
INSERT INTO posts (title) VALUES ('   ');
UPDATE posts SET title = '' WHERE id = 1;
UPDATE posts SET body = 'still fine' WHERE id = 1;
SELECT count(*) FROM posts;
-- RETURN NULL skips the row; a WHEN condition limits the trigger.
CREATE TABLE readings (id int PRIMARY KEY, value numeric(6,2), note text);
CREATE FUNCTION drop_negative() RETURNS trigger AS $$ BEGIN IF NEW.value < 0 THEN RETURN NULL; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER readings_drop_negative BEFORE INSERT ON readings FOR EACH ROW EXECUTE FUNCTION drop_negative();
CREATE FUNCTION note_big() RETURNS trigger AS $$ BEGIN NEW.note := 'big: ' || NEW.value; RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER readings_note_big BEFORE INSERT OR UPDATE ON readings FOR EACH ROW WHEN (NEW.value > 100) EXECUTE FUNCTION note_big();
INSERT INTO readings VALUES (1, 5, NULL), (2, -3, NULL), (3, 250.5, NULL), (4, 0, 'kept');
SELECT id, value, note FROM readings ORDER BY id;
UPDATE readings SET value = 101 WHERE id = 1;
SELECT id, value, note FROM readings ORDER BY id;
-- An audit trail written by an AFTER trigger for every event.
CREATE TABLE audit_log (id serial PRIMARY KEY, table_name text, op text, row_id int, detail text);
CREATE FUNCTION audit() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO audit_log (table_name, op, row_id, detail) VALUES (TG_TABLE_NAME, TG_OP, OLD.id, OLD.value::text);
    RETURN OLD;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO audit_log (table_name, op, row_id, detail) VALUES (TG_TABLE_NAME, TG_OP, NEW.id, OLD.value || ' -> ' || NEW.value);
  ELSE
    INSERT INTO audit_log (table_name, op, row_id, detail) VALUES (TG_TABLE_NAME, TG_OP, NEW.id, NEW.value::text);
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER readings_audit AFTER INSERT OR UPDATE OR DELETE ON readings FOR EACH ROW EXECUTE FUNCTION audit();
INSERT INTO readings VALUES (10, 1.5, NULL);
UPDATE readings SET value = 2.25 WHERE id = 10;
DELETE FROM readings WHERE id IN (4, 10);
SELECT table_name, op, row_id, detail FROM audit_log ORDER BY id;
-- A BEFORE DELETE guard.
CREATE FUNCTION keep_big() RETURNS trigger AS $$ BEGIN IF OLD.value > 200 THEN RAISE EXCEPTION 'reading % is protected', OLD.id USING ERRCODE = '23001'; END IF; RETURN OLD; END $$ LANGUAGE plpgsql;
CREATE TRIGGER readings_keep_big BEFORE DELETE ON readings FOR EACH ROW EXECUTE FUNCTION keep_big();
DELETE FROM readings WHERE id = 3;
DELETE FROM readings WHERE id = 1;
SELECT id FROM readings ORDER BY id;
-- The catalog lists them (psql, migration tools).
SELECT c.relname, t.tgname, t.tgtype, t.tgenabled, t.tgisinternal FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid ORDER BY 1, 2;
SELECT tgname, pg_get_triggerdef(oid), pg_get_triggerdef(oid, true) FROM pg_trigger WHERE tgname <> 'readings_note_big' ORDER BY 1;
-- Replacing, dropping, and the errors.
CREATE OR REPLACE FUNCTION note_big() RETURNS trigger AS $$ BEGIN NEW.note := 'huge'; RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE OR REPLACE TRIGGER readings_note_big BEFORE INSERT ON readings FOR EACH ROW WHEN (NEW.value > 100) EXECUTE FUNCTION note_big();
INSERT INTO readings VALUES (20, 500, NULL);
SELECT id, note FROM readings WHERE id = 20;
CREATE TRIGGER readings_audit AFTER INSERT ON readings FOR EACH ROW EXECUTE FUNCTION audit();
CREATE TRIGGER readings_missing BEFORE INSERT ON readings FOR EACH ROW EXECUTE FUNCTION no_such_function();
CREATE TRIGGER nowhere BEFORE INSERT ON no_such_table FOR EACH ROW EXECUTE FUNCTION audit();
CREATE FUNCTION audit() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql;
DROP TRIGGER readings_audit ON readings;
DROP TRIGGER readings_audit ON readings;
DROP TRIGGER IF EXISTS readings_audit ON readings;
INSERT INTO readings VALUES (30, 7, NULL);
SELECT count(*) FROM audit_log;
DROP TRIGGER readings_drop_negative ON readings;
DROP FUNCTION drop_negative();
DROP FUNCTION drop_negative();
DROP FUNCTION IF EXISTS drop_negative();
INSERT INTO readings VALUES (31, -1, NULL);
SELECT id, value FROM readings ORDER BY id;
SELECT tgname FROM pg_trigger WHERE tgrelid = 'readings'::regclass ORDER BY 1;
-- Whole rows: to_jsonb(NEW/OLD) and NEW IS [NOT] DISTINCT FROM OLD.
CREATE TABLE acct (id serial PRIMARY KEY, name text, balance numeric(10,2), active boolean DEFAULT true, opened timestamptz DEFAULT '2024-01-01 00:00+00');
CREATE TABLE acct_history (id serial PRIMARY KEY, op text, old_row jsonb, new_row jsonb);
CREATE FUNCTION log_change() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN
    RETURN NEW;
  END IF;
  INSERT INTO acct_history (op, old_row, new_row) VALUES (TG_OP, to_jsonb(OLD), to_jsonb(NEW));
  RETURN COALESCE(NEW, OLD);
END $$ LANGUAGE plpgsql;
CREATE TRIGGER acct_log AFTER INSERT OR UPDATE OR DELETE ON acct FOR EACH ROW EXECUTE FUNCTION log_change();
INSERT INTO acct (name, balance) VALUES ('a', 10.50);
UPDATE acct SET balance = balance WHERE id = 1;
UPDATE acct SET balance = 20, active = false WHERE id = 1;
DELETE FROM acct WHERE id = 1;
SELECT op, old_row, new_row FROM acct_history ORDER BY id;
-- RETURNING shows the row as stored, after BEFORE triggers changed NEW.
CREATE TABLE ledger (id serial PRIMARY KEY, email text UNIQUE, bal numeric(10,2) DEFAULT 0, note text, updated_at timestamptz);
CREATE FUNCTION ledger_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := '2024-01-01 00:00:00+00'; RETURN NEW; END $$;
CREATE TRIGGER ledger_touch BEFORE INSERT OR UPDATE ON ledger FOR EACH ROW EXECUTE FUNCTION ledger_touch();
CREATE FUNCTION ledger_note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := 'big ' || NEW.email; RETURN NEW; END $$;
CREATE TRIGGER ledger_note BEFORE INSERT OR UPDATE ON ledger FOR EACH ROW WHEN (NEW.bal > 100) EXECUTE FUNCTION ledger_note();
INSERT INTO ledger (email, bal) VALUES ('a@x', 1.50) RETURNING id, bal, updated_at;
INSERT INTO ledger (email, bal) VALUES ('b@x', 200), ('c@x', 3), ('d@x', 400) RETURNING id, email, note, updated_at IS NOT NULL AS stamped;
INSERT INTO ledger (email) VALUES ('e@x') RETURNING ledger.id, ledger.note, ledger.updated_at;
UPDATE ledger SET bal = bal * 100, updated_at = NULL WHERE id IN (1, 3) RETURNING *;
UPDATE ledger SET note = 'x' WHERE bal < 300 RETURNING id, note, coalesce(note, '-') || '!' AS shout;
INSERT INTO ledger (email, bal) VALUES ('a@x', 500), ('c@x', 5) ON CONFLICT (email) DO UPDATE SET bal = excluded.bal, updated_at = NULL RETURNING id, email, bal, note, updated_at;
INSERT INTO ledger (email, bal) VALUES ('b@x', 1) ON CONFLICT (email) DO NOTHING RETURNING id;
WITH added AS (INSERT INTO ledger (email, bal) VALUES ('g@x', 150) RETURNING id, note, updated_at) SELECT note, updated_at FROM added;
SELECT id, email, bal, note, updated_at FROM ledger ORDER BY id;
-- A trigger on UPDATE only, and an upsert that inserts a row and updates another.
CREATE TABLE stock (sku text PRIMARY KEY, qty int NOT NULL, changed_at timestamptz);
CREATE FUNCTION stock_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.changed_at := '2024-02-02 10:00:00+00'; RETURN NEW; END $$;
CREATE TRIGGER stock_changed BEFORE UPDATE ON stock FOR EACH ROW EXECUTE FUNCTION stock_changed();
INSERT INTO stock VALUES ('a', 1, NULL) RETURNING *;
INSERT INTO stock VALUES ('a', 5, NULL), ('b', 2, NULL) ON CONFLICT (sku) DO UPDATE SET qty = stock.qty + excluded.qty RETURNING sku, qty, changed_at;
UPDATE stock SET qty = qty * 10 RETURNING sku, qty, changed_at;
