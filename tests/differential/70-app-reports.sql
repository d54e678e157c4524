-- A SaaS app's report and API queries: per-account aggregates over a LEFT
-- JOIN with count(t.*), monthly buckets, a calendar from generate_series,
-- jsonb settings, text[] tags, keyset paging, running sums, lateral.
create table ar_accounts (id bigserial primary key, name text not null, plan text not null default 'free', created_at timestamptz not null default '2024-01-01 00:00:00+00', settings jsonb not null default '{}');
create table ar_events (id bigserial primary key, account_id bigint not null references ar_accounts(id) on delete cascade, kind text not null, amount numeric(12,2), tags text[] default '{}', at timestamptz not null);
create index on ar_events (account_id, at desc);
insert into ar_accounts (name, plan, created_at, settings) values ('acme','pro','2024-01-03 10:00+00','{"theme":"dark","seats":5}'), ('globex','free','2024-02-10 08:30+00','{"seats":1}'), ('initech','team','2024-03-15 12:00+00','{"theme":"light","beta":true}');
insert into ar_events (account_id, kind, amount, tags, at) values
 (1,'signup',null,'{web}','2024-01-03 10:05+00'),(1,'purchase',49.99,'{web,promo}','2024-01-05 11:00+00'),(1,'purchase',19.50,'{mobile}','2024-02-01 09:00+00'),
 (2,'signup',null,'{}','2024-02-10 08:31+00'),(2,'purchase',5.00,'{web}','2024-02-11 10:00+00'),(3,'signup',null,'{api}','2024-03-15 12:01+00'),
 (3,'purchase',120.00,'{api,bulk}','2024-03-20 15:45+00'),(3,'refund',-20.00,'{api}','2024-03-21 16:00+00');
select a.name, count(e.*) filter (where e.kind = 'purchase') as purchases, coalesce(sum(e.amount), 0) as net from ar_accounts a left join ar_events e on e.account_id = a.id group by a.id, a.name order by net desc;
select date_trunc('month', at) as month, count(*), sum(amount) from ar_events group by 1 order by 1;
select d::date as day, count(e.id) from generate_series('2024-03-14'::date, '2024-03-22'::date, interval '1 day') d left join ar_events e on e.at::date = d::date group by d order by d;
select name from ar_accounts where settings ? 'theme' order by name;
select name, settings->>'theme' as theme, (settings->>'seats')::int as seats from ar_accounts order by id;
select name from ar_accounts where settings @> '{"beta": true}';
select id, kind from ar_events where 'web' = any(tags) order by id;
select id, array_length(tags, 1), cardinality(tags) from ar_events order by id;
select kind, string_agg(distinct t, ',' order by t) from ar_events, unnest(tags) t group by kind order by kind;
select * from (select account_id, kind, amount, row_number() over (partition by account_id order by at desc) rn from ar_events) x where rn = 1 order by account_id;
select id, at from ar_events where (at, id) < ('2024-03-01 00:00+00', 100) order by at desc, id desc limit 3;
insert into ar_accounts (name) values ('hooli') returning id, plan, created_at;
update ar_accounts set settings = settings || '{"seats": 10}' where name = 'acme' returning settings;
update ar_accounts set settings = jsonb_set(settings, '{theme}', '"blue"') where id = 2 returning settings;
select name, age('2024-04-01 00:00+00'::timestamptz, created_at) from ar_accounts where id <= 3 order by id;
select name, extract(epoch from ('2024-04-01 00:00+00'::timestamptz - created_at))::int / 86400 as days from ar_accounts where id <= 3 order by id;
select kind, percentile_cont(0.5) within group (order by amount) from ar_events where amount is not null group by kind order by kind;
select account_id, amount, sum(amount) over (partition by account_id order by at rows unbounded preceding) running from ar_events where amount is not null order by account_id, at;
select name ilike 'ACM%' as m, upper(left(name, 1)) || substr(name, 2) as cap from ar_accounts order by id;
with recent as (select * from ar_events where at > '2024-02-01') select kind, count(*) from recent group by kind order by count(*) desc, kind;
select to_char(created_at, 'YYYY-MM-DD HH24:MI'), to_char(created_at, 'Mon DD, YYYY') from ar_accounts order by id;
select id from ar_events where at between '2024-02-01' and '2024-03-01' order by id;
delete from ar_accounts where name = 'hooli' returning *;
select count(distinct account_id), avg(amount)::numeric(10,2), round(avg(amount), 3) from ar_events;
select kind, jsonb_agg(amount order by amount) filter (where amount > 0) from ar_events group by kind order by kind;
select nullif(plan, 'free'), greatest(1, 2, 3), least('b', 'a') from ar_accounts order by id;
select id, kind from ar_events order by amount desc nulls last, id limit 4;
select exists(select 1 from ar_events where kind = 'refund') as has_refund;
select a.name, e.last_at from ar_accounts a cross join lateral (select max(at) as last_at from ar_events where account_id = a.id) e order by a.id;
SELECT a.name, count(e.*), count(e.id), count(*) FROM ar_accounts a LEFT JOIN ar_events e ON e.account_id = a.id AND e.kind = 'refund' GROUP BY a.name ORDER BY a.name;
SELECT count(DISTINCT e.*) FROM ar_events e;
SELECT 'one'
  'two' AS joined, 'x' -- a comment ends the line
  'y' AS also;
