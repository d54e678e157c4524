-- Division over numeric columns as applications write it: money columns
-- (numeric(10,2)) and unconstrained numerics holding whole numbers, shares
-- and averages computed by hand, ratios in WHERE, HAVING and ORDER BY,
-- the `x / nullif(y, 0)` guard. SQLite stores a whole numeric as an
-- integer, so each of these divides integers unless the column's type is
-- consulted.
CREATE TABLE nd_orders (id int PRIMARY KEY, customer text NOT NULL, total numeric(10,2) NOT NULL, items int NOT NULL, weight numeric, discount float8);
INSERT INTO nd_orders VALUES (1, 'ann', 10, 4, 3, 0.5), (2, 'ann', 25.50, 3, 7, 1), (3, 'bob', 7, 2, 10, 0), (4, 'bob', 100, 8, 1, 2.5), (5, 'cy', 0, 0, NULL, NULL);
SELECT id, total / 4 AS quarter, weight / 4 AS wq, items / 4 AS iq FROM nd_orders ORDER BY id;
SELECT id, (total * 2) / 8 AS x, (weight + 1) / 2 AS y, weight * 1.0 / 3 AS z FROM nd_orders WHERE id < 5 ORDER BY id;
SELECT id, total / items AS per_item FROM nd_orders WHERE items > 0 ORDER BY id;
SELECT id, total / nullif(items, 0) AS per_item FROM nd_orders ORDER BY id;
SELECT id FROM nd_orders WHERE total / 4 > 2 ORDER BY id;
SELECT id FROM nd_orders WHERE weight / 4 = 1.75;
SELECT id FROM nd_orders WHERE weight / 2 BETWEEN 1.2 AND 3.6 ORDER BY id;
SELECT id, round(total / 3, 2) AS third, round(weight / 3, 2) AS wthird FROM nd_orders ORDER BY id;
SELECT id, round(100 * weight / 7, 1) AS pct FROM nd_orders WHERE weight IS NOT NULL ORDER BY id;
SELECT customer, sum(total) / count(*) AS mean, sum(weight) / 2 AS half FROM nd_orders GROUP BY customer ORDER BY customer;
SELECT customer FROM nd_orders GROUP BY customer HAVING sum(weight) / count(*) > 5 ORDER BY customer;
SELECT id, weight FROM nd_orders WHERE weight IS NOT NULL ORDER BY weight / 3 DESC, id;
SELECT count(*) FILTER (WHERE weight / 4 > 2) AS heavy FROM nd_orders;
SELECT id, CASE WHEN weight / 4 > 1 THEN 'big' ELSE 'small' END AS size FROM nd_orders WHERE weight IS NOT NULL ORDER BY id;
SELECT id, weight / discount AS per_discount FROM nd_orders WHERE discount > 0 ORDER BY id;
SELECT id, weight % 3 AS rem, items % 3 AS irem FROM nd_orders WHERE weight IS NOT NULL ORDER BY id;
WITH shares AS (SELECT id, weight / 4 AS q FROM nd_orders WHERE weight IS NOT NULL) SELECT id FROM shares WHERE q > 1 ORDER BY id;
SELECT id, (SELECT max(weight) FROM nd_orders) / weight AS ratio FROM nd_orders WHERE weight IS NOT NULL ORDER BY id;
SELECT o.id, o.weight / p.weight AS rel FROM nd_orders o JOIN nd_orders p ON p.id = 1 WHERE o.weight IS NOT NULL ORDER BY o.id;
UPDATE nd_orders SET weight = weight / 4 WHERE id = 1 RETURNING id, weight;
SELECT id, weight FROM nd_orders WHERE id = 1;
SELECT total / 0 FROM nd_orders WHERE id = 1;
SELECT weight / items FROM nd_orders WHERE id = 5;
SELECT id, -weight / 4 AS neg FROM nd_orders WHERE id = 3;
SELECT id, weight * total AS wt, weight + total AS ws, total - weight AS wd, items * total AS it FROM nd_orders WHERE id > 1 ORDER BY id;
SELECT customer, sum(weight * total) AS wt FROM nd_orders WHERE id > 1 GROUP BY customer ORDER BY customer;
DROP TABLE nd_orders;
-- Reports over money columns: weighted averages, shares of a total, growth
-- rates over lag(), unit prices and margins.
CREATE TABLE nd_sales (id int primary key, day date, region text, price numeric(10,2), qty int, cost numeric);
INSERT INTO nd_sales values (1, '2024-01-01', 'n', 10.00, 3, 4), (2, '2024-01-02', 'n', 12.50, 1, 5.5), (3, '2024-01-02', 's', 8.25, 4, 3), (4, '2024-02-01', 's', 20, 2, 11), (5, '2024-02-03', 'n', 15.75, 5, 7.25);
select round(avg(price), 2), avg(price), ceil(avg(price)), floor(price / 2) from nd_sales group by price order by 1;
select id, price - lag(price) over (order by id) as diff, 100 * (price - lag(price) over (order by id)) / lag(price) over (order by id) as growth from nd_sales order by id;
select id, round(100 * (price - lag(price) over (order by id)) / lag(price) over (order by id), 1) as growth from nd_sales order by id;
select region, sum(price * qty) / sum(qty) as wavg from nd_sales group by region order by region;
select region, sum(price * qty) as revenue, sum(price * qty) / (select sum(price * qty) from nd_sales) * 100 as share from nd_sales group by region order by region;
select to_char(day, 'YYYY-MM') as month, sum(price * qty) as revenue, count(*) from nd_sales group by 1 order by 1;
select date_trunc('month', day) as m, avg(price) from nd_sales group by 1 order by 1;
select id, price / qty as unit, (price - cost) / price as margin from nd_sales order by id;
select id, cast(price / qty as numeric(10,2)) as unit, (price / qty)::numeric(10,3) as u3 from nd_sales order by id;
select sum(price) / count(*) as mean, sum(price) / count(distinct region) from nd_sales;
select region, round(sum(price)::numeric / count(*), 2) from nd_sales group by region order by 1;
select id, price * qty * 1.0 / 3 from nd_sales order by id;
select region, percentile_cont(0.5) within group (order by price) as med from nd_sales group by region order by region;
select id, qty / 2, qty / 2.0, qty::numeric / 2, qty * 1.0 / 2 from nd_sales order by id;
select id, sum(qty) over (order by id) / id as running from nd_sales order by id;
DROP TABLE nd_sales;
-- Durations and amounts divided: epochs of intervals, cents to dollars, JSON
-- fields cast to numeric, date_part's double.
CREATE TABLE nd_ev (id int primary key, started timestamp, ended timestamp, amount_cents int, data jsonb);
INSERT INTO nd_ev values (1, '2024-01-01 10:00', '2024-01-01 10:01:30', 1999, '{"amount": "12.5", "n": 3}'), (2, '2024-01-01 11:00', '2024-01-01 13:00', 500, '{"amount": 7, "n": 2}');
select id, extract(epoch from (ended - started)) / 60 as minutes from nd_ev order by id;
select id, extract(epoch from ended - started)::int / 60 as m2 from nd_ev order by id;
select id, amount_cents / 100.0 as dollars, amount_cents / 100 as whole, amount_cents::numeric / 100 as d2 from nd_ev order by id;
select id, (data->>'amount')::numeric / (data->>'n')::int as per from nd_ev order by id;
select id from nd_ev where (data->>'amount')::numeric / 2 > 5 order by id;
select sum(amount_cents) / 100.0 as total from nd_ev;
select id, round(extract(epoch from ended - started) / 3600, 2) as hours from nd_ev order by id;
select avg(extract(epoch from ended - started)) from nd_ev;
select id, date_part('epoch', ended - started) / 60 from nd_ev order by id;
DROP TABLE nd_ev;
-- Window shares, moving sums and deviations over a numeric(6,2) column,
-- % and mod() of numerics.
CREATE TABLE nd_sc (id int primary key, grp text, v numeric(6,2), n int);
INSERT INTO nd_sc values (1,'a',10,1),(2,'a',20,2),(3,'a',20,3),(4,'b',5,4),(5,'b',7.5,5),(6,'b',null,6);
select id, percent_rank() over (order by v), cume_dist() over (order by v), ntile(3) over (order by id) from nd_sc order by id;
select id, round(percent_rank() over (partition by grp order by v)::numeric, 2) as pr from nd_sc order by id;
select id, v / sum(v) over (partition by grp) as share, 100.0 * n / sum(n) over () as pct from nd_sc order by id;
select grp, stddev(v), variance(n), avg(n)::numeric(10,2), sum(v)/count(v) from nd_sc group by grp order by grp;
select id, sum(v) over (order by id rows between 1 preceding and current row) / 2 as mov from nd_sc order by id;
select id, avg(v) over (partition by grp) from nd_sc order by id;
select id, v - avg(v) over (partition by grp) as dev from nd_sc order by id;
select grp, max(v) / min(v) as ratio from nd_sc group by grp order by grp;
select id, n % 4, v % 3 from nd_sc order by id;
select id, div(n, 4), mod(n, 4), div(v, 3), mod(v, 3) from nd_sc where v is not null order by id;
DROP TABLE nd_sc;
-- Interest and balances over numeric(12,2) and numeric(5,4) columns: a
-- division guarded by CASE, square roots, truncation of quotients.
create table nd_acct (id int primary key, owner text, balance numeric(12,2), rate numeric(5,4), opened date);
insert into nd_acct values (1, 'a', 1000, 0.0125, '2020-01-15'), (2, 'b', 250.5, 0.03, '2023-06-01'), (3, 'c', 0, 0.05, '2024-12-31');
select id, balance * rate as interest, round(balance * rate, 2) as r, balance * (1 + rate) as grown from nd_acct order by id;
select id, (date '2025-06-01' - opened) / 365 as years from nd_acct where id = 1;
select id, age(date '2025-01-01', opened) from nd_acct order by id;
select id, extract(year from age(date '2025-01-01', opened)) as yrs from nd_acct order by id;
select id, to_char(balance, 'FM999,999.00') as fmt, to_char(rate * 100, 'FM990.00') || '%' as pct from nd_acct order by id;
select sum(balance) filter (where balance > 100) / count(*) filter (where balance > 100) from nd_acct;
select id, case when balance = 0 then null else 1000 / balance end as inv from nd_acct order by id;
select id, balance / 3 * 3 as back from nd_acct order by id;
select id, trunc(balance / 7, 3), ceil(balance / 7), floor(balance / 7) from nd_acct order by id;
select id, sqrt(balance), abs(balance - 500) from nd_acct order by id;
DROP TABLE nd_acct;
-- numeric(10,2) values are stored rounded to two places (half away from
-- zero), so arithmetic on them later sees what PostgreSQL stored.
CREATE TABLE nd_pr (id int PRIMARY KEY, price numeric(10,2), amt numeric(10,2));
INSERT INTO nd_pr VALUES (1, 12.99, 1.005), (2, 1.01, 2.675), (3, 0.29, 1.115);
UPDATE nd_pr SET price = price / 2 RETURNING *;
UPDATE nd_pr SET amt = amt * 3 RETURNING *;
SELECT id, round(price / 3, 2), round(amt * 1.5, 2), round(2.675, 2), round(amt / 2, 1) FROM nd_pr ORDER BY id;
INSERT INTO nd_pr VALUES (4, 10 / 3.0, 2.5 / 2);
SELECT * FROM nd_pr ORDER BY id;
DROP TABLE nd_pr;
-- Computed values stored into numeric(10,2): by UPDATE and by INSERT ...
-- SELECT, with and without a column list.
CREATE TABLE nd_ba (id int PRIMARY KEY, bal numeric(10,2));
INSERT INTO nd_ba VALUES (1, 100.00), (2, 33.33), (3, 0.01);
UPDATE nd_ba SET bal = bal * 1.015;
UPDATE nd_ba SET bal = bal / 3 WHERE id = 2;
SELECT id, bal, bal * 3 FROM nd_ba ORDER BY id;
SELECT sum(bal) FROM nd_ba;
INSERT INTO nd_ba SELECT id + 10, bal / 7 FROM nd_ba;
INSERT INTO nd_ba (bal, id) SELECT sum(bal) / 9, 20 FROM nd_ba WHERE id > 10;
SELECT id, bal, bal * 7 FROM nd_ba ORDER BY id;
DROP TABLE nd_ba;
