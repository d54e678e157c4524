-- The PostgreSQL manual's date/time function table beyond the basics:
-- infinite timestamps and dates (stored, compared, tested with isfinite),
-- EXTRACT(julian), date_trunc of an interval, to_char of an interval.
CREATE TABLE dtf_periods (id int PRIMARY KEY, valid_from timestamp, valid_to timestamp, due date, took interval);
INSERT INTO dtf_periods VALUES (1, '2024-01-01 08:00', 'infinity', 'infinity', '15:02:12'), (2, '-infinity', '2024-06-30 17:30', '2024-07-01', '3 days 4 hours'), (3, '2024-03-01', '2024-03-31 23:59:59', '-infinity', '1 year 2 mons'), (4, '2024-05-05 05:05', '2024-05-06', '2024-05-06', '-02:47:33.5');
SELECT timestamp 'infinity', timestamptz '-infinity', date 'infinity', 'infinity'::timestamp > timestamp '2100-01-01', '-infinity'::date < date '0001-01-01';
SELECT id, valid_from, valid_to FROM dtf_periods ORDER BY valid_to;
SELECT id FROM dtf_periods WHERE valid_to > '2030-01-01' OR valid_from < '1900-01-01' ORDER BY id;
SELECT id, isfinite(valid_from), isfinite(valid_to), isfinite(due), isfinite(took) FROM dtf_periods ORDER BY id;
SELECT isfinite(timestamp 'infinity'), isfinite(date '2024-01-01'), isfinite(interval '1 day');
SELECT extract(julian FROM date '2006-01-01'), date_part('julian', date '2024-02-29');
SELECT id, date_trunc('hour', took), date_trunc('day', took), date_trunc('month', took), date_trunc('year', took), date_trunc('minute', took) FROM dtf_periods ORDER BY id;
SELECT date_trunc('quarter', interval '1 year 5 months'), date_trunc('decade', interval '25 years 3 months'), date_trunc('second', interval '1 minute 5.75 seconds');
SELECT id, to_char(took, 'HH24:MI:SS'), to_char(took, 'DD "days" HH24 "hours"'), to_char(took, 'YYYY-MM'), to_char(took, 'FMHH24"h"FMMI"m"') FROM dtf_periods WHERE id < 4 ORDER BY id;
SELECT to_char(interval '50 hours 3 minutes', 'HH24:MI'), to_char(interval '2 hours', 'HH12 AM'), to_char(interval '1.5 seconds', 'SS.MS');
