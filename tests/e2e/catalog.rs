//! pg_catalog and information_schema through real clients: psql's describe
//! commands (compared with what psql 15 prints against PostgreSQL 15 for the
//! same schema), tokio-postgres's type lookup and reg* casts, pgbench's
//! partition probe, and information_schema.columns.

use crate::common;

use common::{simple_rows, TestServer};

const SCHEMA: &str = "
CREATE TABLE users (id serial primary key, email varchar(100) not null unique);
CREATE TABLE todo (id serial primary key, title text not null, done boolean default false,
  owner_id integer references users(id), due date, score numeric(10,2),
  created_at timestamp default now());
CREATE INDEX todo_title_idx ON todo (title);
CREATE VIEW open_todo AS SELECT id, title FROM todo WHERE NOT done;
";

/// What psql 15 prints for `\d todo` and `\d users` against PostgreSQL 15.18
/// with SCHEMA (captured with `psql -X -c '\d todo' -c '\d users'`). The only
/// difference allowed is none: pgtenant prints the same text.
const PG_D_TODO: &str = r#"                                        Table "public.todo"
   Column   |            Type             | Collation | Nullable |             Default              
------------+-----------------------------+-----------+----------+----------------------------------
 id         | integer                     |           | not null | nextval('todo_id_seq'::regclass)
 title      | text                        |           | not null | 
 done       | boolean                     |           |          | false
 owner_id   | integer                     |           |          | 
 due        | date                        |           |          | 
 score      | numeric(10,2)               |           |          | 
 created_at | timestamp without time zone |           |          | now()
Indexes:
    "todo_pkey" PRIMARY KEY, btree (id)
    "todo_title_idx" btree (title)
Foreign-key constraints:
    "todo_owner_id_fkey" FOREIGN KEY (owner_id) REFERENCES users(id)

"#;

const PG_D_USERS: &str = r#"                                    Table "public.users"
 Column |          Type          | Collation | Nullable |              Default              
--------+------------------------+-----------+----------+-----------------------------------
 id     | integer                |           | not null | nextval('users_id_seq'::regclass)
 email  | character varying(100) |           | not null | 
Indexes:
    "users_pkey" PRIMARY KEY, btree (id)
    "users_email_key" UNIQUE CONSTRAINT, btree (email)
Referenced by:
    TABLE "todo" CONSTRAINT "todo_owner_id_fkey" FOREIGN KEY (owner_id) REFERENCES users(id)

"#;

async fn psql(server: &TestServer, command: &str) -> String {
    let out = server
        .psql("alice@acme", "app", "s3cret", &["-c", command], None)
        .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.is_empty(),
        "{command}: {stderr}"
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn psql_describe_commands_match_postgresql() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client.batch_execute(SCHEMA).await.unwrap();

    assert_eq!(psql(&server, r"\d todo").await, PG_D_TODO);
    assert_eq!(psql(&server, r"\d users").await, PG_D_USERS);
    // The owner is the session's user (the tenant user, without "@tenant").
    let dt = psql(&server, r"\dt").await;
    assert!(dt.contains(" public | todo  | table | alice"), "{dt}");
    assert!(dt.contains(" public | users | table | alice"), "{dt}");
    assert!(dt.contains("(2 rows)"), "{dt}");
    let di = psql(&server, r"\di").await;
    for line in [
        " public | todo_pkey       | index | alice | todo",
        " public | todo_title_idx  | index | alice | todo",
        " public | users_email_key | index | alice | users",
        " public | users_pkey      | index | alice | users",
    ] {
        assert!(di.contains(line), "{di}");
    }
    let dv = psql(&server, r"\dv").await;
    assert!(dv.contains(" public | open_todo | view | alice"), "{dv}");
    let dn = psql(&server, r"\dn").await;
    assert!(dn.contains(" public | pg_database_owner"), "{dn}");
    // Differences from PostgreSQL, by design: the tenant role is not a
    // superuser (PostgreSQL's bootstrap role shows "Superuser, Create role,
    // ..."), and \l lists only the tenant's own database (no template0/1,
    // no postgres).
    let du = psql(&server, r"\du").await;
    assert!(du.contains(" alice     |            | {}"), "{du}");
    let l = psql(&server, r"\l").await;
    assert!(l.contains(" app  | alice | UTF8"), "{l}");
    assert!(l.contains("(1 row)"), "{l}");
    let x = server
        .psql(
            "alice@acme",
            "app",
            "s3cret",
            &[
                "-x",
                "-c",
                "SELECT relname, relkind FROM pg_class WHERE relname = 'todo'",
            ],
            None,
        )
        .await;
    let x = String::from_utf8(x.stdout).unwrap();
    assert!(
        x.contains("relname | todo") && x.contains("relkind | r"),
        "{x}"
    );
}

