-- PostgreSQL 15's position-aware regular expression functions (regexp_count,
-- regexp_instr, regexp_like, regexp_substr, regexp_replace with start and N),
-- array_fill, and set-returning functions in a select list whose ORDER BY
-- names the table's columns (id, key and value are json_each's names too).
SELECT regexp_count('banana', 'an'), regexp_count('banana', 'an', 3), regexp_count('ABab', 'a', 1, 'i'), regexp_count('abc', ''), regexp_count('axb', 'x*');
SELECT regexp_instr('number of your street, town zip, FR', '[^,]+', 1, 2), regexp_instr('ABCDEFGHI', '(c..)(...)', 1, 1, 0, 'i', 2), regexp_instr('abc', 'b', 1, 1, 1), regexp_instr('abc', 'z');
SELECT regexp_like('Hello World', 'world'), regexp_like('Hello World', 'world', 'i'), regexp_like(NULL, 'x');
SELECT regexp_substr('number of your street, town zip, FR', '[^,]+', 1, 2), regexp_substr('ABCDEFGHI', '(c..)(...)', 1, 1, 'i', 2), regexp_substr('abc', 'z'), regexp_substr('a1b22', '[0-9]+', 1, 2), regexp_substr('abc', '(x)?b', 1, 1, '', 1);
SELECT regexp_replace('A PostgreSQL function', 'a|e|i|o|u', 'X', 1, 0, 'i'), regexp_replace('A PostgreSQL function', 'a|e|i|o|u', 'X', 1, 3, 'i'), regexp_replace('aaaa', 'a', 'b', 2), regexp_replace('aaaa', 'a', 'b', 2, 0), regexp_replace('héllo wörld', 'l', 'L', 4);
SELECT regexp_substr('héllo', 'l', 4), regexp_instr('héllo', 'o'), regexp_count('^a^a', '^a', 2);
SELECT regexp_count('abc', 'b', 0);
SELECT regexp_count('abc', 'b', 1, 'g');
SELECT regexp_instr('abc', 'b', 1, 1, 2);
SELECT regexp_substr('abc', 'b', 1, 0);
SELECT array_fill(0, ARRAY[3]), array_fill('x'::text, ARRAY[2,2]), array_fill(7, ARRAY[2], ARRAY[1]), array_fill(1.5, ARRAY[0]);
SELECT array_fill(1, NULL);
CREATE TABLE rx (id int, s text);
INSERT INTO rx VALUES (1, 'a1b2c3'), (2, 'xyz'), (3, NULL);
SELECT id, regexp_count(s, '[0-9]'), regexp_substr(s, '[a-z]', 1, 2), regexp_like(s, '^a') FROM rx ORDER BY id;
SELECT id FROM rx WHERE regexp_like(s, '\d') ORDER BY id;
CREATE TABLE rx_emp (id serial PRIMARY KEY, name text, tags jsonb);
INSERT INTO rx_emp (name, tags) VALUES ('ann', '["x","y"]'), ('bob', '["z"]');
SELECT regexp_replace(name, '(.)(.)', '\2\1', 'g'), regexp_matches(name, '([aeiou])', 'g') FROM rx_emp ORDER BY id;
SELECT name, jsonb_array_elements_text(tags) AS t FROM rx_emp ORDER BY id DESC, t;
SELECT name, jsonb_array_elements_text(tags) AS value FROM rx_emp ORDER BY value, id;
SELECT e.name, jsonb_array_elements_text(e.tags) FROM rx_emp e ORDER BY e.id, 2;
SELECT name, generate_series(1, id) FROM rx_emp ORDER BY id, generate_series DESC;
SELECT name, generate_series(1, id) AS key FROM rx_emp ORDER BY key DESC, lower(name);
