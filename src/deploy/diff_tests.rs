//! The diff engine against real SQLite databases: plans converge, keep
//! rows, flag destructive steps, and are deterministic.

use std::collections::BTreeMap;

use rusqlite::Connection;

use super::desired::from_postgres;
use super::diff::{plan_with, Rebuild};
use super::plan::Plan;
use super::schema::{introspect, scratch};
use super::scope::{merge, Scope};
use crate::sql::translate::translate;

fn db(pg: &str) -> Connection {
    let conn = scratch().unwrap();
    for t in translate(pg).unwrap() {
        conn.execute_batch(&t.sql).unwrap();
    }
    conn
}

fn plan_for(conn: &Connection, desired: &str) -> Plan {
    plan_for_with(conn, desired, Rebuild::Rename)
}

fn plan_for_with(conn: &Connection, desired: &str, rebuild: Rebuild) -> Plan {
    let live = introspect(conn).unwrap();
    let d = from_postgres(desired).unwrap();
    let target = merge(
        &live,
        &d.schema,
        &Scope::All {
            owned: BTreeMap::new(),
        },
    )
    .unwrap();
    plan_with(&live, &target, &d.hints, rebuild).unwrap()
}

/// Applies the plan the way a deployment to a local file does; returns it.
fn migrate(conn: &mut Connection, desired: &str) -> Plan {
    migrate_with(conn, desired, Rebuild::Rename)
}

/// Applies the plan the way a deployment does; returns it.
fn migrate_with(conn: &mut Connection, desired: &str, rebuild: Rebuild) -> Plan {
    let p = plan_for_with(conn, desired, rebuild);
    conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    let tx = conn.transaction().unwrap();
    for s in &p.steps {
        tx.execute_batch(&s.sql)
            .unwrap_or_else(|e| panic!("{}: {e}", s.sql));
    }
    let bad: i64 = tx
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(bad, 0);
    tx.commit().unwrap();
    let want = from_postgres(desired).unwrap().schema;
    assert_eq!(introspect(conn).unwrap().difference(&want), None);
    assert!(
        plan_for_with(conn, desired, rebuild).is_empty(),
        "a second plan is empty"
    );
    p
}

fn actions(p: &Plan) -> Vec<&str> {
    p.steps.iter().map(|s| s.action).collect()
}

/// A desired schema may carry pg_dump's COMMENT ON lines: accepted, and
/// not part of the plan.
#[test]
fn desired_schema_comments_are_accepted() {
    let d = from_postgres(
        "CREATE TABLE t (id int PRIMARY KEY, a text);
         COMMENT ON TABLE t IS 'x';
         COMMENT ON COLUMN t.a IS 'y';",
    )
    .unwrap();
    assert_eq!(d.schema.tables.len(), 1);
}

