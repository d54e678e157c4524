//! `ALTER TABLE ... ALTER COLUMN` (SET/DROP NOT NULL, SET/DROP DEFAULT,
//! TYPE ... [USING ...]) and ADD COLUMN IF NOT EXISTS / DROP COLUMN IF
//! EXISTS, which migration tools send all the time and SQLite's ALTER lacks.
//!
//! A column's NOT NULL, DEFAULT and declared type live only in the table's
//! CREATE TABLE text (stored rows do not change), so the text is edited as
//! `add_constraint` does, in one savepoint with the whole statement: the
//! existing rows are checked against a new NOT NULL (23502) and converted
//! for a new type (the USING expression, or a numeric reading of text
//! values, 22P02 when one has none), as PostgreSQL rewrites them.

use rusqlite::{Connection, OptionalExtension};
use sqlparser::ast::{ColumnOption, ColumnOptionDef, Statement};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::guard::{self, Role};
use crate::sql::errors::{from_sqlite, SqlError};
use crate::sql::translate::ColumnChange;

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Applies `changes` to `table`, all or none.
pub fn alter_columns(
    conn: &mut Connection,
    role: Role,
    table: &str,
    changes: &[ColumnChange],
) -> Result<(), SqlError> {
    if role == Role::ReadOnly {
        return Err(guard::read_only_error());
    }
    super::all_or_none(conn, "pgtenant_alter_column", |c| apply(c, table, changes))
}

fn apply(conn: &mut Connection, table: &str, changes: &[ColumnChange]) -> Result<(), SqlError> {
    let sql = |e: rusqlite::Error| from_sqlite(&e);
    for change in changes {
        match change {
            ColumnChange::AddColumn {
                column,
                def,
                if_missing,
                default,
                not_null,
            } => {
                if *if_missing && has_column(conn, table, column)? {
                    skipping(
                        conn,
                        &format!(
                            "column \"{column}\" of relation \"{}\" already exists, skipping",
                            display(table)
                        ),
                    )?;
                    continue;
                }
                conn.execute_batch(&format!("ALTER TABLE {} ADD COLUMN {def}", quote(table)))
                    .map_err(sql)?;
                if let Some(expr) = default {
                    // Existing rows take the default, each its own value
                    // (gen_random_uuid()), as PostgreSQL fills them.
                    conn.execute(
                        &format!("UPDATE {} SET {} = {expr}", quote(table), quote(column)),
                        [],
                    )
                    .map_err(sql)?;
                    edit_column(
                        conn,
                        table,
                        &ColumnChange::SetDefault(column.clone(), expr.clone()),
                    )?;
                }
                if *not_null {
                    edit_column(conn, table, &ColumnChange::SetNotNull(column.clone()))?;
                }
            }
            ColumnChange::DropColumn { column, if_exists } => {
                if *if_exists && !has_column(conn, table, column)? {
                    skipping(
                        conn,
                        &format!(
                            "column \"{column}\" of relation \"{}\" does not exist, skipping",
                            display(table)
                        ),
                    )?;
                    continue;
                }
                for drop in crate::sql::translate::enums::drop_label_triggers(table, column) {
                    conn.execute_batch(&drop).map_err(sql)?;
                }
                conn.execute_batch(&format!(
                    "ALTER TABLE {} DROP COLUMN {}",
                    quote(table),
                    quote(column)
                ))
                .map_err(sql)?;
                let comments = crate::sql::translate::comments::dropped_column(table, column);
                conn.execute_batch(&comments.join("; ")).map_err(sql)?;
            }
            ColumnChange::Run(statement) => conn.execute_batch(statement).map_err(sql)?,
            ColumnChange::DropIdentity { column, if_exists } => {
                drop_identity(conn, table, column, *if_exists)?
            }
            ColumnChange::SetGenerated { column, always } => {
                let (_, value, decl) = identity(conn, table, column)?;
                let marker = crate::sql::serial_key::identity_marker(
                    crate::sql::pgtype::PgType::from_decl(&decl),
                    *always,
                );
                let default = format!("(CAST({value} AS \"{marker}\"))");
                edit_column(
                    conn,
                    table,
                    &ColumnChange::SetDefault(column.clone(), default),
                )?
            }
            ColumnChange::RestartIdentity { column, value } => {
                restart_identity(conn, table, column, *value)?
            }
            edit => edit_column(conn, table, edit)?,
        }
    }
    Ok(())
}

