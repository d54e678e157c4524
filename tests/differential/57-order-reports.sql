-- An order schema's reports as shops write them: order totals, average
-- order value over a WITH query or derived table of sums, revenue per
-- product with the nullif guard, price updates with RETURNING, JSON output.
create table sr_products (id serial primary key, name text not null, price numeric(10,2) not null, stock int not null default 0);
create table sr_orders (id serial primary key, customer text, created_at timestamp not null default '2024-03-01 12:00', status text default 'new');
create table sr_order_items (order_id int references sr_orders(id), product_id int references sr_products(id), qty int not null, unit_price numeric(10,2) not null, primary key (order_id, product_id));
insert into sr_products (name, price, stock) values ('pen', 1.50, 100), ('book', 12.99, 5), ('bag', 30, 0);
insert into sr_orders (customer) values ('ann'), ('bob'), ('ann');
insert into sr_order_items values (1, 1, 10, 1.50), (1, 2, 1, 12.99), (2, 3, 1, 30), (3, 1, 2, 1.40);
select o.id, o.customer, sum(oi.qty * oi.unit_price) as total, count(*) as lines from sr_orders o join sr_order_items oi on oi.order_id = o.id group by o.id, o.customer order by o.id;
with t as (select order_id, sum(qty * unit_price) as total from sr_order_items group by order_id) select customer, sum(total) as spent, avg(total) as avg_order, round(avg(total), 2) as r from sr_orders join t on t.order_id = sr_orders.id group by customer order by customer;
select p.name, coalesce(sum(oi.qty), 0) as sold, coalesce(sum(oi.qty * oi.unit_price), 0) as revenue, coalesce(sum(oi.qty * oi.unit_price), 0) / nullif(sum(oi.qty), 0) as avg_price from sr_products p left join sr_order_items oi on oi.product_id = p.id group by p.id, p.name order by p.id;
select name, price, price * 0.9 as sale, round(price * 0.9, 2) as sale2, price * (1 - 0.15) as disc from sr_products order by id;
select name, price from sr_products where price between 1 and 15 and stock > 0 order by price desc;
select name, stock * price as inventory_value, sum(stock * price) over () as total_value from sr_products order by id;
select customer, count(distinct oi.product_id) as kinds, string_agg(p.name, ', ' order by p.name) as items from sr_orders o join sr_order_items oi on oi.order_id = o.id join sr_products p on p.id = oi.product_id group by customer order by customer;
update sr_products set price = price * 1.1 where name = 'pen' returning name, price;
update sr_products set stock = stock - 1 where id = 2 returning *;
select json_agg(json_build_object('name', name, 'price', price) order by id) from sr_products;
select jsonb_build_object('total', sum(qty * unit_price)) from sr_order_items;
create table sr_oi (order_id int, qty int, unit_price numeric(10,2), w float8);
insert into sr_oi values (1, 10, 1.50, 1), (1, 1, 12.99, 2), (2, 1, 30, 3), (3, 2, 1.40, 4);
select avg(total), stddev(total), round(avg(total), 2) from (select order_id, sum(qty * unit_price) as total from sr_oi group by order_id) t;
select avg(t.total) from (select order_id, sum(qty * unit_price) as total from sr_oi group by order_id) as t;
with per as (select order_id, sum(qty) as n, sum(w) as wsum, max(unit_price) as top from sr_oi group by order_id) select avg(n), avg(wsum), avg(top) from per;
select avg(n) from (select count(*) as n from sr_oi group by order_id) c;
DROP TABLE sr_order_items, sr_orders, sr_products, sr_oi;
