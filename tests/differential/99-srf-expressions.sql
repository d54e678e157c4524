-- Set-returning calls inside select-list expressions (arithmetic, casts,
-- other functions' arguments) and in INSERT ... SELECT.
CREATE TABLE g (x int, y numeric(5,2));
insert into g select generate_series(1,3);
insert into g (x, y) select generate_series(1,2) * 2, 1.234;
insert into g (y) select unnest(array[1.234, 2.345]);
select * from g order by x, y;
select generate_series(1,3) * 2, 1.5;
select -generate_series(1,2) as neg, abs(generate_series(-2, 0)) as a;
select 'day ' || generate_series(1, 2) as label;
select (generate_series(1,3) * 10)::text || '%' as pct;
select x, generate_series(1, x) * 2 from g where x < 3 order by 1, 2;
select upper(unnest(array['a','b']));
create table docs (id int, body jsonb);
insert into docs values (1, '{"a": 1, "b": [1,2]}'), (2, '{"c": 3}');
select id, upper(jsonb_object_keys(body)) from docs order by 1, 2;
select id, jsonb_array_elements(body->'b')::int * 10 as v from docs order by 1, 2;
select id, 'k=' || jsonb_object_keys(body) as k, count(*) from docs group by 1, 2 order by 1, 2;
