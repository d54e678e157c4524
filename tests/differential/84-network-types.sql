-- inet, cidr, macaddr and point (the tutorial's cities table; Django's
-- GenericIPAddressField, Devise's sign-in IPs): input checked and
-- normalized, printed as PostgreSQL prints them, the network functions
-- and containment against a network literal.
CREATE TABLE cities (name varchar(80), location point);
INSERT INTO cities VALUES ('San Francisco', '(-194.0, 53.0)'), ('Hayward', '1.5, 2');
SELECT * FROM cities ORDER BY name;
CREATE TABLE weather (city varchar(80), temp_lo int, temp_hi int, prcp real, date date);
INSERT INTO weather VALUES ('San Francisco', 46, 50, 0.25, '1994-11-27'), ('Hayward', 37, 54, NULL, '1994-11-29');
SELECT * FROM weather JOIN cities ON city = name ORDER BY city;
SELECT * FROM weather LEFT OUTER JOIN cities ON weather.city = cities.name ORDER BY city;
INSERT INTO cities VALUES ('Nowhere', '(1,2');
SELECT point(1.5, 2) AS p, '(1e20,0.1)'::point AS big;
CREATE TABLE hosts (id serial PRIMARY KEY, ip inet, net cidr, mac macaddr);
INSERT INTO hosts (ip, net, mac) VALUES ('192.168.1.5', '192.168.1.0/24', '08002B010203'), ('10.0.0.1/8', '10', '08-00-2b-01-02-04'), ('2001:db8:0:0:0:0:0:1', '2001:db8::/32', NULL);
SELECT * FROM hosts ORDER BY id;
SELECT id FROM hosts WHERE ip = '192.168.1.5';
SELECT id FROM hosts WHERE mac = '0800.2b01.0203';
INSERT INTO hosts (ip) VALUES ('192.168.1.300');
INSERT INTO hosts (ip) VALUES ('10.1');
INSERT INTO hosts (mac) VALUES ('zz');
SELECT '10.1.2.3'::inet AS i, '192.168.1'::cidr AS c, 'AB:CD:EF:01:02:03'::macaddr AS m, '::ffff:1.2.3.4'::inet AS mapped;
SELECT pg_typeof(ip)::text, pg_typeof(net)::text, pg_typeof(mac)::text, pg_typeof(point(1, 2))::text FROM hosts WHERE id = 1;
SELECT ip::text AS ip_text, net::text AS net_text, concat('ip=', ip) AS shown FROM hosts ORDER BY id;
SELECT host(ip), masklen(ip), family(ip), network(ip), broadcast(ip), netmask(ip), hostmask(ip), set_masklen(ip, 16) FROM hosts ORDER BY id;
SELECT id FROM hosts WHERE ip << '192.168.0.0/16';
SELECT id FROM hosts WHERE net >> '192.168.1.7'::inet;
SELECT id FROM hosts WHERE net && '192.168.0.0/16' ORDER BY id;
SELECT ip::cidr FROM hosts WHERE id = 2;
SELECT '192.168.1.5'::inet = '192.168.1.5/32'::inet AS same;
SELECT count(*), count(DISTINCT mac) FROM hosts;
UPDATE hosts SET ip = '172.16.0.9/12' WHERE id = 3 RETURNING ip, network(ip);
SELECT id FROM hosts WHERE ip <<= '10.0.0.0/8' ORDER BY id;
SELECT id FROM hosts WHERE net >>= '192.168.1.0/24' ORDER BY id;
SELECT '192.168.1.0/24'::cidr >>= '192.168.1.0/24'::cidr AS eq_within, '192.168.1.0/24'::cidr >> '192.168.1.0/24'::cidr AS strict;
