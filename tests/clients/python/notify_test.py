"""LISTEN / NOTIFY between sessions of one tenant, as job queues and change
feeds use them: psycopg 3's notifies() generator on an idle connection,
asyncpg's add_listener callback, a trigger calling pg_notify, transaction
semantics (sent at COMMIT, dropped at ROLLBACK, duplicates folded), and a
listener inside a transaction hearing nothing until its block ends.
Connection from PG* env; tenant B (PGDATABASE2 / PGUSER2) must hear nothing."""
import asyncio
import os
import time

import asyncpg
import psycopg
from psycopg import errors


def check(got, want, what):
    assert got == want, f"{what}: got {got!r}, want {want!r}"


def received(conn, timeout=2.0, stop_after=None):
    got = []
    for n in conn.notifies(timeout=timeout, stop_after=stop_after):
        got.append((n.channel, n.payload, n.pid))
    return got


def psycopg_side():
    listener = psycopg.connect(autocommit=True)
    sender = psycopg.connect(autocommit=True)
    listener.execute("LISTEN jobs")
    listener.execute('LISTEN "Mixed"')
    sender_pid = sender.info.backend_pid

    # An idle listener gets a committed notification without sending anything.
    sender.execute("NOTIFY jobs, 'one'")
    check(received(listener, stop_after=1), [("jobs", "one", sender_pid)], "idle delivery")

    # A block's notifications go out at COMMIT, in order, duplicates folded;
    # a rolled-back block's never.
    with sender.transaction():
        sender.execute("SELECT pg_notify('jobs', 'a')")
        sender.execute("NOTIFY jobs, 'b'")
        sender.execute("NOTIFY jobs, 'a'")
        check(received(listener, timeout=0.3), [], "nothing before COMMIT")
    check([p for _, p, _ in received(listener, stop_after=2)], ["a", "b"], "commit order")
    try:
        with sender.transaction():
            sender.execute("NOTIFY jobs, 'lost'")
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    check(received(listener, timeout=0.3), [], "rolled back")

    # Quoted channel names keep their case; unquoted ones fold.
    sender.execute("SELECT pg_notify('Mixed', 'case')")
    sender.execute("NOTIFY MIXED, 'folded'")
    check(received(listener, stop_after=1), [("Mixed", "case", sender_pid)], "quoted channel")

    # A trigger announces changed rows.
    sender.execute("CREATE TABLE job (id serial PRIMARY KEY, kind text)")
    sender.execute(
        """CREATE FUNCTION announce() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN PERFORM pg_notify('jobs', 'new:' || NEW.kind); RETURN NEW; END $$"""
    )
    sender.execute("CREATE TRIGGER job_added AFTER INSERT ON job FOR EACH ROW EXECUTE FUNCTION announce()")
    sender.execute("INSERT INTO job (kind) VALUES ('mail')")
    check([p for _, p, _ in received(listener, stop_after=1)], ["new:mail"], "trigger pg_notify")

    # A listener inside a block hears nothing until the block ends.
    seen = []
    handler = lambda n: seen.append(n.payload)  # noqa: E731
    listener.add_notify_handler(handler)
    listener.autocommit = False
    listener.execute("SELECT 1")
    sender.execute("NOTIFY jobs, 'later'")
    time.sleep(0.3)
    listener.execute("SELECT 2")
    check(seen, [], "held while in a block")
    listener.commit()
    check(seen, ["later"], "delivered after the block")
    listener.remove_notify_handler(handler)
    listener.autocommit = True

    # Errors.
    for bad, code in [
        ("NOTIFY jobs, '" + "x" * 8000 + "'", "22023"),
        ("SELECT pg_notify('', 'x')", "22023"),
    ]:
        try:
            sender.execute(bad)
            raise AssertionError(f"accepted: {bad[:40]}")
        except errors.Error as e:
            check(e.sqlstate, code, bad[:40])
    check(sender.execute("SELECT 1").fetchone(), (1,), "connection survives")

    # UNLISTEN: nothing more arrives; the listener's own notifications too.
    listener.execute("UNLISTEN *")
    sender.execute("NOTIFY jobs, 'unheard'")
    check(received(listener, timeout=0.3), [], "after UNLISTEN *")
    listener.execute("LISTEN self")
    listener.execute("NOTIFY self, 'me'")
    check(received(listener, stop_after=1), [("self", "me", listener.info.backend_pid)], "self")

    # Another tenant's sessions never hear this tenant.
    other = psycopg.connect(
        autocommit=True, dbname=os.environ["PGDATABASE2"], user=os.environ["PGUSER2"]
    )
    other.execute("LISTEN jobs")
    sender.execute("NOTIFY jobs, 'private'")
    check(received(other, timeout=0.3), [], "other tenant")
    other.execute("NOTIFY jobs, 'theirs'")
    listener.execute("LISTEN jobs")
    check(received(listener, timeout=0.3), [], "other tenant's notification")
    for c in (listener, sender, other):
        c.close()


async def asyncpg_side():
    listener = await asyncpg.connect()
    sender = await asyncpg.connect()
    got = asyncio.Queue()
    await listener.add_listener("events", lambda _c, pid, ch, payload: got.put_nowait((ch, payload)))
    async with sender.transaction():
        await sender.execute("SELECT pg_notify($1, $2)", "events", "from-asyncpg")
    check(await asyncio.wait_for(got.get(), 2), ("events", "from-asyncpg"), "asyncpg listener")
    await listener.close()
    await sender.close()


def main():
    psycopg_side()
    asyncio.run(asyncpg_side())
    print("notify ok")


if __name__ == "__main__":
    main()
