-- Date arithmetic as SQL exercise sets (PGExercises' "Working with
-- timestamps") write it over columns whose type only the schema knows: a
-- column moved by an interval minus the column, month lengths from
-- generate_series, the days left in a month.
CREATE TABLE ex_times (id int PRIMARY KEY, m timestamp, d date, t time);
INSERT INTO ex_times VALUES (1, '2012-01-01 00:00:00', '2012-01-31', '10:00'), (2, '2012-02-11 01:00:00', '2012-02-29', '23:30'), (3, '2012-12-31 23:59:59', '2012-12-01', '00:15');
SELECT id, (m + interval '1 month') - m AS len FROM ex_times ORDER BY id;
SELECT id, (m - interval '1 day') - m AS back FROM ex_times ORDER BY id;
SELECT id, (date_trunc('month', m) + interval '1 month') - date_trunc('day', m) AS remaining FROM ex_times ORDER BY id;
SELECT id, (d + interval '1 month') - d AS dlen FROM ex_times ORDER BY id;
SELECT id, (t + interval '1 hour') - t AS tlen FROM ex_times ORDER BY id;
SELECT extract(month FROM cal.month) AS month, (cal.month + interval '1 month') - cal.month AS length FROM (SELECT generate_series(timestamp '2012-01-01', timestamp '2012-12-01', interval '1 month') AS month) cal ORDER BY month;
SELECT (date_trunc('month', ts.testts) + interval '1 month') - date_trunc('day', ts.testts) AS remaining FROM (SELECT timestamp '2012-02-11 01:00:00' AS testts) ts;
SELECT id FROM ex_times WHERE (m + interval '1 month') - m > interval '30 days' ORDER BY id;
SELECT a.id, a.t - b.t AS between_times FROM ex_times a JOIN ex_times b ON b.id = 1 ORDER BY a.id;
SELECT id, t - time '08:30' AS after_half_eight, time '23:59' - t AS to_midnight FROM ex_times ORDER BY id;
SELECT timestamp '2012-09-02 00:00:00' - '2012-08-31 01:00:00' AS gap;
SELECT extract(epoch FROM (timestamp '2012-09-02 00:00:00' - '2012-08-31 01:00:00')) AS secs;
SELECT date '2012-09-02' - '2012-08-31' AS days;
SELECT timestamp '2012-09-02' - '1 day';
DROP TABLE ex_times;
