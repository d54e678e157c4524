CREATE TABLE "public"."Post" ("id" SERIAL NOT NULL, "title" TEXT NOT NULL, "views" INTEGER NOT NULL DEFAULT 0, CONSTRAINT "Post_pkey" PRIMARY KEY ("id"));
INSERT INTO "public"."Post" ("title") VALUES ('x'), ('y') RETURNING "public"."Post"."id", "public"."Post"."title", "public"."Post"."views";
SELECT a.attname, format_type(a.atttypid, a.atttypmod), pg_get_expr(d.adbin, d.adrelid), a.attnotnull, a.atttypid FROM pg_attribute a LEFT JOIN pg_attrdef d ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE a.attrelid = '"Post"'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum;
SELECT count(*) FROM pg_attribute WHERE attrelid = 'public."Post"'::regclass AND attnum > 0;
SELECT COUNT(*) AS "_count._all" FROM (SELECT "public"."Post"."id" FROM "public"."Post" WHERE 1=1 OFFSET 0) AS "sub";
SELECT 'nope'::regclass;
SELECT count(*) FROM pg_attribute WHERE attrelid = 'post'::regclass AND attnum > 0;
SELECT count(*) FROM pg_attribute WHERE attrelid = 'public."Post"'::regclass AND attnum > 0;
SELECT to_regclass('nope') IS NULL, to_regclass('"Post"') IS NOT NULL, to_regclass('POST') IS NULL;
