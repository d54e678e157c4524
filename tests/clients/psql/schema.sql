CREATE TABLE authors (id serial PRIMARY KEY, name varchar(80) NOT NULL UNIQUE, born date, active boolean DEFAULT true);
CREATE TABLE books (id serial PRIMARY KEY, author_id integer NOT NULL REFERENCES authors(id) ON DELETE CASCADE, title text NOT NULL, price numeric(8,2) DEFAULT 0, tags text[]);
CREATE INDEX books_title_idx ON books (title);
CREATE VIEW cheap_books AS SELECT id, title FROM books WHERE price < 10;
INSERT INTO authors (name, born) VALUES ('Ann', '1970-01-02'), ('Bob', NULL);
INSERT INTO books (author_id, title, price) VALUES (1, 'Alpha', 5.5), (1, 'Beta', 12), (2, 'Gamma', 7.25);
CREATE FUNCTION book_count(author integer) RETURNS bigint LANGUAGE sql AS $$SELECT count(*) FROM books WHERE author_id = author$$;
CREATE FUNCTION shout(t text, times integer) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RETURN repeat(upper(t), times); END $$;
