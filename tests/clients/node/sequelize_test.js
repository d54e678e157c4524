// Sequelize on node-postgres against pgtenant: sync() and sync({ alter: true })
// run twice (alter reads the live schema back through the catalogs and
// information_schema and must leave it as it is), models with hasMany /
// belongsTo / belongsToMany, paranoid and timestamped models, findAll with
// include and where operators, findAndCountAll, bulkCreate with returning,
// upsert, increment, managed transactions that commit and roll back, raw
// sequelize.query with replacements and bind parameters, error codes.
'use strict';
const assert = require('node:assert/strict');
const { Sequelize, DataTypes, Op, QueryTypes } = require('sequelize');

function connect(log) {
  return new Sequelize(process.env.PGDATABASE, process.env.PGUSER, process.env.PGPASSWORD, {
    host: process.env.PGHOST,
    port: Number(process.env.PGPORT),
    dialect: 'postgres',
    logging: log || false,
    pool: { max: 4, min: 0 },
  });
}

function define(sequelize) {
  const Customer = sequelize.define('Customer', {
    id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
    email: { type: DataTypes.STRING(120), allowNull: false, unique: true },
    name: { type: DataTypes.STRING, allowNull: false },
    tier: { type: DataTypes.ENUM('free', 'pro', 'team'), allowNull: false, defaultValue: 'free' },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    prefs: { type: DataTypes.JSONB, allowNull: true },
    credit: { type: DataTypes.DECIMAL(10, 2), allowNull: false, defaultValue: 0 },
    visits: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    born: { type: DataTypes.DATEONLY, allowNull: true },
  }, { tableName: 'customers', indexes: [{ fields: ['name'] }] });

  const Order = sequelize.define('Order', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    number: { type: DataTypes.STRING(20), allowNull: false },
    total: { type: DataTypes.DECIMAL(12, 2), allowNull: false },
    notes: { type: DataTypes.TEXT },
    meta: { type: DataTypes.JSON },
    placedAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
  }, { tableName: 'orders', paranoid: true, indexes: [{ unique: true, fields: ['number'] }] });

  const Product = sequelize.define('Product', {
    id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
    sku: { type: DataTypes.STRING(30), allowNull: false, unique: true },
    price: { type: DataTypes.FLOAT, allowNull: false },
    labels: { type: DataTypes.ARRAY(DataTypes.STRING) },
  }, { tableName: 'products', timestamps: false });

  const OrderItem = sequelize.define('OrderItem', {
    qty: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
  }, { tableName: 'order_items' });

  Customer.hasMany(Order, { as: 'orders', foreignKey: { name: 'customerId', allowNull: false }, onDelete: 'CASCADE' });
  Order.belongsTo(Customer, { as: 'customer', foreignKey: { name: 'customerId', allowNull: false } });
  Order.belongsToMany(Product, { through: OrderItem, as: 'products', foreignKey: 'orderId' });
  Product.belongsToMany(Order, { through: OrderItem, as: 'orders', foreignKey: 'productId' });
  return { Customer, Order, Product, OrderItem };
}

const code = (c) => (e) => {
  assert.equal(e.parent ? e.parent.code : e.code, c, String(e));
  return true;
};

// The DDL a sync issued (statements other than reads of the catalogs).
function ddlOf(statements) {
  return statements.filter((s) => /\b(CREATE|ALTER|DROP|COMMENT)\b/i.test(s)
    && !/^Executing \([^)]*\): SELECT/i.test(s));
}