/// COMMENT ON texts in psql's `\d+`, `\dt+`, `\dv+` and `\dn+`, which
/// read them through col_description and obj_description.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn psql_describe_commands_show_comments() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client.batch_execute(SCHEMA).await.unwrap();
    client
        .batch_execute(
            "COMMENT ON TABLE todo IS 'Things to do';
             COMMENT ON COLUMN todo.title IS $$What's to do$$;
             COMMENT ON VIEW open_todo IS 'Not done yet';",
        )
        .await
        .unwrap();
    let d = psql(&server, r"\d+ todo").await;
    assert!(d.contains("| What's to do\n"), "{d}");
    let dt = psql(&server, r"\dt+").await;
    assert!(dt.contains("| Things to do\n"), "{dt}");
    let dv = psql(&server, r"\dv+").await;
    assert!(dv.contains("| Not done yet\n"), "{dv}");
    let dn = psql(&server, r"\dn+").await;
    assert!(dn.contains("| standard public schema\n"), "{dn}");
    client
        .batch_execute("ALTER TABLE todo RENAME TO task; COMMENT ON COLUMN task.title IS NULL")
        .await
        .unwrap();
    let dt = psql(&server, r"\dt+").await;
    assert!(
        dt.contains(" task  | table |") && dt.contains("| Things to do\n"),
        "{dt}"
    );
    let d = psql(&server, r"\d+ task").await;
    assert!(!d.contains("What's to do"), "{d}");
    // A drop SQLite refuses (here a CASCADE over a referencing row) is all
    // or none: the comment it would have deleted stays.
    client
        .batch_execute("INSERT INTO users (email) VALUES ('a@x'); INSERT INTO task (title, owner_id) VALUES ('t', 1)")
        .await
        .unwrap();
    client
        .batch_execute("COMMENT ON TABLE users IS 'People'")
        .await
        .unwrap();
    assert!(client
        .batch_execute("DROP TABLE users CASCADE")
        .await
        .is_err());
    let rows = simple_rows(
        &client
            .simple_query("SELECT obj_description('users'::regclass, 'pg_class')")
            .await
            .unwrap(),
    );
    assert_eq!(rows, vec![vec![Some("People".to_owned())]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokio_postgres_type_lookup_and_reg_casts() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client.batch_execute(SCHEMA).await.unwrap();
    // tokio-postgres's TYPEINFO query, as it sends it for an unknown OID.
    let typeinfo = "SELECT t.typname, t.typtype, t.typelem, r.rngsubtype, t.typbasetype, \
         n.nspname, t.typrelid \
         FROM pg_catalog.pg_type t \
         LEFT OUTER JOIN pg_catalog.pg_range r ON r.rngtypid = t.oid \
         INNER JOIN pg_catalog.pg_namespace n ON t.typnamespace = n.oid \
         WHERE t.oid = $1";
    let row = client.query_one(typeinfo, &[&1007u32]).await.unwrap();
    assert_eq!(row.get::<_, String>(0), "_int4");
    assert_eq!(row.get::<_, i8>(1), b'b' as i8);
    assert_eq!(row.get::<_, u32>(2), 23);
    assert_eq!(row.get::<_, Option<u32>>(3), None);
    assert_eq!(row.get::<_, u32>(4), 0);
    assert_eq!(row.get::<_, String>(5), "pg_catalog");
    let oid: u32 = client
        .query_one("SELECT 'todo'::regclass::oid", &[])
        .await
        .unwrap()
        .get(0);
    let name = client
        .query_one(
            "SELECT oid::regclass::text FROM pg_class WHERE oid = $1",
            &[&oid],
        )
        .await
        .unwrap();
    assert_eq!(name.get::<_, String>(0), "todo");
    let t = client
        .query_one("SELECT atttypid::regtype::text FROM pg_attribute WHERE attrelid = 'todo'::regclass AND attname = 'score'", &[])
        .await
        .unwrap();
    assert_eq!(t.get::<_, String>(0), "numeric");
    let v = client
        .simple_query(
            "SELECT pg_catalog.version(), current_schema(), current_user, current_database()",
        )
        .await
        .unwrap();
    let v = simple_rows(&v);
    assert!(v[0][0].as_deref().unwrap().starts_with("PostgreSQL 15."));
    assert_eq!(v[0][1].as_deref(), Some("public"));
    assert_eq!(v[0][2].as_deref(), Some("alice"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn information_schema_columns() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client.batch_execute(SCHEMA).await.unwrap();
    let rows = client
        .simple_query(
            "SELECT column_name, data_type, udt_name, is_nullable, column_default, \
             character_maximum_length, numeric_precision \
             FROM information_schema.columns WHERE table_name = 'todo' ORDER BY ordinal_position",
        )
        .await
        .unwrap();
    let s = |v: &str| Some(v.to_string());
    let rows = simple_rows(&rows);
    assert_eq!(
        rows[0],
        vec![
            s("id"),
            s("integer"),
            s("int4"),
            s("NO"),
            s("nextval('todo_id_seq'::regclass)"),
            None,
            s("32")
        ]
    );
    assert_eq!(
        rows[1],
        vec![s("title"), s("text"), s("text"), s("NO"), None, None, None]
    );
    assert_eq!(
        rows[2],
        vec![
            s("done"),
            s("boolean"),
            s("bool"),
            s("YES"),
            s("false"),
            None,
            None
        ]
    );
    assert_eq!(
        rows[6],
        vec![
            s("created_at"),
            s("timestamp without time zone"),
            s("timestamp"),
            s("YES"),
            s("now()"),
            None,
            None
        ]
    );
    let users = client
        .simple_query("SELECT data_type, character_maximum_length FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'email'")
        .await
        .unwrap();
    assert_eq!(
        simple_rows(&users),
        vec![vec![s("character varying"), s("100")]]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pgbench_runs_and_finds_its_tables() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute(
            "CREATE TABLE pgbench_branches (bid int primary key, bbalance int, filler char(88));
             CREATE TABLE pgbench_tellers (tid int primary key, bid int, tbalance int, filler char(84));
             CREATE TABLE pgbench_accounts (aid int primary key, bid int, abalance int, filler char(84));
             CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22));
             INSERT INTO pgbench_branches VALUES (1, 0, '');
             INSERT INTO pgbench_tellers SELECT g, 1, 0, '' FROM generate_series(1, 10) g;
             INSERT INTO pgbench_accounts SELECT g, 1, 0, '' FROM generate_series(1, 1000) g;",
        )
        .await
        .unwrap();
    let port = server.port.to_string();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("pgbench")
            .args([
                "-n",
                "-S",
                "-T",
                "2",
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                "alice@acme",
                "app",
            ])
            .env("PGPASSWORD", "s3cret")
            .output()
            .expect("pgbench runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("number of failed transactions: 0"),
        "{stdout}"
    );
    assert!(
        stdout.contains("partition method: none") || !stdout.contains("partition"),
        "{stdout}"
    );
    assert!(!stderr.contains("ERROR"), "{stderr}");
    // The probe itself returns the pgbench_accounts row.
    let probe = client
        .simple_query(
            "select o.n, p.partstrat, pg_catalog.count(i.inhparent) from pg_catalog.pg_class as c \
             join pg_catalog.pg_namespace as n on (n.oid = c.relnamespace) \
             cross join lateral (select pg_catalog.array_position(pg_catalog.current_schemas(true), n.nspname)) as o(n) \
             left join pg_catalog.pg_partitioned_table as p on (p.partrelid = c.oid) \
             left join pg_catalog.pg_inherits as i on (c.oid = i.inhparent) \
             where c.relname = 'pgbench_accounts' and o.n is not null \
             group by 1, 2 order by 1 asc limit 1",
        )
        .await
        .unwrap();
    assert_eq!(
        simple_rows(&probe),
        vec![vec![Some("2".to_string()), None, Some("0".to_string())]]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_shows_only_the_tenants_schema() {
    let server = TestServer::start().await;
    let a = server.fresh_tenant("acme").await;
    a.batch_execute("CREATE TABLE secret_a (x int)")
        .await
        .unwrap();
    server.create_tenant_user("other", "bob", "pw").await;
    let b = server.connect_tenant("other", "bob", "pw").await;
    let rows = b
        .simple_query("SELECT relname FROM pg_catalog.pg_class")
        .await
        .unwrap();
    assert!(simple_rows(&rows).is_empty());
    // The views are read-only and the names behind them are refused.
    assert!(b.simple_query("DELETE FROM pg_class").await.is_err());
    assert!(b.simple_query("SELECT * FROM pgcat__rel").await.is_err());
}

/// The catalog views are created on first use; when that happens inside a
/// transaction that rolls back, the next use creates them again.
#[tokio::test]
async fn catalog_views_survive_a_rollback_of_their_first_use() {
    let server = TestServer::start().await;
    let c = server.fresh_tenant("catrb").await;
    c.batch_execute("CREATE TABLE t (a int)").await.unwrap();
    let q = "SELECT relname FROM pg_catalog.pg_class WHERE relname = $1";
    for _ in 0..2 {
        c.batch_execute("BEGIN").await.unwrap();
        let rows = c.query(q, &[&"t"]).await.unwrap();
        assert_eq!(rows.len(), 1);
        c.batch_execute("ROLLBACK").await.unwrap();
    }
    c.batch_execute("BEGIN; CREATE TABLE u (b int)")
        .await
        .unwrap();
    let rows = c.query(q, &[&"u"]).await.unwrap();
    assert_eq!(rows.len(), 1);
    c.batch_execute("COMMIT").await.unwrap();
}

/// What BI tools send when they connect and browse a schema: Grafana's
/// table and column pickers (a scalar function in FROM, array subscripts),
/// Metabase's table sync (pg_stat_user_tables for row estimates, privilege
/// functions, `!~`) and DBeaver's navigator (pg_class, pg_attribute,
/// pg_attrdef, pg_description, `'pg_class'::regclass`). Each sees the
/// tenant's tables and columns, typed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bi_tool_schema_browser_queries_see_the_tenants_schema() {
    let server = TestServer::start().await;
    let c = server.fresh_tenant("bi").await;
    c.batch_execute(SCHEMA).await.unwrap();
    let text = |rows: &[tokio_postgres::SimpleQueryMessage]| -> Vec<Vec<String>> {
        simple_rows(rows)
            .into_iter()
            .map(|r| r.into_iter().map(|v| v.unwrap_or_default()).collect())
            .collect()
    };

    // Grafana: tables on the search_path, then a table's columns.
    let grafana_tables = "SELECT quote_ident(table_name) AS \"table\" FROM information_schema.tables \
        WHERE quote_ident(table_schema) NOT IN ('information_schema', 'pg_catalog', '_timescaledb_cache', \
        '_timescaledb_catalog', '_timescaledb_internal', '_timescaledb_config', 'timescaledb_information', \
        'timescaledb_experimental') AND table_type = 'BASE TABLE' AND quote_ident(table_schema) IN \
        (SELECT CASE WHEN trim(s[i]) = '\"$user\"' THEN user ELSE trim(s[i]) END FROM \
        generate_series(array_lower(string_to_array(current_setting('search_path'),','),1), \
        array_upper(string_to_array(current_setting('search_path'),','),1)) AS i, \
        string_to_array(current_setting('search_path'),',') s) ORDER BY 1";
    let rows = c.simple_query(grafana_tables).await.unwrap();
    assert_eq!(text(&rows), vec![vec!["todo"], vec!["users"]]);
    let cols = c
        .query(
            "SELECT quote_ident(column_name) AS \"column\", data_type AS \"type\" \
             FROM information_schema.columns WHERE quote_ident(table_name) = $1 ORDER BY ordinal_position",
            &[&"users"],
        )
        .await
        .unwrap();
    let cols: Vec<(String, String)> = cols.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(
        cols,
        vec![
            ("id".into(), "integer".into()),
            ("email".into(), "character varying".into())
        ]
    );

    // Metabase: the tables it syncs, with a row estimate.
    let metabase =
        "SELECT n.nspname AS schema, c.relname AS name, CASE c.relkind WHEN 'r' THEN 'TABLE' \
        WHEN 'p' THEN 'PARTITIONED TABLE' WHEN 'v' THEN 'VIEW' WHEN 'f' THEN 'FOREIGN TABLE' \
        WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE NULL END AS type, d.description AS description, \
        stat.n_live_tup AS estimated_row_count FROM pg_catalog.pg_class c \
        INNER JOIN pg_catalog.pg_namespace n ON c.relnamespace = n.oid \
        LEFT JOIN pg_catalog.pg_description d ON c.oid = d.objoid AND d.objsubid = 0 \
        LEFT JOIN pg_stat_user_tables stat ON c.oid = stat.relid \
        WHERE c.relnamespace = n.oid AND c.relkind in ('r', 'p', 'v', 'f', 'm') \
        AND n.nspname !~ '^information_schema$' AND n.nspname <> 'pg_catalog' \
        AND has_schema_privilege(n.nspname, 'USAGE') \
        AND (has_table_privilege(c.oid, 'SELECT') OR has_any_column_privilege(c.oid, 'SELECT')) \
        ORDER BY 2";
    let rows = c.query(metabase, &[]).await.unwrap();
    let got: Vec<(String, String, String, Option<i64>)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(4)))
        .collect();
    assert_eq!(
        got,
        vec![
            ("public".into(), "open_todo".into(), "VIEW".into(), None),
            ("public".into(), "todo".into(), "TABLE".into(), Some(0)),
            ("public".into(), "users".into(), "TABLE".into(), Some(0)),
        ]
    );

    // DBeaver: the namespace's relations, then a table's attributes with
    // their defaults.
    let rows = c
        .query(
            "SELECT c.oid, c.relname, c.relkind::text, d.description FROM pg_catalog.pg_class c \
             LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid = c.oid AND d.objsubid = 0 \
             AND d.classoid = 'pg_class'::regclass \
             WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = 'public') \
             AND c.relkind NOT IN ('i','I','c') ORDER BY 2",
            &[],
        )
        .await
        .unwrap();
    let rels: Vec<(String, String)> = rows.iter().map(|r| (r.get(1), r.get(2))).collect();
    // The serial keys' sequences are relations, as in PostgreSQL.
    assert_eq!(
        rels,
        vec![
            ("open_todo".into(), "v".into()),
            ("todo".into(), "r".into()),
            ("todo_id_seq".into(), "S".into()),
            ("users".into(), "r".into()),
            ("users_id_seq".into(), "S".into()),
        ]
    );
    let rows = c
        .query(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod), \
             pg_catalog.pg_get_expr(ad.adbin, ad.adrelid, true) AS def_value, dsc.description \
             FROM pg_catalog.pg_attribute a INNER JOIN pg_catalog.pg_class c ON (a.attrelid = c.oid) \
             LEFT OUTER JOIN pg_catalog.pg_attrdef ad ON (a.attrelid = ad.adrelid AND a.attnum = ad.adnum) \
             LEFT OUTER JOIN pg_catalog.pg_description dsc ON (c.oid = dsc.objoid AND a.attnum = dsc.objsubid) \
             WHERE NOT a.attisdropped AND a.attnum > 0 AND c.relkind NOT IN ('i','I','c') \
             AND c.oid = 'todo'::regclass ORDER BY a.attnum",
            &[],
        )
        .await
        .unwrap();
    let attrs: Vec<(String, String, Option<String>)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        attrs[0],
        (
            "id".into(),
            "integer".into(),
            Some("nextval('todo_id_seq'::regclass)".into())
        )
    );
    assert_eq!(
        attrs[2],
        ("done".into(), "boolean".into(), Some("false".into()))
    );
    assert_eq!(attrs[5].1, "numeric(10,2)");
    assert_eq!(attrs.len(), 7);
}

