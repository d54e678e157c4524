-- What BI tools send: Metabase's time bucketing and fingerprinting,
-- Grafana's time-series macros expanded and its table picker, Superset's
-- grouped charts. Timestamps, epochs and quoted qualified names throughout.
CREATE TABLE bi_orders (id serial PRIMARY KEY, created_at timestamp NOT NULL, customer text, total numeric(10,2), quantity int, status text, paid boolean);
CREATE TABLE bi_metrics (time timestamptz NOT NULL, host text NOT NULL, value double precision);
INSERT INTO bi_orders (created_at, customer, total, quantity, status, paid) VALUES
 ('2024-01-01 08:10', 'acme', 120.00, 3, 'shipped', true), ('2024-01-03 17:45', 'globex', 80.50, 1, 'shipped', true),
 ('2024-01-07 23:59', 'acme', 42.25, 2, 'returned', false), ('2024-01-08 00:00', 'initech', 300.00, 10, 'shipped', true),
 ('2024-02-14 12:30', 'globex', 15.75, 1, 'pending', NULL), ('2024-03-31 09:00', 'umbrella', 999.99, 5, 'shipped', true),
 ('2024-04-01 10:00', 'acme', NULL, 0, 'cancelled', false), ('2024-06-30 18:20', 'initech', 64.00, 4, 'shipped', true);
INSERT INTO bi_metrics VALUES ('2024-05-01 00:00:00+00', 'web1', 0.5), ('2024-05-01 00:00:30+00', 'web1', 0.7), ('2024-05-01 00:01:10+00', 'web1', 0.9),
 ('2024-05-01 00:00:05+00', 'web2', 0.2), ('2024-05-01 00:02:00+00', 'web2', NULL), ('2024-05-01 00:03:59+00', 'web2', 0.4);
