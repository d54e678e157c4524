-- Set-returning functions in the select list of grouped and DISTINCT queries:
-- grouping by the function's own column (by name, position or expression)
-- expands it before grouping, as PostgreSQL does (tag counts over jsonb and
-- text[] columns); a set over aggregates is expanded after grouping (a date
-- spine from min to max, a series per group).
CREATE TABLE sg_posts (id int, tags text[], meta jsonb);
INSERT INTO sg_posts VALUES (1, '{a,b}', '{"x":1,"y":2}'), (2, '{b,c}', '{"x":3}'), (3, '{}', '{}'), (4, NULL, NULL);
SELECT unnest(tags) AS tag, count(*) FROM sg_posts GROUP BY tag ORDER BY tag;
SELECT unnest(tags) AS tag, count(*) FROM sg_posts GROUP BY 1 ORDER BY 2 DESC, 1;
SELECT jsonb_object_keys(meta) AS k, count(*) FROM sg_posts GROUP BY k ORDER BY k;
SELECT DISTINCT unnest(tags) AS tag FROM sg_posts ORDER BY tag;
SELECT DISTINCT jsonb_object_keys(meta) FROM sg_posts ORDER BY 1;
SELECT id, unnest(tags) FROM sg_posts ORDER BY 1, 2;
SELECT count(DISTINCT t) FROM (SELECT unnest(tags) AS t FROM sg_posts) s;
SELECT array_agg(DISTINCT t ORDER BY t) FROM sg_posts, unnest(tags) t;
SELECT unnest(tags) AS tag, count(*) FROM sg_posts GROUP BY tag HAVING count(*) > 1;
SELECT id, jsonb_object_keys(meta) AS k FROM sg_posts GROUP BY id, k ORDER BY id, k;
SELECT jsonb_object_keys(meta), count(*) FROM sg_posts GROUP BY jsonb_object_keys(meta) ORDER BY 1;
SELECT jsonb_object_keys(meta) AS k, count(*) FROM sg_posts GROUP BY k HAVING count(*) > 1;
SELECT jsonb_object_keys(meta) AS k, sum(id) FROM sg_posts WHERE id < 3 GROUP BY 1 ORDER BY 1;
SELECT id, generate_series(1, count(*)::int) FROM sg_posts GROUP BY id ORDER BY 1, 2;
SELECT DISTINCT regexp_split_to_table('a,b,a,c', ',') AS p ORDER BY p;
SELECT string_to_table('x y x', ' ') AS w, count(*) FROM sg_posts WHERE id = 1 GROUP BY w ORDER BY w;
CREATE TABLE sg_docs (id int, body jsonb);
INSERT INTO sg_docs VALUES (1, '{"tags":["pg","sql"]}'), (2, '{"tags":["pg"]}');
SELECT jsonb_array_elements_text(body->'tags') AS tag, count(*) AS n FROM sg_docs GROUP BY tag ORDER BY n DESC, tag;
SELECT DISTINCT jsonb_array_elements_text(body->'tags') AS tag FROM sg_docs ORDER BY tag;
CREATE TABLE sg_ev (id serial PRIMARY KEY, user_id int, at timestamptz, day date, tags jsonb);
INSERT INTO sg_ev (user_id, at, day, tags) VALUES (1, '2024-03-01 08:00+00', '2024-03-01', '["a","b"]'), (1, '2024-03-05 09:30+00', '2024-03-04', '["c"]'), (2, '2024-04-02 10:00+00', '2024-03-03', '[]');
SELECT generate_series(min(at)::date, max(at)::date, '1 month')::date FROM sg_ev;
SELECT generate_series(min(day), max(day), interval '1 day')::date AS d FROM sg_ev ORDER BY d DESC;
SELECT user_id, generate_series(1, count(*)::int) AS n FROM sg_ev GROUP BY user_id ORDER BY 1, 2;
SELECT user_id, jsonb_array_elements_text(jsonb_agg(tags->0)) AS first_tags FROM sg_ev GROUP BY user_id ORDER BY user_id, first_tags;
SELECT generate_series(1, max(id)) FROM sg_ev WHERE user_id = 1;
SELECT generate_series(0, count(*)) AS k, 'x' AS label FROM sg_ev HAVING count(*) > 2 ORDER BY k LIMIT 2;
