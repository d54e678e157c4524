//! The diff engine: the steps that take a live schema to a desired one.
//!
//! Every step is run, as it is chosen, on a scratch copy of the live schema,
//! and the copy must end up equal to the desired schema (compared through
//! introspection), so a plan that would not converge is never returned.
//! Cheap `ALTER TABLE` forms (add, drop and rename column) are tried first on
//! the copy; when SQLite refuses them or they do not give the desired table,
//! the table is rebuilt the way SQLite documents (new table, copy, drop, and
//! triggers recreated; indexes come back from the desired schema).
//!
//! Order: renames, views and indexes that go or change, tables that go,
//! tables that come or change, then indexes and views that come. Maps are
//! ordered by name, so the same inputs give byte-identical SQL.

use std::collections::BTreeMap;

use rusqlite::Connection;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

use super::canonical::{canonical, quote};
use super::hints::Hints;
use super::plan::{Plan, Step};
use super::schema::{introspect, key, load, scratch, Schema, Table};
use super::types::widens;
use crate::sql::errors::{from_sqlite, SqlError};

/// Prefix of the old copy of a table during a rebuild.
pub const OLD_PREFIX: &str = "_pgtenant_old_";

/// How a table is rebuilt, by what the tenant's database accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rebuild {
    /// Moved aside with a legacy rename, created anew, copied once (local files).
    Rename,
    /// Copied aside, dropped, created anew, copied back: no rename, so no
    /// `PRAGMA legacy_alter_table`, which libSQL servers refuse (remote).
    Copy,
}

struct Planner<'a> {
    conn: Connection,
    desired: &'a Schema,
    steps: Vec<Step>,
    rebuild: Rebuild,
}

/// Plans the migration from `live` to `desired` for a local database.
pub fn plan(live: &Schema, desired: &Schema, hints: &Hints) -> Result<Plan, SqlError> {
    plan_with(live, desired, hints, Rebuild::Rename)
}

/// Plans the migration from `live` to `desired`, rebuilding tables the way
/// `rebuild` says.
pub fn plan_with(
    live: &Schema,
    desired: &Schema,
    hints: &Hints,
    rebuild: Rebuild,
) -> Result<Plan, SqlError> {
    if live.difference(desired).is_none() {
        return Ok(Plan::default());
    }
    let conn = scratch()?;
    conn.execute_batch("PRAGMA foreign_keys = OFF")
        .map_err(|e| from_sqlite(&e))?;
    load(&conn, live).map_err(|e| {
        SqlError::internal("loading the live schema into a scratch database", e.message)
    })?;
    let mut p = Planner {
        conn,
        desired,
        steps: Vec::new(),
        rebuild,
    };
    let cur = p.renames(live.clone(), hints)?;
    p.drop_views_and_indexes(&cur)?;
    p.tables(&cur)?;
    p.create_indexes_and_views()?;
    let end = introspect(&p.conn)?;
    if let Some(diff) = end.difference(desired) {
        return Err(SqlError::new(
            "XX000",
            "internal error: the migration plan does not reach the desired schema",
        )
        .with_detail(diff));
    }
    Ok(Plan { steps: p.steps })
}

fn step(
    action: &'static str,
    object: &str,
    sql: String,
    destructive: Vec<String>,
    detail: String,
) -> Step {
    Step {
        action,
        object: object.to_owned(),
        sql,
        destructive,
        detail,
    }
}

