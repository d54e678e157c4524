-- Arrays where they become text: casts (`tags::text LIKE '%x%'` is a
-- common search), concatenation, concat/format, and the functions
-- reporting tools call on arrays and JSON.
CREATE TABLE arr (id int PRIMARY KEY, tags text[], nums int[], days date[]);
INSERT INTO arr VALUES (1, '{a,b}', '{3,4}', '{2024-01-01}'), (2, '{"x y",NULL}', '{}', NULL), (3, NULL, '{10}', '{2024-02-29,2024-03-01}');
SELECT ARRAY[1,2]::text AS t, concat(ARRAY[1,2]) AS c, format('%s', ARRAY[1,2]) AS f, ARRAY['a b','c']::text AS t2, 'x' || ARRAY[1,2]::text AS cc;
SELECT id, tags::text, nums::text, days::text, 'x' || tags::text AS cat, tags::varchar AS v FROM arr ORDER BY id;
SELECT id FROM arr WHERE tags::text LIKE '%b%' OR nums::text = '{10}' ORDER BY id;
SELECT id, concat(tags), format('%s|%s', tags, nums), concat_ws(',', nums, days) FROM arr ORDER BY id;
SELECT unnest(ARRAY[1,2]) AS a, unnest(ARRAY['a','b','c']) AS b;
SELECT '{"a":[1,2]}'::json -> 'a' ->> 1 AS second;
SELECT array_agg(x) FILTER (WHERE x > 1) FROM generate_series(1,4) x;
SELECT string_agg(DISTINCT x::text, ',' ORDER BY x::text) FROM (VALUES (2),(1),(2)) v(x);
SELECT (regexp_match('key=val', '(\w+)=(\w+)'))[2];
SELECT array_to_json(ARRAY[1,2]), json_typeof('1'), jsonb_pretty('{"a":1}');
SELECT format('%s', 1), concat('a', NULL, 1, true), concat_ws('-', 'a', NULL, 'b');
SELECT left('hello', -2), right('hello', -2), substr('hello', 2), position('l' in 'hello'), strpos('hello','lo');
SELECT x, x::numeric(5,1), round(x::numeric, 1) FROM (VALUES (1.25), (1.35), (-1.25)) v(x);
SELECT interval '1 month' * 2, interval '1 hour' / 2, interval '2 days' - interval '3 hours', -interval '1 day';
SELECT ARRAY[1,2] || 3, 0 || ARRAY[1], ARRAY[1,2] = ARRAY[1,2], ARRAY[3,1,2] @> ARRAY[1];
