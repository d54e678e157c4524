-- What GORM (Go) and Ecto (Elixir) send: GORM's AutoMigrate introspection
-- (information_schema tables, columns with pg_type and descriptions,
-- constraints, pg_indexes), soft deletes, batch inserts with RETURNING,
-- upserts; Ecto's schema_migrations with LOCK TABLE and FOR UPDATE.
SELECT count(*) FROM information_schema.tables WHERE table_schema = CURRENT_SCHEMA() AND table_name = 'users' AND table_type = 'BASE TABLE';
CREATE TABLE "users" ("id" bigserial,"created_at" timestamptz,"updated_at" timestamptz,"deleted_at" timestamptz,"name" text,"email" varchar(191),"age" bigint,"score" decimal(10,2),PRIMARY KEY ("id"));
CREATE INDEX IF NOT EXISTS "idx_users_deleted_at" ON "users" ("deleted_at");
CREATE UNIQUE INDEX IF NOT EXISTS "idx_users_email" ON "users" ("email");
SELECT count(*) FROM information_schema.tables WHERE table_schema = CURRENT_SCHEMA() AND table_name = 'users' AND table_type = 'BASE TABLE';
SELECT column_name, is_nullable, udt_name, character_maximum_length, numeric_precision, numeric_precision_radix, numeric_scale, datetime_precision, 8 * typlen, column_default, pd.description, identity_increment FROM information_schema.columns AS c JOIN pg_type AS pgt ON c.udt_name = pgt.typname LEFT JOIN pg_catalog.pg_description as pd ON pd.objsubid = c.ordinal_position AND pd.objoid = (SELECT oid FROM pg_catalog.pg_class WHERE relname = c.table_name AND relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = c.table_schema)) where table_schema = CURRENT_SCHEMA() AND table_name = 'users' ORDER BY c.ordinal_position;
SELECT c.column_name, constraint_name, constraint_type FROM information_schema.table_constraints tc JOIN information_schema.constraint_column_usage AS ccu USING (constraint_schema, constraint_catalog, table_name, constraint_name) JOIN information_schema.columns AS c ON c.table_schema = tc.constraint_schema AND tc.table_name = c.table_name AND ccu.column_name = c.column_name WHERE constraint_type IN ('PRIMARY KEY', 'UNIQUE') AND c.table_schema = CURRENT_SCHEMA() AND c.table_name = 'users' ORDER BY 1, 2;
SELECT count(*) FROM pg_indexes WHERE tablename = 'users' AND indexname = 'idx_users_deleted_at' AND schemaname = CURRENT_SCHEMA();
SELECT * FROM "users" LIMIT 1;
INSERT INTO "users" ("created_at","updated_at","deleted_at","name","email","age","score") VALUES ('2024-05-01 10:00:00+00','2024-05-01 10:00:00+00',NULL,'jinzhu','j@example.com',18,12.5) RETURNING "id";
INSERT INTO "users" ("created_at","updated_at","deleted_at","name","email","age","score") VALUES ('2024-05-02 10:00:00+00','2024-05-02 10:00:00+00',NULL,'ann','a@example.com',30,7),('2024-05-03 10:00:00+00','2024-05-03 10:00:00+00',NULL,'bob','b@example.com',25,NULL) RETURNING "id";
SELECT * FROM "users" WHERE "users"."deleted_at" IS NULL ORDER BY "users"."id" LIMIT 1;
SELECT * FROM "users" WHERE name = 'jinzhu' AND "users"."deleted_at" IS NULL ORDER BY "users"."id" LIMIT 1;
SELECT * FROM "users" WHERE age > 20 AND "users"."deleted_at" IS NULL ORDER BY age desc, name;
SELECT name, age FROM "users" WHERE name IN ('jinzhu','ann') AND "users"."deleted_at" IS NULL ORDER BY name;
UPDATE "users" SET "name"='hello',"updated_at"='2024-05-04 10:00:00+00' WHERE "users"."deleted_at" IS NULL AND "id" = 1;
UPDATE "users" SET "age"=age + 1,"updated_at"='2024-05-04 11:00:00+00' WHERE age > 20 AND "users"."deleted_at" IS NULL;
UPDATE "users" SET "deleted_at"='2024-05-05 10:00:00+00' WHERE "users"."id" = 3 AND "users"."deleted_at" IS NULL;
SELECT count(*) FROM "users" WHERE "users"."deleted_at" IS NULL;
SELECT * FROM "users" WHERE "users"."id" = 3;
SELECT sum(score) as total, avg(age) as avg_age FROM "users" WHERE "users"."deleted_at" IS NULL;
INSERT INTO "users" ("created_at","updated_at","deleted_at","name","email","age","score","id") VALUES ('2024-05-06 10:00:00+00','2024-05-06 10:00:00+00',NULL,'cat','c@example.com',5,1,1) ON CONFLICT ("id") DO UPDATE SET "updated_at"="excluded"."updated_at","name"="excluded"."name" RETURNING "id";
SELECT id, name, updated_at FROM "users" ORDER BY id;
DELETE FROM "users" WHERE "users"."id" = 2;
ALTER TABLE "users" ADD "nickname" text;
ALTER TABLE "users" ALTER COLUMN "age" TYPE integer USING "age"::integer;
ALTER TABLE "users" ALTER COLUMN "nickname" SET DEFAULT 'none';
SELECT description FROM pg_catalog.pg_description WHERE objsubid = (SELECT ordinal_position FROM information_schema.columns WHERE table_schema = CURRENT_SCHEMA() AND table_name = 'users' AND column_name = 'name') AND objoid = (SELECT oid FROM pg_catalog.pg_class WHERE relname = 'users' AND relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = CURRENT_SCHEMA()));
CREATE TABLE IF NOT EXISTS "schema_migrations" ("version" bigint, "inserted_at" timestamp(0), PRIMARY KEY ("version"));
BEGIN;
LOCK TABLE "schema_migrations" IN SHARE UPDATE EXCLUSIVE MODE;
SELECT s0."version"::bigint FROM "schema_migrations" AS s0 FOR UPDATE;
INSERT INTO "schema_migrations" ("version","inserted_at") VALUES (20240101000000,'2024-05-01 10:00:00');
COMMIT;
SELECT s0."id", s0."name", s0."age" FROM "users" AS s0 WHERE (s0."age" > 10) ORDER BY s0."id";
SELECT s0."name", count(s0."id") FROM "users" AS s0 GROUP BY s0."name" HAVING (count(s0."id") >= 1) ORDER BY s0."name";
SELECT TRUE FROM "users" AS s0 WHERE (s0."email" = 'j@example.com') LIMIT 1;
