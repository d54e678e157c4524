-- OVERLAPS, as the manual shows it and as booking schemas use it to find
-- clashing reservations: interval ends, periods given backwards, touching
-- ends (half-open), equal starts, NULL ends.
SELECT (DATE '2001-02-16', DATE '2001-12-21') OVERLAPS (DATE '2001-10-30', DATE '2002-10-30');
SELECT (DATE '2001-02-16', INTERVAL '100 days') OVERLAPS (DATE '2001-10-30', DATE '2002-10-30');
SELECT (DATE '2001-10-29', DATE '2001-10-30') OVERLAPS (DATE '2001-10-30', DATE '2001-10-31');
SELECT (DATE '2001-10-30', DATE '2001-10-30') OVERLAPS (DATE '2001-10-30', DATE '2001-10-31');
SELECT (DATE '2001-12-21', DATE '2001-02-16') OVERLAPS (DATE '2001-10-30', DATE '2002-10-30');
SELECT (TIMESTAMP '2024-01-01 10:00', TIMESTAMP '2024-01-01 11:00') OVERLAPS (TIMESTAMP '2024-01-01 10:30', INTERVAL '1 hour') AS clash;
CREATE TABLE booking (id int PRIMARY KEY, room int, starts timestamptz, ends timestamptz);
INSERT INTO booking VALUES (1, 1, '2024-05-01 10:00+00', '2024-05-01 12:00+00'), (2, 1, '2024-05-01 11:00+00', '2024-05-01 13:00+00'), (3, 1, '2024-05-01 12:00+00', '2024-05-01 14:00+00'), (4, 2, '2024-05-01 10:00+00', NULL), (5, 2, '2024-05-01 10:00+00', '2024-05-01 10:30+00');
SELECT a.id, b.id FROM booking a JOIN booking b ON a.room = b.room AND a.id < b.id AND (a.starts, a.ends) OVERLAPS (b.starts, b.ends) ORDER BY 1, 2;
SELECT id FROM booking WHERE (starts, ends) OVERLAPS (TIMESTAMPTZ '2024-05-01 11:30+00', TIMESTAMPTZ '2024-05-01 11:45+00') ORDER BY id;
SELECT id, (starts, ends) OVERLAPS (TIMESTAMPTZ '2024-05-01 09:00+00', INTERVAL '90 minutes') AS early FROM booking ORDER BY id;
