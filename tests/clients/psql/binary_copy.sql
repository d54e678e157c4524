CREATE TABLE bt (i int, b bigint, s smallint, t text, n numeric(10,2), f float8, r real, ok boolean,
  d date, ts timestamp, tz timestamptz, u uuid, j jsonb, j2 json, by bytea, arr int[], tarr text[],
  iv interval, tm time, vc varchar(10), big numeric);
INSERT INTO bt VALUES
  (1, 9000000000, 3, E'h\u00e9\tllo', 12.34, 1.5, 2.25, true, '2024-02-29', '2024-03-01 12:30:45.123456',
   '2024-03-01 12:30:45+00', '12345678-1234-5678-1234-567812345678', '{"a": [1, null]}', '{"x":1}',
   '\x00ff', '{1,NULL,3}', '{a,"b c"}', '1 day 02:03:04', '13:14:15', 'short', 123456789.000123),
  (-2, -1, -32768, '', -0.50, -1e300, 'NaN', false, 'infinity', '1999-12-31 23:59:59',
   '-infinity', '00000000-0000-0000-0000-000000000000', '[]', 'null', '', '{}', '{""}',
   '-3 months', '00:00:00', '', 0),
  (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL);