#[test]
fn additive_change_uses_alter_table() {
    let mut conn = db("CREATE TABLE t (id serial PRIMARY KEY, name text)");
    conn.execute("INSERT INTO t (name) VALUES ('a')", [])
        .unwrap();
    let p = migrate(
        &mut conn,
        "CREATE TABLE t (id serial PRIMARY KEY, name text, qty int NOT NULL DEFAULT 0, note varchar(20));
         CREATE INDEX ON t (name);",
    );
    assert_eq!(actions(&p), ["add_column", "add_column", "create_index"]);
    assert!(p.destructive().is_empty());
    let (name, qty): (String, i64) = conn
        .query_row("SELECT name, qty FROM t", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((name.as_str(), qty), ("a", 0));
}

/// A column SQLite's ADD COLUMN takes only on an empty table (a default
/// that is not a constant, NOT NULL without a default) is added by a
/// rebuild, which fills the tenant's existing rows.
#[test]
fn columns_add_column_refuses_on_rows_are_rebuilt() {
    let mut conn = db("CREATE TABLE t (id serial PRIMARY KEY, name text)");
    conn.execute("INSERT INTO t (name) VALUES ('a')", [])
        .unwrap();
    let p = migrate(
        &mut conn,
        "CREATE TABLE t (id serial PRIMARY KEY, name text, at timestamptz NOT NULL DEFAULT now());",
    );
    assert_eq!(actions(&p), ["rebuild_table"]);
    let at: String = conn
        .query_row("SELECT at FROM t", [], |r| r.get(0))
        .unwrap();
    assert!(at.starts_with("20"), "{at}");
}

#[test]
fn deployed_table_is_declared_like_tenant_sql() {
    let ddl = "CREATE TABLE t (id bigserial PRIMARY KEY, ok boolean DEFAULT true, at timestamptz DEFAULT now(), n numeric(10,2))";
    let mut conn = db("");
    migrate(&mut conn, ddl);
    let tenant = db(ddl);
    let sql = |c: &Connection| -> String {
        c.query_row("SELECT sql FROM sqlite_schema WHERE name = 't'", [], |r| {
            r.get(0)
        })
        .unwrap()
    };
    assert_eq!(sql(&conn), sql(&tenant));
}

#[test]
fn type_and_constraint_changes_rebuild_and_keep_rows() {
    let mut conn = db("CREATE TABLE p (id int PRIMARY KEY);
         CREATE TABLE t (id serial PRIMARY KEY, qty int, p_id int REFERENCES p (id), note text);
         CREATE INDEX t_qty ON t (qty);");
    conn.execute_batch(
        "INSERT INTO p VALUES (1); INSERT INTO t (qty, p_id, note) VALUES (5, 1, 'x'), (7, NULL, NULL);",
    )
    .unwrap();
    let p = migrate(
        &mut conn,
        "CREATE TABLE p (id int PRIMARY KEY);
         CREATE TABLE t (id serial PRIMARY KEY, qty bigint NOT NULL CHECK (qty > 0), p_id int REFERENCES p (id), note text UNIQUE);
         CREATE INDEX t_qty ON t (qty);",
    );
    assert_eq!(actions(&p), ["rebuild_table", "create_index"]);
    assert!(p.destructive().is_empty(), "{:?}", p.destructive());
    let rows: Vec<(i64, i64)> = conn
        .prepare("SELECT id, qty FROM t ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows, [(1, 5), (2, 7)]);
}

#[test]
fn drops_and_narrowing_are_destructive() {
    let conn = db("CREATE TABLE t (id int, a bigint, b text); CREATE TABLE gone (x int)");
    let p = plan_for(&conn, "CREATE TABLE t (id int, a int)");
    assert_eq!(
        p.destructive(),
        [
            "drop table gone",
            "narrow column t.a from int8 to int4",
            "drop column t.b"
        ]
    );
    let err = p.refusal("acme").unwrap();
    assert_eq!(err.code, "2BP01");
    assert!(err.message.contains("drop column t.b"), "{}", err.message);
}

#[test]
fn rename_hint_renames_instead_of_dropping() {
    let mut conn = db("CREATE TABLE t (id int, name text); CREATE INDEX t_name ON t (name);");
    conn.execute("INSERT INTO t VALUES (1, 'kept')", [])
        .unwrap();
    let desired = "CREATE TABLE t (
        id int,
        full_name text -- pgtenant: rename name to full_name
    );
    CREATE INDEX t_name ON t (full_name);";
    let p = migrate(&mut conn, desired);
    assert_eq!(actions(&p), ["rename_column"]);
    assert!(p.destructive().is_empty());
    let v: String = conn
        .query_row("SELECT full_name FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, "kept");
    // Without the hint it is a drop plus an add.
    let conn = db("CREATE TABLE t (id int, name text)");
    let p = plan_for(&conn, "CREATE TABLE t (id int, full_name text)");
    assert_eq!(p.destructive(), ["drop column t.name"]);
}

#[test]
fn table_rename_hint() {
    let mut conn = db("CREATE TABLE people (id int)");
    conn.execute("INSERT INTO people VALUES (3)", []).unwrap();
    let p = migrate(
        &mut conn,
        "-- pgtenant: rename table people to persons\nCREATE TABLE persons (id int)",
    );
    assert_eq!(actions(&p), ["rename_table"]);
    let n: i64 = conn
        .query_row("SELECT id FROM persons", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 3);
}

#[test]
fn plans_are_deterministic() {
    let live = "CREATE TABLE b (id int, x text); CREATE TABLE a (id int); CREATE INDEX a_id ON a (id); CREATE VIEW v AS SELECT id FROM a;";
    let desired = "CREATE TABLE c (id int); CREATE TABLE a (id bigint, y int DEFAULT 1); CREATE TABLE b (id int); CREATE INDEX a_id2 ON a (id, y); CREATE VIEW v AS SELECT id, y FROM a;";
    let first = plan_for(&db(live), desired);
    for _ in 0..5 {
        assert_eq!(plan_for(&db(live), desired).sql(), first.sql());
    }
    assert!(!first.sql().is_empty());
}

#[test]
fn views_and_foreign_keys_survive_a_rebuild_of_the_parent() {
    let mut conn = db("CREATE TABLE parent (id int PRIMARY KEY, name text);
         CREATE TABLE child (id int, parent_id int REFERENCES parent (id));
         CREATE VIEW names AS SELECT name FROM parent;");
    conn.execute_batch("INSERT INTO parent VALUES (1, 'p'); INSERT INTO child VALUES (1, 1);")
        .unwrap();
    let p = migrate(
        &mut conn,
        "CREATE TABLE parent (id int PRIMARY KEY, name text NOT NULL);
         CREATE TABLE child (id int, parent_id int REFERENCES parent (id));
         CREATE VIEW names AS SELECT name FROM parent;",
    );
    assert_eq!(actions(&p), ["rebuild_table"]);
    let child: String = conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE name = 'child'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(child.contains("REFERENCES parent"), "{child}");
    let n: String = conn
        .query_row("SELECT name FROM names", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, "p");
}

#[test]
fn copy_rebuild_keeps_views_triggers_foreign_keys_and_values() {
    let mut conn = db(
        "CREATE TABLE parent (id int PRIMARY KEY, name text, score real, raw bytea);
         CREATE TABLE child (id int, parent_id int REFERENCES parent (id));
         CREATE VIEW names AS SELECT name FROM parent;
         CREATE TABLE audit (n int);",
    );
    conn.execute_batch(
        "CREATE TRIGGER parent_audit AFTER INSERT ON parent BEGIN INSERT INTO audit VALUES (new.id); END;
         INSERT INTO parent VALUES (1, 'p', 2.5, x'00ff'), (2, '10', NULL, NULL);
         INSERT INTO child VALUES (1, 1);",
    )
    .unwrap();
    let p = migrate_with(
        &mut conn,
        "CREATE TABLE parent (id int PRIMARY KEY, name text NOT NULL, score real, raw bytea);
         CREATE TABLE child (id int, parent_id int REFERENCES parent (id));
         CREATE VIEW names AS SELECT name FROM parent;
         CREATE TABLE audit (n int);",
        Rebuild::Copy,
    );
    assert_eq!(actions(&p), ["rebuild_table"]);
    assert!(!p.sql().contains("legacy_alter_table"), "{}", p.sql());
    assert!(!p.sql().contains("RENAME"), "{}", p.sql());
    let child: String = conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE name = 'child'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(child.contains("REFERENCES parent"), "{child}");
    // Values keep their storage class; the view and the trigger still work.
    let rows: Vec<(String, String)> = conn
        .prepare("SELECT typeof(name), quote(raw) FROM parent ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        rows,
        [
            ("text".to_owned(), "X'00FF'".to_owned()),
            ("text".to_owned(), "NULL".to_owned())
        ]
    );
    let n: i64 = conn
        .query_row("SELECT count(*) FROM names", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2);
    conn.execute("INSERT INTO parent (id, name) VALUES (3, 'q')", [])
        .unwrap();
    let audited: i64 = conn
        .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
        .unwrap();
    assert_eq!(audited, 3);
}

/// Random pairs of schemas from a pool of columns: deploying A then B leaves
/// exactly B with the surviving columns' values intact, and going back to A works.
#[test]
fn random_schema_pairs_converge() {
    let pool = [
        ("a", "int"),
        ("a", "bigint"),
        ("b", "text"),
        ("b", "varchar(10)"),
        ("c", "boolean DEFAULT false"),
        ("d", "numeric(10,2)"),
        ("e", "text NOT NULL DEFAULT 'x'"),
        ("f", "date"),
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let schema = |next: &mut dyn FnMut() -> u64| {
        let mut out = String::new();
        for t in ["t1", "t2", "t3"] {
            if next().is_multiple_of(4) {
                continue;
            }
            let mut cols = vec!["id int PRIMARY KEY".to_owned()];
            let mut used = Vec::new();
            for (name, ty) in pool {
                if next().is_multiple_of(2) && !used.contains(&name) {
                    used.push(name);
                    cols.push(format!("{name} {ty}"));
                }
            }
            out.push_str(&format!("CREATE TABLE {t} ({});\n", cols.join(", ")));
            if used.contains(&"b") && next().is_multiple_of(2) {
                out.push_str(&format!("CREATE INDEX {t}_b ON {t} (b);\n"));
            }
        }
        out
    };
    for i in 0..50 {
        // Every other pair rebuilds as on a remote database.
        let form = if i % 2 == 0 {
            Rebuild::Rename
        } else {
            Rebuild::Copy
        };
        let migrate = |conn: &mut Connection, desired: &str| migrate_with(conn, desired, form);
        let a = schema(&mut next);
        let b = schema(&mut next);
        let mut conn = db("");
        migrate(&mut conn, &a);
        for t in ["t1", "t2", "t3"] {
            let _ = conn.execute(&format!("INSERT INTO {t} (id) VALUES (1), (2)"), []);
        }
        migrate(&mut conn, &b);
        for t in ["t1", "t2", "t3"] {
            if a.contains(&format!("TABLE {t} ")) && b.contains(&format!("TABLE {t} ")) {
                let n: i64 = conn
                    .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                    .unwrap();
                assert_eq!(n, 2, "rows of {t} kept from\n{a}\nto\n{b}");
            }
        }
        migrate(&mut conn, &a);
    }
}

#[test]
fn added_columns_keep_the_translators_spelling() {
    let mut conn = db("CREATE TABLE t (id int)");
    let desired = "CREATE TABLE t (id int, price numeric(10,2) DEFAULT 0, tags text[], \"Odd, name\" varchar(5))";
    let p = migrate(&mut conn, desired);
    assert_eq!(actions(&p), ["add_column", "add_column", "add_column"]);
    let decls: Vec<String> = conn
        .prepare("SELECT type FROM pragma_table_info('t')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let tenant = db(desired);
    let want: Vec<String> = tenant
        .prepare("SELECT type FROM pragma_table_info('t')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(decls, want);
}
