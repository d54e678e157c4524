-- MERGE (PostgreSQL 15): matched and not matched clauses with
-- conditions chosen on the rows as they were, DELETE / UPDATE / INSERT /
-- DO NOTHING, VALUES, subquery and table sources, a target row matched
-- twice (21000), and inside a block that rolls back.
create table inv (sku text primary key, qty int not null, active boolean default true, updated timestamptz);
insert into inv values ('a', 5, true, '2024-01-01'), ('b', 0, true, '2024-01-01'), ('c', 7, false, null);
merge into inv using (values ('a', 3), ('b', -1), ('d', 4)) as s(sku, delta) on inv.sku = s.sku WHEN matched and inv.qty + s.delta <= 0 then delete WHEN matched then update set qty = inv.qty + s.delta, updated = '2024-06-01 10:00+02' WHEN not matched and s.delta > 0 then insert (sku, qty, updated) values (s.sku, s.delta, '2024-06-02');
select * from inv order by sku;
merge into inv i using (select 'c' as sku) s on i.sku = s.sku when matched and not i.active then do nothing when matched then delete;
select count(*) from inv;
merge into inv i using (select sku, 1 as n from inv union all select 'a', 2) s on i.sku = s.sku when matched then update set qty = s.n;
select * from inv order by sku;
merge into inv i using (select 'zz' as sku) s on i.sku = s.sku when not matched then insert values (s.sku, 1);
select sku, qty, active from inv order by sku;
begin;
merge into inv t using inv s on t.sku = s.sku when matched then update set qty = t.qty * 10;
select sum(qty) from inv;
rollback;
select sum(qty) from inv;
merge into inv t using (select 'a' as sku) s on t.sku = s.sku when not matched then insert (sku, qty) values (s.sku, null);
merge into inv t using (select 'x' as sku, 2 as n) s on t.sku = s.sku when not matched then insert (sku, qty) values (s.sku, s.n * $$3$$::int);
select sku, qty from inv order by sku;
