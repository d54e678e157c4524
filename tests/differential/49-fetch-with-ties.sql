-- FETCH FIRST n ROWS WITH TIES (the SELECT reference page): ties of the
-- last row kept, with OFFSET, GROUP BY, ORDER BY position and alias,
-- NULL ordering, and the refusal without ORDER BY.
create table wt (id int, score int, grp text);
insert into wt values (1, 10, 'a'), (2, 20, 'a'), (3, 20, 'b'), (4, 30, 'b'), (5, null, 'a'), (6, 20, 'c');
select id, score from wt order by score fetch first 2 rows with ties;
select id, score from wt order by score desc nulls last fetch first 1 row with ties;
select id, score from wt order by score offset 1 rows fetch first 1 rows with ties;
select grp, count(*) as n from wt group by grp order by n desc fetch first 1 rows with ties;
select id, score from wt where id > 1 order by 2 fetch first 1 rows with ties;
select id from wt order by score, id fetch first 2 rows with ties;
select id, score from wt fetch first 2 rows with ties;
