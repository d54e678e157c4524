-- to_char's TZ: the session zone's abbreviation for a timestamptz (and a
-- date, which to_char reads as one), nothing for a timestamp.
create table ev (id serial primary key, at timestamptz not null, plain timestamp);
insert into ev (at, plain) values ('2024-03-10 01:30:00-05', '2024-03-10 01:30'), ('2024-03-10 08:00:00+00', '2024-07-01 12:00'), ('2024-07-01 12:00:00+00', null);
select id, to_char(at, 'YYYY-MM-DD HH24:MI TZ'), to_char(at, 'tz'), to_char(plain, 'HH24:MI TZ|') from ev order by id;
set timezone = 'America/New_York';
select id, to_char(at, 'YYYY-MM-DD HH24:MI TZ'), to_char(at, 'tz'), to_char(plain, 'HH24:MI TZ|') from ev order by id;
set timezone = 'Europe/Berlin';
select id, to_char(at, 'DD Mon HH24:MI TZ') from ev order by id;
select to_char(timestamptz '2024-01-15 12:00+00', 'HH24 TZ'), to_char(timestamp '2024-01-15 12:00', 'HH24 TZ|'), to_char(date '2024-01-15', 'YYYY TZ|');
set timezone = 'Asia/Kolkata';
select to_char(timestamptz '2024-01-15 12:00+00', 'HH24:MI TZ');
set timezone = '-7';
select to_char(timestamptz '2024-01-15 12:00+00', 'HH24:MI TZ');
reset timezone;
select to_char(timestamptz '2024-01-15 12:00+00', 'HH24:MI TZ');
