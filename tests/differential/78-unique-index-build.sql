-- Migrations that add a unique index or constraint over rows that already
-- repeat a key fail naming the index and the first duplicated key, as
-- PostgreSQL's do; NULL keys and rows outside a partial index's predicate
-- never collide. ADD / DROP COLUMN IF [NOT] EXISTS that change nothing say
-- so in a NOTICE; a plain ADD COLUMN of an existing column is 42701.
create table ub_users (id serial primary key, code text, org int, email text, active boolean);
insert into ub_users (code, org, email, active) values ('a', 1, 'X@a', true), ('b', 1, 'x@a', true), ('a', 2, null, false), (null, 3, null, true), (null, 3, null, true);
create unique index ub_code on ub_users (code);
create unique index ub_org_code on ub_users (org, code);
create unique index ub_lower_email on ub_users (lower(email));
create unique index ub_active_code on ub_users (code) where active;
create unique index if not exists ub_org on ub_users (org);
alter table ub_users add constraint ub_code_uq unique (code);
alter table ub_users add constraint ub_org_email_uq unique (org, email);
update ub_users set code = 'c' where id = 3;
create unique index ub_code on ub_users (code);
alter table ub_users add column if not exists code text;
alter table ub_users add column code text;
alter table ub_users drop column if exists nope;
alter table ub_users add column if not exists note text default 'n';
select indexname from pg_indexes where tablename = 'ub_users' order by 1;
select id, code, note from ub_users order by id;
