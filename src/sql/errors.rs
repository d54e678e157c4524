//! One place for client-facing errors: every failure becomes a SQLSTATE and
//! a message in PostgreSQL's wording. Internal detail (paths, SQLite codes)
//! is logged, not sent.

use pgwire::error::{ErrorInfo, PgWireError};
use rusqlite::ffi;

/// An error as the client will see it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SqlError {
    pub code: &'static str,
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
    /// FATAL errors end the session, as in PostgreSQL.
    pub fatal: bool,
    /// The table, column and constraint an integrity error concerns (the
    /// ErrorResponse fields drivers expose, e.g. psycopg's
    /// `diag.constraint_name`).
    pub object: Option<Box<ErrorObject>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorObject {
    pub table: Option<String>,
    pub column: Option<String>,
    /// A unique key's columns, for its DETAIL's values (see
    /// `backend::sqlite::exec::key_values`).
    pub key: Vec<String>,
    pub constraint: Option<String>,
}

impl SqlError {
    pub fn new(code: &'static str, message: impl Into<String>) -> SqlError {
        SqlError {
            code,
            message: message.into(),
            detail: None,
            hint: None,
            fatal: false,
            object: None,
        }
    }

    /// Names the table (in `public`), and the column or constraint, the
    /// error is about.
    pub fn on(mut self, table: &str, column: Option<&str>, constraint: Option<&str>) -> SqlError {
        self.object = Some(Box::new(ErrorObject {
            table: Some(table.to_owned()),
            column: column.map(str::to_owned),
            constraint: constraint.map(str::to_owned),
            key: Vec::new(),
        }));
        self
    }

    /// Records a unique key's columns (after [`Self::on`]).
    pub fn with_key(mut self, columns: &[String]) -> SqlError {
        if let Some(o) = self.object.as_mut() {
            o.key = columns.to_vec();
        }
        self
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> SqlError {
        self.detail = Some(detail.into());
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> SqlError {
        self.hint = Some(hint.into());
        self
    }

    pub fn fatal(mut self) -> SqlError {
        self.fatal = true;
        self
    }

    pub fn internal(context: &str, err: impl std::fmt::Display) -> SqlError {
        tracing::error!(%err, "{context}");
        SqlError::new("XX000", format!("internal error: {context}"))
    }

    /// 25P02: PostgreSQL's answer to any statement but ROLLBACK in a failed transaction.
    pub fn in_failed_transaction() -> SqlError {
        SqlError::new(
            "25P02",
            "current transaction is aborted, commands ignored until end of transaction block",
        )
    }

    pub fn canceled_by_user() -> SqlError {
        SqlError::new("57014", "canceling statement due to user request")
    }

    pub fn statement_timeout() -> SqlError {
        SqlError::new("57014", "canceling statement due to statement timeout")
    }

    /// [`Self::into_info`] with the position in `sql`, the statement's
    /// text, the error points at (see `error_position`).
    pub fn into_info_at(mut self, sql: &str) -> ErrorInfo {
        let position = super::error_position::locate(sql, &self);
        // The statement ended at its `;`, which PostgreSQL's lexer reads
        // as the token the parser choked on.
        if let Some(p) = position {
            if self.message == "syntax error at end of input"
                && sql.chars().nth(p.saturating_sub(1)) == Some(';')
            {
                self.message = "syntax error at or near \";\"".into();
            }
        }
        let mut info = self.into_info();
        info.position = position.map(|p| p.to_string());
        info
    }

    pub fn into_info(self) -> ErrorInfo {
        let severity = if self.fatal { "FATAL" } else { "ERROR" };
        let mut info = ErrorInfo::new(severity.to_owned(), self.code.to_owned(), self.message);
        info.detail = self.detail;
        info.hint = self.hint;
        if let Some(object) = self.object {
            // The table is kept by its SQLite name (the key's values are
            // read with it); the client hears its schema and name in it.
            let (schema, table) = match &object.table {
                Some(t) => {
                    let (s, n) = crate::sql::translate::schemas::relation_parts(t);
                    (s.to_owned(), Some(n.to_owned()))
                }
                None => ("public".to_owned(), None),
            };
            info.schema = Some(schema);
            info.table = table;
            info.column = object.column;
            info.constraint = object.constraint;
        }
        info
    }
}

impl From<SqlError> for PgWireError {
    fn from(e: SqlError) -> PgWireError {
        PgWireError::UserError(Box::new(e.into_info()))
    }
}

impl From<crate::sql::translate::TranslateError> for SqlError {
    fn from(e: crate::sql::translate::TranslateError) -> SqlError {
        SqlError::new(e.code, e.message)
    }
}

/// `"tbl.col"` lists after SQLite's constraint messages, split into table and columns.
fn constraint_target(msg: &str) -> (String, Vec<String>) {
    let list = msg.split_once(": ").map(|(_, r)| r).unwrap_or("");
    let mut table = String::new();
    let mut cols = Vec::new();
    for part in list.split(", ") {
        // The column is after the last dot: a user schema's table is
        // `cd.members` (`UNIQUE constraint failed: cd.members.memid`).
        if let Some((t, c)) = part.rsplit_once('.') {
            table = t.to_owned();
            cols.push(c.to_owned());
        }
    }
    (table, cols)
}

fn after<'a>(msg: &'a str, prefix: &str) -> Option<&'a str> {
    msg.strip_prefix(prefix).map(str::trim)
}

