-- Row values as keyset pagination and multi-column lookups send them:
-- literals in a row are read as their column's type, item by item.
CREATE TABLE feed (id int PRIMARY KEY, posted_at timestamptz NOT NULL, author text, score numeric(6,2));
INSERT INTO feed SELECT g, timestamptz '2024-01-01 00:00+00' + (g % 3) * interval '1 day', 'a' || (g % 4), g * 1.5 FROM generate_series(1, 12) g;
SELECT id, posted_at FROM feed WHERE (posted_at, id) > ('2024-01-02', 4) ORDER BY posted_at, id LIMIT 4;
SELECT id FROM feed WHERE (posted_at, id) < ('2024-01-03 00:00:00+00', 5) ORDER BY posted_at DESC, id DESC LIMIT 3;
SELECT id FROM feed WHERE ROW(posted_at, id) >= ROW('2024-01-02'::timestamptz, 7) ORDER BY posted_at, id LIMIT 3;
SELECT id FROM feed WHERE (author, id) IN (('a1', 1), ('a2', 2), ('a3', 4)) ORDER BY id;
SELECT id FROM feed WHERE (author, score) = ('a3', '4.50');
SELECT (1, 'a') = (1, 'a'), ROW(1, 2) < ROW(1, 3), (2, 'b') > (1, 'z');
SELECT array_replace(ARRAY[1, 2, 1, 3], 1, 9), array_replace(ARRAY['a', NULL, 'b'], NULL, 'z');
SELECT num_nulls(1, NULL, 2, NULL), num_nonnulls(1, NULL, 'x');
SELECT justify_interval(interval '1 mon -1 hour'), justify_interval(interval '-1 mon 1 hour'), justify_interval(interval '1 mon -31 days'), justify_interval(interval '50 hours');
