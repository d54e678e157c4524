"""asyncpg against pgtenant: extended protocol with binary formats,
prepared statements, its type introspection, transactions, executemany,
cursors and COPY. Connection from PG* env."""
import asyncio
import datetime as dt
import decimal
import json
import uuid

import asyncpg


def check(got, want, what):
    assert got == want, f"{what}: got {got!r}, want {want!r}"


async def main():
    conn = await asyncpg.connect()
    check(conn.get_server_version().major >= 15, True, "server version")
    await conn.execute(
        """CREATE TABLE ap (id serial PRIMARY KEY, name text NOT NULL, n int, big bigint,
               small smallint, f double precision, price numeric(10,3), ok boolean,
               data bytea, born date, at timestamp, at_tz timestamptz, uid uuid,
               doc jsonb, tags text[], nums int[])"""
    )
    at_tz = dt.datetime(2024, 6, 1, 8, 30, 15, 123456, tzinfo=dt.timezone.utc)
    values = ("alpha", 7, 2**40, -3, 2.5, decimal.Decimal("1.250"), True, b"\x00\xff",
              dt.date(2020, 2, 29), dt.datetime(2024, 6, 1, 8, 30, 15), at_tz,
              uuid.UUID("12345678-1234-5678-1234-567812345678"), json.dumps({"k": [1, 2]}),
              ["a", "b"], [1, 2, 3])
    new_id = await conn.fetchval(
        """INSERT INTO ap (name, n, big, small, f, price, ok, data, born, at, at_tz, uid, doc, tags, nums)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id""",
        *values)
    check(new_id, 1, "returning id")
    row = await conn.fetchrow("SELECT * FROM ap WHERE id = $1", new_id)
    check(row["name"], "alpha", "text")
    check(row["n"], 7, "int4")
    check(row["big"], 2**40, "int8")
    check(row["small"], -3, "int2")
    check(row["f"], 2.5, "float8")
    check(row["price"], decimal.Decimal("1.250"), "numeric")
    check(row["ok"], True, "bool")
    check(row["data"], b"\x00\xff", "bytea")
    check(row["born"], dt.date(2020, 2, 29), "date")
    check(row["at"], dt.datetime(2024, 6, 1, 8, 30, 15), "timestamp")
    check(row["at_tz"], at_tz, "timestamptz")
    check(row["uid"], uuid.UUID("12345678-1234-5678-1234-567812345678"), "uuid")
    check(json.loads(row["doc"]), {"k": [1, 2]}, "jsonb")
    check(row["tags"], ["a", "b"], "text[]")
    check(row["nums"], [1, 2, 3], "int[]")

    # Prepared statement reused, with its introspected parameter types.
    # Arithmetic over a column is described as text without the cast (known
    # gap: result types of expressions over columns need the schema).
    stmt = await conn.prepare("SELECT (n * 2)::int AS d FROM ap WHERE name = $1")
    check([a.name for a in stmt.get_attributes()], ["d"], "attributes")
    check(await stmt.fetchval("alpha"), 14, "prepared fetchval")
    check(await stmt.fetchval("nobody"), None, "prepared no row")

    # executemany, transaction with rollback.
    await conn.executemany("INSERT INTO ap (name, n) VALUES ($1, $2)", [(f"m{i}", i) for i in range(20)])
    check(await conn.fetchval("SELECT count(*) FROM ap"), 21, "executemany")
    try:
        async with conn.transaction():
            await conn.execute("DELETE FROM ap")
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    check(await conn.fetchval("SELECT count(*) FROM ap"), 21, "transaction rollback")
    async with conn.transaction():
        await conn.execute("UPDATE ap SET n = n + 1 WHERE name = $1", "m0")
    check(await conn.fetchval("SELECT n FROM ap WHERE name = 'm0'"), 1, "transaction commit")

    # Cursor (a portal read in chunks) inside a transaction.
    async with conn.transaction():
        got = [r["n"] async for r in conn.cursor("SELECT n FROM ap WHERE name LIKE 'm%' ORDER BY n", prefetch=4)]
    check(got, [1] + list(range(1, 20)), "cursor")

    # Errors carry SQLSTATE classes.
    try:
        await conn.execute("INSERT INTO ap (id, name) VALUES (1, 'dup')")
        raise AssertionError("duplicate accepted")
    except asyncpg.UniqueViolationError as e:
        check(e.sqlstate, "23505", "unique violation")

    # Binary COPY: copy_records_to_table (asyncpg's bulk load) and binary out.
    rows = [(1000 + i, f"b{i}", i * 10) for i in range(500)] + [(2000, "z", None)]
    check(await conn.copy_records_to_table("ap", records=rows, columns=["id", "name", "n"]), "COPY 501", "binary copy in")
    check(await conn.fetchval("SELECT count(*) FROM ap WHERE id >= 1000"), 501, "binary rows")
    check(await conn.fetchrow("SELECT name, n FROM ap WHERE id = 1499"), ("b499", 4990), "binary values")
    check(await conn.fetchval("SELECT n IS NULL FROM ap WHERE id = 2000"), True, "binary NULL")
    import io
    out = io.BytesIO()
    await conn.copy_from_query("SELECT id, name FROM ap WHERE id IN (1000, 2000) ORDER BY id", output=out, format="binary")
    want = (b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8
            + b"\x00\x02" + b"\x00\x00\x00\x04" + (1000).to_bytes(4, "big") + b"\x00\x00\x00\x02b0"
            + b"\x00\x02" + b"\x00\x00\x00\x04" + (2000).to_bytes(4, "big") + b"\x00\x00\x00\x01z"
            + b"\xff\xff")
    check(out.getvalue(), want, "binary copy out")
    await conn.execute("DELETE FROM ap WHERE id >= 1000")

    # COPY out and in (CSV).
    rows = await conn.copy_to_table("ap", source=io.BytesIO(b"c1,100\nc2,200\n"), columns=["name", "n"], format="csv")
    check(rows, "COPY 2", "copy in")
    out = io.BytesIO()
    await conn.copy_from_query("SELECT name, n FROM ap WHERE name LIKE 'c%' ORDER BY n", output=out, format="csv")
    check(out.getvalue(), b"c1,100\nc2,200\n", "copy out")
    check(await conn.fetchval("SELECT sum(n)::int FROM ap WHERE name LIKE 'c%'"), 300, "copy in rows")

    # Network addresses and points, in binary both ways (asyncpg's codecs).
    import ipaddress
    await conn.execute("CREATE TABLE net (id int PRIMARY KEY, ip inet, block cidr, mac macaddr, at point)")
    await conn.execute("INSERT INTO net VALUES ($1, $2, $3, $4, $5)", 1,
                       ipaddress.ip_interface("192.168.1.5/24"), ipaddress.ip_network("10.0.0.0/8"),
                       "08:00:2b:01:02:03", asyncpg.Point(1.5, -2))
    await conn.execute("INSERT INTO net VALUES (2, '2001:db8::1', '2001:db8::/32', '0800.2b01.0204', '(3,4)')")
    row = await conn.fetchrow("SELECT ip, block, mac, at FROM net WHERE id = 1")
    check(row["ip"], ipaddress.ip_interface("192.168.1.5/24"), "inet")
    check(row["block"], ipaddress.ip_network("10.0.0.0/8"), "cidr")
    check(row["mac"], "08:00:2b:01:02:03", "macaddr")
    check(tuple(row["at"]), (1.5, -2.0), "point")
    row = await conn.fetchrow("SELECT ip, block, host(ip), masklen(block) FROM net WHERE id = 2")
    check(row["ip"], ipaddress.ip_address("2001:db8::1"), "inet v6")
    check(row["block"], ipaddress.ip_network("2001:db8::/32"), "cidr v6")
    check((row["host"], row["masklen"]), ("2001:db8::1", 32), "network functions")
    check(await conn.fetchval("SELECT id FROM net WHERE mac = $1", "08-00-2b-01-02-04"), 2, "macaddr parameter")
    check(await conn.fetchval("SELECT count(*) FROM net WHERE ip << '192.168.0.0/16'"), 1, "inet containment")
    await conn.close()
    print("asyncpg ok")


if __name__ == "__main__":
    asyncio.run(main())
