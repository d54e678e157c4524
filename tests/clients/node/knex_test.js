// Knex (query builder with migrations) on node-postgres against pgtenant:
// migrations with a foreign key and an index (knex_migrations bookkeeping,
// the migration lock, hasTable/hasColumn introspection), a later migration
// that alters a table, rollback, then builder queries: inserts with
// RETURNING, joins, aggregates, a transaction that rolls back.
'use strict';
const assert = require('node:assert/strict');
const knexFactory = require('knex');

const migrations = {
  '001_authors_books': {
    async up(knex) {
      await knex.schema.createTable('authors', (t) => {
        t.increments('id');
        t.string('name', 100).notNullable().unique();
        t.timestamp('created_at', { useTz: true }).defaultTo(knex.fn.now());
      });
      await knex.schema.createTable('books', (t) => {
        t.increments('id');
        t.integer('author_id').notNullable().references('id').inTable('authors').onDelete('CASCADE');
        t.string('title').notNullable();
        t.decimal('price', 8, 2).notNullable();
        t.boolean('in_print').notNullable().defaultTo(true);
        t.index(['title'], 'books_title_idx');
      });
    },
    async down(knex) {
      await knex.schema.dropTable('books');
      await knex.schema.dropTable('authors');
    },
  },
  '002_book_pages': {
    async up(knex) {
      await knex.schema.alterTable('books', (t) => {
        t.integer('pages');
      });
    },
    async down(knex) {
      await knex.schema.alterTable('books', (t) => {
        t.dropColumn('pages');
      });
    },
  },
};

const migrationSource = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (m) => m,
  getMigration: async (m) => migrations[m],
};

async function main() {
  const knex = knexFactory({ client: 'pg', connection: {}, pool: { min: 1, max: 4 } });
  try {
    const [batch, done] = await knex.migrate.latest({ migrationSource });
    assert.equal(batch, 1);
    assert.deepEqual(done, ['001_authors_books', '002_book_pages']);
    assert.ok(await knex.schema.hasTable('books'));
    assert.ok(await knex.schema.hasColumn('books', 'pages'));
    const [again] = await knex.migrate.latest({ migrationSource });
    assert.equal(again, 1, 'nothing new to run');
    const version = await knex.migrate.currentVersion({ migrationSource });
    assert.equal(version, '002_book_pages'.split('_')[0]);

    // Roll the last batch back and forward again.
    await knex.migrate.rollback({ migrationSource });
    assert.equal(await knex.schema.hasTable('books'), false);
    await knex.migrate.latest({ migrationSource });
    assert.ok(await knex.schema.hasColumn('books', 'pages'));

    // Builder queries.
    const [ada] = await knex('authors').insert({ name: 'Ada' }).returning(['id', 'name']);
    assert.deepEqual(ada, { id: 1, name: 'Ada' });
    const [bob] = await knex('authors').insert({ name: 'Bob' }).returning('id');
    await knex('books').insert([
      { author_id: ada.id, title: 'Notes', price: '12.50', pages: 100 },
      { author_id: ada.id, title: 'Engines', price: '7.25' },
      { author_id: bob.id, title: 'Gardens', price: '3.00', in_print: false },
    ]);
    const rows = await knex('books')
      .join('authors', 'authors.id', 'books.author_id')
      .select('authors.name', 'books.title', 'books.price', 'books.in_print')
      .orderBy('books.title');
    assert.deepEqual(rows.map((r) => [r.name, r.title, r.price, r.in_print]), [
      ['Ada', 'Engines', '7.25', true],
      ['Bob', 'Gardens', '3.00', false],
      ['Ada', 'Notes', '12.50', true],
    ]);
    const counts = await knex('authors')
      .leftJoin('books', 'books.author_id', 'authors.id')
      .groupBy('authors.name')
      .select('authors.name')
      .count('books.id as n')
      .orderBy('authors.name');
    assert.deepEqual(counts.map((r) => [r.name, Number(r.n)]), [['Ada', 2], ['Bob', 1]]);
    const created = await knex('authors').where({ name: 'Ada' }).first('created_at');
    assert.ok(created.created_at instanceof Date, 'timestamptz default');

    // A failing transaction leaves nothing behind; the foreign key holds.
    await assert.rejects(
      knex.transaction(async (trx) => {
        await trx('authors').insert({ name: 'Cy' });
        await trx('books').insert({ author_id: 999, title: 'Orphan', price: '1.00' });
      }),
      (e) => e.code === '23503',
    );
    assert.equal((await knex('authors').where({ name: 'Cy' })).length, 0);
    await knex('authors').where({ id: bob.id }).del();
    const left = await knex('books').pluck('title');
    assert.deepEqual(left.sort(), ['Engines', 'Notes'], 'ON DELETE CASCADE');
    console.log('knex ok');
  } finally {
    await knex.destroy();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
