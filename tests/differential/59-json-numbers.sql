-- Numbers read out of JSON documents as applications report on them:
-- `(body->>'price')::numeric` keeps the digits written in the document
-- (5.0, 12.50), also in arithmetic, sums, window sums, GROUP BY and
-- ORDER BY; `->>` of a JSON number is its text as written; a grouped
-- quotient (`GROUP BY x / 3`) matches its result column.
create table ev (id int, body jsonb);
insert into ev values (1, '{"price": "5.0", "qty": 2, "amt": 12.50, "rate": 0.075}'), (2, '{"price": "3.25", "qty": 3, "amt": 7, "rate": 1e2}');
select id, (body->>'price')::numeric, (body->>'amt')::numeric, (body->>'rate')::numeric from ev order by id;
select id, (body->>'price')::numeric * 2, (body->>'amt')::numeric * (body->>'qty')::int from ev order by id;
select sum((body->>'amt')::numeric), avg((body->>'price')::numeric) from ev;
select id, body->'amt', body->'rate', (body->'amt')::numeric + 1 from ev order by id;
select round((body->>'price')::numeric, 1), (body->>'price')::numeric(10,2) from ev order by id;
select (body->>'amt')::float8, (body->>'qty')::int + 1 from ev order by id;
select (body->>'price')::numeric as p, count(*) from ev group by (body->>'price')::numeric order by 1;
select distinct (body->>'qty')::numeric from ev order by 1;
select (body->>'price')::numeric as p from ev order by p desc;
select (body->>'price')::numeric from ev where (body->>'price')::numeric > 4;
select ('{"a": "abc"}'::jsonb->>'a')::numeric;
select (body->>'missing')::numeric, -(body->>'amt')::numeric from ev order by id;
select id, sum((body->>'amt')::numeric) over (order by id) from ev order by id;
select sum((body->>'amt')::numeric) filter (where id > 1), sum(distinct (body->>'qty')::numeric) from ev;
create table g (x numeric, y int);
insert into g values (1.5, 1), (3, 2), (4.5, 3);
select x / 3, count(*) from g group by x / 3 order by 1;
select y / 2, count(*) from g group by y / 2 order by 1;
select '{"big": 12345678901234567890, "neg": -0.50, "t": true, "s": "x"}'::jsonb->>'big', '{"neg": -0.50}'::jsonb->>'neg', '{"t": true}'::json->>'t';
select sum(y / 2) from g;