async function main() {
  const sequelize = connect();
  try {
    await sequelize.authenticate();
    const { Customer, Order, Product, OrderItem } = define(sequelize);
    await sequelize.sync({ force: true });
    await sequelize.sync();

    // alter: true twice. The first may restate columns (Sequelize always
    // does); the second must leave every column and constraint as it was.
    await sequelize.sync({ alter: true });
    const describe = async () => {
      const out = {};
      for (const t of ['customers', 'orders', 'products', 'order_items']) {
        out[t] = await sequelize.getQueryInterface().describeTable(t);
      }
      return out;
    };
    const shape = await describe();
    const logged = [];
    const second = connect((s) => logged.push(s));
    define(second);
    await second.sync({ alter: true });
    await second.close();
    assert.deepEqual(await describe(), shape, 'sync({ alter: true }) again keeps the schema');
    assert.ok(!ddlOf(logged).some((s) => /DROP TABLE|ADD COLUMN|DROP COLUMN/i.test(s)), ddlOf(logged).join('\n'));
    assert.equal(shape.customers.tier.type, 'USER-DEFINED');
    assert.deepEqual(shape.customers.tier.special, ['free', 'pro', 'team']);
    assert.equal(shape.customers.email.type, 'CHARACTER VARYING(120)');
    assert.equal(shape.orders.total.type, 'NUMERIC');
    assert.equal(shape.orders.deletedAt.allowNull, true);
    assert.deepEqual([shape.products.id.primaryKey, shape.products.id.defaultValue], [true, 'nextval(products_id_seq::regclass)']);

    // Create, read back with types.
    const ada = await Customer.create({ email: 'ada@example.com', name: 'Ada', tier: 'pro', prefs: { theme: 'dark', n: [1, 2] }, born: '1815-12-10' });
    assert.match(ada.id, /^[0-9a-f-]{36}$/);
    const bob = await Customer.create({ email: 'bob@example.com', name: 'bob' });
    const adaRow = await Customer.findByPk(ada.id);
    assert.deepEqual(
      [adaRow.tier, adaRow.active, adaRow.prefs, adaRow.credit, adaRow.visits, adaRow.born],
      ['pro', true, { theme: 'dark', n: [1, 2] }, '0.00', 0, '1815-12-10'],
    );
    assert.ok(adaRow.createdAt instanceof Date && adaRow.updatedAt instanceof Date);

    // bulkCreate with returning: ids and defaults come back.
    const products = await Product.bulkCreate([
      { sku: 'A-1', price: 2.5, labels: ['new', 'red'] },
      { sku: 'B-2', price: 10 },
      { sku: 'C-3', price: 0.75, labels: [] },
    ], { returning: true });
    assert.deepEqual(products.map((p) => [p.id, p.sku]), [['1', 'A-1'], ['2', 'B-2'], ['3', 'C-3']]);
    const a1 = await Product.findOne({ where: { sku: 'A-1' } });
    assert.deepEqual([a1.price, a1.labels], [2.5, ['new', 'red']]);

    const orders = await Order.bulkCreate([
      { number: 'N-1', total: '12.50', customerId: ada.id, meta: { gift: true } },
      { number: 'N-2', total: '3.00', customerId: ada.id },
      { number: 'N-3', total: '40.10', customerId: bob.id, notes: 'rush' },
    ], { returning: true });
    assert.deepEqual(orders.map((o) => o.id), [1, 2, 3]);
    await orders[0].addProducts([products[0], products[1]], { through: { qty: 3 } });
    await orders[2].addProduct(products[2]);

    // findAll with include (belongsTo, hasMany, belongsToMany through).
    const withCustomer = await Order.findAll({
      include: [{ model: Customer, as: 'customer', attributes: ['name'] }, { model: Product, as: 'products' }],
      order: [['number', 'ASC'], [{ model: Product, as: 'products' }, 'sku', 'ASC']],
    });
    assert.deepEqual(
      withCustomer.map((o) => [o.number, o.customer.name, o.products.map((p) => [p.sku, p.OrderItem.qty])]),
      [['N-1', 'Ada', [['A-1', 3], ['B-2', 3]]], ['N-2', 'Ada', []], ['N-3', 'bob', [['C-3', 1]]]],
    );
    const adaOrders = await Customer.findOne({
      where: { email: 'ada@example.com' },
      include: [{ model: Order, as: 'orders', where: { total: { [Op.gt]: 5 } } }],
    });
    assert.deepEqual(adaOrders.orders.map((o) => [o.number, o.total, o.meta]), [['N-1', '12.50', { gift: true }]]);

    // where operators.
    const names = async (where) => (await Customer.findAll({ where, order: [['name', 'ASC']] })).map((c) => c.name);
    assert.deepEqual(await names({ name: { [Op.in]: ['Ada', 'bob', 'zed'] } }), ['Ada', 'bob']);
    assert.deepEqual(await names({ name: { [Op.like]: 'A%' } }), ['Ada']);
    assert.deepEqual(await names({ name: { [Op.iLike]: 'B%' } }), ['bob']);
    assert.deepEqual(await names({ [Op.or]: [{ tier: 'pro' }, { email: { [Op.endsWith]: 'bob@example.com' } }] }), ['Ada', 'bob']);
    assert.deepEqual(await names({ prefs: { theme: 'dark' } }), ['Ada']);
    assert.deepEqual(await names({ born: { [Op.lt]: '1900-01-01' } }), ['Ada']);
    assert.deepEqual(await names({ prefs: { [Op.is]: null } }), ['bob']);
    const labelled = await Product.findAll({ where: { labels: { [Op.contains]: ['red'] } } });
    assert.deepEqual(labelled.map((p) => p.sku), ['A-1']);

    // findAndCountAll with an include and pagination.
    const { count, rows } = await Order.findAndCountAll({
      include: [{ model: Customer, as: 'customer', where: { tier: 'pro' } }],
      order: [['id', 'DESC']], limit: 1, offset: 1,
    });
    assert.equal(count, 2);
    assert.deepEqual(rows.map((o) => o.number), ['N-1']);
    const perCustomer = await Order.findAll({
      attributes: ['customerId', [sequelize.fn('COUNT', sequelize.col('id')), 'n'], [sequelize.fn('SUM', sequelize.col('total')), 'sum']],
      group: ['customerId'], order: [[sequelize.literal('n'), 'DESC']], raw: true,
    });
    assert.deepEqual(perCustomer.map((r) => [r.customerId, Number(r.n), r.sum]), [[ada.id, 2, '15.50'], [bob.id, 1, '40.10']]);

    // upsert (INSERT ... ON CONFLICT DO UPDATE ... RETURNING) and increment.
    const [up1, created1] = await Product.upsert({ sku: 'B-2', price: 11 }, { conflictFields: ['sku'] });
    assert.equal(created1, null);
    assert.equal(up1.price, 11);
    const [up2] = await Product.upsert({ sku: 'D-4', price: 1 }, { conflictFields: ['sku'] });
    assert.equal(up2.id, '5', 'the conflicting upsert used up id 4, as nextval does');
    assert.equal(await Product.count(), 4);
    await ada.increment('visits', { by: 2 });
    await Customer.increment({ visits: 5, credit: 1.25 }, { where: { name: 'bob' } });
    await ada.reload();
    const bobNow = await Customer.findByPk(bob.id);
    assert.deepEqual([ada.visits, bobNow.visits, bobNow.credit], [2, 5, '1.25']);
    const [affected] = await Customer.update({ active: false }, { where: { name: 'bob' } });
    assert.equal(affected, 1);

    // Paranoid: destroy sets deletedAt, the row hides, restore brings it back.
    await Order.destroy({ where: { number: 'N-2' } });
    assert.equal(await Order.count(), 2);
    assert.equal(await Order.count({ paranoid: false }), 3);
    const gone = await Order.findOne({ where: { number: 'N-2' }, paranoid: false });
    assert.ok(gone.deletedAt instanceof Date);
    await Order.restore({ where: { number: 'N-2' } });
    assert.equal(await Order.count(), 3);

    // Managed transactions: commit, and roll back on a thrown error.
    await sequelize.transaction(async (t) => {
      const cy = await Customer.create({ email: 'cy@example.com', name: 'Cy' }, { transaction: t });
      await Order.create({ number: 'N-4', total: '1.00', customerId: cy.id }, { transaction: t });
    });
    await assert.rejects(sequelize.transaction(async (t) => {
      const dee = await Customer.create({ email: 'dee@example.com', name: 'Dee' }, { transaction: t });
      await Order.create({ number: 'N-5', total: '1.00', customerId: dee.id }, { transaction: t });
      await Order.create({ number: 'N-1', total: '1.00', customerId: dee.id }, { transaction: t });
    }), (e) => e.name === 'SequelizeUniqueConstraintError' && code('23505')(e));
    assert.equal(await Customer.count({ where: { name: { [Op.in]: ['Cy', 'Dee'] } } }), 1);
    assert.equal(await Order.count(), 4);

    // Errors with their codes and Sequelize's error classes.
    await assert.rejects(Customer.create({ email: 'ada@example.com', name: 'x' }),
      (e) => e.name === 'SequelizeUniqueConstraintError' && e.fields.email === 'ada@example.com');
    await assert.rejects(Order.create({ number: 'N-9', total: '1', customerId: '00000000-0000-4000-8000-000000000000' }),
      (e) => e.name === 'SequelizeForeignKeyConstraintError' && code('23503')(e));
    await assert.rejects(sequelize.query("SELECT 'x'::int"), code('22P02'));
    await assert.rejects(sequelize.query('SELECT * FROM nowhere'), code('42P01'));

    // Raw queries with replacements and bind parameters.
    const raw = await sequelize.query(
      'SELECT c.name, count(o.id)::int AS n FROM customers c LEFT JOIN orders o ON o."customerId" = c.id AND o."deletedAt" IS NULL WHERE c.name IN (:names) GROUP BY c.name ORDER BY c.name',
      { replacements: { names: ['Ada', 'bob', 'Cy'] }, type: QueryTypes.SELECT },
    );
    assert.deepEqual(raw, [{ name: 'Ada', n: 2 }, { name: 'Cy', n: 1 }, { name: 'bob', n: 1 }]);
    const [bound] = await sequelize.query('SELECT $1::int + $2::int AS s, $3::text AS t',
      { bind: [2, 3, 'z'], type: QueryTypes.SELECT });
    assert.deepEqual(bound, { s: 5, t: 'z' });
    const [, meta] = await sequelize.query("UPDATE customers SET visits = visits + 1 WHERE tier = 'free'");
    assert.equal(meta.rowCount, 2);

    // Cascade through the hasMany key, and the join table's keys.
    await Customer.destroy({ where: { name: 'Ada' } });
    assert.equal(await Order.count({ paranoid: false }), 2);
    assert.equal(await OrderItem.count(), 1);
    console.log('sequelize ok');
  } finally {
    await sequelize.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
