-- Unique expression indexes (lower(email), (org, lower(email)), (a + b)):
-- violations name the index and, in the DETAIL, the key values the failing
-- row computed, as PostgreSQL does; ON CONFLICT DO NOTHING skips them.
create table uxi (id serial primary key, email text not null, org int, a int, b int);
create unique index uxi_email_lower on uxi (lower(email));
create unique index uxi_org_email on uxi (org, lower(email));
create unique index uxi_sum on uxi ((a + b));
insert into uxi (email, org, a, b) values ('Ann@X.io', 1, 1, 2);
insert into uxi (email, org, a, b) values ('ann@x.io', 2, 5, 5);
insert into uxi (email, org, a, b) values ('bob@x.io', 1, 2, 1);
insert into uxi (email, org, a, b) values ('cy@x.io', 1, 0, 0), ('CY@x.io', 2, 9, 9);
update uxi set email = 'ANN@x.io' where id = 1;
insert into uxi (email, org, a, b) values ('dee@x.io', 1, 7, 7) on conflict do nothing returning id;
select id, email from uxi order by id;
