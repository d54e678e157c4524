-- TRUNCATE as test suites and fixtures send it (DatabaseCleaner, Django's
-- flush, pytest fixtures): a referenced table cannot be truncated alone
-- (0A000, whatever the rows), the list's order does not matter, CASCADE
-- reaches the referencing tables transitively (with a NOTICE each) and
-- RESTART IDENTITY restarts every emptied table's serial.
create table tc_par (id serial primary key, name text);
create table tc_chi (id serial primary key, par_id int references tc_par);
create table tc_gchi (id serial primary key, chi_id int references tc_chi);
create table tc_other (id serial primary key);
insert into tc_par (name) values ('a'), ('b');
insert into tc_chi (par_id) values (1), (2);
insert into tc_gchi (chi_id) values (1);
insert into tc_other default values;
truncate tc_par;
truncate tc_gchi;
truncate tc_par;
truncate tc_chi, tc_par;
select (select count(*) from tc_par) as par, (select count(*) from tc_chi) as chi, (select count(*) from tc_gchi) as gchi;
insert into tc_par (name) values ('c');
insert into tc_chi (par_id) values (3);
insert into tc_gchi (chi_id) values (3);
truncate table only tc_par restrict;
truncate tc_par restart identity cascade;
select (select count(*) from tc_par) as par, (select count(*) from tc_chi) as chi, (select count(*) from tc_gchi) as gchi, (select count(*) from tc_other) as other;
insert into tc_par (name) values ('d') returning id;
insert into tc_chi (par_id) values (1) returning id;
insert into tc_gchi (chi_id) values (1) returning id;
truncate tc_gchi, tc_chi, tc_par, tc_other continue identity;
insert into tc_par (name) values ('e') returning id;
begin;
insert into tc_other default values;
truncate tc_other;
rollback;
select count(*) from tc_other;
truncate tc_missing;
-- Duration settings shown in PostgreSQL's units.
set lock_timeout = 1000;
show lock_timeout;
set lock_timeout = '90s';
show lock_timeout;
set idle_in_transaction_session_timeout = '2h';
show idle_in_transaction_session_timeout;
set idle_session_timeout = 86400000;
show idle_session_timeout;
set lock_timeout = 'soon';
select pg_client_encoding(), pg_postmaster_start_time() <= now();
