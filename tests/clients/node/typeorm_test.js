// TypeORM (decorator entities, here applied by hand as plain JS) on
// node-postgres against pgtenant: `synchronize: true` builds the schema from
// entities with a uuid and serial keys, ManyToOne/OneToMany and a ManyToMany
// join table, enum, json/jsonb, simple-array, decimal, boolean, nullable,
// unique and index decorators, create/update date and version columns; a
// second synchronize reads the live schema back and must find nothing to
// change; then repository CRUD, QueryBuilder joins with skip/take,
// getManyAndCount, transactions that commit and roll back, error codes, and
// a migration run and reverted through the QueryRunner's schema API, and
// generated migrations (the schema diff for a new and a changed entity).
'use strict';
require('reflect-metadata');
const assert = require('node:assert/strict');
const typeorm = require('typeorm');
const {
  DataSource, Entity, Column, PrimaryGeneratedColumn, CreateDateColumn, UpdateDateColumn,
  VersionColumn, ManyToOne, OneToMany, ManyToMany, JoinTable, Index, Unique, In, Like, ILike,
  MoreThan, IsNull, Table, TableColumn, TableIndex, TableForeignKey,
} = typeorm;

// What TypeScript's decorator syntax compiles to: class decorators on the
// constructor, property decorators on the prototype.
function entity(cls, classDecorators, properties) {
  for (const [name, decorators] of Object.entries(properties)) {
    for (const d of decorators) d(cls.prototype, name);
  }
  for (const d of classDecorators) d(cls);
  return cls;
}

class Author {}
class Post {}
class Tag {}

entity(Author, [Entity('authors'), Index('authors_name_idx', ['name'])], {
  id: [PrimaryGeneratedColumn('uuid')],
  email: [Column({ type: 'varchar', length: 120, unique: true })],
  name: [Column({ type: 'varchar', length: 80 })],
  role: [Column({ type: 'enum', enum: ['admin', 'editor', 'reader'], default: 'reader' })],
  active: [Column({ type: 'boolean', default: true })],
  profile: [Column({ type: 'jsonb', nullable: true })],
  settings: [Column({ type: 'json', default: () => "'{}'" })],
  aliases: [Column({ type: 'simple-array', nullable: true })],
  balance: [Column({ type: 'decimal', precision: 10, scale: 2, default: 0 })],
  bio: [Column({ type: 'text', nullable: true })],
  createdAt: [CreateDateColumn({ type: 'timestamptz' })],
  updatedAt: [UpdateDateColumn({ type: 'timestamptz' })],
  version: [VersionColumn()],
  posts: [OneToMany(() => Post, (p) => p.author)],
});

entity(Post, [Entity('posts'), Unique('posts_author_slug_key', ['author', 'slug'])], {
  id: [PrimaryGeneratedColumn()],
  slug: [Column({ type: 'varchar', length: 60 })],
  title: [Column({ type: 'varchar' })],
  views: [Column({ type: 'int', default: 0 }), Index()],
  rating: [Column({ type: 'double precision', nullable: true })],
  publishedAt: [Column({ type: 'timestamp', nullable: true })],
  createdAt: [CreateDateColumn()],
  author: [ManyToOne(() => Author, (a) => a.posts, { onDelete: 'CASCADE', nullable: false })],
  tags: [ManyToMany(() => Tag, (t) => t.posts), JoinTable({ name: 'post_tags' })],
});

entity(Tag, [Entity('tags')], {
  id: [PrimaryGeneratedColumn('increment', { type: 'bigint' })],
  name: [Column({ type: 'varchar', length: 30, unique: true })],
  posts: [ManyToMany(() => Post, (p) => p.tags)],
});

// A hand-written migration through the QueryRunner's schema API (which reads
// the table back from the catalogs before each change).
class AddReviews1700000000000 {
  constructor() {
    this.name = 'AddReviews1700000000000';
  }

