-- Maintenance and session commands tools and pools send: CLUSTER, REINDEX,
-- CHECKPOINT (no-ops on SQLite), DISCARD, RESET, session characteristics.
create table k (id int primary key);
cluster k using k_pkey;
cluster;
reindex table k;
reindex index k_pkey;
discard all;
discard plans;
checkpoint;
reset all;
set session characteristics as transaction isolation level serializable;
show transaction_isolation;
start transaction isolation level repeatable read read only;
show transaction_read_only;
commit;
set local statement_timeout = 1000;
select set_config('application_name', 'probe', false), current_setting('application_name');
select version() like 'PostgreSQL 15%';
