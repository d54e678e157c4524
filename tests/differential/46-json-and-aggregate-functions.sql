-- The PostgreSQL manual's JSON function and aggregate tables beyond the
-- basics: deleting by index and by key list, jsonb_insert, json_object of
-- text arrays, json[b]_to_record typing, multi-dimensional array
-- literals, whole-row JSON of a VALUES list with column aliases, and the
-- bitwise aggregates; pgcrypto's hmac, crypt and gen_salt.
SELECT '["a","b","c"]'::jsonb - 1, '["a","b","c"]'::jsonb - -1, '["a","b"]'::jsonb - 5, '{"a":1,"b":2,"c":3}'::jsonb - '{a,c}'::text[], '["a","b"]'::jsonb - 'a';
SELECT '{"a":1}'::jsonb - 0;
SELECT jsonb_insert('{"a": [0,1,2]}', '{a, 1}', '"new_value"'), jsonb_insert('{"a": [0,1,2]}', '{a, 1}', '"new_value"', true), jsonb_insert('{"a": {"b": 1}}', '{a, c}', '2'), jsonb_insert('[1,2]', '{-9}', '0'), jsonb_insert('[1,2]', '{9}', '3');
SELECT jsonb_insert('{"a": {"b": 1}}', '{a, b}', '2');
SELECT json_object('{a, 1, b, 2, c, 3.5}'), json_object('{{a, 1}, {b, "def"}}'), json_object('{a, b}', '{1, 2}'), jsonb_object('{a,b}', '{1,2}'), jsonb_object(ARRAY['x', 'y'], ARRAY['1', NULL]);
SELECT json_object('{a, b, c}');
SELECT * FROM jsonb_to_record('{"a":1,"b":[1,2,3],"c":"bar","d":true,"e":{"k":"v"}}') AS x(a int, b text, c text, d text, e text, f int);
SELECT * FROM json_to_record('{"a":1,"b":[1,2,3],"d":false}') AS x(a int, b text, d boolean);
SELECT * FROM jsonb_to_recordset('[{"a":1,"b":true}, {"a":"2","c":"bar"}]') AS x(a int, b boolean, c text) ORDER BY a;
SELECT '{{1,5},{99,100}}'::int[], '{{a,b},{c,d}}'::text[], cardinality('{{1,5},{99,100}}'::int[]), array_to_json('{{1,5},{99,100}}'::int[]), to_json('{1,2}'::int[]);
SELECT '{{1,2},{3}}'::int[];
SELECT json_build_object('tags', '{x,y}'::text[], 'n', 1), jsonb_build_array('{1,2}'::int[], 3);
SELECT jsonb_agg(t) FROM (VALUES (1, 'a'), (2, 'b')) AS t(id, name);
SELECT row_to_json(t) FROM (VALUES (1, 'a', true)) AS t(id, name, ok);
SELECT json_agg(t ORDER BY t.id DESC) FROM (SELECT 1 AS id, 'x' AS n UNION ALL SELECT 2, 'y') AS t(id, n);
CREATE TABLE jf_flags (g text, bits int, mask bigint);
INSERT INTO jf_flags VALUES ('a', 12, 1), ('a', 10, 2), ('b', 7, 4), ('b', NULL, 8), ('c', NULL, NULL);
SELECT g, bit_and(bits), bit_or(bits), bit_xor(bits), bit_or(mask) FROM jf_flags GROUP BY g ORDER BY g;
SELECT bit_and(bits), bit_or(bits), bit_xor(mask) FROM jf_flags;
SELECT trim(leading from '  x  ') || '|', trim(trailing from '  x  ') || '|', trim(from '  x  ') || '|', trim(both from '  y ') || '|';
CREATE EXTENSION IF NOT EXISTS pgcrypto;
SELECT encode(hmac('data', 'key', 'sha256'), 'hex'), encode(hmac('data'::bytea, 'key'::bytea, 'md5'), 'hex'), encode(hmac('message', 'secret', 'sha1'), 'hex'), encode(hmac('', 'k', 'sha512'), 'base64');
SELECT crypt('pw', '$2a$04$7t8E9e8xvSw73MjLXBkVf..8ArMIb5ycAq7HEjD1U5YO8dYVesEMq') = '$2a$04$7t8E9e8xvSw73MjLXBkVf..8ArMIb5ycAq7HEjD1U5YO8dYVesEMq' AS ok, crypt('Pw', '$2a$04$7t8E9e8xvSw73MjLXBkVf..8ArMIb5ycAq7HEjD1U5YO8dYVesEMq') = '$2a$04$7t8E9e8xvSw73MjLXBkVf..8ArMIb5ycAq7HEjD1U5YO8dYVesEMq' AS wrong;
SELECT length(gen_random_bytes(16)), length(gen_salt('bf')), length(crypt('x', gen_salt('bf', 4))), crypt('x', gen_salt('bf', 5)) LIKE '$2a$05$%';
SELECT array_positions(ARRAY['a','b','a'], 'a'), array_positions(ARRAY[1,NULL,1], NULL), array_positions('{}'::int[], 1), array_positions(NULL::int[], 1), array_position(ARRAY[1,NULL,1], NULL), array_position(ARRAY[1,2], 3);
