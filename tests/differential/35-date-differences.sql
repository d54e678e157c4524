-- Days between a date column and a known date, either way round, and the
-- types the schema decides; jsonb_typeof of strings.
CREATE TABLE invoices (id int PRIMARY KEY, issued_on date, due_on date, paid_at timestamp, batch int, meta jsonb);
INSERT INTO invoices VALUES (1, '2024-01-05', '2024-02-04', '2024-01-20 10:00', 3, '{"kind": "std", "n": 1, "ok": true, "tags": ["a"]}'), (2, '2024-02-11', '2024-03-12', NULL, 7, '{"kind": null}'), (3, NULL, NULL, NULL, NULL, NULL);
SELECT id, issued_on - date '2024-01-01' AS since_new_year, date '2024-03-01' - issued_on AS until_march FROM invoices ORDER BY id;
SELECT id, due_on - issued_on AS term, date '2024-03-01' - batch AS shifted FROM invoices ORDER BY id;
SELECT id, paid_at - date '2024-01-01' AS since FROM invoices ORDER BY id;
SELECT id FROM invoices WHERE due_on - date '2024-02-01' > 5 ORDER BY id;
SELECT id, jsonb_typeof(meta -> 'kind'), jsonb_typeof(meta -> 'n'), jsonb_typeof(meta -> 'ok'), jsonb_typeof(meta -> 'tags'), jsonb_typeof(meta) FROM invoices ORDER BY id;
SELECT json_typeof('"x"'), jsonb_typeof('null'), jsonb_typeof('1.5');