SELECT "public"."bi_orders"."id" AS "id", "public"."bi_orders"."created_at" AS "created_at", "public"."bi_orders"."total" AS "total" FROM "public"."bi_orders" ORDER BY "public"."bi_orders"."id" ASC LIMIT 3;
SELECT date_trunc('month', "public"."bi_orders"."created_at") AS "created_at", sum("public"."bi_orders"."total") AS "sum" FROM "public"."bi_orders" GROUP BY date_trunc('month', "public"."bi_orders"."created_at") ORDER BY date_trunc('month', "public"."bi_orders"."created_at") ASC;
SELECT (date_trunc('week', ("public"."bi_orders"."created_at" + INTERVAL '1 day')) + INTERVAL '-1 day') AS "created_at", count(*) AS "count" FROM "public"."bi_orders" GROUP BY 1 ORDER BY 1 ASC;
SELECT date_trunc('quarter', "public"."bi_orders"."created_at") AS "created_at", avg("public"."bi_orders"."quantity") AS "avg" FROM "public"."bi_orders" GROUP BY 1 ORDER BY 1;
SELECT CAST(extract(dow FROM "public"."bi_orders"."created_at") AS integer) + 1 AS "created_at", count(*) AS "count" FROM "public"."bi_orders" GROUP BY 1 ORDER BY 1;
SELECT CAST(extract(hour FROM "public"."bi_orders"."created_at") AS integer) AS "created_at", count(*) AS "count" FROM "public"."bi_orders" GROUP BY 1 ORDER BY 1;
SELECT CAST("public"."bi_orders"."created_at" AS date) AS "created_at", count(*) FROM "public"."bi_orders" WHERE "public"."bi_orders"."created_at" >= CAST((CAST(now() AS timestamp) + INTERVAL '-100 year') AS date) GROUP BY 1 ORDER BY 1 LIMIT 3;
SELECT count(distinct "public"."bi_orders"."customer") AS "count", count(*) AS "rows", avg(length("public"."bi_orders"."customer")) AS "avg_len" FROM "public"."bi_orders";
SELECT min("total") AS "min", max("total") AS "max", avg("total") AS "avg", stddev_pop("total") AS "sd", percentile_cont(0.25) WITHIN GROUP (ORDER BY "total") AS "q1", percentile_cont(0.75) WITHIN GROUP (ORDER BY "total") AS "q3" FROM "bi_orders";
SELECT "status", count(*) AS "count" FROM "bi_orders" GROUP BY "status" ORDER BY "count" DESC, "status" ASC LIMIT 2000;
SELECT CASE WHEN "paid" THEN 'yes' WHEN NOT "paid" THEN 'no' ELSE 'unknown' END AS "paid", count(*) FROM "bi_orders" GROUP BY 1 ORDER BY 1;
SELECT floor(("total" - 0.0) / 250.0) * 250.0 AS "total", count(*) AS "count" FROM "bi_orders" WHERE "total" IS NOT NULL GROUP BY 1 ORDER BY 1;
SELECT floor(extract(epoch FROM "time") / 60) * 60 AS "time", avg(value) AS "value" FROM bi_metrics WHERE "time" BETWEEN '2024-05-01T00:00:00Z' AND '2024-05-01T00:05:00Z' GROUP BY 1 ORDER BY 1;
SELECT to_timestamp(floor(extract(epoch FROM "time") / 120) * 120) AS "time", host AS metric, max(value) FROM bi_metrics GROUP BY 1, 2 ORDER BY 1, 2;
SELECT extract(epoch FROM "time")::bigint AS t, host, value FROM bi_metrics WHERE host IN ('web1') ORDER BY 1;
SELECT "time" AS "time", host AS metric, coalesce(value, 0) AS value FROM bi_metrics WHERE "time" >= to_timestamp(1714521600) AND "time" <= to_timestamp(1714521780) ORDER BY 1, 2;
SELECT to_timestamp(1714521600)::timestamp AT TIME ZONE 'UTC' AS utc_instant, to_timestamp(0) AS epoch0;
SELECT quote_ident(table_name) AS table_name FROM information_schema.tables WHERE quote_ident(table_schema) NOT IN ('information_schema', 'pg_catalog', '_timescaledb_cache', '_timescaledb_catalog', '_timescaledb_internal', '_timescaledb_config', 'timescaledb_information', 'timescaledb_experimental') AND table_type = 'BASE TABLE' AND table_name LIKE 'bi\_%' ORDER BY table_name;
SELECT quote_ident(column_name) AS column_name, data_type AS data_type FROM information_schema.columns WHERE table_name = 'bi_metrics' ORDER BY ordinal_position;
SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'bi_orders' AND data_type IN ('timestamp with time zone', 'timestamp without time zone', 'date', 'time with time zone', 'time without time zone') ORDER BY column_name;
SELECT DATE_TRUNC('day', created_at) AS __timestamp, COUNT(*) AS count FROM bi_orders GROUP BY DATE_TRUNC('day', created_at) ORDER BY count DESC, __timestamp LIMIT 3;
SELECT customer AS customer, SUM(total) AS "SUM(total)" FROM bi_orders WHERE created_at >= TO_TIMESTAMP('2024-01-01 00:00:00.000000', 'YYYY-MM-DD HH24:MI:SS.US') AND created_at < TO_TIMESTAMP('2024-07-01 00:00:00.000000', 'YYYY-MM-DD HH24:MI:SS.US') GROUP BY customer ORDER BY "SUM(total)" DESC NULLS LAST LIMIT 10;
SELECT customer, status, sum(quantity) FROM bi_orders GROUP BY CUBE (customer, status) HAVING sum(quantity) > 3 ORDER BY customer NULLS LAST, status NULLS LAST;
SELECT customer, sum(total) AS revenue, sum(total) * 100.0 / sum(sum(total)) OVER () AS pct FROM bi_orders WHERE total IS NOT NULL GROUP BY customer ORDER BY revenue DESC;
SELECT to_char(created_at, 'YYYY-"W"IW') AS iso_week, count(*) FROM bi_orders GROUP BY 1 ORDER BY 1;
SELECT date_part('isodow', created_at) AS isodow, date_part('quarter', created_at) AS q, date_part('epoch', created_at) AS epoch FROM bi_orders ORDER BY id LIMIT 3;
SELECT make_date(2024, 2, 29) AS leap, make_timestamp(2024, 5, 1, 12, 30, 15.5) AS ts, date_bin('15 minutes', TIMESTAMP '2024-05-01 12:37:00', TIMESTAMP '2024-01-01') AS bin;
SELECT width_bucket(total, 0, 1000, 4) AS bucket, count(*) FROM bi_orders WHERE total IS NOT NULL GROUP BY 1 ORDER BY 1;
SELECT host, count(*) AS samples, count(value) AS non_null, round(avg(value)::numeric, 3) AS mean FROM bi_metrics GROUP BY host ORDER BY host;
SELECT host, "time", value, value - lag(value) OVER (PARTITION BY host ORDER BY "time") AS delta FROM bi_metrics ORDER BY host, "time";
SELECT count(*) FROM (SELECT 1 FROM bi_orders WHERE paid) AS "source";
SELECT * FROM (SELECT customer, sum(total) AS s FROM bi_orders GROUP BY customer) AS q WHERE s > 100 ORDER BY s;
SELECT to_timestamp(1714521600.5) AS half, to_timestamp(-1.5) AS before_epoch, to_timestamp('infinity') AS inf, to_timestamp(NULL) AS none;
SELECT count(*) FROM bi_metrics WHERE "time" = to_timestamp(1714521600) OR "time" = to_timestamp(1714521630);
SELECT to_timestamp('2024-05-01 10:00:00.25', 'YYYY-MM-DD HH24:MI:SS.MS') AS ms, to_timestamp('2024-05-01 10:00:00.5', 'YYYY-MM-DD HH24:MI:SS.US') AS us;
SELECT to_timestamp('nan');
SELECT quote_ident('time') AS t, quote_ident('left') AS l, quote_ident('value') AS v, format('%I.%I', 'public', 'between') AS f;
