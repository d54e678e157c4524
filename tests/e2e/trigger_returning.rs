//! RETURNING of writes to a table whose BEFORE trigger changes NEW shows
//! the rows as stored, with the statement's parameters in the RETURNING
//! list too, and in a data-modifying WITH query's rows.

use crate::common;

use common::TestServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returning_shows_rows_as_the_trigger_stored_them() {
    let server = TestServer::start().await;
    let c = server.fresh_tenant("acme").await;
    c.batch_execute(
        "CREATE TABLE acct (id serial PRIMARY KEY, email text UNIQUE, note text);
         CREATE FUNCTION shout() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN NEW.note := upper(NEW.email); RETURN NEW; END $$;
         CREATE TRIGGER shout BEFORE INSERT OR UPDATE ON acct FOR EACH ROW EXECUTE FUNCTION shout()",
    )
    .await
    .expect("setup");
    // $1 is both a value written and a RETURNING item: the re-read binds
    // the row's id after the statement's own parameters.
    let rows = c
        .query(
            "INSERT INTO acct (email) VALUES ($1), ($2) RETURNING id, note, $1::text AS first",
            &[&"a@x", &"b@x"],
        )
        .await
        .expect("insert");
    let got: Vec<(i32, String, String)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        got,
        [
            (1, "A@X".to_owned(), "a@x".to_owned()),
            (2, "B@X".to_owned(), "a@x".to_owned())
        ]
    );
    let rows = c
        .query(
            "UPDATE acct AS a SET email = $1 WHERE a.id = $2 RETURNING a.id, a.note",
            &[&"c@x", &2i32],
        )
        .await
        .expect("update");
    assert_eq!(rows[0].get::<_, String>(1), "C@X");
    let rows = c
        .query(
            "WITH added AS (INSERT INTO acct (email) VALUES ($1) RETURNING id, note) \
             SELECT id, note FROM added",
            &[&"d@x"],
        )
        .await
        .expect("with");
    assert_eq!(rows[0].get::<_, String>(1), "D@X");
}
