"""Alembic against a pgtenant tenant: a real migration script applied with
`alembic upgrade head` (tables, a foreign key, an index, a server default),
then autogenerate compares the model with the database and must find
nothing to do; a model change is then detected, applied and reverted with
downgrade."""
import os
import tempfile
import textwrap

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

URL = "postgresql+psycopg://{u}:{p}@{h}:{port}/{d}".format(
    u=os.environ["PGUSER"],
    p=os.environ["PGPASSWORD"],
    h=os.environ["PGHOST"],
    port=os.environ["PGPORT"],
    d=os.environ["PGDATABASE"],
)

metadata = sa.MetaData()
sa.Table(
    "customer",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(120), nullable=False, unique=True),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.text("true")),
)
sa.Table(
    "purchase",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customer.id"), nullable=False),
    sa.Column("total", sa.Numeric(10, 2), nullable=False),
    sa.Column("note", sa.Text),
    sa.Index("ix_purchase_customer", "customer_id"),
)

FIRST = '''
"""first"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.create_table(
        "customer",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(120), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.text("true")),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "purchase",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customer.id"), nullable=False),
        sa.Column("total", sa.Numeric(10, 2), nullable=False),
        sa.Column("note", sa.Text),
    )
    op.create_index("ix_purchase_customer", "purchase", ["customer_id"])


def downgrade():
    op.drop_index("ix_purchase_customer", "purchase")
    op.drop_table("purchase")
    op.drop_table("customer")
'''

SECOND = '''
"""second"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade():
    op.add_column("customer", sa.Column("nickname", sa.String(40)))


def downgrade():
    op.drop_column("customer", "nickname")
'''

ENV = '''
from alembic import context
import sqlalchemy as sa

config = context.config
engine = sa.create_engine(config.get_main_option("sqlalchemy.url"))
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
'''

with tempfile.TemporaryDirectory() as d:
    os.makedirs(os.path.join(d, "versions"))
    with open(os.path.join(d, "env.py"), "w") as f:
        f.write(ENV)
    with open(os.path.join(d, "script.py.mako"), "w") as f:
        f.write("")
    with open(os.path.join(d, "versions", "0001_first.py"), "w") as f:
        f.write(textwrap.dedent(FIRST))
    cfg = Config()
    cfg.set_main_option("script_location", d)
    cfg.set_main_option("sqlalchemy.url", URL)
    command.upgrade(cfg, "head")

    engine = sa.create_engine(URL)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        assert ctx.get_current_revision() == "0001", ctx.get_current_revision()
        diff = compare_metadata(ctx, metadata)
        assert diff == [], diff

        # The database works as the model says.
        conn.execute(sa.text("INSERT INTO customer (email) VALUES ('a@x')"))
        row = conn.execute(sa.text("SELECT id, active FROM customer")).one()
        assert row.active is True, row
        conn.execute(
            sa.text("INSERT INTO purchase (customer_id, total) VALUES (:c, 9.5)"), {"c": row.id}
        )
        try:
            conn.execute(sa.text("INSERT INTO purchase (customer_id, total) VALUES (999, 1)"))
            raise AssertionError("foreign key not enforced")
        except sa.exc.IntegrityError:
            conn.rollback()
        conn.commit()

    # A model change is detected...
    metadata.tables["customer"].append_column(sa.Column("nickname", sa.String(40)))
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert [d[0] for d in diff] == ["add_column"], diff
        assert diff[0][3].name == "customer" or diff[0][2] == "customer", diff

    # ...applied by the next revision, and autogenerate is quiet again.
    with open(os.path.join(d, "versions", "0002_second.py"), "w") as f:
        f.write(textwrap.dedent(SECOND))
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        assert ctx.get_current_revision() == "0002"
        assert compare_metadata(ctx, metadata) == []

    # And downgrade takes it back out.
    command.downgrade(cfg, "0001")
    cols = [c["name"] for c in sa.inspect(engine).get_columns("customer")]
    assert "nickname" not in cols, cols

print("alembic ok")
