-- substr and substring with starts before the first character, counts
-- past the end, negative counts (22011), over text and bytea.
create table s (t text, b bytea, n int);
insert into s values ('abcdef', '\x00010203', 2), ('héllo', '\xff', -1);
select substr('abcdef', -2, 5), substr('abc', -1), substr('abc', 0), substr('abc', 0, 2), substr('abc', 2), substr('abc', 2, 1), substr('abc', 5), substr('abc', 1, 0);
select substring('abcdef' from -1 for 3), substring('abcdef' from 3), substring('abcdef' for 2), substring('abcdef', 0, 3);
select substr('abc', 1, -1);
select t, substr(t, n), substr(t, n, 3), substring(t from n for 2), substr(b, 2, 2), substr(b, n) from s order by t;
select substr(t, 2, n) from s order by t;
select substr(null, 1, 2), substr('abc', null), substr('abc', 1, null);
