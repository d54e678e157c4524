-- The tenant's own functions in the catalog, as psql's \df, pg_dump and
-- ORMs' introspection read them (pg_proc, the signature functions,
-- information_schema.routines, regproc / regprocedure), hashtext for
-- advisory lock keys, and the types of a view's computed columns.
create table fc_orders (id serial primary key, customer text not null, total numeric(10,2), placed date);
insert into fc_orders (customer, total, placed) values ('ann', 10.50, '2024-01-02'), ('bob', 3.25, '2024-02-03'), ('ann', 7, '2024-02-10');
create function fc_tax(amount numeric, rate numeric) returns numeric language sql as $$ select round(amount * rate, 2) $$;
create function fc_label(who text, n integer) returns varchar language plpgsql as $$ begin return upper(who) || '#' || n; end $$;
create function fc_touch() returns trigger language plpgsql as $$ begin return new; end $$;
create function fc_count() returns bigint language sql as 'select count(*) from fc_orders';
select fc_tax(total, 0.2), fc_label(customer, id) from fc_orders order by id;
select p.proname, p.pronargs, p.prorettype::regtype, p.proargnames, l.lanname, p.prokind, p.proretset from pg_proc p join pg_language l on l.oid = p.prolang join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public' order by p.proname;
select p.proname, pg_get_function_arguments(p.oid) as args, pg_get_function_identity_arguments(p.oid) as ident, pg_get_function_result(p.oid) as result from pg_proc p where p.pronamespace = 'public'::regnamespace order by 1;
select routine_name, routine_type, data_type, external_language from information_schema.routines where routine_schema = 'public' order by routine_name;
select 'fc_tax'::regproc, 'fc_label(text, integer)'::regprocedure, 'fc_touch'::regproc::text;
select proname from pg_proc where oid = 'fc_count'::regproc;
select 'fc_nothing'::regproc;
select count(*) from pg_proc where proname = 'fc_tax' and pg_function_is_visible(oid);
drop function fc_label(text, integer);
select proname from pg_proc where pronamespace = 'public'::regnamespace order by 1;
select hashtext('migrations'), hashtext(''), hashtext('a longer key, past twelve bytes'), hashtext(null);
select pg_try_advisory_lock(hashtext('fc_lock')), pg_advisory_unlock(hashtext('fc_lock'));
create view fc_summary as select customer, sum(total) as spent, count(*) as n, max(placed) as last_order, avg(total) > 5 as big, string_agg(id::text, ',') as ids from fc_orders group by customer;
select column_name, data_type, numeric_precision, numeric_scale from information_schema.columns where table_name = 'fc_summary' order by ordinal_position;
select a.attname, format_type(a.atttypid, a.atttypmod) from pg_attribute a where a.attrelid = 'fc_summary'::regclass and a.attnum > 0 order by a.attnum;
select * from fc_summary order by customer;
comment on function fc_tax(numeric, numeric) is 'tax at a rate';
comment on function fc_count is 'orders';
comment on function fc_missing is 'x';
select p.proname, obj_description(p.oid, 'pg_proc') from pg_proc p where p.pronamespace = 'public'::regnamespace order by 1;
select d.description from pg_description d join pg_proc p on p.oid = d.objoid and d.classoid = 'pg_proc'::regclass where p.proname = 'fc_tax';
drop function fc_tax(numeric, numeric);
create function fc_tax(amount numeric, rate numeric) returns numeric language sql as $$ select round(amount * rate, 2) $$;
select obj_description('fc_tax'::regproc, 'pg_proc');
