-- What a Rails (ActiveRecord 7) application sends to PostgreSQL: the
-- connection's settings (IntervalStyle iso_8601), the type map and schema
-- introspection queries, migrations with schema_migrations and
-- ar_internal_metadata, and the CRUD statements of a users/posts app;
-- then the other IntervalStyles and the interval input forms they print.
SET client_min_messages TO 'warning';
SET standard_conforming_strings = on;
SET intervalstyle = iso_8601;
SET SESSION timezone TO 'UTC';
SHOW search_path;
SELECT t.oid IS NOT NULL AS has_oid, t.typname, t.typelem <> 0 AS is_array, t.typdelim, t.typinput::text, r.rngsubtype, t.typtype, t.typbasetype
FROM pg_type as t
LEFT JOIN pg_range as r ON oid = rngtypid
WHERE
  t.typname IN ('int2', 'int4', 'int8', 'oid', 'float4', 'float8', 'text', 'varchar', 'char', 'name', 'bpchar', 'bool', 'bit', 'varbit', 'date', 'bytea', 'json', 'jsonb', 'uuid', 'time', 'timestamp', 'timestamptz', 'numeric', 'interval')
ORDER BY t.typname;
SELECT count(*) > 0 FROM pg_type as t LEFT JOIN pg_range as r ON oid = rngtypid
WHERE t.typtype IN ('r', 'e', 'd') OR t.typinput = 'array_in(cstring,oid,integer)'::regprocedure OR t.typelem != 0;
SELECT c.relname FROM pg_class c LEFT JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY (current_schemas(false)) AND c.relname = 'schema_migrations' AND c.relkind IN ('r','p');
CREATE TABLE "schema_migrations" ("version" character varying NOT NULL PRIMARY KEY);
CREATE TABLE "ar_internal_metadata" ("key" character varying NOT NULL PRIMARY KEY, "value" character varying, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL);
SELECT pg_try_advisory_lock(3495034961052934075);
SELECT "schema_migrations"."version" FROM "schema_migrations" ORDER BY "schema_migrations"."version" ASC;
SELECT "ar_internal_metadata"."value" FROM "ar_internal_metadata" WHERE "ar_internal_metadata"."key" = 'environment' ORDER BY "ar_internal_metadata"."key" ASC LIMIT 1;
BEGIN;
CREATE TABLE "users" ("id" bigserial primary key, "name" character varying, "email" character varying NOT NULL, "admin" boolean DEFAULT FALSE NOT NULL, "balance" decimal(10,2) DEFAULT 0.0, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL);
CREATE UNIQUE INDEX "index_users_on_email" ON "users" ("email");
CREATE TABLE "posts" ("id" bigserial primary key, "user_id" bigint NOT NULL, "title" character varying, "body" text, "published_at" timestamp(6), "tags" character varying[] DEFAULT '{}', "metadata" jsonb DEFAULT '{}' NOT NULL, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL);
CREATE INDEX "index_posts_on_user_id" ON "posts" ("user_id");
ALTER TABLE "posts" ADD CONSTRAINT "fk_rails_5b5ddfd518" FOREIGN KEY ("user_id") REFERENCES "users" ("id");
INSERT INTO "schema_migrations" (version) VALUES ('20240101000000');
COMMIT;
INSERT INTO "ar_internal_metadata" ("key", "value", "created_at", "updated_at") VALUES ('environment', 'development', '2024-01-01 00:00:00', '2024-01-01 00:00:00') RETURNING "key";
SELECT pg_advisory_unlock(3495034961052934075);
SELECT a.attname, format_type(a.atttypid, a.atttypmod), pg_get_expr(d.adbin, d.adrelid), a.attnotnull, a.atttypid, a.atttypmod, c.collname, col_description(a.attrelid, a.attnum) AS comment, attidentity AS identity, attgenerated as attgenerated
  FROM pg_attribute a
  LEFT JOIN pg_attrdef d ON a.attrelid = d.adrelid AND a.attnum = d.adnum
  LEFT JOIN pg_type t ON a.atttypid = t.oid
  LEFT JOIN pg_collation c ON a.attcollation = c.oid AND a.attcollation <> t.typcollation
 WHERE a.attrelid = '"posts"'::regclass AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum;
SELECT a.attname FROM ( SELECT indrelid, indkey, generate_subscripts(indkey, 1) idx FROM pg_index WHERE indrelid = '"users"'::regclass AND indisprimary) i
  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[i.idx] ORDER BY i.idx;
