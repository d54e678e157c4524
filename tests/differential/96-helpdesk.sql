-- A helpdesk application: tickets, comments, tags, SLA reports, and the
-- statements its ORM and its hand-written reports send.
CREATE TABLE hd_agents (id bigserial PRIMARY KEY, email varchar(120) NOT NULL UNIQUE, name text NOT NULL, active boolean NOT NULL DEFAULT true, hired_on date);
CREATE TABLE hd_tickets (id bigserial PRIMARY KEY, subject varchar(200) NOT NULL, status varchar(20) NOT NULL DEFAULT 'open' CHECK (status IN ('open','pending','solved','closed')), priority smallint NOT NULL DEFAULT 2, agent_id bigint REFERENCES hd_agents(id) ON DELETE SET NULL, opened_at timestamp NOT NULL, solved_at timestamp, tags text[] NOT NULL DEFAULT '{}', meta jsonb NOT NULL DEFAULT '{}'::jsonb);
CREATE INDEX hd_tickets_status_idx ON hd_tickets (status, opened_at DESC);
CREATE TABLE hd_comments (id bigserial PRIMARY KEY, ticket_id bigint NOT NULL REFERENCES hd_tickets(id) ON DELETE CASCADE, author text NOT NULL, body text NOT NULL, public boolean NOT NULL DEFAULT true, created_at timestamp NOT NULL);
INSERT INTO hd_agents (email, name, hired_on) VALUES ('ann@example.com', 'Ann Lee', '2021-03-01'), ('bob@example.com', 'Bob Roy', '2022-07-15'), ('cy@example.com', 'Cy Dao', NULL) RETURNING id, email;
UPDATE hd_agents SET active = false WHERE email = 'cy@example.com';
INSERT INTO hd_tickets (subject, status, priority, agent_id, opened_at, solved_at, tags, meta) VALUES
 ('Cannot log in', 'solved', 1, 1, '2024-05-01 09:00', '2024-05-01 11:30', '{login,urgent}', '{"channel": "email", "plan": "pro"}'),
 ('Invoice wrong', 'open', 2, 2, '2024-05-02 10:15', NULL, '{billing}', '{"channel": "web"}'),
 ('Feature request: dark mode', 'pending', 3, NULL, '2024-05-03 08:00', NULL, '{}', '{"channel": "web", "votes": 12}'),
 ('App crashes on start', 'solved', 1, 2, '2024-05-03 12:00', '2024-05-05 12:00', '{mobile,urgent}', '{"channel": "phone", "plan": "free"}'),
 ('Password reset email', 'closed', 2, 1, '2024-05-04 16:45', '2024-05-04 17:05', '{login}', '{"channel": "email"}');
INSERT INTO hd_comments (ticket_id, author, body, public, created_at) VALUES
 (1, 'customer', 'I cannot log in since yesterday', true, '2024-05-01 09:00'),
 (1, 'Ann Lee', 'Reset your password please', true, '2024-05-01 10:00'),
 (1, 'Ann Lee', 'internal: SSO outage', false, '2024-05-01 10:05'),
 (2, 'customer', 'Charged twice', true, '2024-05-02 10:15'),
 (4, 'Bob Roy', 'Fixed in 2.3.1', true, '2024-05-05 11:00'),
 (4, 'customer', 'Thanks!', true, '2024-05-05 12:00');
