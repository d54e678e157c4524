"""psycopg2 against pgtenant (simple protocol, client-side parameter
interpolation): parameters, executemany, named cursors, COPY, transactions,
errors and a typed round trip. Connection from PG* env."""
import datetime as dt
import decimal
import io
import uuid

import psycopg2
import psycopg2.errorcodes
import psycopg2.extras


def check(got, want, what):
    assert got == want, f"{what}: got {got!r}, want {want!r}"


def main():
    psycopg2.extras.register_uuid()
    conn = psycopg2.connect("")
    check(conn.server_version >= 150000, True, "server_version")
    cur = conn.cursor()
    cur.execute(
        """CREATE TABLE p2 (id bigserial PRIMARY KEY, name varchar(40) NOT NULL,
               qty int, price numeric(12,3), ok bool, data bytea, born date,
               seen timestamp, seen_tz timestamptz, uid uuid, doc jsonb, tags text[])"""
    )
    conn.commit()
    when_tz = dt.datetime(2023, 12, 31, 23, 59, 58, 250000, tzinfo=dt.timezone.utc)
    cur.execute(
        """INSERT INTO p2 (name, qty, price, ok, data, born, seen, seen_tz, uid, doc, tags)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id""",
        (
            "back\\slash 'quoted'",
            -5,
            decimal.Decimal("-1234.567"),
            False,
            psycopg2.Binary(b"\x00\xde\xad\xbe\xef"),
            dt.date(1999, 1, 8),
            dt.datetime(2000, 1, 1, 0, 0, 1),
            when_tz,
            uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
            psycopg2.extras.Json({"nested": {"n": 1.5}, "list": [1, "two"]}),
            ["a", "b c", None],
        ),
    )
    (rid,) = cur.fetchone()
    conn.commit()
    cur.execute("SELECT name, qty, price, ok, data, born, seen, seen_tz, uid, doc, tags FROM p2 WHERE id = %s", (rid,))
    r = cur.fetchone()
    check(r[0], "back\\slash 'quoted'", "text with backslash and quote")
    check(r[1], -5, "int")
    check(r[2], decimal.Decimal("-1234.567"), "numeric")
    check(r[3], False, "bool")
    check(bytes(r[4]), b"\x00\xde\xad\xbe\xef", "bytea")
    check(r[5], dt.date(1999, 1, 8), "date")
    check(r[6], dt.datetime(2000, 1, 1, 0, 0, 1), "timestamp")
    check(r[7], when_tz, "timestamptz")
    check(r[8], uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), "uuid")
    check(r[9], {"nested": {"n": 1.5}, "list": [1, "two"]}, "jsonb")
    check(r[10], ["a", "b c", None], "text[]")
    check([d.name for d in cur.description][:3], ["name", "qty", "price"], "description names")

    # executemany and execute_values.
    cur.executemany("INSERT INTO p2 (name, qty) VALUES (%s, %s)", [(f"m{i}", i) for i in range(30)])
    psycopg2.extras.execute_values(cur, "INSERT INTO p2 (name, qty) VALUES %s", [(f"v{i}", 100 + i) for i in range(30)])
    conn.commit()
    cur.execute("SELECT count(*) FROM p2 WHERE qty >= %(lo)s", {"lo": 0})
    check(cur.fetchone()[0], 60, "executemany + execute_values")

    # Named (server-side) cursor.
    named = conn.cursor("p2_named")
    named.itersize = 8
    named.execute("SELECT qty FROM p2 WHERE qty >= 0 ORDER BY qty")
    check(named.fetchone(), (0,), "named fetchone")
    check(named.fetchmany(2), [(1,), (2,)], "named fetchmany")
    rest = [q for (q,) in named]
    check(len(rest), 57, "named iteration")
    named.close()
    conn.commit()

    # COPY in and out.
    cur.copy_expert("COPY p2 (name, qty) FROM STDIN WITH (FORMAT csv)", io.StringIO("c1,1001\n\"c,2\",1002\n"))
    conn.commit()
    out = io.StringIO()
    cur.copy_expert("COPY (SELECT name, qty FROM p2 WHERE qty > 1000 ORDER BY qty) TO STDOUT WITH (FORMAT csv)", out)
    check(out.getvalue(), 'c1,1001\n"c,2",1002\n', "copy csv round trip")

    # Transactions and errors.
    cur.execute("UPDATE p2 SET qty = qty + 1 WHERE name = %s", ("c1",))
    check(cur.rowcount, 1, "update rowcount")
    conn.rollback()
    cur.execute("SELECT qty FROM p2 WHERE name = 'c1'")
    check(cur.fetchone()[0], 1001, "rolled back update")
    try:
        cur.execute("INSERT INTO p2 (name) VALUES (NULL)")
        raise AssertionError("NULL accepted in NOT NULL column")
    except psycopg2.Error as e:
        check(e.pgcode, psycopg2.errorcodes.NOT_NULL_VIOLATION, "not null sqlstate")
    conn.rollback()
    try:
        cur.execute("SELECT no_such_column FROM p2")
        raise AssertionError("unknown column accepted")
    except psycopg2.Error as e:
        check(e.pgcode, psycopg2.errorcodes.UNDEFINED_COLUMN, "undefined column sqlstate")
    conn.rollback()

    # DictCursor / RealDictCursor.
    dc = conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor)
    dc.execute("SELECT name, qty FROM p2 WHERE qty = %s", (1002,))
    check(dc.fetchone(), {"name": "c,2", "qty": 1002}, "RealDictCursor")

    # Autocommit and server-side SQL PREPARE / EXECUTE.
    conn.rollback()
    conn.autocommit = True
    cur.execute("PREPARE by_qty (int) AS SELECT name FROM p2 WHERE qty = $1")
    cur.execute("EXECUTE by_qty (%s)", (1001,))
    check(cur.fetchall(), [("c1",)], "EXECUTE")
    cur.execute("DEALLOCATE by_qty")
    cur.execute("SHOW standard_conforming_strings")
    check(cur.fetchone()[0], "on", "standard_conforming_strings")
    conn.close()
    print("psycopg2 ok")


if __name__ == "__main__":
    main()
