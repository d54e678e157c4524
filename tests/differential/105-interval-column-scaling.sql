-- An interval column scaled by a number (dur * 1.5, dur / 2, -dur) and
-- the same arithmetic over integer, numeric and float columns.
create table ev (id serial primary key, dur interval, n int, x numeric(6,2), f float8);
insert into ev (dur, n, x, f) values ('1 hour', 7, 2.50, 1.5), ('90 minutes', -3, 1.25, 2), ('2 days 3 hours', 10, 3.00, 0.5);
select id, dur * 1.5, 2 * dur, dur / 2, -dur from ev order by id;
select id, n * 2, 2 * n, n / 2, -n, x * 2, x / 3, -x, f / 2, -f, 3 * f from ev order by id;
select id from ev where n * 2 > 5 and -n < 0 order by id;
select id, ev.dur * 2 as twice from ev order by id;