/// Maps an SQLite error to PostgreSQL's SQLSTATE and wording.
pub fn from_sqlite(err: &rusqlite::Error) -> SqlError {
    match err {
        rusqlite::Error::SqliteFailure(e, msg) => {
            let msg = msg.as_deref().unwrap_or("");
            from_code(e.extended_code, msg)
        }
        rusqlite::Error::UserFunctionError(inner) => {
            if let Some(re) = inner.downcast_ref::<super::super::backend::sqlite::functions::InvalidRegex>() {
                SqlError::new("2201B", re.to_string())
            } else if let Some(se) = inner.downcast_ref::<SqlError>() {
                se.clone()
            } else if let Some(Carried(se)) = inner.downcast_ref::<Carried>() {
                se.clone()
            } else if let Some(e) = carried_code(&inner.to_string()) {
                e
            } else {
                SqlError::new("22023", inner.to_string())
            }
        }
        rusqlite::Error::SqlInputError { error, msg, .. } => from_code(error.extended_code, msg),
        rusqlite::Error::InvalidParameterCount(given, expected) => SqlError::new(
            "08P01",
            format!("bind message supplies {given} parameters, but prepared statement requires {expected}"),
        ),
        rusqlite::Error::MultipleStatement => {
            SqlError::new("42601", "cannot insert multiple commands into a prepared statement")
        }
        other => SqlError::internal("sqlite", other),
    }
}

/// The message of a write the operating system refused for lack of space.
pub const DISK_FULL: &str = "could not extend file: disk full";

/// 53100: the database could not grow (disk, file-size limit or storage quota).
pub fn disk_full() -> SqlError {
    SqlError::new("53100", DISK_FULL).with_detail(
        "The tenant's database cannot grow: the disk, a file-size limit or the storage quota is full. The statement was rolled back; reads still work.",
    )
}

/// Like [`from_sqlite`], but asks the connection why an I/O error happened:
/// a write refused for lack of space (ENOSPC, EDQUOT, or EFBIG under a
/// file-size limit) is disk full (53100), not a damaged disk (58030).
/// SQLite reports those as SQLITE_IOERR_WRITE/TRUNCATE when no byte was written.
pub fn from_sqlite_on(db: &rusqlite::Connection, err: &rusqlite::Error) -> SqlError {
    if let rusqlite::Error::SqliteFailure(e, _) = err {
        if e.extended_code & 0xff == ffi::SQLITE_IOERR {
            // SAFETY: the handle is valid while `db` lives; sqlite3_system_errno only reads it.
            let errno = unsafe { ffi::sqlite3_system_errno(db.handle()) };
            if matches!(errno, libc::ENOSPC | libc::EDQUOT | libc::EFBIG) {
                tracing::warn!(errno, "database write refused: no space");
                return disk_full();
            }
        }
        if e.extended_code == ffi::SQLITE_CONSTRAINT_CHECK {
            if let Some(named) = check_violation(db, err.to_string().as_str()) {
                return named;
            }
        }
        if matches!(
            e.extended_code,
            ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        ) {
            if let Some(named) = unique_violation(db, e.extended_code, &err.to_string()) {
                return named;
            }
        }
    }
    from_sqlite(err)
}