/// One change to a column's definition, with the rows checked before (a
/// new NOT NULL: SQLite would then read `IS NULL` as false) or converted
/// after (a new type).
fn edit_column(conn: &mut Connection, table: &str, change: &ColumnChange) -> Result<(), SqlError> {
    let (name, create) = definition(conn, table)?;
    if let ColumnChange::SetDefault(column, default) = change {
        if let Some(sequence) = rowid_identity(conn, &name, column, default)? {
            return rowid_add_identity(conn, &name, column, default, &sequence);
        }
    }
    // A type PostgreSQL does not have built in is one of the tenant's enums.
    let to_enum = match change {
        ColumnChange::SetType { decl, .. } if crate::sql::catalog::regtype_oid(decl).is_none() => {
            if !is_enum(conn, decl)? {
                return Err(SqlError::new(
                    "42704",
                    format!("type \"{decl}\" does not exist"),
                ));
            }
            Some(decl.as_str())
        }
        _ => None,
    };
    // A key `ADD PRIMARY KEY` made is an index: its columns stay NOT NULL.
    if let ColumnChange::DropNotNull(column) = change {
        let key = super::add_constraint::primary_key_columns(conn, &name)?.unwrap_or_default();
        if key.iter().any(|k| k.eq_ignore_ascii_case(column)) {
            return Err(SqlError::new(
                "42P16",
                format!("column \"{column}\" is in a primary key"),
            ));
        }
    }
    let (edited, old_decl) = edited_definition(&create, &name, change, to_enum)?;
    match change {
        ColumnChange::SetNotNull(column) => no_nulls(conn, &name, column)?,
        ColumnChange::SetDefault(column, _) => write_out_default(conn, &name, column, true)?,
        ColumnChange::DropDefault(column) | ColumnChange::SetType { column, .. } => {
            write_out_default(conn, &name, column, false)?
        }
        _ => {}
    }
    let conversion = match change {
        ColumnChange::SetType {
            column,
            decl,
            using,
        } => Some(conversion(
            conn,
            &name,
            column,
            &old_decl,
            decl,
            using.as_deref(),
        )?),
        _ => None,
    };
    guard::unguarded(conn, |c| super::add_constraint::edit(c, &name, &edited))
        .map_err(|e| from_sqlite(&e))?;
    // Rows are converted under the new declaration: its affinity would
    // turn a text rendering ('1.50') back into a number otherwise.
    for step in conversion.iter().flatten() {
        conn.execute_batch(step).map_err(|e| from_sqlite(&e))?;
    }
    if let ColumnChange::SetType { column, .. } = change {
        // An enum column's label triggers go with its old type; the new
        // enum's refuse what is not one of its labels, rows already there
        // included.
        let mut steps = crate::sql::translate::enums::drop_label_triggers(&name, column);
        if let Some(type_name) = to_enum {
            refuse_non_labels(conn, &name, column, type_name)?;
            steps.extend(crate::sql::translate::enums::label_triggers(
                &name, column, type_name,
            ));
        }
        conn.execute_batch(&steps.join(";\n"))
            .map_err(|e| from_sqlite(&e))?;
    }
    Ok(())
}

