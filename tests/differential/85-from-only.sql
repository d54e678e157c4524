-- ONLY before a table name (pg_dump, partition-aware tools): a table
-- without inheritance children is just itself. INHERITS is refused by name.
CREATE TABLE acct (id int PRIMARY KEY, v text);
INSERT INTO acct VALUES (1, 'x'), (2, 'y');
SELECT * FROM ONLY acct ORDER BY id;
SELECT a.id FROM acct a JOIN ONLY acct b ON a.id = b.id ORDER BY 1;
UPDATE ONLY acct SET v = 'z' WHERE id = 1 RETURNING *;
DELETE FROM ONLY acct WHERE id = 2 RETURNING id;
SELECT * FROM acct ORDER BY id;
SELECT 1 AS one FROM acct FETCH FIRST 1 ROWS ONLY;