/// A unique or primary key violation named as PostgreSQL names it: the
/// constraint's written name (`CONSTRAINT uq UNIQUE (a)`), a unique
/// index's own name, else PostgreSQL's default (`t_a_key`, `t_pkey`).
fn unique_violation(db: &rusqlite::Connection, extended: i32, msg: &str) -> Option<SqlError> {
    use crate::sql::table_constraints::{constraints, Kind};
    if msg.contains("index '") {
        return None;
    }
    let (table, cols) = constraint_target(msg);
    let sql: String = db
        .query_row(
            "SELECT sql FROM main.sqlite_schema WHERE type = 'table' AND name = ?1 COLLATE NOCASE",
            [&table],
            |r| r.get(0),
        )
        .ok()?;
    let same = |c: &[String]| {
        c.len() == cols.len() && c.iter().zip(&cols).all(|(a, b)| a.eq_ignore_ascii_case(b))
    };
    let kind = if extended == ffi::SQLITE_CONSTRAINT_PRIMARYKEY {
        Kind::PrimaryKey
    } else {
        Kind::Unique
    };
    let declared = constraints(&table, &sql)
        .into_iter()
        .find(|c| c.kind == kind && c.name_range.is_some() && same(&c.columns))
        .map(|c| c.name);
    let name = declared.or_else(|| unique_index_name(db, &table, &cols))?;
    Some(unique_error(&table, &cols, &name))
}

/// 23505 for a key of `table` on `cols`, under constraint `name`.
fn unique_error(table: &str, cols: &[String], name: &str) -> SqlError {
    SqlError::new(
        "23505",
        format!("duplicate key value violates unique constraint \"{name}\""),
    )
    .with_detail(format!("Key ({}) already exists.", cols.join(", ")))
    .on(table, None, Some(name))
    .with_key(cols)
}

/// A unique index created by name on exactly these columns.
fn unique_index_name(db: &rusqlite::Connection, table: &str, cols: &[String]) -> Option<String> {
    let mut list = db
        .prepare("SELECT name FROM pragma_index_list(?1) WHERE \"unique\" AND origin = 'c'")
        .ok()?;
    let names: Vec<String> = list
        .query_map([table], |r| r.get(0))
        .ok()?
        .filter_map(Result::ok)
        .collect();
    names.into_iter().find(|index| {
        let Ok(mut info) = db.prepare("SELECT name FROM pragma_index_info(?1) ORDER BY seqno")
        else {
            return false;
        };
        let columns: Vec<String> = info
            .query_map([index], |r| r.get::<_, Option<String>>(0))
            .map(|rows| rows.filter_map(Result::ok).flatten().collect())
            .unwrap_or_default();
        columns.len() == cols.len()
            && columns
                .iter()
                .zip(cols)
                .all(|(a, b)| a.eq_ignore_ascii_case(b))
    })
}

/// A CHECK violation under PostgreSQL's names: SQLite reports the
/// constraint's written name or, unnamed, its expression; the table's
/// definition gives the table and the name PostgreSQL would use.
fn check_violation(db: &rusqlite::Connection, msg: &str) -> Option<SqlError> {
    use crate::sql::table_constraints::{constraints, Kind};
    let reported = msg.split_once("CHECK constraint failed: ")?.1.trim();
    // TEMP tables first, as SQLite resolves an unqualified name.
    let mut stmt = db
        .prepare_cached(
            "SELECT name, sql FROM temp.sqlite_schema WHERE type = 'table' AND sql IS NOT NULL \
             UNION ALL \
             SELECT name, sql FROM main.sqlite_schema WHERE type = 'table' AND sql IS NOT NULL",
        )
        .ok()?;
    let tables: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .ok()?
        .filter_map(Result::ok)
        .collect();
    for (table, sql) in tables {
        let found = constraints(&table, &sql).into_iter().find(|c| {
            c.kind == Kind::Check && (c.name == reported || c.check_expression() == Some(reported))
        });
        if let Some(c) = found {
            return Some(
                SqlError::new(
                    "23514",
                    format!(
                        "new row for relation \"{table}\" violates check constraint \"{}\"",
                        c.name
                    ),
                )
                .on(&table, None, Some(&c.name)),
            );
        }
    }
    None
}