impl Planner<'_> {
    /// Runs a step on the scratch copy and keeps it.
    fn push(&mut self, s: Step) -> Result<(), SqlError> {
        self.conn.execute_batch(&s.sql).map_err(|e| {
            let mut err = from_sqlite(&e);
            err.message = format!(
                "cannot {} {}: {}",
                s.action.replace('_', " "),
                s.object,
                err.message
            );
            err
        })?;
        self.steps.push(s);
        Ok(())
    }

    /// Table and column renames named by hints that still apply.
    fn renames(&mut self, mut cur: Schema, hints: &Hints) -> Result<Schema, SqlError> {
        let d = self.desired;
        for (old, new) in &hints.tables {
            if cur.tables.contains_key(old)
                && !cur.tables.contains_key(new)
                && d.tables.contains_key(new)
                && !d.tables.contains_key(old)
            {
                let (from, to) = (cur.tables[old].name.clone(), d.tables[new].name.clone());
                self.push(step(
                    "rename_table",
                    &to,
                    format!("ALTER TABLE {} RENAME TO {};", quote(&from), quote(&to)),
                    vec![],
                    format!("rename table {from} to {to}"),
                ))?;
                cur = introspect(&self.conn)?;
            }
        }
        for (table, old, new) in &hints.columns {
            let (Some(ct), Some(dt)) = (cur.tables.get(table), d.tables.get(table)) else {
                continue;
            };
            if let (Some(from), None, Some(to), None) = (
                ct.column(old),
                ct.column(new),
                dt.column(new),
                dt.column(old),
            ) {
                let sql = format!(
                    "ALTER TABLE {} RENAME COLUMN {} TO {};",
                    quote(&ct.name),
                    quote(&from.name),
                    quote(&to.name)
                );
                let detail = format!("rename column {}.{} to {}", ct.name, from.name, to.name);
                let object = format!("{}.{}", dt.name, to.name);
                self.push(step("rename_column", &object, sql, vec![], detail))?;
                cur = introspect(&self.conn)?;
            }
        }
        Ok(cur)
    }

    fn drop_views_and_indexes(&mut self, cur: &Schema) -> Result<(), SqlError> {
        let d = self.desired;
        for (k, v) in &cur.views {
            if d.views.get(k).map(|x| &x.canonical) != Some(&v.canonical) {
                self.push(step(
                    "drop_view",
                    &v.name,
                    format!("DROP VIEW {};", quote(&v.name)),
                    vec![],
                    String::new(),
                ))?;
            }
        }
        for (k, i) in &cur.indexes {
            // Indexes of dropped tables go with them.
            if d.tables.contains_key(&i.table)
                && d.indexes.get(k).map(|x| &x.canonical) != Some(&i.canonical)
            {
                self.push(step(
                    "drop_index",
                    &i.name,
                    format!("DROP INDEX {};", quote(&i.name)),
                    vec![],
                    String::new(),
                ))?;
            }
        }
        Ok(())
    }

    fn tables(&mut self, cur: &Schema) -> Result<(), SqlError> {
        let d = self.desired;
        for (k, t) in &cur.tables {
            if !d.tables.contains_key(k) {
                self.push(step(
                    "drop_table",
                    &t.name,
                    format!("DROP TABLE {};", quote(&t.name)),
                    vec![format!("drop table {}", t.name)],
                    String::new(),
                ))?;
            }
        }
        for (k, want) in &d.tables {
            match cur.tables.get(k) {
                None => self.push(step(
                    "create_table",
                    &want.name,
                    format!("{};", want.sql),
                    vec![],
                    String::new(),
                ))?,
                Some(have) if have.canonical == want.canonical => {}
                Some(have) => {
                    if !self.alter_in_place(have, want)? {
                        self.rebuild(have, want, cur)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Dropped columns and columns added at the end, with ALTER TABLE; kept
    /// only if the scratch copy then holds exactly the desired table.
    fn alter_in_place(&mut self, have: &Table, want: &Table) -> Result<bool, SqlError> {
        let hc: Vec<String> = have.columns.iter().map(|c| key(&c.name)).collect();
        let wc: Vec<String> = want.columns.iter().map(|c| key(&c.name)).collect();
        let common_h: Vec<&String> = hc.iter().filter(|n| wc.contains(n)).collect();
        let common_w: Vec<&String> = wc.iter().filter(|n| hc.contains(n)).collect();
        let last_common = wc.iter().rposition(|n| hc.contains(n));
        let first_added = wc.iter().position(|n| !hc.contains(n));
        let appended = match (last_common, first_added) {
            (Some(l), Some(f)) => f > l,
            _ => true,
        };
        if common_h != common_w
            || !appended
            || hc.len() == common_h.len() && wc.len() == common_w.len()
        {
            return Ok(false);
        }
        let defs = column_defs(&want.sql);
        let mut fast = Vec::new();
        for c in have.columns.iter().filter(|c| !wc.contains(&key(&c.name))) {
            let object = format!("{}.{}", want.name, c.name);
            fast.push(step(
                "drop_column",
                &object,
                format!(
                    "ALTER TABLE {} DROP COLUMN {};",
                    quote(&have.name),
                    quote(&c.name)
                ),
                vec![format!("drop column {object}")],
                String::new(),
            ));
        }
        for c in want.columns.iter().filter(|c| !hc.contains(&key(&c.name))) {
            let Some(def) = defs.get(&key(&c.name)) else {
                return Ok(false);
            };
            if !adds_to_any_table(def) {
                return Ok(false);
            }
            fast.push(step(
                "add_column",
                &format!("{}.{}", want.name, c.name),
                format!("ALTER TABLE {} ADD COLUMN {def};", quote(&have.name)),
                vec![],
                String::new(),
            ));
        }
        let run = |sql: &str| self.conn.execute_batch(sql).map_err(|e| from_sqlite(&e));
        run("SAVEPOINT pgtenant_fast")?;
        let mut ok = fast.iter().all(|s| self.conn.execute_batch(&s.sql).is_ok());
        if ok {
            ok = stored_sql(&self.conn, &want.name)?
                .is_some_and(|sql| canonical(&sql) == want.canonical);
        }
        if ok {
            run("RELEASE pgtenant_fast")?;
            self.steps.extend(fast);
        } else {
            run("ROLLBACK TO pgtenant_fast; RELEASE pgtenant_fast")?;
        }
        Ok(ok)
    }

    /// SQLite's table rebuild: the old table moves aside (legacy rename, so
    /// references from other tables, views and triggers keep naming the
    /// table; or, see [`Rebuild::Copy`], a copy), the desired table is created under its own name exactly as
    /// tenant SQL would create it, rows are copied column by column, the old
    /// table is dropped, and its triggers are recreated.
    fn rebuild(&mut self, have: &Table, want: &Table, cur: &Schema) -> Result<(), SqlError> {
        let old = format!("{OLD_PREFIX}{}", have.name);
        let mut destructive = Vec::new();
        let mut detail = Vec::new();
        let mut copy = Vec::new();
        for w in &want.columns {
            match have.column(&w.name) {
                None => detail.push(format!("add column {}", w.name)),
                Some(h) => {
                    if h.decl != w.decl {
                        let change = format!(
                            "column {}.{} from {} to {}",
                            want.name, w.name, h.decl, w.decl
                        );
                        if widens(&h.decl, &w.decl) {
                            detail.push(format!("widen {change}"));
                        } else {
                            destructive.push(format!("narrow {change}"));
                        }
                    }
                    if !w.generated && !h.generated {
                        copy.push(quote(&w.name));
                    }
                }
            }
        }
        for h in &have.columns {
            if want.column(&h.name).is_none() {
                destructive.push(format!("drop column {}.{}", want.name, h.name));
            }
        }
        if detail.is_empty() && destructive.is_empty() {
            detail.push("change constraints, defaults or column order".into());
        }
        let mut sql = match self.rebuild {
            Rebuild::Rename => format!(
                "PRAGMA legacy_alter_table = ON;\nALTER TABLE {} RENAME TO {};\nPRAGMA legacy_alter_table = OFF;\n{};\n",
                quote(&have.name),
                quote(&old),
                want.sql
            ),
            // Dropping a table leaves the views and triggers naming it as
            // they are (foreign keys are off), and they name the new one.
            Rebuild::Copy => format!(
                "CREATE TABLE {} AS SELECT * FROM {};\nDROP TABLE {};\n{};\n",
                quote(&old),
                quote(&have.name),
                quote(&have.name),
                want.sql
            ),
        };
        if !copy.is_empty() {
            let cols = copy.join(", ");
            sql.push_str(&format!(
                "INSERT INTO {} ({cols}) SELECT {cols} FROM {};\n",
                quote(&want.name),
                quote(&old)
            ));
        }
        sql.push_str(&format!("DROP TABLE {};", quote(&old)));
        for t in cur.triggers.values().filter(|t| t.table == key(&have.name)) {
            sql.push_str(&format!("\n{};", t.sql));
        }
        let mut all = detail;
        all.extend(destructive.iter().cloned());
        self.push(step(
            "rebuild_table",
            &want.name,
            sql,
            destructive,
            all.join("; "),
        ))
    }

    fn create_indexes_and_views(&mut self) -> Result<(), SqlError> {
        let d = self.desired;
        let now = introspect(&self.conn)?;
        for (k, want) in &d.indexes {
            match now.indexes.get(k) {
                Some(have) if have.canonical == want.canonical => continue,
                Some(have) => self.push(step(
                    "drop_index",
                    &have.name,
                    format!("DROP INDEX {};", quote(&have.name)),
                    vec![],
                    String::new(),
                ))?,
                None => {}
            }
            self.push(step(
                "create_index",
                &want.name,
                format!("{};", want.sql),
                vec![],
                String::new(),
            ))?;
        }
        for (k, want) in &d.views {
            if now.views.get(k).map(|v| &v.canonical) != Some(&want.canonical) {
                self.push(step(
                    "create_view",
                    &want.name,
                    format!("{};", want.sql),
                    vec![],
                    String::new(),
                ))?;
            }
        }
        Ok(())
    }
}

fn stored_sql(conn: &Connection, table: &str) -> Result<Option<String>, SqlError> {
    use rusqlite::OptionalExtension;
    conn.query_row(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1 COLLATE NOCASE",
        [table],
        |r| r.get(0),
    )
    .optional()
    .map_err(|e| from_sqlite(&e))
}

/// Column definitions of a CREATE TABLE, by lower-case name, as their
/// original text (re-printing the AST would respell types: `numeric(10, 2)`
/// must stay exactly as the translator declared it).
fn column_defs(sql: &str) -> BTreeMap<String, String> {
    let dialect = PostgreSqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, sql).tokenize() else {
        return BTreeMap::new();
    };
    let mut out = BTreeMap::new();
    let mut depth = 0usize;
    let mut piece: Vec<&Token> = Vec::new();
    let mut finish = |piece: &mut Vec<&Token>| {
        let text: String = piece.iter().map(|t| t.to_string()).collect();
        let first = piece.iter().find(|t| !matches!(t, Token::Whitespace(_)));
        if let Some(Token::Word(w)) = first {
            let constraint = w.quote_style.is_none()
                && [
                    "constraint",
                    "primary",
                    "unique",
                    "check",
                    "foreign",
                    "exclude",
                ]
                .iter()
                .any(|k| w.value.eq_ignore_ascii_case(k));
            if !constraint {
                out.insert(key(&w.value), text.trim().to_owned());
            }
        }
        piece.clear();
    };
    for t in &tokens {
        match t {
            Token::LParen => {
                depth += 1;
                if depth == 1 {
                    continue;
                }
            }
            Token::RParen => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    finish(&mut piece);
                    break;
                }
            }
            Token::Comma if depth == 1 => {
                finish(&mut piece);
                continue;
            }
            _ => {}
        }
        if depth >= 1 {
            piece.push(t);
        }
    }
    out
}

/// Whether SQLite's ADD COLUMN takes `def` on a table that has rows. The
/// planner's scratch tables are empty, where SQLite also accepts a NOT NULL
/// column without a default and a default that is not a constant; on a
/// tenant's rows both fail ("Cannot add a column with non-constant
/// default"), so such a column is added by a rebuild instead.
fn adds_to_any_table(def: &str) -> bool {
    crate::sql::stack::with_room_for_text(def, || {
        use sqlparser::ast::{ColumnOption, Expr, UnaryOperator, Value};
        let Ok(col) = sqlparser::parser::Parser::new(&sqlparser::dialect::SQLiteDialect {})
            .try_with_sql(def)
            .and_then(|mut p| p.parse_column_def())
        else {
            return false;
        };
        let mut not_null = false;
        let mut default = None;
        for o in &col.options {
            match &o.option {
                ColumnOption::NotNull => not_null = true,
                ColumnOption::Default(e) => default = Some(e),
                _ => {}
            }
        }
        let mut e = match default {
            None => return !not_null,
            Some(e) => e,
        };
        loop {
            match e {
                Expr::Nested(inner) => e = inner,
                Expr::UnaryOp {
                    op: UnaryOperator::Minus | UnaryOperator::Plus,
                    expr,
                } => e = expr,
                Expr::Value(v) => return !(not_null && matches!(v.value, Value::Null)),
                _ => return false,
            }
        }
    })
}
