"""RAISE NOTICE / WARNING / INFO of a DO block (and DROP ... IF EXISTS's
"does not exist, skipping") reach drivers as notices
(psycopg 3's notice handlers, asyncpg's log listeners), in order, with
their SQLSTATE, detail and hint; client_min_messages holds back the lower
levels, and a notice raised before an exception still arrives.
Connection from PG* env."""
import asyncio

import asyncpg
import psycopg


def check(got, want, what):
    assert got == want, f"{what}: got {got!r}, want {want!r}"


def psycopg_side():
    got = []
    with psycopg.connect(autocommit=True) as conn:
        conn.add_notice_handler(
            lambda d: got.append(
                (d.severity, d.sqlstate, d.message_primary, d.message_detail, d.message_hint)
            )
        )
        conn.execute(
            "DO $$ BEGIN RAISE NOTICE 'hello %, you are %', 'bob', 40 + 2; "
            "RAISE WARNING 'careful' USING DETAIL = 'a detail', HINT = 'a hint'; "
            "RAISE INFO 'info'; RAISE DEBUG 'not sent'; END $$"
        )
        check(
            got,
            [
                ("NOTICE", "00000", "hello bob, you are 42", None, None),
                ("WARNING", "01000", "careful", "a detail", "a hint"),
                ("INFO", "00000", "info", None, None),
            ],
            "notices",
        )
        got.clear()
        conn.execute("SET client_min_messages = warning")
        conn.execute("DO $$ BEGIN RAISE NOTICE 'held back'; RAISE WARNING 'sent'; END $$")
        check([g[2] for g in got], ["sent"], "client_min_messages")
        conn.execute("RESET client_min_messages")
        got.clear()
        try:
            conn.execute("DO $$ BEGIN RAISE NOTICE 'first'; RAISE EXCEPTION 'then %', 'boom'; END $$")
            raise AssertionError("the exception did not arrive")
        except psycopg.errors.RaiseException as e:
            check(str(e).splitlines()[0], "then boom", "exception")
        check([g[2] for g in got], ["first"], "notice before the exception")
        # A trigger function's RAISE NOTICE, once per row, with its arguments.
        # DROP ... IF EXISTS of what is not there: PostgreSQL's notice.
        got.clear()
        conn.execute("DROP TABLE IF EXISTS noted")
        conn.execute("DROP TYPE IF EXISTS noted_kind")
        check(
            [(g[0], g[1], g[2]) for g in got],
            [
                ("NOTICE", "00000", 'table "noted" does not exist, skipping'),
                ("NOTICE", "00000", 'type "noted_kind" does not exist, skipping'),
            ],
            "DROP IF EXISTS notices",
        )
        got.clear()
        conn.execute("CREATE TABLE noted (id int, v text)")
        conn.execute("DROP TABLE IF EXISTS noted")
        check(got, [], "no notice when the table is there")
        # Commands that mean nothing outside a block: PostgreSQL's warning.
        conn.execute("SET LOCAL statement_timeout = '5s'")
        conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
        check(
            [(g[0], g[1], g[2]) for g in got],
            [
                ("WARNING", "25P01", "SET LOCAL can only be used in transaction blocks"),
                ("WARNING", "25P01", "SET CONSTRAINTS can only be used in transaction blocks"),
            ],
            "warnings outside a block",
        )
        check(
            conn.execute("SHOW statement_timeout").fetchone(),
            ("0",),
            "SET LOCAL outside a block changes nothing",
        )
        got.clear()
        conn.execute("CREATE TABLE noted (id int, v text)")
        conn.execute(
            "CREATE FUNCTION note_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF NEW.v IS NULL THEN RAISE WARNING 'row % has no value', NEW.id; END IF; "
            "RAISE NOTICE 'inserted %', NEW.id; RETURN NEW; END $$"
        )
        conn.execute(
            "CREATE TRIGGER noted_ins BEFORE INSERT ON noted FOR EACH ROW EXECUTE FUNCTION note_row()"
        )
        conn.execute("INSERT INTO noted VALUES (1, 'a'), (2, NULL)")
        check(
            [(g[0], g[2]) for g in got],
            [("NOTICE", "inserted 1"), ("WARNING", "row 2 has no value"), ("NOTICE", "inserted 2")],
            "trigger notices",
        )
        # Extended protocol: the same notice through a prepared execution.
        got.clear()
        conn.execute("DO $$ BEGIN RAISE NOTICE 'prepared'; END $$", prepare=True)
        check([g[2] for g in got], ["prepared"], "extended protocol")


async def asyncpg_side():
    conn = await asyncpg.connect()
    got = []
    conn.add_log_listener(lambda c, m: got.append((m.severity, m.message)))
    try:
        await conn.execute("DO $$ BEGIN RAISE NOTICE 'from asyncpg %', 1; END $$")
        await asyncio.sleep(0.05)
        check(got, [("NOTICE", "from asyncpg 1")], "asyncpg log listener")
    finally:
        await conn.close()


psycopg_side()
asyncio.run(asyncpg_side())
print("notices ok")
