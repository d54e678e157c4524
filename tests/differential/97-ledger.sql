-- A small double-entry ledger: numeric money, running balances, monthly
-- statements, currency formatting, and the migrations such an app runs.
CREATE TABLE lg_accounts (id serial PRIMARY KEY, code varchar(10) NOT NULL UNIQUE, name text NOT NULL, kind text NOT NULL CHECK (kind IN ('asset', 'liability', 'income', 'expense')), opened date NOT NULL DEFAULT '2024-01-01');
CREATE TABLE lg_entries (id serial PRIMARY KEY, posted date NOT NULL, memo text, account_id int NOT NULL REFERENCES lg_accounts(id), amount numeric(12,2) NOT NULL, currency char(3) NOT NULL DEFAULT 'EUR');
INSERT INTO lg_accounts (code, name, kind) VALUES ('1000', 'Cash', 'asset'), ('2000', 'Loan', 'liability'), ('4000', 'Sales', 'income'), ('5000', 'Rent', 'expense'), ('5100', 'Coffee', 'expense');
INSERT INTO lg_entries (posted, memo, account_id, amount) VALUES
 ('2024-01-03', 'opening loan', 1, 5000.00), ('2024-01-03', 'opening loan', 2, -5000.00),
 ('2024-01-15', 'invoice 1', 1, 1250.50), ('2024-01-15', 'invoice 1', 3, -1250.50),
 ('2024-01-31', 'january rent', 4, 900.00), ('2024-01-31', 'january rent', 1, -900.00),
 ('2024-02-02', 'beans', 5, 12.35), ('2024-02-02', 'beans', 1, -12.35),
 ('2024-02-15', 'invoice 2', 1, 2100.00), ('2024-02-15', 'invoice 2', 3, -2100.00),
 ('2024-02-29', 'february rent', 4, 900.00), ('2024-02-29', 'february rent', 1, -900.00),
 ('2024-03-01', 'beans', 5, 13.10), ('2024-03-01', 'beans', 1, -13.10);
