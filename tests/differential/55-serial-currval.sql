-- After an INSERT that numbered a serial key, currval of its sequence and
-- lastval() give the new id (PHP, older ORMs and hand-written SQL read the
-- key back so); an insert into a table without one leaves lastval alone.
create table sq_users (id serial primary key, name text);
create table sq_posts (id bigserial primary key, user_id int, title text);
create table sq_plain (k int primary key, v text);
select currval('sq_users_id_seq');
select lastval();
insert into sq_users (name) values ('a'), ('b');
select currval('sq_users_id_seq');
select lastval();
insert into sq_posts (user_id, title) values (currval('sq_users_id_seq'), 'hello');
select currval('sq_posts_id_seq'), currval('sq_users_id_seq'), lastval();
insert into sq_plain values (5, 'x');
select lastval();
select nextval('sq_users_id_seq');
select currval('sq_users_id_seq'), lastval();
insert into sq_users (name) values ('c');
select currval('sq_users_id_seq'), lastval();
select currval(pg_get_serial_sequence('sq_users', 'id'));
select * from sq_users order by id;
select * from sq_posts;
