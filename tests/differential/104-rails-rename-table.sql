-- Rails' rename_table: the table, then its primary key's index by the
-- conventional name, then its other indexes.
CREATE TABLE posts (id integer PRIMARY KEY, title text, slug text, CONSTRAINT posts_slug_key UNIQUE (slug));
CREATE INDEX index_posts_on_title ON posts (title);
INSERT INTO posts VALUES (1, 'a', 'a');
ALTER TABLE posts RENAME TO articles;
ALTER INDEX posts_pkey RENAME TO articles_pkey;
ALTER INDEX index_posts_on_title RENAME TO index_articles_on_title;
INSERT INTO articles VALUES (2, 'b', 'b');
INSERT INTO articles VALUES (2, 'c', 'c');
SELECT indexname FROM pg_indexes WHERE tablename = 'articles' AND indexname <> 'posts_slug_key' AND indexname <> 'articles_slug_key' ORDER BY 1;
SELECT conname, contype FROM pg_constraint WHERE conrelid = 'articles'::regclass AND contype = 'p';
ALTER INDEX no_such_index RENAME TO other_name;
SELECT id, title FROM articles ORDER BY id;