/// An identity column's stored table name, the value its default numbers
/// with (`NULL` for a rowid key, SQLite numbers it; else the sequence's
/// `pg_nextval(...)`) and its type; 55000 for a column that is none.
fn identity(
    conn: &Connection,
    table: &str,
    column: &str,
) -> Result<(String, String, String), SqlError> {
    let (name, _) = definition(conn, table)?;
    let (decl, dflt): (String, Option<String>) = conn
        .query_row(
            "SELECT type, dflt_value FROM pragma_table_info(?1) WHERE name = ?2 COLLATE NOCASE",
            [&name, column],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(|e| from_sqlite(&e))?
        .ok_or_else(|| {
            SqlError::new(
                "42703",
                format!(
                    "column \"{column}\" of relation \"{}\" does not exist",
                    display(&name)
                ),
            )
        })?;
    let value = dflt
        .as_deref()
        .and_then(crate::sql::serial_key::unmarked)
        .ok_or_else(|| not_identity(&name, column))?
        .to_owned();
    let decl = crate::sql::serial_key::decl(&decl, dflt.as_deref()).to_owned();
    Ok((name, value, decl))
}

fn not_identity(table: &str, column: &str) -> SqlError {
    SqlError::new(
        "55000",
        format!(
            "column \"{column}\" of relation \"{}\" is not an identity column",
            display(table)
        ),
    )
}

/// The sequence an identity column numbers from: its own (`pg_nextval('s')`)
/// or, for a rowid key, the name PostgreSQL would give it, which the
/// sequence functions answer to (see `pgfuncs::sequences`).
fn identity_sequence(table: &str, column: &str, value: &str) -> String {
    match value
        .strip_prefix("pg_nextval('")
        .and_then(|s| s.strip_suffix("')"))
    {
        Some(sequence) => sequence.to_owned(),
        None => format!("{table}_{column}_seq"),
    }
}

/// `DROP IDENTITY`: the default goes (a rowid key keeps the mark of its
/// type), and so does the identity's sequence.
fn drop_identity(
    conn: &mut Connection,
    table: &str,
    column: &str,
    if_exists: bool,
) -> Result<(), SqlError> {
    let (name, value, decl) = match identity(conn, table, column) {
        Err(e) if if_exists && e.code == "55000" => {
            return skipping(conn, &format!("{}, skipping", e.message));
        }
        other => other?,
    };
    if value.eq_ignore_ascii_case("NULL") {
        let ty = crate::sql::pgtype::PgType::from_decl(&decl);
        let change = match crate::sql::serial_key::marker(ty) {
            Some(marker) => {
                ColumnChange::SetDefault(column.to_owned(), format!("(CAST(NULL AS {marker}))"))
            }
            None => ColumnChange::DropDefault(column.to_owned()),
        };
        return edit_column(conn, &name, &change);
    }
    edit_column(conn, &name, &ColumnChange::DropDefault(column.to_owned()))?;
    let sequence = identity_sequence(&name, column, &value);
    conn.execute_batch(&format!("DROP TABLE IF EXISTS main.{}", quote(&sequence)))
        .map_err(|e| from_sqlite(&e))
}

/// `RESTART [WITH n]`: numbering goes on at `n`, or at the sequence's start.
fn restart_identity(
    conn: &Connection,
    table: &str,
    column: &str,
    value: Option<i64>,
) -> Result<(), SqlError> {
    let (name, numbered_by, _) = identity(conn, table, column)?;
    let sequence = identity_sequence(&name, column, &numbered_by);
    let own = !numbered_by.eq_ignore_ascii_case("NULL");
    let sql = match (value, own) {
        (None, true) => format!(
            "UPDATE main.{} SET last_value = start_value, is_called = 0",
            quote(&sequence)
        ),
        (value, _) => format!(
            "SELECT pg_setval('{}', {}, 0)",
            sequence.replace('\'', "''"),
            value.unwrap_or(1)
        ),
    };
    conn.execute_batch(&sql).map_err(|e| from_sqlite(&e))
}

/// The sequence of an identity default (`ADD GENERATED`) set on a rowid
/// key, whose default SQLite never applies: it numbers the key itself.
fn rowid_identity(
    conn: &Connection,
    table: &str,
    column: &str,
    default: &str,
) -> Result<Option<String>, SqlError> {
    let Some(value) = crate::sql::serial_key::unmarked(default) else {
        return Ok(None);
    };
    if value.eq_ignore_ascii_case("NULL") {
        return Ok(None);
    }
    let rowid_key: bool = conn
        .query_row(
            "SELECT count(*) = 1 AND max(lower(type) = 'integer' AND name = ?2 COLLATE NOCASE) \
             FROM pragma_table_info(?1) WHERE pk > 0",
            [table, column],
            |r| r.get::<_, Option<bool>>(0),
        )
        .map_err(|e| from_sqlite(&e))?
        .unwrap_or(false);
    Ok(rowid_key.then(|| identity_sequence(table, column, value)))
}

/// `ADD GENERATED ... AS IDENTITY` on a rowid key: marked as an identity
/// numbered by SQLite (as CREATE TABLE makes one), the sequence the
/// statement created dropped again, its START WITH carried over.
fn rowid_add_identity(
    conn: &mut Connection,
    table: &str,
    column: &str,
    default: &str,
    sequence: &str,
) -> Result<(), SqlError> {
    // The same mark, casting NULL instead of the sequence's next value.
    let value = crate::sql::serial_key::unmarked(default)
        .ok_or_else(|| SqlError::internal("ALTER TABLE", "unexpected identity default"))?;
    let default = default.replacen(value, "NULL", 1);
    edit_column(
        conn,
        table,
        &ColumnChange::SetDefault(column.to_owned(), default),
    )?;
    let seq = quote(sequence);
    let start: Option<i64> = conn
        .query_row(&format!("SELECT start_value FROM main.{seq}"), [], |r| {
            r.get(0)
        })
        .optional()
        .unwrap_or(None);
    conn.execute_batch(&format!("DROP TABLE IF EXISTS main.{seq}"))
        .map_err(|e| from_sqlite(&e))?;
    match start {
        Some(n) if n != 1 => restart_identity(conn, table, column, Some(n)),
        _ => Ok(()),
    }
}

/// Whether the tenant has an enum type of that name.
fn is_enum(conn: &Connection, name: &str) -> Result<bool, SqlError> {
    if !super::catalog::has_relation(conn, "pgcat__enum").map_err(|e| from_sqlite(&e))? {
        return Ok(false);
    }
    conn.query_row(
        "SELECT 1 FROM main.pgcat__enum WHERE type = ?1",
        [name],
        |_| Ok(()),
    )
    .optional()
    .map(|r| r.is_some())
    .map_err(|e| from_sqlite(&e))
}

/// 22P02 for the first value of the column that is not a label of the enum.
fn refuse_non_labels(
    conn: &Connection,
    table: &str,
    column: &str,
    type_name: &str,
) -> Result<(), SqlError> {
    let c = quote(column);
    let bad: Option<String> = conn
        .query_row(
            &format!(
                "SELECT CAST({c} AS TEXT) FROM {} WHERE {c} IS NOT NULL AND NOT EXISTS \
                 (SELECT 1 FROM main.pgcat__enum e WHERE e.type = ?1 AND e.label = {c}) LIMIT 1",
                quote(table)
            ),
            [type_name],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| from_sqlite(&e))?;
    match bad {
        Some(v) => Err(SqlError::new(
            "22P02",
            format!("invalid input value for enum {type_name}: \"{v}\""),
        )),
        None => Ok(()),
    }
}

fn no_nulls(conn: &Connection, table: &str, column: &str) -> Result<(), SqlError> {
    let found = conn
        .query_row(
            &format!(
                "SELECT 1 FROM {} WHERE {} IS NULL LIMIT 1",
                quote(table),
                quote(column)
            ),
            [],
            |_| Ok(()),
        )
        .optional()
        .map_err(|e| from_sqlite(&e))?;
    match found {
        Some(()) => Err(SqlError::new(
            "23502",
            format!("column \"{column}\" of relation \"{table}\" contains null values"),
        )
        .on(table, Some(column), None)),
        None => Ok(()),
    }
}

/// Rows stored before an `ADD COLUMN ... DEFAULT x` hold no value for the
/// column: SQLite reads the declared default in its place. Editing that
/// declaration would change what those rows read (NULL after DROP DEFAULT),
/// so the rows are written out whole first; no value changes, so triggers
/// stay off for it. Rows stored before a plain `ADD COLUMN` read NULL
/// there, and would read a default set later (`SET DEFAULT`, `setting`):
/// those reading NULL are written out then.
fn write_out_default(
    conn: &Connection,
    table: &str,
    column: &str,
    setting: bool,
) -> Result<(), SqlError> {
    let sql = |e: rusqlite::Error| from_sqlite(&e);
    let has_default: bool = conn
        .query_row(
            "SELECT dflt_value IS NOT NULL FROM pragma_table_info(?1) WHERE name = ?2 COLLATE NOCASE",
            [table, column],
            |r| r.get(0),
        )
        .optional()
        .map_err(sql)?
        .unwrap_or(false);
    if !has_default && !setting {
        return Ok(());
    }
    let column = quote(column);
    let only = if has_default {
        String::new()
    } else {
        format!(" WHERE {column} IS NULL")
    };
    use rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER as TRIGGERS;
    conn.set_db_config(TRIGGERS, false).map_err(sql)?;
    let written = conn.execute(
        &format!("UPDATE {} SET {column} = {column}{only}", quote(table)),
        [],
    );
    conn.set_db_config(TRIGGERS, true).map_err(sql)?;
    written.map(|_| ()).map_err(sql)
}

fn has_column(conn: &Connection, table: &str, column: &str) -> Result<bool, SqlError> {
    let (name, _) = definition(conn, table)?;
    conn.query_row(
        "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2 COLLATE NOCASE",
        [&name, column],
        |_| Ok(()),
    )
    .optional()
    .map(|r| r.is_some())
    .map_err(|e| from_sqlite(&e))
}

/// The table's stored name and CREATE TABLE text.
pub(super) fn definition(conn: &Connection, table: &str) -> Result<(String, String), SqlError> {
    conn.query_row(
        "SELECT name, sql FROM main.sqlite_schema WHERE type = 'table' AND name = ?1 COLLATE NOCASE",
        [table],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
    .map_err(|e| from_sqlite(&e))?
    .ok_or_else(|| SqlError::new("42P01", format!("relation \"{table}\" does not exist")))
}

/// The CREATE TABLE text with one column's definition changed.
fn edited_definition(
    create: &str,
    table: &str,
    change: &ColumnChange,
    to_enum: Option<&str>,
) -> Result<(String, String), SqlError> {
    crate::sql::stack::with_room_for_text(create, || {
        let internal = |what: &str| SqlError::internal("ALTER TABLE", what);
        // The stored definition is SQLite's: the PostgreSQL dialect would drop
        // a serial key's AUTOINCREMENT and then fail on the DEFAULT after it.
        let mut statement = Parser::parse_sql(&sqlparser::dialect::SQLiteDialect {}, create)
            .ok()
            .and_then(|mut v| v.pop())
            .ok_or_else(|| internal("unexpected table definition"))?;
        let Statement::CreateTable(ct) = &mut statement else {
            return Err(internal("unexpected table definition"));
        };
        let column_name = match change {
            ColumnChange::SetNotNull(c)
            | ColumnChange::DropNotNull(c)
            | ColumnChange::SetDefault(c, _)
            | ColumnChange::DropDefault(c)
            | ColumnChange::SetType { column: c, .. } => c,
            _ => return Err(internal("not a column edit")),
        };
        let in_table_pk = ct.constraints.iter().any(|c| {
            matches!(c, sqlparser::ast::TableConstraint::PrimaryKey(pk)
                if pk.columns.iter().any(|k| k.column.expr.to_string().trim_matches('"').eq_ignore_ascii_case(column_name)))
        });
        let column = ct
            .columns
            .iter_mut()
            .find(|c| c.name.value.eq_ignore_ascii_case(column_name))
            .ok_or_else(|| {
                SqlError::new(
                    "42703",
                    format!("column \"{column_name}\" of relation \"{table}\" does not exist"),
                )
            })?;
        // A rowid key's type is the one its default records (`serial_key`).
        let old_decl = {
            let decl = column.data_type.to_string();
            let dflt = column.options.iter().find_map(|o| match &o.option {
                ColumnOption::Default(e) => Some(e.to_string()),
                _ => None,
            });
            crate::sql::serial_key::decl(&decl, dflt.as_deref()).to_owned()
        };
        let option = |option| ColumnOptionDef { name: None, option };
        match change {
            ColumnChange::SetNotNull(_) => {
                column
                    .options
                    .retain(|o| !matches!(o.option, ColumnOption::Null | ColumnOption::NotNull));
                column.options.push(option(ColumnOption::NotNull));
            }
            ColumnChange::DropNotNull(_) => {
                let pk = in_table_pk
                    || column
                        .options
                        .iter()
                        .any(|o| matches!(o.option, ColumnOption::PrimaryKey(_)));
                if pk {
                    return Err(SqlError::new(
                        "42P16",
                        format!("column \"{column_name}\" is in a primary key"),
                    ));
                }
                column
                    .options
                    .retain(|o| !matches!(o.option, ColumnOption::NotNull));
            }
            ColumnChange::SetDefault(_, expr) => {
                let mut expr = Parser::new(&PostgreSqlDialect {})
                    .try_with_sql(expr)
                    .and_then(|mut p| p.parse_expr())
                    .map_err(|_| internal("unexpected default expression"))?;
                // An array literal is stored as the JSON text arrays are kept
                // in (as CREATE TABLE's defaults are; the translation could not
                // see the column's type).
                if let (crate::sql::pgtype::PgType::Array(elem), sqlparser::ast::Expr::Value(v)) =
                    (crate::sql::pgtype::PgType::from_decl(&old_decl), &mut expr)
                {
                    if let sqlparser::ast::Value::SingleQuotedString(s) = &mut v.value {
                        *s = crate::sql::decode::array::from_literal(s, elem)
                            .map_err(|e| SqlError::new(e.code, e.message))?;
                    }
                }
                // An identity's default (ADD GENERATED): the marker names the
                // column's own type.
                let mut cast = &mut expr;
                while let sqlparser::ast::Expr::Nested(inner) = cast {
                    cast = inner;
                }
                if let sqlparser::ast::Expr::Cast {
                    data_type: sqlparser::ast::DataType::Custom(name, _),
                    ..
                } = cast
                {
                    let marker = name.to_string();
                    let marker = marker.trim_matches('"');
                    let always = marker.ends_with(crate::sql::serial_key::ALWAYS_SUFFIX);
                    if always || marker.ends_with(crate::sql::serial_key::BY_DEFAULT_SUFFIX) {
                        let ty = crate::sql::pgtype::PgType::from_decl(&old_decl);
                        *name = sqlparser::ast::ObjectName::from(vec![
                            sqlparser::ast::Ident::with_quote(
                                '"',
                                crate::sql::serial_key::identity_marker(ty, always),
                            ),
                        ]);
                    }
                }
                column
                    .options
                    .retain(|o| !matches!(o.option, ColumnOption::Default(_)));
                column.options.push(option(ColumnOption::Default(expr)));
            }
            ColumnChange::DropDefault(_) => column
                .options
                .retain(|o| !matches!(o.option, ColumnOption::Default(_))),
            ColumnChange::SetType { decl, .. }
                if column.data_type.to_string() == crate::sql::serial_key::ROWID_DECL =>
            {
                retype_rowid_key(column, column_name, decl)?;
            }
            ColumnChange::SetType { decl, .. } => {
                if is_rowid_key(&column.data_type) {
                    return Err(SqlError::new(
                        "0A000",
                        format!(
                            "changing the type of key column \"{column_name}\" is not supported"
                        ),
                    ));
                }
                column.data_type = Parser::new(&PostgreSqlDialect {})
                    .try_with_sql(decl)
                    .and_then(|mut p| p.parse_data_type())
                    .map_err(|_| internal("unexpected column type"))?;
                // An enum's labels sort by its own collation (`translate::enums`),
                // citext compares ignoring case (NOCASE), char(n) ignoring
                // trailing spaces (RTRIM): each goes with the old type.
                column.options.retain(|o| {
                    let ColumnOption::Collation(c) = &o.option else {
                        return true;
                    };
                    let c = c.to_string();
                    !(c.trim_matches('"')
                        .starts_with(crate::sql::translate::enums::COLLATION_PREFIX)
                        || c.eq_ignore_ascii_case("NOCASE")
                        || c.eq_ignore_ascii_case("RTRIM"))
                });
                let collation = if decl.eq_ignore_ascii_case("citext") {
                    Some("NOCASE")
                } else if crate::sql::pgtype::PgType::from_decl(decl)
                    == crate::sql::pgtype::PgType::Bpchar
                {
                    Some("RTRIM")
                } else {
                    None
                };
                if let Some(collation) = collation {
                    column.options.push(option(ColumnOption::Collation(
                        sqlparser::ast::ObjectName::from(vec![sqlparser::ast::Ident::new(
                            collation,
                        )]),
                    )));
                }
                if let Some(type_name) = to_enum {
                    column.options.push(option(ColumnOption::Collation(
                        sqlparser::ast::ObjectName::from(vec![sqlparser::ast::Ident::with_quote(
                            '"',
                            format!(
                                "{}{type_name}",
                                crate::sql::translate::enums::COLLATION_PREFIX
                            ),
                        )]),
                    )));
                }
                // A boolean's default, stored as 1/0, reads as text true/false.
                use crate::sql::pgtype::PgType as P;
                if P::from_decl(&old_decl) == P::Bool
                    && matches!(P::from_decl(decl), P::Text | P::Varchar | P::Bpchar)
                {
                    for o in &mut column.options {
                        if let ColumnOption::Default(sqlparser::ast::Expr::Value(v)) = &mut o.option
                        {
                            let text = match &v.value {
                                sqlparser::ast::Value::Number(n, _) if n == "1" => "true",
                                sqlparser::ast::Value::Number(n, _) if n == "0" => "false",
                                sqlparser::ast::Value::Boolean(b) => {
                                    if *b {
                                        "true"
                                    } else {
                                        "false"
                                    }
                                }
                                _ => continue,
                            };
                            v.value = sqlparser::ast::Value::SingleQuotedString(text.into());
                        }
                    }
                }
            }
            _ => {}
        }
        keep_autoincrement(create, ct);
        Ok((statement.to_string(), old_decl))
    })
}

/// The PostgreSQL dialect drops SQLite's AUTOINCREMENT while reading the
/// definition: it goes back after the rowid key's PRIMARY KEY, or the
/// serial key would hand out numbers again (see `translate::ddl`).
fn keep_autoincrement(create: &str, ct: &mut sqlparser::ast::CreateTable) {
    if !create.to_ascii_uppercase().contains("AUTOINCREMENT") {
        return;
    }
    for column in &mut ct.columns {
        if let Some(at) = column
            .options
            .iter()
            .position(|o| matches!(o.option, ColumnOption::PrimaryKey(_)))
        {
            let kept = column.options.get(at + 1).is_some_and(|o| {
                matches!(&o.option, ColumnOption::DialectSpecific(t)
                    if t.iter().any(|t| t.to_string().eq_ignore_ascii_case("AUTOINCREMENT")))
            });
            if !kept {
                column.options.insert(
                    at + 1,
                    ColumnOptionDef {
                        name: None,
                        option: ColumnOption::DialectSpecific(vec![
                            sqlparser::tokenizer::Token::make_keyword("AUTOINCREMENT"),
                        ]),
                    },
                );
            }
        }
    }
}

/// A rowid key (`INTEGER PRIMARY KEY`) to another integer type, as
/// Django's AutoField to BigAutoField migration asks: SQLite's rowid is 64
/// bits whatever the declaration, so only the type its default records
/// changes (see `serial_key`), identity mark and all. Narrower than the
/// keys already there is 22003, as PostgreSQL's rewrite finds.
fn retype_rowid_key(
    column: &mut sqlparser::ast::ColumnDef,
    column_name: &str,
    decl: &str,
) -> Result<(), SqlError> {
    use crate::sql::pgtype::PgType as P;
    use crate::sql::serial_key;
    use sqlparser::ast::{DataType, Expr, Ident, ObjectName};
    let ty = P::from_decl(decl);
    if !matches!(ty, P::Int2 | P::Int4 | P::Int8) {
        return Err(SqlError::new(
            "0A000",
            format!("changing the type of key column \"{column_name}\" to {decl} is not supported"),
        ));
    }
    let at = column
        .options
        .iter()
        .position(|o| matches!(o.option, ColumnOption::Default(_)));
    let mut identity = None;
    if let Some(at) = at {
        if let ColumnOption::Default(e) = &column.options[at].option {
            identity = match serial_key::identity(Some(&e.to_string())) {
                "a" => Some(true),
                "d" => Some(false),
                _ => None,
            };
        }
        column.options.remove(at);
    }
    // An identity mark is a quoted name (it has spaces), a type mark bare.
    let marker = match identity {
        Some(always) => Some(Ident::with_quote(
            '"',
            serial_key::identity_marker(ty, always),
        )),
        None => serial_key::marker(ty).map(Ident::new),
    };
    if let Some(marker) = marker {
        let data_type = DataType::Custom(ObjectName::from(vec![marker]), vec![]);
        column.options.push(ColumnOptionDef {
            name: None,
            option: ColumnOption::Default(Expr::Nested(Box::new(Expr::Cast {
                kind: sqlparser::ast::CastKind::Cast,
                expr: Box::new(Expr::Value(sqlparser::ast::Value::Null.into())),
                data_type,
                format: None,
            }))),
        });
    }
    Ok(())
}

/// An auto-numbered key stores the rowid itself: its type cannot change.
fn is_rowid_key(t: &sqlparser::ast::DataType) -> bool {
    t.to_string().starts_with("pgtenant_")
}

/// `n` of varchar(n) / char(n).
fn char_limit(decl: &str) -> Option<usize> {
    let d = decl.to_ascii_lowercase();
    if !(d.starts_with("varchar") || d.starts_with("char")) {
        return None;
    }
    let (_, rest) = d.split_once('(')?;
    rest.strip_suffix(')')?.trim().parse().ok()
}

/// The statements that turn a column's stored values into the new type's,
/// as `ALTER COLUMN TYPE` does; PostgreSQL's rule for which changes need
/// `USING` (42804): numbers to numbers, text to text, anything to text,
/// and among dates and timestamps.
fn conversion(
    conn: &Connection,
    table: &str,
    column: &str,
    old_decl: &str,
    new_decl: &str,
    using: Option<&str>,
) -> Result<Vec<String>, SqlError> {
    use crate::sql::pgtype::PgType as P;
    let (t, c) = (quote(table), quote(column));
    if let Some(expr) = using {
        return Ok(vec![format!("UPDATE {t} SET {c} = ({expr})")]);
    }
    let (old, new) = (P::from_decl(old_decl), P::from_decl(new_decl));
    let number = |t: P| {
        matches!(
            t,
            P::Int2 | P::Int4 | P::Int8 | P::Numeric | P::Float4 | P::Float8
        )
    };
    let text = |t: P| matches!(t, P::Text | P::Varchar | P::Bpchar);
    let moment = |t: P| matches!(t, P::Date | P::Timestamp | P::Timestamptz);
    let int = |t: P| matches!(t, P::Int2 | P::Int4 | P::Int8);
    let mut steps = Vec::new();
    // A narrower integer (int8 to int4, a key too: its declaration says
    // INTEGER whatever it holds) must hold every value.
    let range = match new {
        P::Int2 => Some((i64::from(i16::MIN), i64::from(i16::MAX), "smallint")),
        P::Int4 => Some((i64::from(i32::MIN), i64::from(i32::MAX), "integer")),
        _ => None,
    };
    if let (Some((lo, hi, name)), true) = (range, number(old)) {
        let outside = conn
            .query_row(
                &format!("SELECT 1 FROM {t} WHERE {c} < {lo} OR {c} > {hi} LIMIT 1"),
                [],
                |_| Ok(()),
            )
            .optional()
            .map_err(|e| from_sqlite(&e))?;
        if outside.is_some() {
            return Err(SqlError::new("22003", format!("{name} out of range")));
        }
    }
    if old == new && !matches!(new, P::Numeric | P::Varchar | P::Bpchar) {
        return Ok(steps);
    }
    if number(old) && number(new) {
        if int(new) && !int(old) {
            steps.push(format!(
                "UPDATE {t} SET {c} = CAST(round({c}) AS INTEGER) WHERE typeof({c}) = 'real'"
            ));
        }
    } else if text(new) {
        if let Some(n) = char_limit(new_decl) {
            let long = conn
                .query_row(
                    &format!("SELECT 1 FROM {t} WHERE length(rtrim({c})) > {n} LIMIT 1"),
                    [],
                    |_| Ok(()),
                )
                .optional()
                .map_err(|e| from_sqlite(&e))?;
            if long.is_some() {
                let kind = if new == P::Bpchar {
                    "character"
                } else {
                    "character varying"
                };
                return Err(SqlError::new(
                    "22001",
                    format!("value too long for type {kind}({n})"),
                ));
            }
        }
        match old {
            P::Bool => steps.push(format!(
                "UPDATE {t} SET {c} = CASE {c} WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE {c} END"
            )),
            P::Numeric => {
                if let Some(scale) = P::numeric_scale(old_decl) {
                    steps.push(format!(
                        "UPDATE {t} SET {c} = printf('%.{scale}f', {c}) WHERE {c} IS NOT NULL AND {c} NOT IN ('NaN', 'Infinity', '-Infinity')"
                    ));
                }
            }
            _ => {}
        }
        // char(n) values are stored padded to n; other text drops the
        // padding, as PostgreSQL's conversion from character does.
        match (old == P::Bpchar, new == P::Bpchar, char_limit(new_decl)) {
            (_, true, Some(n)) => steps.push(format!(
                "UPDATE {t} SET {c} = printf('%!-{n}s', rtrim({c}, ' ')) WHERE {c} IS NOT NULL"
            )),
            (true, false, _) => steps.push(format!(
                "UPDATE {t} SET {c} = rtrim({c}, ' ') WHERE {c} IS NOT NULL"
            )),
            _ => {}
        }
    } else if !(moment(old) && moment(new)) {
        let name = new.display_name();
        return Err(SqlError::new(
            "42804",
            format!("column \"{column}\" cannot be cast automatically to type {name}"),
        )
        .with_detail(format!(
            "You might need to specify \"USING {column}::{name}\"."
        )));
    }
    Ok(steps)
}

/// PostgreSQL's NOTICE for an IF [NOT] EXISTS that changed nothing.
fn skipping(conn: &Connection, message: &str) -> Result<(), SqlError> {
    conn.query_row(
        "SELECT pg_raise_notice('notice', '00000', ?1)",
        [message],
        |_| Ok(()),
    )
    .map_err(|e| crate::sql::errors::from_sqlite(&e))
}

/// A table as PostgreSQL's messages name it (a user schema's without it).
fn display(table: &str) -> &str {
    crate::sql::translate::schemas::relation_parts(table).1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_a_table_with_a_bigserial_key() {
        let create = "CREATE TABLE h1 (id INTEGER PRIMARY KEY AUTOINCREMENT DEFAULT (CAST(NULL AS int8)), x text)";
        let change = ColumnChange::SetDefault("x".into(), "'x'".into());
        let (edited, _) = edited_definition(create, "h1", &change, None).unwrap();
        assert!(edited.contains("AUTOINCREMENT"), "{edited}");
        assert!(edited.contains("DEFAULT 'x'"), "{edited}");
    }
}
