// node-postgres (pg) against pgtenant: parameters, types, transactions,
// errors with SQLSTATE codes, pooling. Connection from PG* env.
'use strict';
const assert = require('node:assert/strict');
const { Client, Pool } = require('pg');

async function main() {
  const c = new Client();
  await c.connect();
  await c.query(`CREATE TABLE things (
      id serial PRIMARY KEY, name text NOT NULL UNIQUE, n integer, big bigint,
      price numeric(10,2), ok boolean, born date, at timestamptz, doc jsonb,
      tags text[], raw bytea, uid uuid)`);

  const ins = await c.query(
    `INSERT INTO things (name, n, big, price, ok, born, at, doc, tags, raw, uid)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id, name`,
    ['first', 42, '9007199254740993', '19.99', true, '2024-02-29',
     new Date('2024-03-01T12:00:00.250Z'), { a: [1, 2], b: null }, ['x', 'y z'],
     Buffer.from([0, 1, 254, 255]), 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']);
  assert.equal(ins.rowCount, 1);
  assert.deepEqual(ins.rows[0], { id: 1, name: 'first' });

  // Aggregates over columns carry the column's type in the simple protocol
  // too: max(integer) is an int4 (a number here), sum(integer) an int8 (a
  // string), as from PostgreSQL.
  const agg = await c.query('SELECT max(n) AS top, sum(n) AS total, max(at) AS latest FROM things');
  assert.deepEqual(agg.fields.map((f) => f.dataTypeID), [23, 20, 1184]);
  assert.strictEqual(agg.rows[0].top, 42);
  assert.strictEqual(agg.rows[0].total, '42');
  assert.ok(agg.rows[0].latest instanceof Date);

  const r = await c.query('SELECT * FROM things WHERE id = $1', [1]);
  const row = r.rows[0];
  assert.equal(row.n, 42);
  assert.equal(row.big, '9007199254740993', 'int8 as string');
  assert.equal(row.price, '19.99', 'numeric as string');
  assert.equal(row.ok, true);
  assert.ok(row.born instanceof Date, 'date parsed');
  assert.equal(row.at.toISOString(), '2024-03-01T12:00:00.250Z');
  assert.deepEqual(row.doc, { a: [1, 2], b: null });
  assert.deepEqual(row.tags, ['x', 'y z']);
  assert.deepEqual([...row.raw], [0, 1, 254, 255]);
  assert.equal(row.uid, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
  const oids = Object.fromEntries(r.fields.map((f) => [f.name, f.dataTypeID]));
  assert.deepEqual(oids, { id: 23, name: 25, n: 23, big: 20, price: 1700, ok: 16, born: 1082,
    at: 1184, doc: 3802, tags: 1009, raw: 17, uid: 2950 });

  // Named prepared statement reused, and rowMode array.
  for (let i = 0; i < 5; i++) {
    await c.query({ name: 'ins', text: 'INSERT INTO things (name, n) VALUES ($1, $2)', values: [`t${i}`, i] });
  }
  const arr = await c.query({ text: 'SELECT name, n FROM things WHERE n < $1 ORDER BY n', values: [3], rowMode: 'array' });
  assert.deepEqual(arr.rows, [['t0', 0], ['t1', 1], ['t2', 2]]);

  // Transactions.
  await c.query('BEGIN');
  await c.query('UPDATE things SET n = n + 100 WHERE name = $1', ['t0']);
  await c.query('ROLLBACK');
  assert.equal((await c.query("SELECT n FROM things WHERE name = 't0'")).rows[0].n, 0);
  await c.query('BEGIN');
  await c.query('DELETE FROM things WHERE name = $1', ['t4']);
  await c.query('COMMIT');
  assert.equal((await c.query('SELECT count(*)::int AS k FROM things')).rows[0].k, 5);

  // Errors carry SQLSTATE and the connection survives.
  await assert.rejects(c.query("INSERT INTO things (name) VALUES ('first')"), (e) => e.code === '23505');
  await assert.rejects(c.query('SELECT * FROM missing_table'), (e) => e.code === '42P01');
  await assert.rejects(c.query('SELEC 1'), (e) => e.code === '42601');
  await c.query('BEGIN');
  await assert.rejects(c.query('SELECT nope FROM things'), (e) => e.code === '42703');
  await assert.rejects(c.query('SELECT 1'), (e) => e.code === '25P02');
  await c.query('ROLLBACK');
  assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1);
  await c.end();

  // A pool runs queries concurrently on several connections.
  const pool = new Pool({ max: 4 });
  const results = await Promise.all(
    Array.from({ length: 12 }, (_, i) => pool.query('SELECT $1::int * 2 AS d, pg_backend_pid() AS pid', [i])));
  assert.deepEqual(results.map((x) => x.rows[0].d), Array.from({ length: 12 }, (_, i) => i * 2));
  const pids = new Set(results.map((x) => x.rows[0].pid));
  assert.ok(pids.size >= 2, `pool used ${pids.size} backend(s)`);
  await pool.end();
  console.log('node-postgres ok');
}

main().catch((e) => { console.error(e); process.exit(1); });
