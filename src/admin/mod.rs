//! Management SQL for the admin role: `SELECT * FROM pgtenant.create_tenant('acme')`
//! and friends are recognised on the AST and answered here, against the
//! catalog; other admin queries (`SELECT * FROM pgtenant.tenants`) run
//! read-only on the catalog database.

mod args;
mod backups;
mod environments;
mod functions;
mod plane;
mod remote_databases;

use std::path::Path;
use std::sync::Arc;

use pgwire::api::portal::Format;
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags};
use sqlparser::ast::{
    visit_relations_mut, Expr, ObjectNamePart, SelectItem, SetExpr, Statement, TableFactor,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

pub use args::Arg;
pub use functions::AdminFn;

use crate::backend::sqlite::exec::{ColumnInfo, Conn};
use crate::server::extended::Prepared;
use crate::server::session::{text_rows, Outcome, Session};
use crate::sql::errors::{from_sqlite, SqlError};
use crate::sql::pgtype::PgType;
use crate::sql::translate::{StmtKind, Translation};

/// An admin statement recognised at Parse time.
#[derive(Debug, Clone)]
pub struct AdminStatement {
    pub function: AdminFn,
    pub args: Vec<Arg>,
    /// `SELECT pgtenant.f(...)` (one composite column) rather than `SELECT * FROM pgtenant.f(...)`.
    pub scalar: bool,
    /// `SELECT a, b AS c FROM pgtenant.f(...)`: (result column, output name); None for `*`.
    pub projection: Option<Vec<(String, String)>>,
}

impl AdminStatement {
    /// The output column names.
    pub fn output_columns(&self) -> Vec<String> {
        match &self.projection {
            Some(p) => p.iter().map(|(_, name)| name.clone()).collect(),
            None => self
                .function
                .columns(self.scalar)
                .into_iter()
                .map(str::to_owned)
                .collect(),
        }
    }
}

/// The select list over a management function: plain column names only.
fn projection(
    items: &[SelectItem],
    function: AdminFn,
) -> Result<Option<Vec<(String, String)>>, SqlError> {
    if let [SelectItem::Wildcard(_)] = items {
        return Ok(None);
    }
    let available = function.columns(false);
    items
        .iter()
        .map(|item| {
            let (expr, alias) = match item {
                SelectItem::UnnamedExpr(e) => (e, None),
                SelectItem::ExprWithAlias { expr, alias } => (expr, Some(alias.value.clone())),
                _ => {
                    return Err(SqlError::new(
                        "0A000",
                        "only * or column names may be selected from a management function",
                    ))
                }
            };
            let Expr::Identifier(ident) = expr else {
                return Err(SqlError::new(
                    "0A000",
                    "only * or column names may be selected from a management function",
                ));
            };
            let col = ident.value.to_ascii_lowercase();
            if !available.contains(&col.as_str()) {
                return Err(SqlError::new(
                    "42703",
                    format!("column \"{col}\" does not exist"),
                ));
            }
            Ok((col.clone(), alias.unwrap_or(col)))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Opens the catalog read-only for an admin session's queries.
pub fn open_reader(path: &Path) -> Result<Conn, SqlError> {
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| from_sqlite(&e))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(|e| from_sqlite(&e))?;
    crate::backend::sqlite::functions::register(&conn).map_err(|e| from_sqlite(&e))?;
    crate::backend::sqlite::pgfuncs::register(&conn).map_err(|e| from_sqlite(&e))?;
    crate::backend::sqlite::guard::install(&mut conn).map_err(|e| from_sqlite(&e))?;
    Ok(Conn::new(conn))
}

/// Opens a read-only session on a remote catalog for an admin session's
/// queries: statements are authorized as for a `readonly` user on the
/// schema mirror before they reach the catalog database.
pub async fn open_remote_reader(
    cfg: crate::backend::libsql::RemoteConfig,
) -> Result<crate::backend::libsql::RemoteConn, SqlError> {
    use crate::backend::libsql::RemoteConn;
    let db = RemoteConn::database(&cfg).await?;
    RemoteConn::open_on(db, cfg, crate::backend::sqlite::guard::Role::ReadOnly).await
}

/// On a remote catalog only queries are forwarded (the local catalog file
/// is opened read-only, which the engine enforces by itself).
fn read_only(remote: bool, stmt: &Statement) -> Result<(), SqlError> {
    if remote && !matches!(stmt, Statement::Query(_)) {
        return Err(SqlError::new(
            "25006",
            "the catalog is read-only: only SELECT queries and pgtenant functions are allowed",
        ));
    }
    Ok(())
}

fn is_pgtenant(name: &sqlparser::ast::ObjectName) -> Option<String> {
    let parts: Vec<&str> = name
        .0
        .iter()
        .filter_map(|p| match p {
            ObjectNamePart::Identifier(i) => Some(i.value.as_str()),
            _ => None,
        })
        .collect();
    match parts.as_slice() {
        [schema, f] if schema.eq_ignore_ascii_case("pgtenant") => Some(f.to_ascii_lowercase()),
        _ => None,
    }
}

/// Recognises `SELECT * FROM pgtenant.f(args)` and `SELECT pgtenant.f(args)`.
fn as_call(stmt: &Statement) -> Result<Option<AdminStatement>, SqlError> {
    let Statement::Query(q) = stmt else {
        return Ok(None);
    };
    let SetExpr::Select(sel) = q.body.as_ref() else {
        return Ok(None);
    };
    // FROM pgtenant.stats: live counters, answered like a function call.
    if let [from] = sel.from.as_slice() {
        if let TableFactor::Table {
            name, args: None, ..
        } = &from.relation
        {
            if from.joins.is_empty() && is_pgtenant(name).as_deref() == Some("stats") {
                if sel.selection.is_some() || q.order_by.is_some() || q.limit_clause.is_some() {
                    return Err(SqlError::new(
                        "0A000",
                        "pgtenant.stats takes no WHERE, ORDER BY or LIMIT: select from it whole",
                    ));
                }
                return Ok(Some(AdminStatement {
                    function: AdminFn::Stats,
                    args: Vec::new(),
                    scalar: false,
                    projection: projection(&sel.projection, AdminFn::Stats)?,
                }));
            }
        }
    }
    // FROM pgtenant.f(...)
    if sel.from.len() == 1 && sel.from[0].joins.is_empty() {
        if let TableFactor::Table {
            name,
            args: Some(targs),
            ..
        } = &sel.from[0].relation
        {
            if let Some(f) = is_pgtenant(name) {
                let function = AdminFn::from_name(&f)?;
                return Ok(Some(AdminStatement {
                    function,
                    args: args::collect(&targs.args)?,
                    scalar: false,
                    projection: projection(&sel.projection, function)?,
                }));
            }
        }
    }
    // FROM pgtenant.usage: a function that reads like a view.
    if sel.from.len() == 1 && sel.from[0].joins.is_empty() {
        if let TableFactor::Table {
            name, args: None, ..
        } = &sel.from[0].relation
        {
            if is_pgtenant(name).as_deref() == Some("usage") {
                if sel.selection.is_some() || q.order_by.is_some() || q.limit_clause.is_some() {
                    return Err(SqlError::new(
                        "0A000",
                        "pgtenant.usage takes no WHERE, ORDER BY or LIMIT",
                    )
                    .with_detail("For one tenant: SELECT * FROM pgtenant.usage('acme')."));
                }
                return Ok(Some(AdminStatement {
                    function: AdminFn::Usage,
                    args: Vec::new(),
                    scalar: false,
                    projection: projection(&sel.projection, AdminFn::Usage)?,
                }));
            }
        }
    }
    // SELECT pgtenant.f(...)
    if sel.from.is_empty() && sel.projection.len() == 1 {
        let expr = match &sel.projection[0] {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => e,
            _ => return Ok(None),
        };
        if let Expr::Function(func) = expr {
            if let Some(f) = is_pgtenant(&func.name) {
                let function = AdminFn::from_name(&f)?;
                let list = match &func.args {
                    sqlparser::ast::FunctionArguments::List(l) => l.args.clone(),
                    sqlparser::ast::FunctionArguments::None => Vec::new(),
                    sqlparser::ast::FunctionArguments::Subquery(_) => {
                        return Err(SqlError::new(
                            "0A000",
                            "subquery arguments are not supported",
                        ))
                    }
                };
                return Ok(Some(AdminStatement {
                    function,
                    args: args::collect(&list)?,
                    scalar: true,
                    projection: None,
                }));
            }
        }
    }
    Ok(None)
}

/// Drops the `pgtenant.` qualifier so catalog views resolve in the catalog database.
fn unqualify(mut stmt: Statement) -> String {
    let _ = visit_relations_mut(&mut stmt, |name| {
        if name.0.len() == 2 {
            if let ObjectNamePart::Identifier(schema) = &name.0[0] {
                if schema.value.eq_ignore_ascii_case("pgtenant") {
                    name.0.remove(0);
                }
            }
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    stmt.to_string()
}

enum Parsed {
    Call(AdminStatement),
    Sql(String),
}

fn parse(sql: &str, remote: bool) -> Result<Vec<Parsed>, SqlError> {
    // Before the parser builds a tree too deep to walk or drop; and with
    // stack for the tree it builds.
    let depth = crate::sql::translate::check_depth(sql)?;
    crate::sql::stack::with_room(depth, || {
        let stmts = Parser::parse_sql(&PostgreSqlDialect {}, sql)
            .map_err(|e| SqlError::new("42601", e.to_string()))?;
        stmts
            .into_iter()
            .map(|s| match as_call(&s)? {
                Some(call) => Ok(Parsed::Call(call)),
                None => {
                    read_only(remote, &s)?;
                    Ok(Parsed::Sql(unqualify(s)))
                }
            })
            .collect()
    })
}

/// Runs an admin query string (simple protocol).
pub async fn run_simple(session: &Arc<Session>, sql: &str) -> Result<Vec<Outcome>, SqlError> {
    let mut out = Vec::new();
    let text = Format::UnifiedText;
    for p in parse(sql, session.server.catalog.is_remote())? {
        match p {
            Parsed::Call(call) => out.push(call_function(session, &call, &[], &text).await?),
            Parsed::Sql(s) => {
                for t in session.server.translate(&s)?.iter() {
                    out.push(session.execute(t, Vec::new(), &text, None).await?);
                }
            }
        }
    }
    Ok(out)
}

/// Parse for the extended protocol.
pub async fn prepare(session: &Arc<Session>, sql: &str) -> Result<Option<Prepared>, SqlError> {
    let mut parsed = parse(sql, session.server.catalog.is_remote())?;
    if parsed.len() > 1 {
        return Err(SqlError::new(
            "42601",
            "cannot insert multiple commands into a prepared statement",
        ));
    }
    match parsed.pop() {
        None => Ok(None),
        Some(Parsed::Call(call)) => {
            let names = call.output_columns();
            let columns: Vec<ColumnInfo> = names
                .iter()
                .map(|n| ColumnInfo {
                    name: n.clone(),
                    decl: Some(PgType::Text),
                })
                .collect();
            let nparams = call
                .args
                .iter()
                .filter_map(Arg::param_index)
                .max()
                .unwrap_or(0);
            Ok(Some(Prepared {
                translation: Translation {
                    kind: StmtKind::Query {
                        tag: "SELECT",
                        returns_rows: true,
                    },
                    sql: String::new(),
                    params: Vec::new(),
                    columns: Vec::new(),
                    retype: None,
                    scales: vec![],
                    steps: Vec::new(),
                    locks_rows: false,
                },
                param_types: vec![PgType::Text; nparams],
                result_types: vec![PgType::Text; columns.len()].into(),
                columns,
                admin: Some(call),
            }))
        }
        Some(Parsed::Sql(s)) => crate::server::extended::prepare(session, &s, &[]).await,
    }
}

/// Execute for the extended protocol.
pub async fn run_prepared(
    session: &Arc<Session>,
    call: &AdminStatement,
    params: Vec<Value>,
    format: &Format,
) -> Result<Outcome, SqlError> {
    call_function(session, call, &params, format).await
}

async fn call_function(
    session: &Arc<Session>,
    call: &AdminStatement,
    params: &[Value],
    format: &Format,
) -> Result<Outcome, SqlError> {
    let args = args::bind(&call.args, params)?;
    let rows = functions::run(&session.server, call.function, args).await?;
    let columns = call.function.columns(false);
    let (names, rows): (Vec<String>, Vec<Vec<String>>) = if call.scalar {
        // A record-returning function in the select list: one composite column.
        let composite = rows
            .into_iter()
            .map(|r| {
                if r.len() == 1 {
                    vec![r.into_iter().next().unwrap_or_default()]
                } else {
                    vec![composite(&r)]
                }
            })
            .collect();
        (vec![call.function.name().to_owned()], composite)
    } else if let Some(p) = &call.projection {
        let index: Vec<usize> = p
            .iter()
            .map(|(src, _)| columns.iter().position(|c| c == src).unwrap_or(0))
            .collect();
        let rows = rows
            .into_iter()
            .map(|r| {
                index
                    .iter()
                    .map(|i| r.get(*i).cloned().unwrap_or_default())
                    .collect()
            })
            .collect();
        (call.output_columns(), rows)
    } else {
        (columns.iter().map(|c| c.to_string()).collect(), rows)
    };
    Ok(Outcome::Rows(text_rows(&names, rows, format)))
}

/// PostgreSQL's text form of a record: `(a,b,"c d")`.
fn composite(fields: &[String]) -> String {
    let mut out = String::from("(");
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let quote = f.is_empty() || f.contains([' ', ',', '(', ')', '"', '\\']);
        if quote {
            out.push('"');
            for c in f.chars() {
                if c == '"' || c == '\\' {
                    out.push(c);
                }
                out.push(c);
            }
            out.push('"');
        } else {
            out.push_str(f);
        }
    }
    out.push(')');
    out
}