SELECT sum(amount) AS must_be_zero FROM lg_entries;
SELECT a.code, a.name, sum(e.amount) AS balance FROM lg_accounts a JOIN lg_entries e ON e.account_id = a.id GROUP BY a.id ORDER BY a.code;
SELECT a.kind, sum(e.amount) AS total, count(*) AS lines FROM lg_accounts a JOIN lg_entries e ON e.account_id = a.id GROUP BY ROLLUP (a.kind) ORDER BY a.kind NULLS LAST;
SELECT posted, memo, amount, sum(amount) OVER (ORDER BY posted, id) AS running FROM lg_entries WHERE account_id = 1 ORDER BY posted, id;
SELECT date_trunc('month', posted) AS month, sum(amount) FILTER (WHERE amount > 0) AS debits, -sum(amount) FILTER (WHERE amount < 0) AS credits FROM lg_entries GROUP BY 1 ORDER BY 1;
SELECT to_char(posted, 'YYYY-MM') AS month, a.name, sum(e.amount) AS spent FROM lg_entries e JOIN lg_accounts a ON a.id = e.account_id WHERE a.kind = 'expense' GROUP BY 1, 2 ORDER BY 1, 2;
SELECT code, to_char(coalesce(sum(amount), 0), 'FM999G999G990D00') AS formatted FROM lg_accounts a LEFT JOIN lg_entries e ON e.account_id = a.id GROUP BY code ORDER BY code;
SELECT round(sum(amount) * 0.19, 2) AS vat, trunc(sum(amount) / 3, 4) AS third, sum(amount) / 3 AS exact_third FROM lg_entries WHERE account_id = 3;
SELECT amount, abs(amount) AS magnitude, sign(amount) AS sign, ceil(amount) AS up, floor(amount) AS down FROM lg_entries WHERE account_id = 5 ORDER BY id;
SELECT amount::int AS whole, amount::text AS txt, amount::float8 AS dbl, cast(amount AS numeric(10,1)) AS one_place FROM lg_entries WHERE memo = 'beans' ORDER BY id;
SELECT memo, count(*) AS legs, sum(amount) AS net FROM lg_entries GROUP BY memo HAVING sum(amount) <> 0 OR count(*) <> 2 ORDER BY memo;
SELECT posted, memo FROM lg_entries WHERE posted BETWEEN '2024-02-01' AND '2024-02-29' AND amount > 0 ORDER BY posted;
SELECT extract(month FROM posted) AS m, extract(dow FROM posted) AS dow, extract(doy FROM posted) AS doy, extract(week FROM posted) AS wk FROM lg_entries WHERE amount > 0 ORDER BY id;
SELECT posted, posted + 30 AS due, posted + interval '1 month' AS next_month, (posted + interval '1 month' - interval '1 day')::date AS month_end FROM lg_entries WHERE memo LIKE 'invoice%' AND amount > 0 ORDER BY posted;
SELECT date_trunc('month', posted)::date AS month, (date_trunc('month', posted) + interval '1 month - 1 day')::date AS last_day FROM lg_entries GROUP BY 1, 2 ORDER BY 1;
SELECT a.name, rank() OVER (ORDER BY sum(e.amount) DESC) AS rnk, sum(e.amount) AS total FROM lg_accounts a JOIN lg_entries e ON e.account_id = a.id WHERE a.kind = 'expense' GROUP BY a.name ORDER BY rnk;
SELECT account_id, amount, first_value(amount) OVER w AS first_amt, last_value(amount) OVER w AS last_amt, avg(amount) OVER w AS avg_amt FROM lg_entries WHERE account_id IN (4, 5) WINDOW w AS (PARTITION BY account_id ORDER BY posted ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) ORDER BY account_id, posted;
SELECT code, name FROM lg_accounts a WHERE NOT EXISTS (SELECT 1 FROM lg_entries e WHERE e.account_id = a.id AND e.posted >= '2024-02-01') ORDER BY code;
SELECT code FROM lg_accounts WHERE id IN (SELECT account_id FROM lg_entries GROUP BY account_id HAVING count(*) > 2) ORDER BY code;
SELECT code FROM lg_accounts WHERE id = ANY (ARRAY[1, 3, 5]) ORDER BY code;
SELECT code FROM lg_accounts WHERE id <> ALL (SELECT account_id FROM lg_entries WHERE amount < 0) ORDER BY code;
ALTER TABLE lg_entries ADD COLUMN reconciled boolean NOT NULL DEFAULT false;
UPDATE lg_entries SET reconciled = true WHERE posted < '2024-02-01';
SELECT reconciled, count(*), sum(amount) FROM lg_entries GROUP BY reconciled ORDER BY reconciled;
ALTER TABLE lg_accounts RENAME COLUMN name TO title;
SELECT code, title FROM lg_accounts ORDER BY code;
ALTER TABLE lg_entries ALTER COLUMN memo SET NOT NULL;
INSERT INTO lg_entries (posted, memo, account_id, amount) VALUES ('2024-03-02', NULL, 1, 1.00);
INSERT INTO lg_entries (posted, memo, account_id, amount) VALUES ('2024-03-02', 'bad account', 99, 1.00);
INSERT INTO lg_entries (posted, memo, account_id, amount) VALUES ('2024-03-02', 'too big', 1, 12345678901.00);
INSERT INTO lg_accounts (code, title, kind) VALUES ('6000', 'Misc', 'equity');
CREATE VIEW lg_balances AS SELECT a.code, a.title, a.kind, coalesce(sum(e.amount), 0) AS balance FROM lg_accounts a LEFT JOIN lg_entries e ON e.account_id = a.id GROUP BY a.id, a.code, a.title, a.kind;
SELECT * FROM lg_balances WHERE kind IN ('asset', 'liability') ORDER BY code;
SELECT kind, sum(balance) FROM lg_balances GROUP BY kind ORDER BY kind;
CREATE TABLE lg_archive AS SELECT * FROM lg_entries WHERE posted < '2024-02-01';
SELECT count(*), sum(amount), min(posted), max(posted) FROM lg_archive;
WITH moved AS (DELETE FROM lg_entries WHERE posted < '2024-02-01' RETURNING *) SELECT count(*), sum(amount) FROM moved;
SELECT count(*) FROM lg_entries;
SELECT currency, length(currency), currency || '/' AS slash FROM lg_entries LIMIT 1;
BEGIN;
INSERT INTO lg_entries (posted, memo, account_id, amount) VALUES ('2024-03-05', 'refund', 1, -50.00), ('2024-03-05', 'refund', 3, 50.00);
SAVEPOINT before_fee;
INSERT INTO lg_entries (posted, memo, account_id, amount) VALUES ('2024-03-05', 'fee', 1, -1.00);
ROLLBACK TO SAVEPOINT before_fee;
COMMIT;
SELECT memo, sum(amount) FROM lg_entries WHERE posted = '2024-03-05' GROUP BY memo ORDER BY memo;
