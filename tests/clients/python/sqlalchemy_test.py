"""SQLAlchemy 2 (psycopg 3 dialect) against pgtenant: Core and ORM,
create_all, inspect() reflection, CRUD and relationships."""
import datetime as dt
import decimal
import os

from sqlalchemy import (
    Boolean, Column, DateTime, ForeignKey, Index, Integer, MetaData, Numeric, String,
    Table, Text, UniqueConstraint, create_engine, func, inspect, insert, select, text, update,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship


def check(got, want, what):
    assert got == want, f"{what}: got {got!r}, want {want!r}"


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    books: Mapped[list["Book"]] = relationship(back_populates="author", order_by="Book.title", passive_deletes=True)


class Book(Base):
    __tablename__ = "books"
    # create_all writes these with COMMENT ON; reflection reads them back.
    __table_args__ = {"comment": "Books in print"}
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text, comment="Shown in listings")
    price: Mapped[decimal.Decimal] = mapped_column(Numeric(8, 2))
    published: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id", ondelete="CASCADE"), index=True)
    author: Mapped[Author] = relationship(back_populates="books")


def main():
    url = "postgresql+psycopg://{u}:{p}@{h}:{port}/{d}".format(
        u=os.environ["PGUSER"], p=os.environ["PGPASSWORD"], h=os.environ["PGHOST"],
        port=os.environ["PGPORT"], d=os.environ["PGDATABASE"],
    )
    # use_insertmanyvalues=False: its batched INSERT ... SELECT FROM (VALUES
    # ...) AS t(p0, p1) RETURNING form is not translated yet (known gap).
    engine = create_engine(url, use_insertmanyvalues=False)

    # Core: a table with a composite unique constraint and an index.
    md = MetaData()
    events = Table(
        "events", md,
        Column("id", Integer, primary_key=True),
        Column("kind", String(20), nullable=False),
        Column("at", DateTime, server_default=func.now()),
        Column("n", Integer, server_default=text("0")),
        UniqueConstraint("kind", "n", name="events_kind_n"),
        Index("events_at_idx", "at"),
    )
    md.create_all(engine)
    Base.metadata.create_all(engine)
    # create_all again checks existence through the catalog and creates nothing.
    Base.metadata.create_all(engine)
    md.create_all(engine)

    with engine.begin() as c:
        c.execute(insert(events), [{"kind": "a", "n": i} for i in range(5)])
        c.execute(update(events).where(events.c.n >= 3).values(kind="b"))
        rows = c.execute(select(events.c.kind, func.count()).group_by(events.c.kind).order_by(events.c.kind)).all()
        check([tuple(r) for r in rows], [("a", 3), ("b", 2)], "core group by")
        at = c.execute(select(events.c.at).limit(1)).scalar_one()
        check(isinstance(at, dt.datetime), True, "server default now() is a datetime")

    # Reflection through inspect().
    insp = inspect(engine)
    check(sorted(insp.get_table_names()), ["authors", "books", "events"], "table names")
    cols = {c["name"]: c for c in insp.get_columns("books")}
    check(list(cols), ["id", "title", "price", "published", "author_id"], "books columns")
    check(str(cols["price"]["type"]), "NUMERIC(8, 2)", "numeric type")
    check(str(cols["title"]["type"]), "TEXT", "text type")
    check(cols["title"]["nullable"], False, "not null")
    check(cols["title"]["comment"], "Shown in listings", "column comment")
    check(cols["price"]["comment"], None, "no column comment")
    check(insp.get_table_comment("books"), {"text": "Books in print"}, "table comment")
    check(insp.get_table_comment("authors"), {"text": None}, "no table comment")
    check(cols["published"]["nullable"], True, "nullable")
    check(str(cols["published"]["type"]), "TIMESTAMP", "timestamptz type")
    check(cols["published"]["type"].timezone, True, "timestamptz has time zone")
    check(insp.get_pk_constraint("books")["constrained_columns"], ["id"], "pk")
    fks = insp.get_foreign_keys("books")
    check(len(fks), 1, "one fk")
    check((fks[0]["referred_table"], fks[0]["constrained_columns"], fks[0]["referred_columns"]),
          ("authors", ["author_id"], ["id"]), "fk columns")
    check(fks[0]["options"].get("ondelete"), "CASCADE", "fk on delete")
    idx = {i["name"]: i for i in insp.get_indexes("books")}
    check(idx["ix_books_author_id"]["column_names"], ["author_id"], "index columns")
    check(idx["ix_books_author_id"]["unique"], False, "index not unique")
    uqs = insp.get_unique_constraints("events")
    # Named UNIQUE constraints are reported under PostgreSQL's default name
    # (<table>_<columns>_key): SQLite keeps no constraint names (known limit).
    check([u["column_names"] for u in uqs], [["kind", "n"]], "unique constraint")
    ecols = {c["name"]: c for c in insp.get_columns("events")}
    check(ecols["n"]["default"], "0", "server default reflected")
    check(str(ecols["kind"]["type"]), "VARCHAR(20)", "varchar length")
    check(insp.has_table("books"), True, "has_table")
    check(insp.has_table("nope"), False, "has_table false")

    # Reflect into a MetaData and query through it.
    md2 = MetaData()
    md2.reflect(engine)
    check(sorted(md2.tables), ["authors", "books", "events"], "reflect()")
    check([c.name for c in md2.tables["books"].foreign_keys and md2.tables["books"].c if c.foreign_keys], ["author_id"], "reflected fk")

    # ORM: CRUD and relationships.
    with Session(engine) as s:
        ann = Author(name="Ann", books=[
            Book(title="Zeta", price=decimal.Decimal("9.99"), published=dt.datetime(2020, 5, 1, 10, 0, tzinfo=dt.timezone.utc)),
            Book(title="Alpha", price=decimal.Decimal("20.00")),
        ])
        bob = Author(name="Bob", active=False)
        s.add_all([ann, bob])
        s.commit()
        check(ann.id is not None and bob.id is not None, True, "ids assigned")

    with Session(engine) as s:
        ann = s.scalars(select(Author).where(Author.name == "Ann")).one()
        check([b.title for b in ann.books], ["Alpha", "Zeta"], "relationship order")
        check(ann.books[1].published, dt.datetime(2020, 5, 1, 10, 0, tzinfo=dt.timezone.utc), "timestamptz")
        check(ann.books[0].price, decimal.Decimal("20.00"), "numeric")
        q = (select(Author.name, func.count(Book.id))
             .outerjoin(Book).group_by(Author.name).order_by(Author.name))
        check([tuple(r) for r in s.execute(q)], [("Ann", 2), ("Bob", 0)], "join + group by")
        bob = s.scalars(select(Author).where(Author.active.is_(False))).one()
        bob.books.append(Book(title="Bobs", price=decimal.Decimal("1.50")))
        ann.books[0].price = decimal.Decimal("18.00")
        s.commit()

    with Session(engine) as s:
        check(s.scalar(select(func.count()).select_from(Book)), 3, "book count")
        alpha = s.scalars(select(Book).where(Book.title == "Alpha")).one()
        check(alpha.price, decimal.Decimal("18.00"), "update persisted")
        check(alpha.author.name, "Ann", "many-to-one")
        s.delete(s.get(Author, alpha.author_id))
        s.commit()
        # ON DELETE CASCADE removed Ann's books.
        check(s.scalar(select(func.count()).select_from(Book)), 1, "cascade delete")

    # stream_results uses a server-side cursor.
    with engine.connect() as c:
        res = c.execution_options(stream_results=True, max_row_buffer=2).execute(
            select(events.c.n).order_by(events.c.n))
        check([r.n for r in res], [0, 1, 2, 3, 4], "stream_results")

    Base.metadata.drop_all(engine)
    check(sorted(inspect(engine).get_table_names()), ["events"], "drop_all")
    print("sqlalchemy ok")


if __name__ == "__main__":
    main()
