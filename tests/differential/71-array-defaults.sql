-- Array columns' literal defaults ('{}', '{1,2}', ARRAY[]::text[]), added and
-- changed with ALTER TABLE: stored as arrays, read by JSON functions as
-- arrays, and printed by information_schema as PostgreSQL prints them.
create table ad_t (id serial primary key, tags text[] not null default '{}', nums int[] default '{1,2}', t2 text[] default array[]::text[], flags boolean[] default '{t,f}');
insert into ad_t default values;
select tags, nums, t2, flags, json_build_object('t', tags, 'n', nums, 'f', flags), to_jsonb(nums), array_length(nums, 1) from ad_t;
select column_name, column_default from information_schema.columns where table_name = 'ad_t' order by ordinal_position;
alter table ad_t add column labels varchar(10)[] default '{"a b",c}';
alter table ad_t alter column nums set default '{7}';
insert into ad_t default values;
select id, labels, nums, to_jsonb(labels), json_build_array(nums) from ad_t order by id;
select column_name, column_default from information_schema.columns where table_name = 'ad_t' order by ordinal_position;
create table ad_bad (x int[] default '{1,a}');
