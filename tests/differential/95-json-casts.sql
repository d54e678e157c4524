-- json and jsonb across casts: a json or text value cast to jsonb takes
-- jsonb's canonical text (sorted unique keys, PostgreSQL's spacing).
CREATE TABLE j (id int, doc json, docb jsonb, t text);
INSERT INTO j VALUES (1, '{"k":  [1,2], "s": "v", "a": 1}', '{"k":  [1,2], "s": "v"}', '{"z": 1, "a": [1,2]}');
SELECT doc::jsonb, docb::json, t::jsonb, (doc::jsonb) -> 'k' AS k, jsonb_typeof(t::jsonb), docb::jsonb FROM j;
INSERT INTO j (id, docb) SELECT 2, doc::jsonb FROM j WHERE id = 1 RETURNING docb;
SELECT json_object_keys('{"b": 1, "a": 2}');
SELECT docb -> 'k', json_extract_path(doc, 'k'), json_array_elements(doc -> 'k') FROM j WHERE id = 1;
