"""User-defined functions and DO blocks with variables, through drivers:
psycopg 3 (server-side parameters, prepared statements, notice handler,
cancel from another thread, statement_timeout) and asyncpg (which sends
parameters as the types the server describes). Another tenant (PGDATABASE2
/ PGUSER2) cannot call the first tenant's functions.
Connection from PG* env."""
import asyncio
import os
import threading
import time

import asyncpg
import psycopg


def check(got, want, what):
    assert got == want, f"{what}: got {got!r}, want {want!r}"


FUNCTIONS = [
    "CREATE FUNCTION add_em(integer, integer) RETURNS integer AS $$ SELECT $1 + $2 $$ LANGUAGE sql",
    "CREATE FUNCTION is_big(n integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT n > 100 $$",
    "CREATE FUNCTION greet(who text) RETURNS text LANGUAGE plpgsql AS $$ "
    "BEGIN IF who IS NULL THEN RETURN NULL; END IF; RETURN 'hello ' || who; END $$",
    "CREATE FUNCTION total_for(c text) RETURNS bigint LANGUAGE plpgsql AS $$ "
    "DECLARE t bigint := 0; r record; BEGIN "
    "FOR r IN SELECT amount FROM orders WHERE customer = c LOOP t := t + r.amount; END LOOP; "
    "RAISE NOTICE 'total for % is %', c, t; RETURN t; END $$",
    "CREATE FUNCTION spin() RETURNS integer LANGUAGE plpgsql AS $$ BEGIN LOOP END LOOP; END $$",
]


def psycopg_side():
    notices = []
    with psycopg.connect(autocommit=True) as conn:
        conn.add_notice_handler(lambda d: notices.append(d.message_primary))
        conn.execute("CREATE TABLE orders (id serial PRIMARY KEY, customer text, amount integer)")
        conn.execute(
            "INSERT INTO orders (customer, amount) VALUES ('ann', 10), ('ann', 32), ('bob', 5)"
        )
        for f in FUNCTIONS:
            conn.execute(f)
        # Parameters bound server-side; results typed by the return types.
        check(conn.execute("SELECT add_em(%s, %s)", (40, 2)).fetchone(), (42,), "add_em")
        check(
            conn.execute("SELECT is_big(%s), is_big(%s)", (500, 5)).fetchone(),
            (True, False),
            "boolean result",
        )
        check(
            conn.execute("SELECT greet(%s), greet(NULL)", ("ann",), prepare=True).fetchone(),
            ("hello ann", None),
            "plpgsql text result",
        )
        rows = conn.execute(
            "SELECT customer, total_for(customer) FROM orders GROUP BY customer ORDER BY customer"
        ).fetchall()
        check(rows, [("ann", 42), ("bob", 5)], "function over a table")
        check(notices, ["total for ann is 42", "total for bob is 5"], "function notices")
        # A DO block with variables, a loop and SELECT INTO; its notice
        # carries a variable's value.
        notices.clear()
        conn.execute(
            "DO $$ DECLARE n integer; BEGIN "
            "FOR i IN 1..3 LOOP INSERT INTO orders (customer, amount) VALUES ('cy', i * 10); END LOOP; "
            "SELECT count(*) INTO n FROM orders WHERE customer = 'cy'; "
            "RAISE NOTICE 'cy has % orders', n; END $$"
        )
        check(notices, ["cy has 3 orders"], "DO notice")
        check(conn.execute("SELECT total_for('cy')").fetchone(), (60,), "rows the DO block wrote")
        # A function that never returns: cancelled from another thread, and
        # the connection works afterwards.
        timer = threading.Timer(0.5, conn.cancel)
        timer.start()
        started = time.monotonic()
        try:
            conn.execute("SELECT spin()")
            raise AssertionError("spin() returned")
        except psycopg.errors.QueryCanceled:
            pass
        finally:
            timer.cancel()
        assert time.monotonic() - started < 10, "cancel took too long"
        check(conn.execute("SELECT 1").fetchone(), (1,), "after cancel")
        # statement_timeout stops a DO block looping without statements.
        conn.execute("SET statement_timeout = '300ms'")
        try:
            conn.execute("DO $$ BEGIN LOOP END LOOP; END $$")
            raise AssertionError("the DO loop returned")
        except psycopg.errors.QueryCanceled:
            pass
        conn.execute("RESET statement_timeout")
        # An error inside a function keeps its SQLSTATE.
        try:
            conn.execute("SELECT add_em(1, 2, 3)")
            raise AssertionError("a call with the wrong arguments succeeded")
        except psycopg.errors.UndefinedFunction:
            pass
    # Another tenant does not see these functions.
    with psycopg.connect(
        autocommit=True, dbname=os.environ["PGDATABASE2"], user=os.environ["PGUSER2"]
    ) as other:
        try:
            other.execute("SELECT add_em(1, 2)")
            raise AssertionError("another tenant called add_em")
        except psycopg.errors.UndefinedFunction:
            pass


async def asyncpg_side():
    conn = await asyncpg.connect()
    try:
        # asyncpg encodes each argument as the type the server describes.
        check(await conn.fetchval("SELECT add_em($1, $2)", 1, 2), 3, "asyncpg int arguments")
        # An aliased call (as ORMs label them) keeps the return type.
        check(
            await conn.fetchval("SELECT add_em($1, $2) + 1 AS total", 1, 2), 4, "asyncpg aliased"
        )
        check(await conn.fetchval("SELECT is_big($1)", 1000), True, "asyncpg boolean result")
        check(await conn.fetchval("SELECT greet($1)", "bo"), "hello bo", "asyncpg text")
    finally:
        await conn.close()


psycopg_side()
asyncio.run(asyncpg_side())
print("plpgsql ok")