/// A CHECK violation named for `table`, the table the failed statement
/// writes: SQLite's message names only the constraint or its expression,
/// which several tables may share (`CHECK (n > 0)`), and
/// [`check_violation`] took the first table that has it.
pub fn check_violation_in(db: &rusqlite::Connection, e: SqlError, table: &str) -> SqlError {
    use crate::sql::table_constraints::{constraints, Kind};
    let Some(o) = e.object.as_deref() else {
        return e;
    };
    let (Some(found), Some(name)) = (o.table.clone(), o.constraint.clone()) else {
        return e;
    };
    if e.code != "23514" || found.eq_ignore_ascii_case(table) {
        return e;
    }
    let definition = |t: &str| -> Option<String> {
        db.query_row(
            "SELECT sql FROM temp.sqlite_schema WHERE type = 'table' AND name = ?1 \
             UNION ALL \
             SELECT sql FROM main.sqlite_schema WHERE type = 'table' AND name = ?1",
            [t],
            |r| r.get(0),
        )
        .ok()
    };
    let checks = |t: &str| -> Vec<crate::sql::table_constraints::Constraint> {
        definition(t)
            .map(|sql| constraints(t, &sql))
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c.kind == Kind::Check)
            .collect()
    };
    let expression = checks(&found)
        .into_iter()
        .find(|c| c.name == name)
        .and_then(|c| c.check_expression().map(str::to_owned));
    let Some(c) = checks(table).into_iter().find(|c| {
        c.name == name
            || c.check_expression().is_some() && c.check_expression() == expression.as_deref()
    }) else {
        return e;
    };
    SqlError::new(
        "23514",
        format!(
            "new row for relation \"{table}\" violates check constraint \"{}\"",
            c.name
        ),
    )
    .on(table, None, Some(&c.name))
}

/// Maps an SQLite extended result code and message reported by another
/// engine (a remote libSQL server) the same way as local errors.
pub fn from_sqlite_code(extended: i32, msg: &str) -> SqlError {
    from_code(extended, msg)
}

fn from_code(extended: i32, msg: &str) -> SqlError {
    // rusqlite catches a panic inside one of our SQL functions and reports
    // it as this message: a server fault, not the client's mistake.
    if msg == "unwinding panic" {
        tracing::error!("panic inside a SQL function: the statement fails with XX000");
        return SqlError::new("XX000", "internal error: a server function failed");
    }
    let primary = extended & 0xff;
    match extended {
        ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
            // An expression index names itself: "UNIQUE constraint failed:
            // index 'ev_payload_a'".
            if let Some(index) = msg
                .split_once("index '")
                .and_then(|(_, rest)| rest.strip_suffix('\''))
            {
                // The executor's explanation reads the index's keys.
                let mut e = SqlError::new(
                    "23505",
                    format!("duplicate key value violates unique constraint \"{index}\""),
                );
                e.object = Some(Box::new(ErrorObject {
                    constraint: Some(index.to_owned()),
                    ..ErrorObject::default()
                }));
                return e;
            }
            let (table, cols) = constraint_target(msg);
            let bare = crate::sql::translate::schemas::relation_parts(&table).1;
            let name = if extended == ffi::SQLITE_CONSTRAINT_PRIMARYKEY {
                format!("{bare}_pkey")
            } else {
                format!("{bare}_{}_key", cols.join("_"))
            };
            return unique_error(&table, &cols, &name);
        }
        ffi::SQLITE_CONSTRAINT_NOTNULL => {
            let (table, cols) = constraint_target(msg);
            let col = cols.first().cloned().unwrap_or_default();
            let bare = crate::sql::translate::schemas::relation_parts(&table).1;
            return SqlError::new(
                "23502",
                format!("null value in column \"{col}\" of relation \"{bare}\" violates not-null constraint"),
            )
            .on(&table, Some(&col), None);
        }
        ffi::SQLITE_CONSTRAINT_FOREIGNKEY => {
            return foreign_key_violation(
                "insert, update or delete violates a foreign key constraint",
            )
        }
        ffi::SQLITE_CONSTRAINT_CHECK => {
            let name = msg.split_once(": ").map(|(_, n)| n).unwrap_or("check");
            return SqlError::new(
                "23514",
                format!("new row violates check constraint \"{name}\""),
            );
        }
        ffi::SQLITE_CONSTRAINT_COMMITHOOK => {
            if let Some(e) = crate::tenant::enforce::take_refusal() {
                return e;
            }
        }
        ffi::SQLITE_BUSY_SNAPSHOT => {
            return SqlError::new(
                "40001",
                "could not serialize access due to concurrent update",
            );
        }
        _ => {}
    }
    // A user schema's object as PostgreSQL names it (`cd.members`).
    let msg = &*crate::sql::translate::schemas::readable(msg);
    match primary {
        // A DELETE or UPDATE of a referenced row (RESTRICT, or NO ACTION
        // checked at the statement's end) comes with the plain code.
        ffi::SQLITE_CONSTRAINT if msg == "FOREIGN KEY constraint failed" => {
            foreign_key_violation("update or delete violates a foreign key constraint")
        }
        ffi::SQLITE_CONSTRAINT => SqlError::new("23000", msg.to_owned()),
        ffi::SQLITE_BUSY | ffi::SQLITE_LOCKED => {
            SqlError::new("55P03", "could not obtain lock on the database: it is busy")
        }
        ffi::SQLITE_INTERRUPT => SqlError::canceled_by_user(),
        ffi::SQLITE_AUTH => crate::backend::sqlite::guard::denial_error(),
        ffi::SQLITE_READONLY => SqlError::new(
            "25006",
            "cannot execute this statement in a read-only transaction",
        ),
        ffi::SQLITE_TOOBIG => SqlError::new("54000", "value too large"),
        // A size limit (max_page_count: the storage quota) or a partial write.
        ffi::SQLITE_FULL => {
            SqlError::new("53100", "could not extend database: database or disk full")
        }
        ffi::SQLITE_NOMEM => SqlError::new("53200", "out of memory"),
        ffi::SQLITE_MISMATCH => SqlError::new("42804", "datatype mismatch"),
        ffi::SQLITE_RANGE => SqlError::new("08P01", "bind parameter index out of range"),
        ffi::SQLITE_CORRUPT | ffi::SQLITE_NOTADB => {
            tracing::error!(msg, "database corruption reported by SQLite");
            SqlError::new("XX001", "database file is damaged")
        }
        ffi::SQLITE_IOERR | ffi::SQLITE_CANTOPEN => {
            tracing::error!(msg, "SQLite I/O error");
            SqlError::new("58030", "I/O error accessing the database")
        }
        _ => from_message(msg),
    }
}

