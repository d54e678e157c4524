-- Catalog and statistics views monitoring tools and admin pages read:
-- pg_sequences (last_value NULL until the first nextval), index statistics,
-- pg_locks, pg_stat_database, max_connections.
create table mv_t (id serial primary key, v text);
create index mv_t_v on mv_t (v);
create sequence mv_s start 5 increment 2;
select sequencename, data_type, start_value, min_value, max_value, increment_by, cycle, cache_size, last_value from pg_sequences where schemaname = 'public' order by 1;
select nextval('mv_s'), nextval('mv_s');
insert into mv_t (v) values ('a'), ('b');
select sequencename, last_value from pg_sequences where schemaname = 'public' order by 1;
select relname, indexrelname, idx_scan from pg_stat_user_indexes where relname = 'mv_t' order by 2;
select relname, indexrelname, idx_blks_read from pg_statio_user_indexes where relname = 'mv_t' order by 2;
select count(*) from pg_locks where not granted;
select datname = current_database(), deadlocks >= 0 from pg_stat_database where datname = current_database();
select name, setting from pg_settings where name = 'max_connections';
