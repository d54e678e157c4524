-- Upserts that tell inserted rows from updated ones by xmax (RETURNING
-- (xmax = 0) AS inserted), row by row, with a DO UPDATE ... WHERE that
-- skips the update, and a plain INSERT whose xmax is 0.
CREATE TABLE ux_counts (k text PRIMARY KEY, n int NOT NULL DEFAULT 0, seen timestamptz);
INSERT INTO ux_counts (k, n) VALUES ('a', 1) ON CONFLICT (k) DO UPDATE SET n = ux_counts.n + EXCLUDED.n RETURNING k, n, (xmax = 0) AS inserted;
INSERT INTO ux_counts (k, n) VALUES ('a', 5), ('b', 2), ('c', 1) ON CONFLICT (k) DO UPDATE SET n = ux_counts.n + EXCLUDED.n RETURNING k, n, (xmax = 0) AS inserted, xmax <> 0 AS updated;
INSERT INTO ux_counts (k) VALUES ('z') RETURNING ux_counts.k, xmax;
INSERT INTO ux_counts AS u (k) VALUES ('b') ON CONFLICT (k) DO UPDATE SET n = u.n * 10 RETURNING k, n, xmax = 0 AS inserted;
INSERT INTO ux_counts (k) VALUES ('c') ON CONFLICT DO NOTHING RETURNING k, xmax = 0 AS inserted;
INSERT INTO ux_counts (k, n) SELECT 'd', 4 ON CONFLICT (k) DO UPDATE SET n = 0 RETURNING k, (xmax = 0) AS inserted;
INSERT INTO ux_counts (k, n) SELECT 'd', 4 ON CONFLICT (k) DO UPDATE SET n = 0 RETURNING k, (xmax = 0) AS inserted;
INSERT INTO ux_counts (k, n) VALUES ('d', 9) ON CONFLICT (k) DO UPDATE SET n = EXCLUDED.n WHERE ux_counts.n > 100 RETURNING k, (xmax = 0) AS inserted;
INSERT INTO ux_counts (k, n) VALUES ('e', 9) ON CONFLICT (k) DO UPDATE SET n = EXCLUDED.n WHERE ux_counts.n > 100 RETURNING k, (xmax = 0) AS inserted;
SELECT k, n FROM ux_counts ORDER BY k;