  async up(qr) {
    await qr.createTable(new Table({
      name: 'reviews',
      columns: [
        { name: 'id', type: 'int', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
        { name: 'post_id', type: 'int' },
        { name: 'stars', type: 'smallint' },
      ],
    }), true);
    await qr.createForeignKey('reviews', new TableForeignKey({
      columnNames: ['post_id'], referencedTableName: 'posts', referencedColumnNames: ['id'], onDelete: 'CASCADE',
    }));
    await qr.addColumn('reviews', new TableColumn({ name: 'note', type: 'varchar', length: '200', isNullable: true }));
    await qr.createIndex('reviews', new TableIndex({ name: 'reviews_stars_idx', columnNames: ['stars'] }));
  }

  async down(qr) {
    await qr.dropIndex('reviews', 'reviews_stars_idx');
    await qr.dropColumn('reviews', 'note');
    await qr.dropTable('reviews');
  }
}

function dataSource(extra) {
  return new DataSource({
    type: 'postgres',
    host: process.env.PGHOST,
    port: Number(process.env.PGPORT),
    username: process.env.PGUSER,
    password: process.env.PGPASSWORD,
    database: process.env.PGDATABASE,
    entities: [Author, Post, Tag],
    migrations: [AddReviews1700000000000],
    ...extra,
  });
}

const code = (c) => (e) => {
  assert.equal(e.driverError ? e.driverError.code : e.code, c, String(e));
  return true;
};

async function main() {
  const ds = await dataSource({ synchronize: true, dropSchema: true }).initialize();
  try {
    // Synchronize again on the live schema: the diff must be empty.
    const pending = await ds.driver.createSchemaBuilder().log();
    assert.deepEqual(pending.upQueries.map((q) => q.query), [], 'second synchronize changes nothing');
    const seen = [];
    const logger = {
      logQuery: (q) => seen.push(q),
      logQueryError() {},
      logQuerySlow() {},
      logSchemaBuild: (m) => seen.push(m),
      logMigration() {},
      log() {},
    };
    const again = await dataSource({ synchronize: true, logging: true, logger }).initialize();
    await again.destroy();
    const ddl = seen.filter((q) => /^\s*(CREATE|ALTER|DROP|COMMENT)\b/i.test(q)
      && !/^CREATE EXTENSION IF NOT EXISTS/i.test(q));
    assert.deepEqual(ddl, [], 'a second synchronize issues no DDL');
    assert.ok(seen.some((q) => /information_schema/.test(q)), 'it read the live schema');

    const authors = ds.getRepository(Author);
    const posts = ds.getRepository(Post);
    const tags = ds.getRepository(Tag);

    // Repository CRUD with every column type read back.
    const ada = await authors.save(authors.create({
      email: 'ada@example.com', name: 'Ada', role: 'admin',
      profile: { lang: 'en', langs: ['en', 'fr'], n: 1 }, aliases: ['countess', 'enchantress'],
      balance: '12.50',
    }));
    assert.match(ada.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(ada.version, 1);
    assert.ok(ada.createdAt instanceof Date);
    const bob = await authors.save({ email: 'bob@example.com', name: 'Bob' });
    const got = await authors.findOneByOrFail({ id: ada.id });
    assert.deepEqual(
      [got.name, got.role, got.active, got.profile, got.settings, got.aliases, got.balance, got.bio],
      ['Ada', 'admin', true, { lang: 'en', langs: ['en', 'fr'], n: 1 }, {}, ['countess', 'enchantress'], '12.50', null],
    );
    const bobRow = await authors.findOneByOrFail({ email: 'bob@example.com' });
    assert.deepEqual([bobRow.role, bobRow.balance, bobRow.aliases], ['reader', '0.00', null]);

    const [red, blue, green] = await tags.save([{ name: 'red' }, { name: 'blue' }, { name: 'green' }]);
    assert.deepEqual([red.id, blue.id, green.id], ['1', '2', '3'], 'bigint keys come back as strings');
    const when = new Date('2024-03-01T10:00:00Z');
    for (let i = 1; i <= 5; i++) {
      await posts.save({
        slug: `p${i}`, title: `Post ${i}`, views: i * 10, rating: i / 2,
        publishedAt: i % 2 ? when : null, author: i <= 3 ? ada : bob,
        tags: i === 1 ? [red, blue] : i === 2 ? [blue] : [],
      });
    }

    // Update: the version and the update date move.
    const before = got.updatedAt;
    await new Promise((r) => setTimeout(r, 20));
    got.bio = 'first programmer';
    got.balance = '99.99';
    const saved = await authors.save(got);
    assert.equal(saved.version, 2);
    const reread = await authors.findOneByOrFail({ id: ada.id });
    assert.equal(reread.bio, 'first programmer');
    assert.equal(reread.balance, '99.99');
    assert.ok(reread.updatedAt > before, 'UpdateDateColumn moved');
    await authors.update({ id: bob.id }, { active: false, profile: { x: null } });
    assert.deepEqual(await authors.findOneBy({ id: bob.id }).then((a) => [a.active, a.profile]), [false, { x: null }]);

    // Find options: relations, where operators, order, pagination.
    const adaPosts = await posts.find({
      where: { author: { id: ada.id }, views: MoreThan(10) },
      relations: { tags: true, author: true },
      order: { views: 'DESC' },
    });
    assert.deepEqual(adaPosts.map((p) => [p.slug, p.author.name, p.tags.map((t) => t.name).sort()]),
      [['p3', 'Ada', []], ['p2', 'Ada', ['blue']]]);
    assert.equal(await posts.countBy({ publishedAt: IsNull() }), 2);
    assert.deepEqual((await posts.findBy({ slug: In(['p1', 'p5']) })).map((p) => p.slug).sort(), ['p1', 'p5']);
    assert.equal(await authors.countBy({ name: ILike('a%') }), 1);
    assert.equal(await authors.countBy({ email: Like('%@example.com') }), 2);
    const page = await posts.find({ relations: { tags: true }, order: { id: 'ASC' }, skip: 1, take: 2 });
    assert.deepEqual(page.map((p) => [p.id, p.tags.length]), [[2, 1], [3, 0]]);

    // QueryBuilder: joins, where with parameters, order, skip/take with joins.
    const qb = ds.createQueryBuilder(Author, 'a')
      .leftJoinAndSelect('a.posts', 'p')
      .leftJoinAndSelect('p.tags', 't')
      .where('a.active = :active', { active: true })
      .andWhere('p.views >= :min', { min: 10 })
      .orderBy('a.name', 'ASC')
      .addOrderBy('p.views', 'DESC')
      .skip(0)
      .take(1);
    const [withPosts, total] = await qb.getManyAndCount();
    assert.equal(total, 1);
    assert.deepEqual(withPosts.map((a) => [a.name, a.posts.map((p) => p.slug)]), [['Ada', ['p3', 'p2', 'p1']]]);
    assert.deepEqual(withPosts[0].posts[2].tags.map((t) => t.name).sort(), ['blue', 'red']);
    const stats = await ds.createQueryBuilder(Post, 'p')
      .innerJoin('p.author', 'a')
      .select('a.name', 'name')
      .addSelect('COUNT(*)', 'n')
      .addSelect('SUM(p.views)', 'views')
      .addSelect('AVG(p.rating)', 'rating')
      .groupBy('a.name')
      .having('COUNT(*) > :n', { n: 0 })
      .orderBy('name')
      .getRawMany();
    assert.deepEqual(stats.map((r) => [r.name, Number(r.n), Number(r.views), Number(r.rating)]),
      [['Ada', 3, 60, 1], ['Bob', 2, 90, 2.25]]);
    const ids = await ds.createQueryBuilder().select('t.name', 'name').from(Tag, 't')
      .where('t.id IN (:...ids)', { ids: [1, 3] }).orderBy('t.name').getRawMany();
    assert.deepEqual(ids, [{ name: 'green' }, { name: 'red' }]);
    const upd = await ds.createQueryBuilder().update(Post).set({ views: () => 'views + 1' })
      .where('id = :id', { id: 1 }).returning(['id', 'views']).execute();
    assert.deepEqual(upd.raw, [{ id: 1, views: 11 }]);

    // Errors come back with PostgreSQL's codes.
    await assert.rejects(authors.insert({ email: 'ada@example.com', name: 'Dup' }), code('23505'));
    await assert.rejects(posts.insert({ slug: 'x', title: 'x' }), code('23502'));
    await assert.rejects(authors.query("SELECT 'nope'::int"), code('22P02'));
    await assert.rejects(authors.save({ email: 'c@example.com', name: 'C', role: 'boss' }), code('22P02'));

    // Transactions: one that commits, one that rolls back.
    await ds.transaction(async (m) => {
      const cy = await m.save(Author, { email: 'cy@example.com', name: 'Cy' });
      await m.save(Post, { slug: 'c1', title: 'Cy 1', author: cy });
    });
    await assert.rejects(ds.transaction(async (m) => {
      const dee = await m.save(Author, { email: 'dee@example.com', name: 'Dee' });
      await m.save(Post, { slug: 'd1', title: 'Dee 1', author: dee });
      await m.save(Author, { email: 'ada@example.com', name: 'Dup' });
    }), code('23505'));
    assert.equal(await authors.countBy({ name: In(['Cy', 'Dee']) }), 1);
    assert.equal(await posts.count(), 6);

    // A query runner transaction with a savepoint (nested transaction).
    const qr = ds.createQueryRunner();
    await qr.connect();
    await qr.startTransaction();
    await qr.manager.update(Author, { name: 'Cy' }, { bio: 'outer' });
    await qr.startTransaction();
    await qr.manager.update(Author, { name: 'Cy' }, { bio: 'inner' });
    await qr.rollbackTransaction();
    await qr.commitTransaction();
    await qr.release();
    assert.equal((await authors.findOneByOrFail({ name: 'Cy' })).bio, 'outer');

    // Deleting an author cascades to its posts and their join-table rows.
    await authors.delete({ id: ada.id });
    assert.equal(await posts.count(), 3);
    const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM post_tags');
    assert.equal(n, 0);

    // Migrations: run, listed as applied, reverted.
    assert.equal(await ds.showMigrations(), true);
    const ran = await ds.runMigrations();
    assert.deepEqual(ran.map((m) => m.name), ['AddReviews1700000000000']);
    assert.equal(await ds.showMigrations(), false);
    const reviews = await ds.createQueryRunner().getTable('reviews');
    assert.deepEqual(reviews.columns.map((c) => [c.name, c.type, c.isNullable]),
      [['id', 'integer', false], ['post_id', 'integer', false], ['stars', 'smallint', false], ['note', 'character varying', true]]);
    assert.equal(reviews.foreignKeys.length, 1);
    assert.deepEqual(reviews.indices.map((i) => i.name), ['reviews_stars_idx']);
    const [p5] = await ds.query("SELECT id FROM posts WHERE slug = 'p5'");
    await ds.query('INSERT INTO reviews (post_id, stars, note) VALUES ($1, $2, $3)', [p5.id, 5, 'great']);
    await assert.rejects(ds.query('INSERT INTO reviews (post_id, stars) VALUES (999, 1)'), code('23503'));
    await ds.undoLastMigration();
    assert.equal(await ds.createQueryRunner().hasTable('reviews'), false);
    const [{ count }] = await ds.query('SELECT count(*) FROM migrations');
    assert.equal(count, '0');

    // The entities' schema is still what synchronize would make.
    const finalDiff = await ds.driver.createSchemaBuilder().log();
    assert.deepEqual(finalDiff.upQueries.map((q) => q.query), []);

    // Generated migrations (what `migration:generate` writes): a new entity,
    // then a changed one, each diffed against the live schema and applied.
    const generate = async (entities) => {
      const next = await dataSource({ entities: [Author, Post, Tag, ...entities] }).initialize();
      try {
        const up = (await next.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query);
        const runner = next.createQueryRunner();
        await runner.startTransaction();
        for (const q of up) await runner.query(q);
        await runner.commitTransaction();
        await runner.release();
        const after = (await next.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query);
        assert.deepEqual(after, [], 'nothing left to generate');
        return up;
      } finally {
        await next.destroy();
      }
    };
    class Note {}
    entity(Note, [Entity('notes')], {
      id: [PrimaryGeneratedColumn()],
      body: [Column({ type: 'varchar', length: 50 })],
    });
    const created = await generate([Note]);
    assert.deepEqual(created, [
      'CREATE TABLE "notes" ("id" SERIAL NOT NULL, "body" character varying(50) NOT NULL, CONSTRAINT "PK_af6206538ea96c4e77e9f400c3d" PRIMARY KEY ("id"))',
    ]);
    class NoteV2 {}
    entity(NoteV2, [Entity('notes')], {
      id: [PrimaryGeneratedColumn()],
      body: [Column({ type: 'varchar', length: 50 })],
      pinned: [Column({ type: 'boolean', default: false })],
      weight: [Column({ type: 'int', nullable: true }), Index('notes_weight_idx')],
    });
    const altered = await generate([NoteV2]);
    assert.deepEqual(altered, [
      'ALTER TABLE "notes" ADD "pinned" boolean NOT NULL DEFAULT false',
      'ALTER TABLE "notes" ADD "weight" integer',
      'CREATE INDEX "notes_weight_idx" ON "notes"  ("weight") ',
    ]);
    await ds.query("INSERT INTO notes (body) VALUES ('x')");
    assert.deepEqual(await ds.query('SELECT body, pinned, weight FROM notes'), [{ body: 'x', pinned: false, weight: null }]);
    console.log('typeorm ok');
  } finally {
    await ds.destroy();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
