-- Float specials (NaN, infinities) and the two-variable statistics BI
-- tools and reports use (corr, covar_*, regr_*). Local tenants: remote
-- libSQL servers do not have pgtenant's statistics functions.
CREATE TABLE sales (id int PRIMARY KEY, region text, qty int, amount numeric(10,2));
INSERT INTO sales VALUES (1, 'north', 1, 10.50), (2, 'north', 2, 19.00), (3, 'south', 5, 48.25), (4, 'south', NULL, 7.00), (5, 'east', 3, 30.00), (6, 'east', 3, NULL);
CREATE TABLE float_specials (id int PRIMARY KEY, f float8, r real);
INSERT INTO float_specials VALUES (1, 'NaN', 'nan'), (2, 'Infinity', '-Infinity'), (3, 1.5, 2), (4, NULL, NULL);
INSERT INTO float_specials SELECT 5, 'NaN'::float8, 'NaN'::real;
SELECT id, f, r, f IS NULL AS missing FROM float_specials ORDER BY f, id;
SELECT count(*) FILTER (WHERE f = 'NaN') AS nans, max(f), min(r) FROM float_specials;
SELECT regr_count(amount, qty), round(corr(amount, qty)::numeric, 10), round(regr_slope(amount, qty)::numeric, 10), round(regr_intercept(amount, qty)::numeric, 10), round(regr_r2(amount, qty)::numeric, 10) FROM sales;
SELECT round(covar_pop(amount, qty)::numeric, 10), round(covar_samp(amount, qty)::numeric, 10), regr_avgx(amount, qty), round(regr_avgy(amount, qty)::numeric, 10), regr_sxx(amount, qty) >= 0 FROM sales;
SELECT region, regr_count(amount, qty), corr(amount, qty) IS NULL AS no_corr FROM sales GROUP BY region ORDER BY region;
SELECT corr(x, y), regr_slope(x, y), regr_r2(x, y) FROM (VALUES (1.0, 2.0), (2.0, 2.0)) v(x, y);
