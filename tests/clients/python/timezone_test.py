"""The session's TimeZone through drivers: psycopg 3 connecting with PGTZ
(libpq's TimeZone startup parameter) and changing it with SET, which the
server reports back (ParameterStatus) so psycopg hands out datetimes in that
zone; asyncpg's binary timestamptz values are instants whatever the zone.
Connection from PG* env."""
import asyncio
import datetime as dt
import os
from zoneinfo import ZoneInfo

import asyncpg
import psycopg


def check(got, want, what):
    assert got == want, f"{what}: got {got!r}, want {want!r}"


def psycopg_side():
    os.environ["PGTZ"] = "America/New_York"
    with psycopg.connect(autocommit=True) as conn:
        check(conn.info.parameter_status("TimeZone"), "America/New_York", "startup TimeZone")
        conn.execute("DROP TABLE IF EXISTS tz_events")
        conn.execute("CREATE TABLE tz_events (id int PRIMARY KEY, at timestamptz)")
        # A zone-less literal is New York wall-clock time; an aware datetime
        # is an instant.
        conn.execute("INSERT INTO tz_events VALUES (1, '2024-07-01 08:00')")
        conn.execute(
            "INSERT INTO tz_events VALUES (%s, %s)",
            (2, dt.datetime(2024, 7, 1, 12, 0, tzinfo=dt.timezone.utc)),
        )
        rows = conn.execute("SELECT at::text FROM tz_events ORDER BY id").fetchall()
        check(rows, [("2024-07-01 08:00:00-04",), ("2024-07-01 08:00:00-04",)], "text in zone")
        day, hour = conn.execute(
            "SELECT at::date, extract(hour FROM at)::int FROM tz_events WHERE id = 1"
        ).fetchone()
        check((day, hour), (dt.date(2024, 7, 1), 8), "calendar fields in zone")

        conn.execute("SET TIME ZONE 'Asia/Tokyo'")
        check(conn.info.parameter_status("TimeZone"), "Asia/Tokyo", "reported after SET")
        (at,) = conn.execute("SELECT at FROM tz_events WHERE id = 1").fetchone()
        check(at, dt.datetime(2024, 7, 1, 21, 0, tzinfo=ZoneInfo("Asia/Tokyo")), "value")
        check(at.utcoffset(), dt.timedelta(hours=9), "offset of the value")
        # Binary results carry the instant; psycopg shows it in the zone.
        with conn.cursor(binary=True) as cur:
            (b,) = cur.execute("SELECT at FROM tz_events WHERE id = 2").fetchone()
            check(b, at, "binary value")
            check(b.utcoffset(), dt.timedelta(hours=9), "binary offset")

        # A naive datetime (sent as timestamp) is wall-clock time in the
        # session's zone when it meets a timestamptz column, written or compared.
        conn.execute(
            "INSERT INTO tz_events VALUES (%s, %s)", (5, dt.datetime(2024, 7, 2, 9, 0))
        )
        (back,) = conn.execute("SELECT at FROM tz_events WHERE id = 5").fetchone()
        check(back.replace(tzinfo=None), dt.datetime(2024, 7, 2, 9, 0), "naive round trip")
        check(back.utcoffset(), dt.timedelta(hours=9), "naive value's offset")
        (n,) = conn.execute(
            "SELECT count(*) FROM tz_events WHERE at = %s", (dt.datetime(2024, 7, 2, 9, 0),)
        ).fetchone()
        check(n, 1, "naive comparison")
        conn.execute("DELETE FROM tz_events WHERE id = 5")

        try:
            conn.execute("SET TIME ZONE 'Mars/Olympus'")
            raise AssertionError("an unknown zone was accepted")
        except psycopg.errors.InvalidParameterValue as e:
            assert "Mars/Olympus" in str(e), e
        check(conn.execute("SHOW timezone").fetchone(), ("Asia/Tokyo",), "kept after error")
        conn.execute("RESET timezone")
        check(conn.info.parameter_status("TimeZone"), "America/New_York", "RESET to startup")
    del os.environ["PGTZ"]


async def asyncpg_side():
    conn = await asyncpg.connect(server_settings={"timezone": "Europe/Berlin"})
    try:
        (at,) = await conn.fetchrow("SELECT at FROM tz_events WHERE id = 1")
        check(at, dt.datetime(2024, 7, 1, 12, 0, tzinfo=dt.timezone.utc), "asyncpg instant")
        (text,) = await conn.fetchrow("SELECT at::text FROM tz_events WHERE id = 1")
        check(text, "2024-07-01 14:00:00+02", "asyncpg text in zone")
        await conn.execute(
            "INSERT INTO tz_events VALUES ($1, $2)",
            3,
            dt.datetime(2024, 1, 1, 0, 0, tzinfo=dt.timezone.utc),
        )
        (d,) = await conn.fetchrow("SELECT at::date FROM tz_events WHERE id = 3")
        check(d, dt.date(2024, 1, 1), "asyncpg calendar day in Berlin")
    finally:
        await conn.close()


psycopg_side()
asyncio.run(asyncpg_side())
print("timezone ok")
