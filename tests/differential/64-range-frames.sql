-- Moving windows over dates and timestamps: RANGE frames with interval
-- offsets (INTERVAL '7 days', '2 days'::interval, INTERVAL '3' DAY), named
-- windows, DESC order; month offsets (0A000 here), two ORDER BY terms (42P20),
-- a negative offset (22013).
CREATE TABLE rf_sales (id serial PRIMARY KEY, day date, at timestamptz, ts timestamp, amount numeric(10,2));
INSERT INTO rf_sales (day, at, ts, amount) VALUES ('2024-01-01', '2024-01-01 10:00+00', '2024-01-01 10:00', 10), ('2024-01-03', '2024-01-01 11:30+00', '2024-01-01 10:30', 20), ('2024-01-08', '2024-01-02 09:00+00', '2024-01-01 12:00', 5.5), ('2024-01-09', '2024-01-02 10:00+00', '2024-01-02 10:00', 7), ('2024-01-20', NULL, NULL, 1);
SELECT day, amount, sum(amount) OVER (ORDER BY day RANGE BETWEEN INTERVAL '7 days' PRECEDING AND CURRENT ROW) AS week_sum FROM rf_sales ORDER BY day;
SELECT day, count(*) OVER (ORDER BY day RANGE BETWEEN '2 days'::interval PRECEDING AND '2 days'::interval FOLLOWING) FROM rf_sales ORDER BY day;
SELECT at, sum(amount) OVER (ORDER BY at RANGE BETWEEN INTERVAL '1 hour 30 minutes' PRECEDING AND CURRENT ROW) FROM rf_sales ORDER BY at NULLS LAST;
SELECT ts, avg(amount) OVER w FROM rf_sales WINDOW w AS (ORDER BY ts DESC RANGE BETWEEN INTERVAL '1 day' PRECEDING AND CURRENT ROW) ORDER BY ts;
SELECT day, sum(amount) OVER (ORDER BY day RANGE INTERVAL '3' DAY PRECEDING) FROM rf_sales ORDER BY day;
SELECT day, sum(amount) OVER (ORDER BY day RANGE BETWEEN INTERVAL '1 month' PRECEDING AND CURRENT ROW) FROM rf_sales ORDER BY day;
SELECT day, sum(amount) OVER (ORDER BY day, id RANGE BETWEEN INTERVAL '1 day' PRECEDING AND CURRENT ROW) FROM rf_sales ORDER BY day;
SELECT day, sum(amount) OVER (ORDER BY day RANGE BETWEEN INTERVAL '-1 day' PRECEDING AND CURRENT ROW) FROM rf_sales ORDER BY day;
SELECT id, sum(amount) OVER (ORDER BY id RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM rf_sales ORDER BY id;
SELECT day, first_value(day) OVER (ORDER BY day RANGE BETWEEN INTERVAL '5 days' PRECEDING AND CURRENT ROW), last_value(amount) OVER (ORDER BY day RANGE BETWEEN CURRENT ROW AND INTERVAL '1 week' FOLLOWING) FROM rf_sales ORDER BY day;
