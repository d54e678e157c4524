-- jsonb numbers keep their digits through edits and paths (-, ||, jsonb_set,
-- #-, #>, jsonb_strip_nulls, to_jsonb(row) - key), and decimal literals
-- keep their scale in the JSON builders, as PostgreSQL's numerics do.
create table jx_n (id int primary key, price numeric(10,2), doc jsonb);
insert into jx_n values (1, 19.90, '{"price": 19.90, "qty": 1.0, "big": 12345678901234567890, "e": 1e3, "neg": -0.50}');
select doc from jx_n;
select doc - 'qty' from jx_n;
select doc || '{"x": 2.50}' from jx_n;
select jsonb_set(doc, '{price}', '21.00') from jx_n;
select to_jsonb(j) - 'doc' from jx_n j;
select jsonb_build_object('p', price, 'q', 1.10) || '{}' from jx_n;
select (doc->'price')::numeric, doc->>'price', doc->'big', (doc->>'big')::numeric + 1 from jx_n;
select jsonb_agg(price) from jx_n;
select '[1.0, 2.50, 3]'::jsonb @> '[2.5]';
select jsonb_path_query(doc, '$.price') from jx_n;
select doc #- '{neg}' from jx_n;
select jsonb_strip_nulls('{"a": 1.50, "b": null}');
select jsonb_pretty('{"a": 1.50}');
select '{"a":1.50}'::json, '{"a":1.50}'::json->'a';
create table jx_m (id int primary key, price numeric(10,2));
insert into jx_m values (1, 19.90), (2, 5);
select jsonb_build_object('p', price, 'q', 1.10, 'n', -0.50, 'z', 00.5) from jx_m order by id;
select json_build_object('q', 1.10), json_build_array(1.10, 2.0, .5), to_json(1.10), to_jsonb(2.50);
select jsonb_agg(price order by id), json_agg(1.10) from jx_m;
select doc #> '{price}', doc #>> '{neg}', doc #>> '{e}' from jx_n;
update jx_n set doc = doc || jsonb_build_object('paid', 12.30) where id = 1 returning doc;
