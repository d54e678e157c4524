"""psycopg 3 against pgtenant: parameters, executemany, server-side cursors,
COPY, transactions, errors and a typed round trip. Connection from PG* env."""
import datetime as dt
import decimal
import ipaddress
import uuid

import psycopg
from psycopg import errors, sql
from psycopg.types.range import Range
from psycopg.types.json import Jsonb


def check(got, want, what):
    assert got == want, f"{what}: got {got!r}, want {want!r}"


def main():
    with psycopg.connect(autocommit=False) as conn:
        check(conn.info.server_version >= 150000, True, "server_version")
        with conn.cursor() as cur:
            cur.execute(
                """CREATE TABLE items (
                       id serial PRIMARY KEY,
                       name text NOT NULL,
                       qty integer,
                       price numeric(10,2),
                       ok boolean,
                       data bytea,
                       born date,
                       seen timestamp,
                       seen_tz timestamptz,
                       uid uuid,
                       doc jsonb,
                       j json,
                       tags text[],
                       nums integer[])"""
            )
            conn.commit()

            # Typed round trip through parameters (extended protocol, text and binary).
            row_in = (
                "widget",
                7,
                decimal.Decimal("12.34"),
                True,
                b"\x00\x01\xffbin",
                dt.date(2024, 2, 29),
                dt.datetime(2024, 3, 1, 12, 30, 45, 123456),
                dt.datetime(2024, 3, 1, 12, 30, 45, tzinfo=dt.timezone.utc),
                uuid.UUID("12345678-1234-5678-1234-567812345678"),
                Jsonb({"a": 1, "b": [True, None, "x"]}),
                Jsonb({"k": "v"}),
                ["red", "green", "it's"],
                [1, 2, 3],
            )
            cur.execute(
                """INSERT INTO items (name, qty, price, ok, data, born, seen, seen_tz,
                                      uid, doc, j, tags, nums)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                   RETURNING id""",
                row_in,
            )
            (new_id,) = cur.fetchone()
            check(new_id, 1, "serial id")
            conn.commit()

            for binary in (False, True):
                with conn.cursor(binary=binary) as c2:
                    c2.execute(
                        """SELECT name, qty, price, ok, data, born, seen, seen_tz, uid,
                                  doc, j, tags, nums FROM items WHERE id = %s""",
                        (new_id,),
                    )
                    got = c2.fetchone()
                    mode = "binary" if binary else "text"
                    check(got[0], "widget", f"text ({mode})")
                    check(got[1], 7, f"int ({mode})")
                    check(got[2], decimal.Decimal("12.34"), f"numeric ({mode})")
                    check(got[3], True, f"bool ({mode})")
                    check(bytes(got[4]), b"\x00\x01\xffbin", f"bytea ({mode})")
                    check(got[5], dt.date(2024, 2, 29), f"date ({mode})")
                    check(got[6], dt.datetime(2024, 3, 1, 12, 30, 45, 123456), f"timestamp ({mode})")
                    check(
                        got[7],
                        dt.datetime(2024, 3, 1, 12, 30, 45, tzinfo=dt.timezone.utc),
                        f"timestamptz ({mode})",
                    )
                    check(got[8], uuid.UUID("12345678-1234-5678-1234-567812345678"), f"uuid ({mode})")
                    check(got[9], {"a": 1, "b": [True, None, "x"]}, f"jsonb ({mode})")
                    check(got[10], {"k": "v"}, f"json ({mode})")
                    check(got[11], ["red", "green", "it's"], f"text[] ({mode})")
                    check(got[12], [1, 2, 3], f"int[] ({mode})")

            # NULLs come back as None.
            cur.execute("INSERT INTO items (name) VALUES (%s) RETURNING qty, price, doc, tags", ("empty",))
            check(cur.fetchone(), (None, None, None, None), "nulls")
            conn.rollback()

            # executemany, then aggregate.
            cur.executemany(
                "INSERT INTO items (name, qty, price) VALUES (%s, %s, %s)",
                [(f"bulk{i}", i, decimal.Decimal(i) / 4) for i in range(50)],
            )
            conn.commit()
            # sum() over a column is described as text without the cast (known gap:
            # result types of aggregates over columns need the schema).
            cur.execute("SELECT count(*), sum(qty)::bigint FROM items WHERE name LIKE %s", ("bulk%",))
            check(cur.fetchone(), (50, sum(range(50))), "executemany count/sum")

            # Server-side (named) cursor: DECLARE / FETCH in a transaction.
            with conn.cursor(name="bulk_cur") as ss:
                ss.itersize = 7
                ss.execute("SELECT qty FROM items WHERE name LIKE 'bulk%%' ORDER BY qty")
                first = ss.fetchmany(3)
                check([r[0] for r in first], [0, 1, 2], "server cursor fetchmany")
                rest = [r[0] for r in ss]
                check(rest, list(range(3, 50)), "server cursor iteration")
            conn.commit()

            # COPY FROM STDIN / TO STDOUT.
            cur.execute("CREATE TABLE pts (x integer, label text)")
            with cur.copy("COPY pts (x, label) FROM STDIN") as cp:
                for i in range(20):
                    cp.write_row((i, f"p{i}" if i % 5 else None))
            conn.commit()
            cur.execute("SELECT count(*), count(label) FROM pts")
            check(cur.fetchone(), (20, 16), "copy in")
            out = []
            with cur.copy("COPY (SELECT x, label FROM pts WHERE x < 3 ORDER BY x) TO STDOUT") as cp:
                for row in cp.rows():
                    out.append(row)
            check(out, [("0", None), ("1", "p1"), ("2", "p2")], "copy out")

            # Transactions: rollback discards, commit keeps, savepoints.
            cur.execute("INSERT INTO pts VALUES (100, 'gone')")
            conn.rollback()
            cur.execute("SELECT count(*) FROM pts WHERE x = 100")
            check(cur.fetchone()[0], 0, "rollback")
            with conn.transaction():
                cur.execute("INSERT INTO pts VALUES (101, 'kept')")
                try:
                    with conn.transaction():
                        cur.execute("INSERT INTO pts VALUES (102, 'nested')")
                        raise RuntimeError("roll back the savepoint")
                except RuntimeError:
                    pass
            cur.execute("SELECT x FROM pts WHERE x > 100 ORDER BY x")
            check(cur.fetchall(), [(101,)], "savepoint rollback")
            conn.commit()

            # Errors carry SQLSTATE; the connection survives.
            try:
                cur.execute("INSERT INTO items (id, name) VALUES (1, 'dup')")
                raise AssertionError("duplicate key accepted")
            except errors.UniqueViolation as e:
                check(e.sqlstate, "23505", "unique violation sqlstate")
            conn.rollback()
            try:
                cur.execute("SELECT * FROM no_such_table")
                raise AssertionError("missing table accepted")
            except errors.UndefinedTable as e:
                check(e.sqlstate, "42P01", "undefined table sqlstate")
            conn.rollback()

            # sql.Identifier composition and a literal with a quote.
            cur.execute(
                sql.SQL("SELECT {} FROM {} WHERE name = %s").format(
                    sql.Identifier("qty"), sql.Identifier("items")
                ),
                ("widget",),
            )
            check(cur.fetchone(), (7,), "sql.Identifier")
            cur.execute("SELECT %s::text, %s::int + 1", ("O'Reilly \\ back", 41))
            check(cur.fetchone(), ("O'Reilly \\ back", 42), "quoting")

            # Prepared statements (prepare=True forces a named server statement).
            for i in range(3):
                cur.execute("SELECT %s::int * 2", (i,), prepare=True)
                check(cur.fetchone()[0], i * 2, "prepared")
            conn.commit()

    # Autocommit connection and the pipeline mode.
    with psycopg.connect(autocommit=True) as conn:
        with conn.pipeline():
            c1 = conn.execute("SELECT count(*) FROM items")
            c2 = conn.execute("SELECT count(*) FROM pts")
        check((c1.fetchone()[0], c2.fetchone()[0]), (51, 21), "pipeline")

    # Another session changes a table between this session's statements:
    # results carry the new columns (extended and simple protocol), and a
    # named statement whose columns changed fails as PostgreSQL's does.
    with psycopg.connect(autocommit=True) as a, psycopg.connect(autocommit=True) as b:
        a.execute("CREATE TABLE drift (id int, x int)")
        a.execute("INSERT INTO drift VALUES (1, 2)")
        simple = psycopg.ClientCursor(a)
        check(a.execute("SELECT * FROM drift").fetchall(), [(1, 2)], "before DDL")
        for _ in range(3):
            a.execute("SELECT * FROM drift WHERE id = %s", (1,), prepare=True).fetchall()
        b.execute("ALTER TABLE drift ADD COLUMN y int DEFAULT 5")
        check(a.execute("SELECT * FROM drift").fetchall(), [(1, 2, 5)], "column added elsewhere")
        b.execute("ALTER TABLE drift DROP COLUMN x")
        check(simple.execute("SELECT * FROM drift").fetchall(), [(1, 5)], "simple after drop")
        b.execute("ALTER TABLE drift ALTER COLUMN y TYPE bigint")
        cur = a.execute("SELECT y FROM drift")
        check((cur.description[0].type_code, cur.fetchall()), (20, [(5,)]), "type changed elsewhere")
        # A statement parsed after the change (extended protocol, unnamed).
        cur = a.execute("SELECT * FROM drift WHERE id = %s AND true", (1,))
        check(([d.type_code for d in cur.description], cur.fetchall()), ([23, 20], [(1, 5)]), "parsed after DDL")
        b.execute("ALTER TABLE drift ADD COLUMN z text")
        try:
            a.execute("SELECT * FROM drift WHERE id = %s", (1,), prepare=True)
            raise AssertionError("a prepared statement's columns changed without an error")
        except psycopg.errors.FeatureNotSupported as e:
            check(str(e), "cached plan must not change result type", "stale prepared")
        check(a.execute("SELECT 1").fetchone(), (1,), "session goes on")

    # Ranges and network addresses as parameters and results (psycopg's
    # Range and ipaddress adapters), and an exclusion constraint's error.
    with psycopg.connect(autocommit=True) as conn:
        conn.execute("CREATE TABLE stay (id serial PRIMARY KEY, room int, days daterange, ip inet, "
                     "EXCLUDE USING gist (room WITH =, days WITH &&))")
        conn.execute("INSERT INTO stay (room, days, ip) VALUES (%s, %s, %s)",
                      (1, Range(dt.date(2024, 1, 1), dt.date(2024, 1, 5)), ipaddress.ip_address("10.0.0.7")))
        got = conn.execute("SELECT days, ip FROM stay").fetchone()
        check(got, (Range(dt.date(2024, 1, 1), dt.date(2024, 1, 5)), ipaddress.ip_address("10.0.0.7")), "range and inet")
        hit = conn.execute("SELECT id FROM stay WHERE days && %s",
                           (Range(dt.date(2024, 1, 4), dt.date(2024, 1, 9)),)).fetchall()
        check(hit, [(1,)], "overlap with a range parameter")
        hit = conn.execute("SELECT id FROM stay WHERE days @> %s::date", (dt.date(2024, 1, 5),)).fetchall()
        check(hit, [], "upper bound excluded")
        try:
            conn.execute("INSERT INTO stay (room, days) VALUES (1, %s)",
                         (Range(dt.date(2024, 1, 3), dt.date(2024, 1, 4), "[]"),))
            raise AssertionError("a double booking was accepted")
        except psycopg.errors.ExclusionViolation as e:
            check(e.diag.constraint_name, "stay_room_days_excl", "exclusion constraint name")
    print("psycopg3 ok")


if __name__ == "__main__":
    main()
