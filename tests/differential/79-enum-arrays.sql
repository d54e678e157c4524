-- Arrays of an enum (Prisma's enum lists, Rails' array enums): declared,
-- defaulted, written as literals and ARRAY[...]::e[], searched with ANY and
-- @>, appended to, unnested.
create type ea_role as enum ('reader', 'writer', 'admin');
create table ea_member (id serial primary key, name text, roles ea_role[] not null default '{reader}', main ea_role);
insert into ea_member (name, roles, main) values ('ann', '{reader,admin}', 'admin'), ('bob', array['writer']::ea_role[], 'writer'), ('cy', default, null);
select id, name, roles, main from ea_member order by id;
select name from ea_member where 'admin' = any(roles) order by 1;
select name from ea_member where roles @> array['reader']::ea_role[] order by 1;
select name, array_length(roles, 1), roles[1] from ea_member order by id;
update ea_member set roles = array_append(roles, 'writer') where name = 'ann' returning roles;
select r, count(*) from (select unnest(roles) as r from ea_member) s group by r order by r;
select '{admin,reader}'::ea_role[];
alter table ea_member add column extra ea_role[];
select column_name, data_type from information_schema.columns where table_name = 'ea_member' order by ordinal_position;
create table ea_bad (x ea_nosuchtype[]);
