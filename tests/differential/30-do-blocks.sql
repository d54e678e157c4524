-- DO blocks as migration scripts write them: IF NOT EXISTS guards over the
-- catalogs, RAISE, nested blocks with exception handlers.
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'order_status') THEN
    CREATE TYPE order_status AS ENUM ('new', 'paid');
  END IF;
END $$;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'order_status') THEN
    CREATE TYPE order_status AS ENUM ('new', 'paid');
  END IF;
END $$;
SELECT enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = 'order_status' ORDER BY enumsortorder;
CREATE TABLE orders (id serial PRIMARY KEY, total numeric(10,2) NOT NULL, status order_status NOT NULL DEFAULT 'new');
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'note') THEN
    ALTER TABLE orders ADD COLUMN note text;
  ELSIF (SELECT count(*) FROM orders) > 100 THEN
    RAISE EXCEPTION 'too many orders';
  ELSE
    RAISE NOTICE 'nothing to do';
  END IF;
END
$$;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'note') THEN
    ALTER TABLE orders ADD COLUMN note text;
  END IF;
END
$$;
SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'orders_status_idx') THEN
    CREATE INDEX orders_status_idx ON orders (status);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'orders_total_positive') THEN
    ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);
  END IF;
END $$;
SELECT indexname FROM pg_indexes WHERE tablename = 'orders' ORDER BY indexname;
DO $$ BEGIN
  IF (SELECT count(*) FROM orders) = 0 THEN
    RAISE EXCEPTION 'orders is empty: % rows, % and 100%%', (SELECT count(*) FROM orders), NULL USING ERRCODE = 'check_violation', HINT = 'insert some';
  END IF;
END $$;
DO $$ BEGIN RAISE 'plain %', 42; END $$;
DO $$ BEGIN RAISE SQLSTATE '22012'; END $$;
DO $$ BEGIN RAISE division_by_zero; END $$;
DO $$ BEGIN RAISE USING MESSAGE = 'only ' || 'message', ERRCODE = '23505', DETAIL = 'dup'; END $$;
DO $$ BEGIN RAISE WARNING 'just a warning'; END $$;
DO $$ BEGIN
  BEGIN
    INSERT INTO orders (id, total) VALUES (1, 10);
    INSERT INTO orders (id, total) VALUES (1, 20);
  EXCEPTION WHEN unique_violation THEN
    INSERT INTO orders (id, total) VALUES (2, 30);
  END;
  INSERT INTO orders (id, total) VALUES (3, 40);
END $$;
SELECT id, total, status::text AS status FROM orders ORDER BY id;
DO $$ BEGIN
  IF true THEN
    IF 1 = 2 THEN RAISE EXCEPTION 'no'; ELSE UPDATE orders SET status = 'paid' WHERE id = 3; END IF;
  END IF;
  PERFORM 1/0;
EXCEPTION WHEN division_by_zero THEN
  UPDATE orders SET note = 'caught' WHERE id = 2;
END $$;
SELECT id, status::text AS status, note FROM orders ORDER BY id;
DO $$ BEGIN
  UPDATE orders SET note = 'rolled back' WHERE id = 2;
  IF (SELECT count(*) FROM orders WHERE status = 'paid') > 0 THEN
    RAISE EXCEPTION 'paid orders exist' USING ERRCODE = 'P0001';
  END IF;
END $$;
SELECT id, note FROM orders ORDER BY id;
BEGIN;
DO $$ BEGIN INSERT INTO orders (id, total) VALUES (4, 50); END $$;
ROLLBACK;
SELECT count(*) FROM orders;
