-- The PostgreSQL manual's mathematical and formatting function tables:
-- trigonometry in radians and degrees (exact at the angles people check),
-- hyperbolic functions, scale/min_scale of written decimals, negated
-- intervals, and to_char's numeric templates (digit positions, zero fill,
-- fill mode, the sign patterns, V, EEEE, RN, TH) on a table of amounts.
SELECT atan2(1, 0), atan2(-1, -1), cot(1), sind(30), cosd(60), tand(45), cotd(45), asind(0.5), acosd(0.5), atand(1), atan2d(1, 1);
SELECT x, sind(x), cosd(x), tand(x) FROM generate_series(-360, 360, 45) AS x ORDER BY x;
SELECT sinh(1), cosh(1), tanh(1), asinh(1), acosh(2), atanh(0.5);
SELECT asin(2);
SELECT acosh(0.5);
SELECT scale(8.4100), min_scale(8.4100), trim_scale(8.4100), scale(-1.50), min_scale(2), scale(42);
SELECT - interval '23 hours', -interval '1 day 2 hours', -(interval '2 hours'), -'1 mon'::interval;
SELECT timestamp '2024-03-01 12:00' + -interval '1 day', timestamp '2024-03-01 12:00' - -interval '90 minutes';
CREATE TABLE nf_amounts (id int PRIMARY KEY, amount numeric(12,3), ratio double precision);
INSERT INTO nf_amounts VALUES (1, 0, 0), (2, 1, 0.5), (3, -1, -0.25), (4, 0.5, 1e-7), (5, -0.5, 123456.789), (6, 12, -2.6751), (7, -12.345, 99.5), (8, 123.456, 1e9), (9, 9999.995, -0.0049), (10, 1234567.891, 3), (11, 0.001, 21), (12, -0.004, 1234.5);
SELECT id, to_char(amount, '999'), to_char(amount, '9999.99'), to_char(amount, 'FM9999.99'), to_char(amount, '0000.00'), to_char(amount, 'FM0000.00') FROM nf_amounts ORDER BY id;
SELECT id, to_char(amount, '9G999D99'), to_char(amount, 'FM9G999G999D99'), to_char(amount, 'FM$9,999,990.00'), to_char(amount, 'L9999.9'), to_char(amount, '9,999.0') FROM nf_amounts ORDER BY id;
SELECT id, to_char(amount, 'S9999'), to_char(amount, '9999S'), to_char(amount, '999MI'), to_char(amount, 'PL999'), to_char(amount, 'SG999'), to_char(amount, '999PR'), to_char(amount, 'FM999PR') FROM nf_amounts ORDER BY id;
SELECT id, to_char(amount, '9.99EEEE'), to_char(amount, 'RN'), to_char(amount, 'FMrn'), to_char(amount, '9999th'), to_char(amount, 'FM9999TH'), to_char(amount, '99V99') FROM nf_amounts ORDER BY id;
SELECT id, to_char(amount, 'FM990.00'), to_char(amount, 'FM999.00'), to_char(amount, 'FM9.999'), to_char(amount, '0.99'), to_char(amount, '.999'), to_char(amount, '"Total: "FM999,999.00') FROM nf_amounts ORDER BY id;
SELECT id, to_char(ratio, 'FM999999990.999'), to_char(ratio, '9.99EEEE'), to_char(ratio, 'FM0.99999999') FROM nf_amounts WHERE abs(ratio) < 1 ORDER BY id;
SELECT to_char(485, 'RN'), to_char(4, '9th'), to_char(21, '99TH'), to_char(12, '9990999.9'), to_char(1, '00G00'), to_char(12, '9 9 9'), to_char(-12, '$999'), to_char(1, '9.');
SELECT to_char(12, '999.99V9');
SELECT to_number('12,454.8-', '99G999D9S'), to_number('<12>', '99PR'), to_number('$1,234.50', 'L9G999D99');
