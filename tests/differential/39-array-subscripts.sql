-- generate_subscripts, in the select list and in FROM, forwards and
-- reversed, over literals and array columns.
SELECT generate_subscripts(ARRAY[10, 20, 30], 1);
SELECT generate_subscripts('{a,b}'::text[], 1, true) AS i;
SELECT * FROM generate_subscripts(ARRAY['x', 'y', 'z'], 1) ORDER BY 1;
SELECT s, (ARRAY['x', 'y', 'z'])[s] FROM generate_subscripts(ARRAY['x', 'y', 'z'], 1) AS s ORDER BY s;
CREATE TABLE sub_arrs (id int PRIMARY KEY, a int[]);
INSERT INTO sub_arrs VALUES (1, '{5,6}'), (2, '{7}'), (3, '{}');
SELECT id, generate_subscripts(a, 1) AS i FROM sub_arrs ORDER BY id, i;
SELECT id, a[i] AS v FROM sub_arrs, generate_subscripts(a, 1) AS i ORDER BY id, i;
SELECT cardinality(ARRAY[[1,2],[3,4]]) AS two_by_two, cardinality(ARRAY[1,2,3]) AS three, cardinality('{}'::int[]) AS none, cardinality(NULL::int[]) IS NULL AS null_in, cardinality(ARRAY[[NULL,2],[3,NULL]]) AS with_nulls;