/// SQLite names neither the constraint nor the key.
fn foreign_key_violation(message: &str) -> SqlError {
    SqlError::new("23503", message)
        .with_detail("A referenced row is missing, or a referencing row still exists.")
}

/// SQLite's compile-time limits on a statement's shape, as the program limit
/// classes PostgreSQL uses for the nearest limit of its own.
fn engine_limit(msg: &str) -> Option<SqlError> {
    let code = if msg.starts_with("Expression tree is too large") || msg == "parser stack overflow"
    {
        "54001"
    } else if msg.starts_with("too many columns") {
        "54011"
    } else if msg.starts_with("too many arguments on function") {
        "54023"
    } else if msg.starts_with("too many terms in compound SELECT")
        || msg.starts_with("too many SQL variables")
        || msg.starts_with("too many FROM clause terms")
        || msg.starts_with("at most 64 tables in a join")
    {
        "54000"
    } else {
        return None;
    };
    Some(SqlError::new(
        code,
        format!("statement is too complex for the engine: {msg}"),
    ))
}

/// Errors raised by our own SQL functions reach us as message text only
/// (SQLite keeps nothing else): recover their SQLSTATE from the wording.
fn function_error(msg: &str) -> Option<SqlError> {
    const OURS: &[(&str, &str)] = &[
        ("field position must not be zero", "22023"),
        ("cannot take square root of a negative number", "2201F"),
        // current_setting() / set_config() (server::settings_sql).
        ("permission denied to set parameter", "42501"),
        ("unrecognized configuration parameter", "42704"),
        ("invalid value for parameter", "22023"),
        ("division by zero", "22012"),
        ("cannot take logarithm of", "2201E"),
    ];
    let code = crate::backend::sqlite::pgfuncs::sqlstate(msg).or_else(|| {
        OURS.iter()
            .find(|(m, _)| msg.starts_with(m))
            .map(|(_, c)| *c)
    })?;
    Some(SqlError::new(code, msg.to_owned()))
}

/// The first two numbers in a message.
fn number_pair(msg: &str) -> (u64, u64) {
    let mut n = msg
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| !w.is_empty())
        .filter_map(|w| w.parse().ok());
    (n.next().unwrap_or(0), n.next().unwrap_or(0))
}

/// The table's columns and the values SQLite counted when an INSERT naming
/// no columns had a different number of values: "table t has 3 columns but
/// 2 values were supplied". Read from the end: the name may hold digits.
pub(crate) fn unnamed_insert_counts(msg: &str) -> Option<(usize, usize)> {
    let rest = msg.strip_prefix("table ")?;
    let (_, counts) = rest.rsplit_once(" has ")?;
    let (columns, values) = counts.split_once(" columns but ")?;
    let values = values.strip_suffix(" values were supplied")?;
    Some((columns.parse().ok()?, values.parse().ok()?))
}

/// SQLITE_ERROR covers most statement errors; its message tells which.
/// Marks an error message that carries its SQLSTATE (`pg_raise`): SQLite
/// passes only the text of an error raised inside a function.
pub const CODE_MARK: char = '\u{1}';