#[tokio::test]
async fn psql_describe_lists_check_constraints_under_postgres_names() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute(
            "CREATE TABLE stock (id int PRIMARY KEY, qty int CHECK (qty > 0), \
             CONSTRAINT small CHECK (qty < 100))",
        )
        .await
        .unwrap();
    let d = psql(&server, r"\d stock").await;
    // What PostgreSQL 15's psql prints for the same table.
    assert!(
        d.contains("Check constraints:\n    \"small\" CHECK (qty < 100)\n    \"stock_qty_check\" CHECK (qty > 0)\n"),
        "{d}"
    );
    client
        .batch_execute("ALTER TABLE stock DROP CONSTRAINT stock_qty_check")
        .await
        .unwrap();
    let d = psql(&server, r"\d stock").await;
    assert!(!d.contains("stock_qty_check"), "{d}");
    assert!(d.contains("\"small\" CHECK (qty < 100)"), "{d}");
}

/// PL/pgSQL triggers in psql's `\d`: its Triggers section reads pg_trigger
/// and pg_get_triggerdef (and pg_partition_ancestors for a parent).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn psql_describe_lists_plpgsql_triggers() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute(
            "CREATE TABLE note (id serial PRIMARY KEY, body text, updated_at timestamptz);
             CREATE FUNCTION touch() RETURNS trigger AS $$
             BEGIN NEW.updated_at := now(); RETURN NEW; END $$ LANGUAGE plpgsql;
             CREATE TRIGGER note_touch BEFORE INSERT OR UPDATE OF body ON note
               FOR EACH ROW EXECUTE FUNCTION touch();
             INSERT INTO note (body) VALUES ('x');",
        )
        .await
        .unwrap();
    let d = psql(&server, r"\d note").await;
    assert!(
        d.contains("Triggers:\n    note_touch BEFORE INSERT OR UPDATE OF body ON note FOR EACH ROW EXECUTE FUNCTION touch()"),
        "{d}"
    );
    let rows = simple_rows(
        &client
            .simple_query("SELECT updated_at IS NOT NULL FROM note")
            .await
            .unwrap(),
    );
    assert_eq!(rows, vec![vec![Some("t".to_owned())]]);
    client
        .batch_execute("DROP TRIGGER note_touch ON note")
        .await
        .unwrap();
    let d = psql(&server, r"\d note").await;
    assert!(!d.contains("Triggers:"), "{d}");
}

/// The connection's two ends, as audit triggers read them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inet_functions_name_the_connections_ends() {
    let server = TestServer::start().await;
    let c = server.fresh_tenant("acme").await;
    let row = c
        .query_one(
            "SELECT inet_client_addr(), inet_client_port(), inet_server_addr(), inet_server_port()",
            &[],
        )
        .await
        .expect("inet functions");
    assert_eq!(row.get::<_, String>(0), "127.0.0.1");
    assert!(row.get::<_, i32>(1) > 0);
    assert_eq!(row.get::<_, String>(2), "127.0.0.1");
    assert_eq!(row.get::<_, i32>(3), i32::from(server.port));
}
