-- Time handling as applications and reports meet it: zone conversions,
-- LIKE with ESCAPE, JSON paths, to_char ordinals and patterns, input
-- forms and their range checks, and row locking clauses.
CREATE TABLE ev (id serial PRIMARY KEY, created timestamptz NOT NULL, data jsonb, name varchar(50), counter int DEFAULT 0);
INSERT INTO ev (created, data, name) VALUES ('2024-03-10 01:30:00-05', '{"a": {"b": "x"}, "n": 5}', 'Alpha_1'), ('2024-11-03 23:15:00+00', '{"a": {"b": "y"}}', 'beta%2'), ('2024-12-31 23:59:59.999+00', NULL, NULL) RETURNING id;
SELECT EXTRACT(YEAR FROM created AT TIME ZONE 'UTC') AS y, (created AT TIME ZONE 'America/New_York')::date AS ny_date, date_trunc('hour', created AT TIME ZONE 'Europe/Berlin') AS berlin_hour FROM ev ORDER BY id;
SELECT id FROM ev WHERE name ILIKE 'beta\%%' ESCAPE '\' ORDER BY id;
SELECT id FROM ev WHERE name LIKE 'Alpha!_%' ESCAPE '!' ORDER BY id;
UPDATE ev SET counter = (counter + 1) WHERE id IN (SELECT U0.id FROM ev U0 WHERE U0.data IS NOT NULL) RETURNING id, counter;
SELECT id, count(*) FILTER (WHERE counter > 0) OVER (ORDER BY id) AS c FROM ev ORDER BY id;
SELECT id FROM ev ORDER BY id FOR UPDATE OF ev;
SELECT to_char(created, 'YYYY-MM-DD HH24:MI:SS.MS TZ') AS full, to_char(created, 'Mon DD, YYYY HH12:MI PM') AS us, to_char(created, 'DDth "of" FMMonth') AS th, to_char(created, 'J') AS julian FROM ev ORDER BY id;
SELECT created::date, created::time, created + interval '1 month' AS next_month, created - '2024-01-01'::timestamptz AS since_jan FROM ev ORDER BY id;
SELECT date_part('epoch', created)::bigint AS epoch, extract(millisecond FROM created) AS ms, extract(timezone FROM created) AS tz FROM ev ORDER BY id;
SELECT to_timestamp('2024-03-05 14:07:09', 'YYYY-MM-DD HH24:MI:SS') AS ts, to_date('20240305', 'YYYYMMDD') AS d, '2024-03-05T14:07:09Z'::timestamptz AS iso, '2024-03-05 14:07:09.123456789'::timestamp AS nanos;
SELECT now()::date = current_date AS today, current_time IS NOT NULL, localtimestamp IS NOT NULL, clock_timestamp() >= now() AS moving;
SELECT make_interval(days => 10, hours => 2), make_interval(0, 1), interval '1 day' = interval '24 hours' AS eq, interval '1 month' > interval '29 days' AS gt;
SELECT '2024-02-30'::date;
SELECT '24:00:01'::time;
SELECT isfinite(date '2024-01-01'), isfinite('infinity'::timestamp), date 'infinity' > date '2024-01-01';
SELECT generate_series(timestamptz '2024-03-09 00:00+00', timestamptz '2024-03-11 00:00+00', interval '1 day') AS d;
SELECT date_bin('15 minutes', timestamp '2024-01-01 10:07:30', timestamp '2024-01-01') AS bucket, overlaps_ok FROM (SELECT (date '2024-01-01', date '2024-01-05') OVERLAPS (date '2024-01-04', date '2024-01-10') AS overlaps_ok) s;
SELECT jsonb_extract_path_text(data, 'a', 'b') AS b, data #> '{a}' AS a2, CAST(data AS jsonb) -> 'n' AS n FROM ev ORDER BY id;
SELECT '24:00:00'::time, '23:59:59.9999999'::time, '2024-01-01 23:59:59.9999995'::timestamp, '2024-01-01 10:00:60'::timestamp;
SELECT '25:00'::time;
SELECT '12:60'::time;
SELECT to_char(date '2024-03-01', 'DDth'), to_char(date '2024-03-02', 'DDTH'), to_char(date '2024-03-11', 'FMDDth'), to_char(date '2024-03-22', 'DDth MMth'), to_char(date '2024-03-23', 'Dth Q"th"');