/// The SQLSTATEs an error message may carry (`pg_raise`, the server's SQL
/// functions); any other becomes P0001 (RAISE's).
const RAISABLE: &[&str] = &[
    "P0001", "P0002", "P0003", "P0004", "22000", "22001", "22003", "22004", "22007", "22008",
    "22012", "22023", "22P02", "23000", "23001", "23502", "23503", "23505", "23514", "25006",
    "2BP01", "40001", "42501", "42601", "42703", "42704", "42710", "42723", "42809", "42883",
    "42P01", "42P07", "42P16", "55000", "55P03", "57014", "0A000", "XX000", "428C9", "54001",
    "0Z002", "22005", "42P13", "42804", "21000", "2200H", "2201B", "2201E", "2201F", "2201G",
    "2202E", "22033", "22036", "22038", "22039", "2203A", "2203B", "2203C", "42803", "54000",
    "42P06", "3F000", "23P01", "22P05", "22021", "22011",
];

/// An error a server-side SQL function raises: displayed in
/// [`carried`] form, so its SQLSTATE survives SQLite, which keeps only the
/// text of an error raised inside a function.
#[derive(Debug)]
pub struct Carried(pub SqlError);

impl std::fmt::Display for Carried {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&carried(&self.0))
    }
}

impl std::error::Error for Carried {}

/// `pg_raise`'s message text: the code between marks, then the message.
pub fn with_code(code: &str, message: &str) -> String {
    format!("{CODE_MARK}{code}{CODE_MARK}{message}")
}

/// An error raised inside a function as the text SQLite carries out of it
/// ([`with_code`]'s form, then its DETAIL and HINT, each after a mark and
/// `D` or `H`), which [`from_sqlite`] reads back whole.
pub fn carried(e: &SqlError) -> String {
    let mut text = with_code(e.code, &e.message);
    for (tag, field) in [('D', &e.detail), ('H', &e.hint)] {
        if let Some(field) = field {
            text.push(CODE_MARK);
            text.push(tag);
            text.push_str(field);
        }
    }
    text
}

/// An error raised by SQL (RAISE, or one a statement of a DO block
/// reported) with its SQLSTATE as text: the codes pgtenant reports keep
/// theirs, any other becomes P0001 (RAISE's).
pub fn raised(code: &str, message: String) -> SqlError {
    let code = RAISABLE
        .iter()
        .find(|c| c.eq_ignore_ascii_case(code))
        .copied()
        .unwrap_or("P0001");
    SqlError::new(code, message)
}

fn carried_code(msg: &str) -> Option<SqlError> {
    let rest = msg.strip_prefix(CODE_MARK)?;
    let (code, rest) = rest.split_once(CODE_MARK)?;
    let code = RAISABLE
        .iter()
        .find(|c| **c == code)
        .copied()
        .unwrap_or("P0001");
    let mut parts = rest.split(CODE_MARK);
    let mut e = SqlError::new(code, parts.next().unwrap_or_default().to_owned());
    for part in parts {
        if let Some(detail) = part.strip_prefix('D') {
            e.detail = Some(detail.to_owned());
        } else if let Some(hint) = part.strip_prefix('H') {
            e.hint = Some(hint.to_owned());
        } else if let Some(table) = part.strip_prefix('T') {
            // The table and constraint an integrity error names (written
            // by SQL: the exclusion constraints' triggers).
            e.object.get_or_insert_default().table = Some(table.to_owned());
        } else if let Some(constraint) = part.strip_prefix('C') {
            e.object.get_or_insert_default().constraint = Some(constraint.to_owned());
        }
    }
    Some(e)
}

