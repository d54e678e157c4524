-- Range types (booking and scheduling tables: Rails' tsrange, Django's
-- DateRangeField): canonical input and output, constructors, bounds,
-- containment and overlap against a range or an element.
CREATE TABLE booking (id serial PRIMARY KEY, room int, during tstzrange, days daterange, seats int4range, price numrange);
INSERT INTO booking (room, during, days, seats, price) VALUES (1, '[2024-01-01 10:00+00, 2024-01-01 12:00+00)', '[2024-01-01,2024-01-03]', '(1,10]', '[1.50,2.5)'), (2, tstzrange('2024-01-02 09:00+00', '2024-01-02 10:00+00'), daterange('2024-01-05', '2024-01-06'), int4range(5, 8, '[]'), numrange(10, 20)), (3, NULL, 'empty', '[,5)', '(,)');
SELECT * FROM booking ORDER BY id;
SELECT id FROM booking WHERE during @> '2024-01-01 11:00+00'::timestamptz ORDER BY id;
SELECT id FROM booking WHERE seats @> 7 ORDER BY id;
SELECT id FROM booking WHERE days && daterange('2024-01-02', '2024-01-04') ORDER BY id;
SELECT id FROM booking WHERE during && tstzrange('2024-01-01 11:30+00', '2024-01-02 09:30+00') ORDER BY id;
SELECT id FROM booking WHERE int4range(6, 7) <@ seats ORDER BY id;
SELECT lower(seats)::int AS lo, upper(seats)::int AS hi, lower(days)::date AS first_day FROM booking ORDER BY id;
SELECT isempty(days), lower_inc(seats), upper_inc(price), lower_inf(seats), upper_inf(price) FROM booking ORDER BY id;
SELECT count(*) FROM booking WHERE NOT isempty(days);
SELECT '[1,10)'::int4range AS a, '(1,10]'::int4range AS b, '[3,3)'::int4range AS c, int4range(1, 10, '[]') AS d, numrange(1.50, 2) AS e, '[,]'::int8range AS f;
SELECT '[2024-01-01 10:00, 2024-01-01 12:00)'::tsrange AS t, daterange('2024-01-01', '2024-01-05', '[]') AS d;
SELECT '[10,1)'::int4range;
SELECT int4range(1, 10) @> 5 AS has5, int4range(1, 10) @> int4range(2, 3) AS has_range, 5 <@ int4range(1, 10) AS within, int4range(1, 10) && int4range(10, 20) AS touches;
SELECT lower(int4range(1, 10)) + 1 AS next, upper('[2024-01-01,2024-02-01)'::daterange) AS last;
INSERT INTO booking (seats) VALUES ('[5,1)');
INSERT INTO booking (seats) VALUES ('junk');
SELECT id, seats FROM booking WHERE seats = '[6,9)' ORDER BY id;
SELECT pg_typeof(int4range(1, 2))::text AS range_type, pg_typeof(lower(int4range(1, 2)))::text AS bound_type;
UPDATE booking SET seats = int4range(2, 4) WHERE id = 3 RETURNING seats;
SELECT a.id AS a, b.id AS b FROM booking a JOIN booking b ON a.id < b.id AND a.seats && b.seats ORDER BY 1, 2;
SELECT id FROM booking WHERE seats @> int4range(6, 7) ORDER BY id;
