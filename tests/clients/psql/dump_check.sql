SELECT * FROM author ORDER BY id;
SELECT id, author_id, title, price, tags, meta FROM book ORDER BY id;
SELECT * FROM cheap_books ORDER BY id;
SELECT nextval('ticket_seq');
INSERT INTO author (name) VALUES ('Cy') RETURNING id;
INSERT INTO book (author_id, title) VALUES (4, 'Third') RETURNING id;
SELECT obj_description('book'::regclass, 'pg_class');