fn from_message(msg: &str) -> SqlError {
    if let Some(e) = carried_code(msg) {
        return e;
    }
    if let Some(e) = function_error(msg) {
        return e;
    }
    if let Some(e) = engine_limit(msg) {
        return e;
    }
    // rusqlite, when one of pgtenant's functions gets an argument of a type
    // it has no form for (`lower(1)`): PostgreSQL finds no such function.
    if msg.starts_with("Invalid function parameter type")
        || msg.starts_with("Invalid function or filter parameter type")
    {
        return SqlError::new(
            "42883",
            "function does not exist for the given argument types",
        )
        .with_detail("No function matches the given name and argument types. You might need to add explicit type casts.");
    }
    // SQLite's `ALTER TABLE ADD COLUMN ... CHECK` testing the existing rows.
    if msg == "CHECK constraint failed" {
        return SqlError::new(
            "23514",
            "check constraint of the new column is violated by some row",
        );
    }
    if let Some(t) = after(msg, "no such table:") {
        let t = t.strip_prefix("main.").unwrap_or(t);
        return SqlError::new("42P01", format!("relation \"{t}\" does not exist"));
    }
    if let Some(c) = after(msg, "no such column:") {
        // A double-quoted name comes back quoted, with SQLite's hint about
        // string literals.
        let c = c
            .strip_suffix(" - should this be a string literal in single-quotes?")
            .unwrap_or(c);
        let c = c
            .strip_prefix('"')
            .and_then(|c| c.strip_suffix('"'))
            .unwrap_or(c);
        // A qualified name prints as PostgreSQL's does: `column t.x`.
        return SqlError::new(
            "42703",
            if c.contains('.') {
                format!("column {c} does not exist")
            } else {
                format!("column \"{c}\" does not exist")
            },
        );
    }
    // SQLite does not say which side lacks it.
    if let Some(c) = msg
        .strip_prefix("cannot join using column ")
        .and_then(|m| m.strip_suffix(" - column not present in both tables"))
    {
        return SqlError::new(
            "42703",
            format!("column \"{c}\" specified in USING clause does not exist in one of the joined tables"),
        );
    }
    if let Some(f) = after(msg, "no such function:") {
        return SqlError::new(
            "42883",
            format!("function {} does not exist", f.to_lowercase()),
        )
        .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.");
    }
    // sqld's wording when a column DEFAULT calls a function it lacks.
    if let Some(f) = after(msg, "unknown function:") {
        let f = f.strip_suffix("()").unwrap_or(f);
        return SqlError::new("42883", format!("function {f} does not exist"));
    }
    if let Some(i) = after(msg, "no such index:") {
        return SqlError::new("42704", format!("index \"{i}\" does not exist"));
    }
    if let Some(rest) = after(msg, "wrong number of arguments to function") {
        return SqlError::new("42883", format!("function {rest} does not exist"));
    }
    // "table items has no column named nonexistent"
    if let Some((table, col)) = msg
        .strip_prefix("table ")
        .and_then(|r| r.split_once(" has no column named "))
    {
        return SqlError::new(
            "42703",
            format!("column \"{col}\" of relation \"{table}\" does not exist"),
        );
    }
    // "table t has 3 columns but 4 values were supplied" (no column list),
    // "2 values for 3 columns" (an explicit one): (values, target columns).
    let counts = if let Some((columns, values)) = unnamed_insert_counts(msg) {
        Some((values as u64, columns as u64))
    } else if msg.contains(" values for ") && msg.contains(" columns") {
        Some(number_pair(msg))
    } else {
        None
    };
    if let Some((values, columns)) = counts {
        return SqlError::new(
            "42601",
            if values > columns {
                "INSERT has more expressions than target columns"
            } else {
                "INSERT has more target columns than expressions"
            },
        );
    }
    // "1st ORDER BY term out of range - should be between 1 and 1"
    if msg.contains("ORDER BY term out of range") || msg.contains("GROUP BY term out of range") {
        let clause = if msg.contains("ORDER BY") {
            "ORDER BY"
        } else {
            "GROUP BY"
        };
        let n: String = msg.chars().take_while(char::is_ascii_digit).collect();
        return SqlError::new(
            "42P10",
            format!("{clause} position {n} is not in select list"),
        );
    }
    // An aggregate in WHERE, GROUP BY or inside another aggregate.
    if let Some(f) =
        after(msg, "misuse of aggregate:").or_else(|| after(msg, "misuse of aggregate function"))
    {
        return SqlError::new(
            "42803",
            format!(
                "aggregate function {} is not allowed here (in WHERE, GROUP BY or another aggregate)",
                f.trim()
            ),
        )
        .with_hint("Filter groups with HAVING, or aggregate in a subquery.");
    }
    if let Some(c) = after(msg, "ambiguous column name:") {
        return SqlError::new("42702", format!("column reference \"{c}\" is ambiguous"));
    }
    if let Some(c) = after(msg, "duplicate column name:") {
        return SqlError::new("42701", format!("column \"{c}\" specified more than once"));
    }
    // An index named like a table or view (tables, views and indexes share
    // one namespace, as relations do in PostgreSQL).
    if let Some(name) = after(msg, "there is already a table named")
        .or_else(|| after(msg, "there is already an index named"))
    {
        return SqlError::new("42P07", format!("relation \"{name}\" already exists"));
    }
    if msg.ends_with("already exists") {
        // "table x already exists", "index x already exists", "view ..."
        let name = msg
            .split_whitespace()
            .nth(1)
            .unwrap_or("")
            .trim_matches(|c| c == '"' || c == '`');
        return SqlError::new("42P07", format!("relation \"{name}\" already exists"));
    }
    if msg.contains("syntax error") || msg.starts_with("incomplete input") {
        return SqlError::new(
            "42601",
            msg.replace("near ", "syntax error at or near ")
                .replace(": syntax error", ""),
        );
    }
    // SQLite's JSON functions on text that is not JSON.
    if msg == "malformed JSON" {
        return SqlError::new("22P02", "invalid input syntax for type json");
    }
    if msg == "integer overflow" {
        return SqlError::new("22003", "integer out of range");
    }
    if msg.starts_with("cannot start a transaction within a transaction") {
        return SqlError::new("25001", "there is already a transaction in progress");
    }
    if msg.starts_with("cannot commit - no transaction is active")
        || msg.starts_with("cannot rollback - no transaction is active")
    {
        return SqlError::new("25P01", "there is no transaction in progress");
    }
    // A value written to a generated column (SQLite: `cannot INSERT into
    // generated column "b"`, `cannot UPDATE generated column "b"`).
    for (prefix, insert) in [
        ("cannot INSERT into generated column ", true),
        ("cannot UPDATE generated column ", false),
    ] {
        if let Some(column) = msg.strip_prefix(prefix) {
            let column = column.trim_matches('"');
            let message = if insert {
                format!("cannot insert a non-DEFAULT value into column \"{column}\"")
            } else {
                format!("column \"{column}\" can only be updated to DEFAULT")
            };
            return SqlError::new("428C9", message)
                .with_detail(format!("Column \"{column}\" is a generated column."));
        }
    }
    if let Some(sp) = after(msg, "no such savepoint:") {
        return SqlError::new("3B001", format!("savepoint \"{sp}\" does not exist"));
    }
    if msg.starts_with("not authorized") {
        return from_code(ffi::SQLITE_AUTH, msg);
    }
    SqlError::new("XX000", msg.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn err_of(c: &Connection, sql: &str) -> SqlError {
        from_sqlite(&c.execute_batch(sql).unwrap_err())
    }

    #[test]
    fn insert_counts_read_past_digits_in_the_table_name() {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE t9 (a int, b int, c int)")
            .unwrap();
        let e = err_of(&c, "INSERT INTO t9 VALUES (1, 2, 3, 4)");
        assert_eq!(
            (e.code, e.message.as_str()),
            ("42601", "INSERT has more expressions than target columns")
        );
    }

    #[test]
    fn maps_common_errors() {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(
            "PRAGMA foreign_keys=ON; CREATE TABLE p (id INTEGER PRIMARY KEY, n text NOT NULL UNIQUE, k int CHECK (k > 0));
             CREATE TABLE ch (pid int REFERENCES p(id)); INSERT INTO p VALUES (1, 'a', 1);",
        )
        .unwrap();
        assert_eq!(err_of(&c, "INSERT INTO p VALUES (1, 'b', 1)").code, "23505");
        let e = err_of(&c, "INSERT INTO p VALUES (2, 'a', 1)");
        assert_eq!(
            (e.code, e.message.as_str()),
            (
                "23505",
                "duplicate key value violates unique constraint \"p_n_key\""
            )
        );
        let e = err_of(&c, "INSERT INTO p VALUES (2, NULL, 1)");
        assert_eq!(e.code, "23502");
        assert!(
            e.message.contains("column \"n\" of relation \"p\""),
            "{}",
            e.message
        );
        assert_eq!(err_of(&c, "INSERT INTO p VALUES (2, 'c', 0)").code, "23514");
        assert_eq!(err_of(&c, "INSERT INTO ch VALUES (9)").code, "23503");
        let e = err_of(&c, "SELECT * FROM nope");
        assert_eq!(
            (e.code, e.message.as_str()),
            ("42P01", "relation \"nope\" does not exist")
        );
        assert_eq!(err_of(&c, "SELECT nope FROM p").code, "42703");
        assert_eq!(err_of(&c, "SELECT nope(1)").code, "42883");
        assert_eq!(err_of(&c, "CREATE TABLE p (a int)").code, "42P07");
        assert_eq!(err_of(&c, "SELEC 1").code, "42601");
    }

    #[test]
    fn page_limit_is_disk_full() {
        // Storage quotas use max_page_count: hitting it is SQLITE_FULL.
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE b (x blob); PRAGMA max_page_count = 8;")
            .unwrap();
        let e = err_of(&c, "INSERT INTO b VALUES (zeroblob(100000))");
        assert_eq!(e.code, "53100", "{e:?}");
        let e = from_sqlite_on(
            &c,
            &c.execute_batch("INSERT INTO b VALUES (zeroblob(100000))")
                .unwrap_err(),
        );
        assert_eq!(e.code, "53100", "{e:?}");
    }
}
