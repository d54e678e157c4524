-- AT TIME ZONE results are stored and compared like any timestamptz or
-- timestamp value (pgtenant's own pg_at_time_zone: local tenants).
CREATE TABLE ev (id int, t timestamptz, l timestamp);
INSERT INTO ev VALUES (1, '2024-07-01 12:00:00+00', '2024-07-01 08:00:00');
SELECT l AT TIME ZONE 'America/New_York', t AT TIME ZONE 'America/New_York', timezone('UTC', l) FROM ev;
SELECT count(*) FROM ev WHERE t = l AT TIME ZONE 'America/New_York';
SELECT (timestamp '2024-01-01 12:00' AT TIME ZONE 'UTC') = timestamptz '2024-01-01 12:00+00', now() = now() AT TIME ZONE 'UTC' AT TIME ZONE 'UTC';
SELECT timestamp '2024-01-01 12:00' AT TIME ZONE 'Europe/Berlin', (timestamptz '2024-01-01 12:00+00' AT TIME ZONE 'Asia/Tokyo') AT TIME ZONE 'Asia/Tokyo';
INSERT INTO ev SELECT 2, l AT TIME ZONE 'UTC', t AT TIME ZONE 'UTC' FROM ev WHERE id = 1;
SELECT id, t, l FROM ev WHERE t > '2024-01-01' ORDER BY id;
SELECT date_trunc('day', l AT TIME ZONE 'UTC') FROM ev ORDER BY 1;