SELECT distinct i.relname, d.indisunique, d.indkey, pg_get_indexdef(d.indexrelid), pg_catalog.obj_description(i.oid, 'pg_class') AS comment, d.indisvalid
FROM pg_class t INNER JOIN pg_index d ON t.oid = d.indrelid INNER JOIN pg_class i ON d.indexrelid = i.oid LEFT JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE i.relkind IN ('i', 'I') AND d.indisprimary = 'f' AND t.relname = 'users' AND n.nspname = ANY (current_schemas(false)) ORDER BY i.relname;
SELECT t2.oid::regclass::text AS to_table, a1.attname AS column, a2.attname AS primary_key, c.conname AS name, c.confupdtype AS on_update, c.confdeltype AS on_delete, c.convalidated AS valid, c.condeferrable AS deferrable, c.condeferred AS deferred, c.conkey, c.confkey
FROM pg_constraint c JOIN pg_class t1 ON c.conrelid = t1.oid JOIN pg_class t2 ON c.confrelid = t2.oid
JOIN pg_attribute a1 ON a1.attnum = c.conkey[1] AND a1.attrelid = t1.oid
JOIN pg_attribute a2 ON a2.attnum = c.confkey[1] AND a2.attrelid = t2.oid
JOIN pg_namespace t3 ON c.connamespace = t3.oid
WHERE c.contype = 'f' AND t1.relname = 'posts' AND t3.nspname = ANY (current_schemas(false)) ORDER BY c.conname;
SELECT pg_catalog.obj_description(c.oid, 'pg_class') FROM pg_catalog.pg_class c LEFT JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = 'users' AND c.relkind IN ('r','p') AND n.nspname = ANY (current_schemas(false));
SELECT conname, pg_get_constraintdef(c.oid, true) AS constraintdef, c.convalidated AS valid FROM pg_constraint c JOIN pg_class t ON c.conrelid = t.oid JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'c' AND t.relname = 'users' AND n.nspname = ANY (current_schemas(false));
INSERT INTO "users" ("name", "email", "created_at", "updated_at") VALUES ('Ann', 'ann@example.com', '2024-05-01 10:00:00.123456', '2024-05-01 10:00:00.123456') RETURNING "id";
INSERT INTO "users" ("name", "email", "admin", "balance", "created_at", "updated_at") VALUES ('Bob', 'bob@example.com', TRUE, 12.5, '2024-05-02 10:00:00', '2024-05-02 10:00:00') RETURNING "id";
SELECT 1 AS one FROM "users" WHERE "users"."email" = 'ann@example.com' LIMIT 1;
SELECT 1 AS one FROM "users" WHERE LOWER("users"."email") = LOWER('ANN@example.com') AND "users"."id" != 1 LIMIT 1;
SAVEPOINT active_record_1;
INSERT INTO "posts" ("user_id", "title", "body", "tags", "metadata", "created_at", "updated_at") VALUES (1, 'Hello', 'First', '{ruby,rails}', '{"views": 3}', '2024-05-03 09:00:00', '2024-05-03 09:00:00') RETURNING "id";
RELEASE SAVEPOINT active_record_1;
INSERT INTO "posts" ("user_id", "title", "published_at", "created_at", "updated_at") VALUES (2, 'Second', '2024-05-04 12:00:00', '2024-05-04 09:00:00', '2024-05-04 09:00:00') RETURNING "id";
SELECT "users".* FROM "users" ORDER BY "users"."id" ASC LIMIT 1;
SELECT "users".* FROM "users" ORDER BY "users"."id" DESC LIMIT 1;
SELECT "posts".* FROM "posts" WHERE "posts"."user_id" IN (1, 2) ORDER BY "posts"."id";
SELECT COUNT(*) FROM "posts" WHERE "posts"."published_at" IS NOT NULL;
SELECT "posts".* FROM "posts" WHERE 'ruby' = ANY ("posts"."tags");
SELECT "posts".* FROM "posts" WHERE ("posts"."metadata" ->> 'views')::int > 2;
SELECT "posts".* FROM "posts" WHERE "posts"."tags" @> '{rails}';
UPDATE "users" SET "balance" = COALESCE("balance", 0) + 5.25 WHERE "users"."id" = 1;
UPDATE "users" SET "name" = 'Ann B', "updated_at" = '2024-05-05 10:00:00' WHERE "users"."id" = 1;
SELECT "users"."name", "users"."balance" FROM "users" ORDER BY "users"."name";
SELECT COUNT(*) AS "count_all", "posts"."user_id" AS "posts_user_id" FROM "posts" GROUP BY "posts"."user_id" ORDER BY "posts"."user_id";
SELECT SUM("users"."balance") FROM "users";
SELECT "users".* FROM "users" INNER JOIN "posts" ON "posts"."user_id" = "users"."id" WHERE "posts"."title" ILIKE '%hel%';
SELECT DISTINCT "users"."id" FROM "users" LEFT OUTER JOIN "posts" ON "posts"."user_id" = "users"."id" WHERE "posts"."id" IS NULL;
SELECT "users"."id", "users"."email" FROM "users" WHERE "users"."created_at" BETWEEN '2024-05-01 00:00:00' AND '2024-05-01 23:59:59.999999';
SELECT "posts"."title" FROM "posts" WHERE "posts"."created_at" >= '2024-05-04' ORDER BY "posts"."created_at" DESC NULLS LAST;
SELECT MAX("posts"."updated_at") FROM "posts";
DELETE FROM "posts" WHERE "posts"."id" = 2;
SELECT "users".* FROM "users" WHERE "users"."id" = 1 LIMIT 1 FOR UPDATE;
UPDATE "posts" SET "metadata" = jsonb_set("metadata", '{views}', to_jsonb(COALESCE(("metadata"->>'views')::int, 0) + 1)) WHERE "id" = 1 RETURNING "metadata";
ALTER TABLE "users" ADD "age" integer;
ALTER TABLE "users" ALTER COLUMN "age" TYPE bigint;
ALTER TABLE "users" ALTER COLUMN "name" SET DEFAULT 'anon';
ALTER TABLE "users" ALTER COLUMN "age" SET NOT NULL;
ALTER TABLE "users" RENAME COLUMN "age" TO "years";
COMMENT ON TABLE "users" IS 'people';
SELECT pg_catalog.obj_description('"users"'::regclass, 'pg_class');
SELECT 'P1Y2M3DT4H5M6S'::interval, interval '90 minutes';
SELECT relname FROM pg_class WHERE relkind = 'S' ORDER BY relname;
SELECT pg_get_serial_sequence('"users"', 'id');
SELECT setval('"users_id_seq"', (SELECT MAX("id") FROM "users"), true);
TRUNCATE TABLE "posts" RESTART IDENTITY CASCADE;
SELECT interval '90 minutes', 'P1Y2M3DT4H5M6.5S'::interval, 'P0001-02-03T04:05:06'::interval, 'PT-1H'::interval, 'P1.5Y'::interval, 'P2W'::interval, 'P1DT0.5S'::interval;
SELECT '1-2'::interval, '3 4:05:06'::interval, '1-2 3 4:05:06'::interval, '-1-2'::interval, '1:2'::interval;
CREATE TABLE subscriptions (id bigserial primary key, user_id bigint, period interval, started_at timestamp(6));
INSERT INTO subscriptions (user_id, period, started_at) VALUES (1, 'P1M', '2024-01-31 10:00:00'), (2, 'P1Y2M3DT4H5M6.789S', '2024-05-01 00:00:00'), (1, '-1 days +02:00:00', '2024-06-01 12:00:00'), (2, '0', '2024-07-01 00:00:00'), (1, '1 mon -1 sec', NULL), (2, '-00:00:01.5', NULL), (1, '-1 year 2 days', NULL), (2, NULL, NULL) RETURNING "id", "period";
SELECT id, period, started_at + period AS ends_at, period + started_at AS ends_too FROM subscriptions ORDER BY id;
SELECT age(timestamp '2024-03-01', timestamp '2023-01-15'), timestamp '2024-03-01' - timestamp '2024-01-01 12:00';
SELECT user_id, sum(period) FROM subscriptions GROUP BY user_id ORDER BY user_id;
SELECT id FROM subscriptions WHERE period > 'PT1H' ORDER BY id;
SELECT interval '1 mon 1 day' + date '2024-01-31', interval '1 hour' + time '23:30', interval '2 hours' + timestamp '2024-01-01 10:00';
SET intervalstyle = sql_standard;
SHOW intervalstyle;
SELECT id, period FROM subscriptions ORDER BY id;
SELECT interval '3 days 04:05:06', interval '-1 years -2 mons';
SET intervalstyle = postgres_verbose;
SELECT id, period FROM subscriptions ORDER BY id;
SET intervalstyle = 'ISO_8601';
SHOW intervalstyle;
SET intervalstyle = bogus;
SHOW intervalstyle;
BEGIN;
SET LOCAL intervalstyle = postgres;
SELECT interval '36 hours';
COMMIT;
SELECT interval '36 hours';
RESET intervalstyle;
SELECT id, period FROM subscriptions ORDER BY id;
SELECT 'P1Y'::interval = interval '1 year', 'PT36H'::interval, 'P1M1D'::interval + date '2024-01-31';
SELECT 'p1d'::interval;
SELECT 'P1X'::interval;