SELECT t.id, t.subject, a.name AS agent, count(c.id) AS comments FROM hd_tickets t LEFT JOIN hd_agents a ON a.id = t.agent_id LEFT JOIN hd_comments c ON c.ticket_id = t.id GROUP BY t.id, a.name ORDER BY t.id;
SELECT status, count(*) AS n, round(avg(priority), 2) AS avg_priority FROM hd_tickets GROUP BY status ORDER BY n DESC, status;
SELECT id, subject, solved_at - opened_at AS time_to_solve FROM hd_tickets WHERE solved_at IS NOT NULL ORDER BY time_to_solve;
SELECT id, extract(epoch FROM solved_at - opened_at) / 3600 AS hours FROM hd_tickets WHERE solved_at IS NOT NULL ORDER BY id;
SELECT avg(solved_at - opened_at) AS mean_resolution, max(solved_at - opened_at) AS worst FROM hd_tickets;
SELECT id, subject FROM hd_tickets WHERE 'urgent' = ANY(tags) ORDER BY id;
SELECT id, subject FROM hd_tickets WHERE tags && ARRAY['billing', 'mobile'] ORDER BY id;
SELECT id, tags FROM hd_tickets WHERE tags @> '{login}' ORDER BY id;
SELECT id, cardinality(tags) AS ntags, array_to_string(tags, ', ') AS tag_list FROM hd_tickets ORDER BY id;
SELECT tag, count(*) FROM hd_tickets, unnest(tags) AS tag GROUP BY tag ORDER BY count(*) DESC, tag;
SELECT meta->>'channel' AS channel, count(*) FROM hd_tickets GROUP BY 1 ORDER BY 2 DESC, 1;
SELECT id, meta->>'plan' AS plan, coalesce((meta->>'votes')::int, 0) AS votes FROM hd_tickets ORDER BY id;
SELECT id FROM hd_tickets WHERE meta ? 'plan' ORDER BY id;
SELECT id FROM hd_tickets WHERE meta @> '{"channel": "web"}' ORDER BY id;
UPDATE hd_tickets SET meta = meta || '{"escalated": true}'::jsonb WHERE priority = 1 RETURNING id, meta;
UPDATE hd_tickets SET meta = jsonb_set(meta, '{votes}', to_jsonb(coalesce((meta->>'votes')::int, 0) + 1)) WHERE id = 3 RETURNING meta;
UPDATE hd_tickets SET meta = meta - 'escalated' WHERE id = 4 RETURNING meta;
SELECT a.name, count(t.id) FILTER (WHERE t.status IN ('solved', 'closed')) AS done, count(t.id) FILTER (WHERE t.status IN ('open', 'pending')) AS todo FROM hd_agents a LEFT JOIN hd_tickets t ON t.agent_id = a.id GROUP BY a.id, a.name ORDER BY a.name;
SELECT date_trunc('day', opened_at)::date AS day, count(*) FROM hd_tickets GROUP BY 1 ORDER BY 1;
SELECT d::date AS day, count(t.id) FROM generate_series('2024-05-01'::date, '2024-05-05'::date, interval '1 day') AS d LEFT JOIN hd_tickets t ON t.opened_at::date = d::date GROUP BY d ORDER BY d;
SELECT to_char(opened_at, 'YYYY-MM-DD HH24:MI') AS opened, to_char(opened_at, 'Dy DD Mon') AS short FROM hd_tickets ORDER BY id;
SELECT id, subject, CASE WHEN priority = 1 THEN 'high' WHEN priority = 2 THEN 'normal' ELSE 'low' END AS prio FROM hd_tickets ORDER BY priority, id;
SELECT t.id, (SELECT c.body FROM hd_comments c WHERE c.ticket_id = t.id ORDER BY c.created_at DESC LIMIT 1) AS last_comment FROM hd_tickets t ORDER BY t.id;
SELECT t.id, lc.author, lc.created_at FROM hd_tickets t CROSS JOIN LATERAL (SELECT author, created_at FROM hd_comments c WHERE c.ticket_id = t.id ORDER BY created_at DESC LIMIT 1) lc ORDER BY t.id;
SELECT DISTINCT ON (ticket_id) ticket_id, author, body FROM hd_comments ORDER BY ticket_id, created_at DESC;
SELECT ticket_id, string_agg(author, ' > ' ORDER BY created_at) AS thread FROM hd_comments GROUP BY ticket_id ORDER BY ticket_id;
SELECT ticket_id, json_agg(json_build_object('by', author, 'at', created_at) ORDER BY created_at) AS items FROM hd_comments WHERE public GROUP BY ticket_id ORDER BY ticket_id;
SELECT id, subject, count(*) OVER () AS total FROM hd_tickets WHERE status <> 'closed' ORDER BY opened_at DESC LIMIT 2 OFFSET 1;
SELECT id, opened_at, row_number() OVER (PARTITION BY agent_id ORDER BY opened_at) AS nth, lag(opened_at) OVER (PARTITION BY agent_id ORDER BY opened_at) AS previous FROM hd_tickets WHERE agent_id IS NOT NULL ORDER BY agent_id, nth;
SELECT id FROM hd_tickets WHERE (opened_at, id) < ('2024-05-03 12:00', 4) ORDER BY opened_at DESC, id DESC LIMIT 2;
SELECT id, subject FROM hd_tickets WHERE subject ILIKE '%log%' OR subject ~* 'crash' ORDER BY id;
SELECT id, upper(left(subject, 10)) AS head, length(subject) AS len, position('in' IN subject) AS pos FROM hd_tickets ORDER BY id;
SELECT id, regexp_replace(subject, '\s+', '_', 'g') AS slug, lower(replace(subject, ' ', '-')) AS dash FROM hd_tickets ORDER BY id;
SELECT split_part(email, '@', 1) AS local, split_part(email, '@', 2) AS domain, initcap(name) FROM hd_agents ORDER BY id;
SELECT name, hired_on, age('2024-06-01'::date, hired_on) AS tenure, date_part('year', age('2024-06-01'::date, hired_on)) AS years FROM hd_agents ORDER BY id;
SELECT name, coalesce(to_char(hired_on, 'Mon YYYY'), 'unknown') AS since FROM hd_agents ORDER BY id;
SELECT EXISTS (SELECT 1 FROM hd_tickets WHERE status = 'open' AND agent_id IS NULL) AS unassigned_open, EXISTS (SELECT 1 FROM hd_tickets WHERE status = 'pending' AND agent_id IS NULL) AS unassigned_pending;
UPDATE hd_tickets t SET agent_id = a.id FROM hd_agents a WHERE a.email = 'bob@example.com' AND t.agent_id IS NULL RETURNING t.id, t.agent_id;
DELETE FROM hd_comments c USING hd_tickets t WHERE c.ticket_id = t.id AND t.status = 'closed' AND NOT c.public RETURNING c.id;
WITH solved AS (UPDATE hd_tickets SET status = 'closed' WHERE status = 'solved' AND solved_at < '2024-05-02' RETURNING id) SELECT count(*) FROM solved;
SELECT id, status FROM hd_tickets ORDER BY id;
INSERT INTO hd_agents (email, name) VALUES ('ann@example.com', 'Ann Again') ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name || ' (dup)' RETURNING id, name;
INSERT INTO hd_agents (email, name) VALUES ('ann@example.com', 'Ann Third') ON CONFLICT DO NOTHING RETURNING id;
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY priority) AS median_priority, mode() WITHIN GROUP (ORDER BY status) AS common_status FROM hd_tickets;
SELECT agent_id, bool_and(status = 'solved' OR status = 'closed') AS all_done, bool_or(priority = 1) AS any_high FROM hd_tickets GROUP BY agent_id ORDER BY agent_id NULLS FIRST;
SELECT id, greatest(priority, 2) AS floor2, least(priority, 2) AS cap2, nullif(priority, 2) AS not2 FROM hd_tickets ORDER BY id;
DELETE FROM hd_tickets WHERE id = 2;
SELECT ticket_id, count(*) FROM hd_comments GROUP BY ticket_id ORDER BY ticket_id;
DELETE FROM hd_agents WHERE email = 'bob@example.com';
SELECT id, agent_id FROM hd_tickets ORDER BY id;
SELECT count(*), count(agent_id), count(DISTINCT status) FROM hd_tickets;
