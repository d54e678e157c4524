-- What a Laravel (11) application sends: its migrations table and the
-- default users, sessions, cache and jobs tables, Schema's introspection
-- (tables, columns, indexes through unnest(indkey) WITH ORDINALITY in a
-- LATERAL join), the cache upsert, the queue's FOR UPDATE SKIP LOCKED,
-- pagination and dropAllTables' listing.
create table "migrations" ("id" serial not null primary key, "migration" varchar(255) not null, "batch" integer not null);
select exists (select 1 from pg_class c, pg_namespace n where n.nspname = current_schema() and c.relname = 'migrations' and c.relkind in ('r', 'p') and n.oid = c.relnamespace);
select max("batch") as aggregate from "migrations";
create table "users" ("id" bigserial not null primary key, "name" varchar(255) not null, "email" varchar(255) not null, "email_verified_at" timestamp(0) without time zone null, "password" varchar(255) not null, "remember_token" varchar(100) null, "created_at" timestamp(0) without time zone null, "updated_at" timestamp(0) without time zone null);
alter table "users" add constraint "users_email_unique" unique ("email");
create table "sessions" ("id" varchar(255) not null, "user_id" bigint null, "ip_address" varchar(45) null, "user_agent" text null, "payload" text not null, "last_activity" integer not null);
alter table "sessions" add primary key ("id");
create index "sessions_user_id_index" on "sessions" ("user_id");
create index "sessions_last_activity_index" on "sessions" ("last_activity");
create table "cache" ("key" varchar(255) not null, "value" text not null, "expiration" integer not null);
alter table "cache" add primary key ("key");
create table "jobs" ("id" bigserial not null primary key, "queue" varchar(255) not null, "payload" text not null, "attempts" smallint not null, "reserved_at" integer null, "available_at" integer not null, "created_at" integer not null);
create index "jobs_queue_index" on "jobs" ("queue");
create table "failed_jobs" ("id" bigserial not null primary key, "uuid" varchar(255) not null, "connection" text not null, "queue" text not null, "payload" text not null, "exception" text not null, "failed_at" timestamp(0) without time zone not null default CURRENT_TIMESTAMP);
alter table "failed_jobs" add constraint "failed_jobs_uuid_unique" unique ("uuid");
insert into "migrations" ("migration", "batch") values ('0001_01_01_000000_create_users_table', 1);
select c.relname as name, n.nspname as schema, obj_description(c.oid, 'pg_class') as comment from pg_class c, pg_namespace n where c.relkind in ('r', 'p') and n.oid = c.relnamespace and n.nspname not in ('pg_catalog', 'information_schema') order by c.relname;
select a.attname as name, t.typname as type_name, format_type(a.atttypid, a.atttypmod) as type, not a.attnotnull as nullable, (select pg_get_expr(adbin, adrelid) from pg_attrdef where c.oid = pg_attrdef.adrelid and pg_attrdef.adnum = a.attnum) as default, col_description(c.oid, a.attnum) as comment from pg_attribute a, pg_class c, pg_type t, pg_namespace n where c.relname = 'users' and n.nspname = 'public' and a.attnum > 0 and a.attrelid = c.oid and a.atttypid = t.oid and n.oid = c.relnamespace order by a.attnum;
select ic.relname as name, string_agg(a.attname, ',' order by indseq.ord) as columns, am.amname as "type", i.indisunique as "unique", i.indisprimary as "primary" from pg_index i join pg_class tc on tc.oid = i.indrelid join pg_namespace tn on tn.oid = tc.relnamespace join pg_class ic on ic.oid = i.indexrelid join pg_am am on am.oid = ic.relam join lateral unnest(i.indkey) with ordinality as indseq(num, ord) on true left join pg_attribute a on a.attrelid = i.indrelid and a.attnum = indseq.num where tc.relname = 'users' and tn.nspname = 'public' group by ic.relname, am.amname, i.indisunique, i.indisprimary order by ic.relname;
insert into "users" ("name", "email", "password", "updated_at", "created_at") values ('Ann', 'ann@example.com', 'x', '2024-05-01 10:00:00', '2024-05-01 10:00:00') returning "id";
select * from "users" where "email" = 'ann@example.com' limit 1;
select count(*) as aggregate from "users" where "email" = 'ann@example.com';
update "users" set "remember_token" = 'tok', "updated_at" = '2024-05-02 10:00:00' where "id" = 1;
insert into "cache" ("key", "value", "expiration") values ('laravel_cache_k', 's:1:"v";', 1714557600) on conflict ("key") do update set "value" = "excluded"."value", "expiration" = "excluded"."expiration";
insert into "cache" ("key", "value", "expiration") values ('laravel_cache_k', 's:1:"w";', 1714557700) on conflict ("key") do update set "value" = "excluded"."value", "expiration" = "excluded"."expiration";
select * from "cache" where "key" in ('laravel_cache_k');
delete from "cache" where "key" in ('laravel_cache_k') and "expiration" <= 1714557800;
insert into "jobs" ("queue", "attempts", "reserved_at", "available_at", "created_at", "payload") values ('default', 0, null, 1714557600, 1714557600, '{"uuid":"a"}') returning "id";
begin;
select * from "jobs" where "queue" = 'default' and (("reserved_at" is null and "available_at" <= 1714557700) or ("reserved_at" <= 1714557000)) order by "id" asc limit 1 for update skip locked;
update "jobs" set "reserved_at" = 1714557700, "attempts" = 1 where "id" = 1;
commit;
delete from "jobs" where "id" = 1;
insert into "sessions" ("payload", "last_activity", "user_id", "ip_address", "user_agent", "id") values ('YTo', 1714557600, 1, '127.0.0.1', 'curl', 'sess1');
select * from "sessions" where "id" = 'sess1' limit 1;
delete from "sessions" where "last_activity" <= 1714000000;
select tablename, concat('"', schemaname, '"."', tablename, '"') as qualifiedname from pg_catalog.pg_tables where schemaname in ('public') order by tablename;
select * from "users" where "created_at" between '2024-01-01 00:00:00' and '2024-12-31 23:59:59' order by "created_at" desc limit 15 offset 0;
select count(*) as aggregate from (select * from "users" where "name"::text ilike '%an%') as "temp_table";
drop table if exists "failed_jobs","jobs" cascade;
create table tagged (id int primary key, tags text[]);
insert into tagged values (1, '{red,green}'), (2, '{blue}'), (3, '{}');
select t.id, x.tag, x.n from tagged t join lateral unnest(t.tags) with ordinality as x(tag, n) on true order by t.id, x.n;
select t.id, x.* from tagged t, lateral unnest(t.tags) with ordinality as x order by t.id, x.ordinality;
select t.id, x.tag, x.n from tagged t left join lateral unnest(t.tags) with ordinality as x(tag, n) on true order by t.id, x.n;
