//! DDL: CREATE/DROP/ALTER TABLE, indexes, views, TRUNCATE, CREATE SCHEMA.
//!
//! Returns the SQLite statements (possibly several) and the PostgreSQL tag.

use super::ast::{base_name, ident_name, name_parts, nested};
use super::error::{other, unsupported};
use super::names::check_table_name;
use super::rewrite::{rewrite_expression, rewrite_statement};
use super::types::{declared_type, is_serial, pg_type};
use super::TranslateError;
use crate::sql::serial_key::ROWID_DECL;
use sqlparser::ast::{
    AlterTable, AlterTableOperation, ColumnDef, ColumnOption, CreateIndex, CreateTable,
    CreateTableOptions, CreateView, DataType, Expr, GeneratedAs, Ident, ObjectName, ObjectType,
    RenameTableNameKind, SchemaName, Statement, TableConstraint, Value,
};

/// A DDL translation: command tag and SQLite statements (empty = no-op).
pub(super) struct Ddl {
    pub tag: &'static str,
    pub statements: Vec<String>,
    /// DROP TABLE ... CASCADE: the tables whose views go too.
    pub cascades: Vec<String>,
}

/// `ALTER TABLE t ADD [CONSTRAINT n] FOREIGN KEY ... | CHECK (...)` alone:
/// the table and the SQLite constraint text, for the session to add.
pub(super) fn added_constraint(
    statement: &Statement,
) -> Result<Option<(String, TableConstraint, Option<String>)>, TranslateError> {
    let Statement::AlterTable(alter) = statement else {
        return Ok(None);
    };
    let [AlterTableOperation::AddConstraint { constraint, .. }] = alter.operations.as_slice()
    else {
        return Ok(None);
    };
    if !matches!(
        constraint,
        TableConstraint::ForeignKey(_) | TableConstraint::Check(_)
    ) || alter.if_exists
    {
        return Ok(None);
    }
    let mut constraint = constraint.clone();
    table_constraint(&mut constraint)?;
    let mut check = None;
    if let TableConstraint::Check(c) = &mut constraint {
        rewrite_expression(&mut c.expr)?;
        check = Some(c.expr.to_string());
    }
    let mut table = alter.name.clone();
    check_table_name(&mut table)?;
    Ok(Some((base_name(&table), constraint, check)))
}

/// `ALTER TABLE t DROP CONSTRAINT | RENAME CONSTRAINT` and `ALTER INDEX
/// ... RENAME TO`, for the session to apply (see `StmtKind::EditSchema`).
pub(super) fn schema_edit(
    statement: &Statement,
) -> Result<Option<super::SchemaEdit>, TranslateError> {
    use super::SchemaEdit as E;
    use sqlparser::ast::AlterIndexOperation;
    if let Statement::AlterIndex { name, operation } = statement {
        let AlterIndexOperation::RenameIndex { index_name } = operation;
        return Ok(Some(E::RenameIndex {
            from: base_name(name),
            to: base_name(index_name),
        }));
    }
    let Statement::AlterTable(alter) = statement else {
        return Ok(None);
    };
    let edit = |table: String| match alter.operations.as_slice() {
        [AlterTableOperation::DropConstraint {
            if_exists, name, ..
        }] => Some(E::DropConstraint {
            table,
            name: ident_name(name),
            if_exists: *if_exists,
        }),
        [AlterTableOperation::RenameConstraint { old_name, new_name }] => {
            Some(E::RenameConstraint {
                table,
                from: ident_name(old_name),
                to: ident_name(new_name),
            })
        }
        [AlterTableOperation::ValidateConstraint { name }] => Some(E::ValidateConstraint {
            table,
            name: ident_name(name),
        }),
        _ => None,
    };
    let mut table = alter.name.clone();
    if edit(String::new()).is_none() {
        return Ok(None);
    }
    if alter.if_exists {
        return Err(unsupported("ALTER TABLE IF EXISTS"));
    }
    check_table_name(&mut table)?;
    Ok(edit(base_name(&table)))
}

/// `ALTER TABLE` with an ALTER COLUMN, ADD COLUMN IF NOT EXISTS or DROP
/// COLUMN IF EXISTS among its operations: the table and its changes, for
/// the session to apply (see `StmtKind::AlterColumns`).
pub(super) fn altered_columns(
    statement: &Statement,
) -> Result<Option<(String, Vec<super::ColumnChange>)>, TranslateError> {
    use super::ColumnChange as C;
    use sqlparser::ast::AlterColumnOperation as Op;
    let Statement::AlterTable(alter) = statement else {
        return Ok(None);
    };
    // ADD PRIMARY KEY: its columns become NOT NULL (rows with a NULL are
    // 23502, as in PostgreSQL), then its unique index is made.
    if let [AlterTableOperation::AddConstraint {
        constraint: TableConstraint::PrimaryKey(pk),
        ..
    }] = alter.operations.as_slice()
    {
        if alter.if_exists {
            return Ok(None);
        }
        let mut table = alter.name.clone();
        check_table_name(&mut table)?;
        let statements = alter_table(alter.clone())?;
        let (check, index) = statements.split_at(statements.len().saturating_sub(1));
        let mut changes: Vec<C> = check.iter().cloned().map(C::Run).collect();
        for c in &pk.columns {
            match &c.column.expr {
                Expr::Identifier(id) => changes.push(C::SetNotNull(ident_name(id))),
                _ => return Ok(None),
            }
        }
        changes.extend(index.iter().cloned().map(C::Run));
        return Ok(Some((base_name(&table), changes)));
    }
    let needs_session = alter.operations.iter().any(|op| match op {
        AlterTableOperation::AlterColumn { .. }
        | AlterTableOperation::AddColumn {
            if_not_exists: true,
            ..
        }
        | AlterTableOperation::DropColumn {
            if_exists: true, ..
        } => true,
        AlterTableOperation::AddColumn { column_def, .. } => added_later(column_def),
        _ => false,
    });
    if !needs_session {
        return Ok(None);
    }
    // ONLY (pg_dump writes it) changes nothing: no table inherits another.
    if alter.if_exists {
        return Err(unsupported("ALTER TABLE IF EXISTS"));
    }
    let mut table = alter.name.clone();
    check_table_name(&mut table)?;
    let mut changes = Vec::new();
    for operation in &alter.operations {
        match operation {
            AlterTableOperation::AlterColumn { column_name, op } => {
                let column = ident_name(column_name);
                let change = match op {
                    Op::SetNotNull => C::SetNotNull(column),
                    Op::DropNotNull => C::DropNotNull(column),
                    Op::DropDefault => C::DropDefault(column),
                    Op::SetDefault { value } => {
                        let mut def = ColumnDef {
                            name: column_name.clone(),
                            data_type: DataType::Text,
                            options: vec![sqlparser::ast::ColumnOptionDef {
                                name: None,
                                option: ColumnOption::Default(value.clone()),
                            }],
                        };
                        column_def_for_add(&mut def)?;
                        let expr = def.options.iter().find_map(|o| match &o.option {
                            ColumnOption::Default(e) => Some(e.to_string()),
                            _ => None,
                        });
                        C::SetDefault(column, expr.unwrap_or_else(|| "NULL".into()))
                    }
                    Op::SetDataType {
                        data_type, using, ..
                    } => {
                        if is_serial(data_type) {
                            return Err(unsupported("ALTER COLUMN TYPE to a serial type"));
                        }
                        // An enum's declared type is its name (`enums`);
                        // the session checks that the type exists.
                        let decl = match super::enums::user_type(data_type) {
                            Some(name) => name,
                            // Declared as such: `alter_column` adds NOCASE.
                            None if is_citext(data_type) => "citext".to_owned(),
                            None => declared_type(data_type)?.to_string(),
                        };
                        let using = match using {
                            Some(e) => {
                                let mut e = e.clone();
                                rewrite_expression(&mut e)?;
                                Some(e.to_string())
                            }
                            None => None,
                        };
                        C::SetType {
                            column,
                            decl,
                            using,
                        }
                    }
                    // pg_dump's form of an identity column: its sequence,
                    // then its default (see `identity_default`).
                    Op::AddGenerated {
                        generated_as,
                        sequence_options,
                    } => {
                        let sequence = format!("{}_{column}_seq", base_name(&table));
                        let options = sequence_options.as_deref().unwrap_or_default();
                        let create = identity_sequence(&sequence, options)?;
                        let always = matches!(generated_as, Some(GeneratedAs::Always));
                        let default = identity_default(column_name, &sequence, always)?;
                        changes.extend(create.into_iter().map(C::Run));
                        C::SetDefault(column, default)
                    }
                };
                changes.push(change);
            }
            AlterTableOperation::AddColumn {
                if_not_exists,
                column_def,
                column_position: None,
                ..
            } => {
                let later = added_later(column_def);
                let mut def = column_def.clone();
                column_def_for_add(&mut def)?;
                let mut default = None;
                let mut not_null = false;
                if later {
                    def.options.retain(|o| match &o.option {
                        ColumnOption::Default(e) => {
                            default = Some(e.to_string());
                            false
                        }
                        ColumnOption::NotNull => {
                            not_null = true;
                            false
                        }
                        _ => true,
                    });
                }
                changes.push(C::AddColumn {
                    column: ident_name(&def.name),
                    def: def.to_string(),
                    if_missing: *if_not_exists,
                    default,
                    not_null,
                });
            }
            AlterTableOperation::DropColumn {
                column_names,
                if_exists,
                ..
            } => {
                for column in column_names {
                    changes.push(C::DropColumn {
                        column: ident_name(column),
                        if_exists: *if_exists,
                    });
                }
            }
            other_operation => {
                return Err(unsupported(format!(
                    "ALTER TABLE {other_operation} together with ALTER COLUMN"
                )))
            }
        }
    }
    Ok(Some((base_name(&table), changes)))
}

/// An added column SQLite's ADD COLUMN cannot take as written: a default
/// that is not a constant (`now()`, `gen_random_uuid()`), or NOT NULL
/// without a default (PostgreSQL accepts it while the table is empty).
fn added_later(column: &ColumnDef) -> bool {
    let mut default = None;
    let mut not_null = false;
    for o in &column.options {
        match &o.option {
            ColumnOption::Default(e) => default = Some(e),
            ColumnOption::NotNull => not_null = true,
            _ => {}
        }
    }
    let constant = |e: &Expr| match e {
        Expr::Value(_) => true,
        Expr::UnaryOp { expr, .. } => matches!(**expr, Expr::Value(_)),
        _ => false,
    };
    match default {
        Some(e) => !constant(e),
        None => not_null,
    }
}

/// Translates a DDL statement, or returns `Ok(None)` if it is not DDL.
pub(super) fn translate(statement: Statement) -> Result<Option<Ddl>, TranslateError> {
    if let Some((tag, statements)) = super::enums::translate(&statement)? {
        return Ok(Some(ddl(tag, statements)));
    }
    if let Statement::Drop {
        object_type: ObjectType::MaterializedView,
        names,
        if_exists,
        ..
    } = &statement
    {
        return Ok(Some(ddl(
            "DROP MATERIALIZED VIEW",
            super::matview::drop(names, *if_exists)?,
        )));
    }
    Ok(Some(match statement {
        Statement::CreateTable(table) => {
            let name = base_name(&table.name);
            ddl("CREATE TABLE", in_schema(&name, create_table(table)?))
        }
        Statement::CreateIndex(index) => ddl("CREATE INDEX", vec![create_index(index)?]),
        Statement::CreateView(view) => {
            let name = base_name(&view.name);
            ddl("CREATE VIEW", in_schema(&name, create_view(view)?))
        }
        s @ Statement::CreateSequence { .. } => {
            let name = match &s {
                Statement::CreateSequence { name, .. } => base_name(name),
                _ => String::new(),
            };
            ddl(
                "CREATE SEQUENCE",
                in_schema(&name, super::sequences::create(s)?),
            )
        }
        Statement::AlterTable(alter) => ddl("ALTER TABLE", alter_table(alter)?),
        Statement::CreateExtension(ext) => ddl("CREATE EXTENSION", create_extension(&ext)?),
        Statement::DropTrigger(drop) => ddl("DROP TRIGGER", drop_trigger(&drop)?),
        Statement::CreateFunction(f) if super::plpgsql::returns_trigger(&f) => {
            ddl("CREATE FUNCTION", super::plpgsql::create_function(&f)?)
        }
        Statement::CreateFunction(f) => ddl("CREATE FUNCTION", super::routines::create(&f)?),
        Statement::DropFunction(drop) => {
            let functions: Vec<(ObjectName, Option<Vec<String>>)> = drop
                .func_desc
                .iter()
                .map(|d| {
                    let types = d.args.as_ref().map(|a| {
                        a.iter()
                            .map(|a| {
                                super::types::pg_type(&a.data_type)
                                    .map(|t| t.name().to_owned())
                                    .unwrap_or_else(|_| a.data_type.to_string())
                            })
                            .collect()
                    });
                    (d.name.clone(), types)
                })
                .collect();
            ddl(
                "DROP FUNCTION",
                super::routines::drop(&functions, drop.if_exists),
            )
        }
        Statement::CreateTrigger(t) => ddl("CREATE TRIGGER", super::plpgsql::create_trigger(&t)?),
        Statement::Drop {
            object_type,
            if_exists,
            names,
            temporary: false,
            table: None,
            purge: false,
            cascade,
            ..
        } => {
            let (tag, keyword) = match object_type {
                ObjectType::Table => ("DROP TABLE", "TABLE"),
                ObjectType::Index => ("DROP INDEX", "INDEX"),
                ObjectType::View => ("DROP VIEW", "VIEW"),
                // A sequence is a one-row table (see `sequences`).
                ObjectType::Sequence => ("DROP SEQUENCE", "TABLE"),
                other_type => return Err(unsupported(format!("DROP {other_type}"))),
            };
            // SQLite drops one object per statement; CASCADE/RESTRICT have no
            // equivalent (foreign keys are enforced per row).
            let exists = if if_exists { "IF EXISTS " } else { "" };
            let mut names = names;
            for name in &mut names {
                check_table_name(name)?;
            }
            let mut statements = Vec::with_capacity(names.len() + 1);
            // Without CASCADE, a table another table's foreign key
            // references stays (2BP01), unless that table goes too.
            if tag == "DROP TABLE" && !cascade {
                let dropped: Vec<String> = names
                    .iter()
                    .map(|n| crate::sql::quote_literal(&super::ast::base_name(n)))
                    .collect();
                for d in &dropped {
                    statements.push(format!("SELECT pg_drop_check({d}, {})", dropped.join(", ")));
                }
            }
            for name in &names {
                // Before the drop, which takes the table's indexes along.
                let base = super::ast::base_name(name);
                if keyword == "INDEX" {
                    statements.extend(super::comments::dropped_index(&base));
                } else {
                    statements.extend(super::comments::dropped_relation(&base));
                    statements.extend(super::grants::dropped_relation(&base));
                }
                if if_exists {
                    statements.push(missing_notice(tag, &base));
                }
                statements.push(format!("DROP {keyword} {exists}{name}"));
            }
            let mut dropped = ddl(tag, statements);
            if tag == "DROP TABLE" && cascade {
                dropped.cascades = names.iter().map(super::ast::base_name).collect();
            }
            dropped
        }
        Statement::CreateSchema {
            schema_name,
            if_not_exists,
            ..
        } => {
            let name = match &schema_name {
                SchemaName::Simple(name) | SchemaName::NamedAuthorization(name, _) => {
                    match name_parts(name).as_slice() {
                        [name] => name.clone(),
                        _ => return Err(unsupported(format!("schema name {name}"))),
                    }
                }
                // `CREATE SCHEMA AUTHORIZATION joe`: the schema is `joe`.
                SchemaName::UnnamedAuthorization(role) => ident_name(role),
            };
            ddl(
                "CREATE SCHEMA",
                super::schemas::create(&name, if_not_exists)?,
            )
        }
        _ => return Ok(None),
    }))
}

/// `statements` that make the object `name` (its SQLite name), after the
/// check that its schema exists when it is in a user schema.
fn in_schema(name: &str, mut statements: Vec<String>) -> Vec<String> {
    if let Some(check) = super::schemas::require_schema_of(name) {
        statements.insert(0, check);
    }
    statements
}

/// PostgreSQL's notice for `DROP ... IF EXISTS` of an object that is not
/// there (`table "x" does not exist, skipping`), raised before the drop.
pub(super) fn missing_notice(tag: &str, name: &str) -> String {
    let (noun, kind) = match tag {
        "DROP INDEX" => ("index", "index"),
        "DROP VIEW" => ("view", "view"),
        "DROP SEQUENCE" => ("sequence", "table"),
        _ => ("table", "table"),
    };
    skipping_notice(
        &format!("{noun} \"{name}\""),
        &format!(
            "SELECT 1 FROM main.sqlite_schema WHERE type = '{kind}' AND name = {} COLLATE NOCASE",
            crate::sql::quote_literal(name)
        ),
    )
}

/// The statement raising `<what> does not exist, skipping` unless
/// `exists` (a query) finds a row: DROP ... IF EXISTS of a missing object.
pub(super) fn skipping_notice(what: &str, exists: &str) -> String {
    let message = crate::sql::quote_literal(&format!("{what} does not exist, skipping"));
    format!("SELECT pg_raise_notice('notice', '00000', {message}) WHERE NOT EXISTS ({exists})")
}

fn ddl(tag: &'static str, statements: Vec<String>) -> Ddl {
    Ddl {
        tag,
        statements,
        cascades: Vec::new(),
    }
}

/// `ON COMMIT DELETE ROWS | DROP` of a temporary table: the call that
/// registers the table for the connection's end of transaction (see
/// `backend::sqlite::on_commit`). PRESERVE ROWS is what a table does anyway.
fn on_commit_statement(table: &CreateTable) -> Result<Option<String>, TranslateError> {
    let action = match table.on_commit {
        None | Some(sqlparser::ast::OnCommit::PreserveRows) => return Ok(None),
        Some(sqlparser::ast::OnCommit::DeleteRows) => "delete",
        Some(sqlparser::ast::OnCommit::Drop) => "drop",
    };
    if !table.temporary {
        return Err(other(
            "42P16",
            "ON COMMIT can only be used on temporary tables",
        ));
    }
    Ok(Some(format!(
        "SELECT pg_on_commit({}, '{action}')",
        crate::sql::quote_literal(&base_name(&table.name))
    )))
}

fn create_table(mut table: CreateTable) -> Result<Vec<String>, TranslateError> {
    // Named, so the user knows which clause to take out.
    let refused = if table.inherits.is_some() {
        Some("table inheritance (CREATE TABLE ... INHERITS)")
    } else if table.partition_of.is_some() || table.partition_by.is_some() {
        Some("declarative partitioning (PARTITION BY / PARTITION OF)")
    } else if table.clone.is_some() {
        Some("CREATE TABLE ... CLONE")
    } else if table.like.is_some() {
        Some("this form of CREATE TABLE ... LIKE")
    } else {
        None
    };
    if let Some(what) = refused {
        return Err(unsupported(what));
    }
    let on_commit = on_commit_statement(&table)?;
    table.on_commit = None;
    if table.unlogged {
        table.unlogged = false;
    }
    // Storage parameters (`WITH (fillfactor=100)`) mean nothing to SQLite.
    table.table_options = CreateTableOptions::None;
    let pk_columns: Vec<String> = table
        .constraints
        .iter()
        .find_map(|c| match c {
            TableConstraint::PrimaryKey(pk) => Some(
                pk.columns
                    .iter()
                    .map(|c| c.column.expr.to_string().to_lowercase())
                    .collect(),
            ),
            _ => None,
        })
        .unwrap_or_default();
    let single_pk = (pk_columns.len() == 1).then(|| pk_columns[0].clone());
    column_level_key(&mut table, single_pk.as_deref());
    let mut sequences = super::enums::require_types(table.columns.iter().map(|c| &c.data_type));
    let table_name = base_name(&table.name);
    let enum_columns: Vec<(String, String)> = table
        .columns
        .iter()
        .filter_map(|c| Some((ident_name(&c.name), super::enums::user_type(&c.data_type)?)))
        .collect();
    sequences.extend(serial_defaults(&mut table, single_pk.as_deref())?);
    let mut key_types = Vec::with_capacity(table.columns.len());
    let mut identities = Vec::with_capacity(table.columns.len());
    let mut starts = Vec::new();
    for column in &mut table.columns {
        let table_pk = single_pk.as_deref() == Some(ident_name(&column.name).as_str());
        if numbering(column, table_pk) == (true, true) {
            let sequence = format!("{table_name}_{}_seq", ident_name(&column.name));
            starts.extend(rowid_identity_start(&sequence, identity_options(column))?);
        }
        identities.push(identity_kind(column)?);
        key_types.push(column_def(column, table_pk)?);
    }
    // EXCLUDE constraints become triggers, after the table exists.
    let mut exclusions = Vec::new();
    for constraint in std::mem::take(&mut table.constraints) {
        match constraint {
            TableConstraint::Exclude(c) => {
                exclusions.extend(super::exclusion::triggers(&table_name, &c, false)?)
            }
            other => table.constraints.push(other),
        }
    }
    for constraint in &mut table.constraints {
        table_constraint(constraint)?;
    }
    let spellings: Vec<Option<String>> = table.columns.iter().map(default_spelling).collect();
    let mut statement = Statement::CreateTable(table);
    rewrite_statement(&mut statement)?;
    if let Statement::CreateTable(table) = &mut statement {
        for (column, spelling) in table.columns.iter_mut().zip(spellings) {
            keep_spelling(column, spelling);
        }
        for ((column, key_type), identity) in
            table.columns.iter_mut().zip(key_types).zip(identities)
        {
            // After the rewrite, which would fold the cast of NULL away.
            if let Some((ty, always)) = identity {
                mark_identity(column, ty, always);
            } else if let Some(name) = key_type {
                column.options.push(sqlparser::ast::ColumnOptionDef {
                    name: None,
                    option: ColumnOption::Default(super::ast::cast(
                        super::ast::null(),
                        DataType::Custom(super::ast::object_name(name), vec![]),
                    )),
                });
            }
            parenthesize_defaults(column);
        }
    }
    let mut out = sequences;
    crate::sql::string_literals::seal(&mut statement);
    out.push(statement.to_string());
    out.extend(starts);
    for (column, type_name) in enum_columns {
        out.extend(super::enums::label_triggers(
            &table_name,
            &column,
            &type_name,
        ));
    }
    out.extend(exclusions);
    out.extend(on_commit);
    Ok(out)
}

/// A `serial` or identity column that is not the table's primary key (SQLite
/// numbers only a rowid key): it takes its values from a sequence named as
/// PostgreSQL names it, `<table>_<column>_seq`, through its DEFAULT. The
/// statements creating the sequences are returned.
fn serial_defaults(
    table: &mut CreateTable,
    single_pk: Option<&str>,
) -> Result<Vec<String>, TranslateError> {
    let table_name = base_name(&table.name);
    let mut out = Vec::new();
    for column in &mut table.columns {
        let name = ident_name(&column.name);
        let (is_pk, auto) = numbering(column, single_pk == Some(name.as_str()));
        if is_pk || !auto {
            continue;
        }
        if column
            .options
            .iter()
            .any(|o| matches!(o.option, ColumnOption::Default(_)))
        {
            continue;
        }
        let sequence = format!("{table_name}_{name}_seq");
        out.extend(identity_sequence(&sequence, identity_options(column))?);
        column.options.push(sqlparser::ast::ColumnOptionDef {
            name: None,
            option: ColumnOption::Default(super::ast::call(
                "nextval",
                vec![super::ast::string(sequence)],
            )),
        });
        column.options.push(sqlparser::ast::ColumnOptionDef {
            name: None,
            option: ColumnOption::NotNull,
        });
    }
    Ok(out)
}

/// An identity column's sequence options (`START WITH 10 INCREMENT BY 5`).
fn identity_options(column: &ColumnDef) -> &[sqlparser::ast::SequenceOptions] {
    column
        .options
        .iter()
        .find_map(|o| match &o.option {
            ColumnOption::Generated {
                generation_expr: None,
                sequence_options: Some(options),
                ..
            } => Some(options.as_slice()),
            _ => None,
        })
        .unwrap_or_default()
}

/// The default `ALTER COLUMN ADD GENERATED ... AS IDENTITY` gives: the
/// sequence's next value, cast to the identity marker (see `serial_key`;
/// the session puts the column's own type in it).
fn identity_default(
    column: &Ident,
    sequence: &str,
    always: bool,
) -> Result<String, TranslateError> {
    let mut def = ColumnDef {
        name: column.clone(),
        data_type: DataType::Text,
        options: vec![sqlparser::ast::ColumnOptionDef {
            name: None,
            option: ColumnOption::Default(super::ast::call(
                "nextval",
                vec![super::ast::string(sequence)],
            )),
        }],
    };
    column_def_for_add(&mut def)?;
    let next = def
        .options
        .iter()
        .find_map(|o| match &o.option {
            ColumnOption::Default(e) => {
                let mut e = e;
                while let Expr::Nested(inner) = e {
                    e = inner;
                }
                Some(e.to_string())
            }
            _ => None,
        })
        .unwrap_or_default();
    let marker = crate::sql::serial_key::identity_marker(crate::sql::pgtype::PgType::Int8, always);
    // (Parenthesized: SQLite takes only a literal as a bare DEFAULT.)
    Ok(format!("(CAST({next} AS \"{marker}\"))"))
}

/// The statements creating a serial or identity column's sequence.
fn identity_sequence(
    sequence: &str,
    options: &[sqlparser::ast::SequenceOptions],
) -> Result<Vec<String>, TranslateError> {
    let options: String = options.iter().map(|o| o.to_string()).collect();
    let create: Statement =
        sqlparser::parser::Parser::new(&sqlparser::dialect::PostgreSqlDialect {})
            .try_with_sql(&format!(
                "CREATE SEQUENCE IF NOT EXISTS {}{options}",
                Ident::with_quote('"', sequence)
            ))
            .and_then(|mut p| p.parse_statement())
            .map_err(|e| other("42601", e.to_string()))?;
    super::sequences::create(create)
}

/// An identity primary key numbered by SQLite's rowid: only where it
/// starts can be chosen (`START WITH n`: the statement setting its
/// counter); it counts up by one, from a minimum of 1, without cycling.
fn rowid_identity_start(
    sequence: &str,
    options: &[sqlparser::ast::SequenceOptions],
) -> Result<Option<String>, TranslateError> {
    use sqlparser::ast::SequenceOptions as O;
    let one = |e: &Expr| e.to_string() == "1";
    let mut start = None;
    for option in options {
        match option {
            O::StartWith(e, _) => start = Some(e.to_string()),
            O::IncrementBy(e, _) | O::MinValue(Some(e)) if one(e) => {}
            O::MinValue(None) | O::MaxValue(_) | O::Cache(_) | O::Cycle(true) => {}
            other_option => {
                return Err(unsupported(format!(
                    "identity option{other_option} on a primary key (its values are SQLite's rowids, which count up by one)"
                )))
            }
        }
    }
    Ok(start.map(|n| {
        format!(
            "SELECT pg_setval({}, {n}, 0)",
            crate::sql::quote_literal(sequence)
        )
    }))
}

/// An unnamed one-column `PRIMARY KEY (id)` of a serial or identity column
/// (SQLAlchemy writes its keys so) moves onto the column, where SQLite
/// allows AUTOINCREMENT; the constraint's name is PostgreSQL's default
/// either way.
fn column_level_key(table: &mut CreateTable, single_pk: Option<&str>) {
    let Some(pk) = single_pk else { return };
    let Some(at) = table.constraints.iter().position(
        |c| matches!(c, TableConstraint::PrimaryKey(k) if k.name.is_none() && k.characteristics.is_none()),
    ) else {
        return;
    };
    let Some(column) = table.columns.iter_mut().find(|c| ident_name(&c.name) == pk) else {
        return;
    };
    if !numbering(column, true).1 {
        return;
    }
    let TableConstraint::PrimaryKey(key) = table.constraints.remove(at) else {
        return;
    };
    column.options.push(sqlparser::ast::ColumnOptionDef {
        name: None,
        option: ColumnOption::PrimaryKey(key),
    });
}

/// The type of an identity column and whether it is `GENERATED ALWAYS`
/// (else BY DEFAULT), which its default then records (see `serial_key`);
/// `None` for any other column.
fn identity_kind(
    column: &ColumnDef,
) -> Result<Option<(crate::sql::pgtype::PgType, bool)>, TranslateError> {
    let generated = column.options.iter().find_map(|o| match &o.option {
        ColumnOption::Generated {
            generated_as,
            generation_expr: None,
            ..
        } => Some(matches!(generated_as, GeneratedAs::Always)),
        _ => None,
    });
    let Some(always) = generated else {
        return Ok(None);
    };
    Ok(Some((pg_type(&column.data_type)?, always)))
}

/// Casts the default of an identity column (its sequence's `nextval`; for
/// a rowid key, which has none, NULL) to the type named `"<type> always"`
/// or `"<type> by default"` (see `serial_key`).
fn mark_identity(column: &mut ColumnDef, ty: crate::sql::pgtype::PgType, always: bool) {
    let marker = DataType::Custom(
        ObjectName::from(vec![Ident::with_quote(
            '"',
            crate::sql::serial_key::identity_marker(ty, always),
        )]),
        vec![],
    );
    let default = column.options.iter_mut().find_map(|o| match &mut o.option {
        ColumnOption::Default(e) => Some(e),
        _ => None,
    });
    match default {
        Some(e) => {
            let value = std::mem::replace(e, super::ast::null());
            *e = super::ast::cast(value, marker);
        }
        None => column.options.push(sqlparser::ast::ColumnOptionDef {
            name: None,
            option: ColumnOption::Default(super::ast::cast(super::ast::null(), marker)),
        }),
    }
}

/// Whether a column is the primary key (`table_pk`: the table's one-column
/// key names it) and whether it is numbered (`serial` or an identity).
fn numbering(column: &ColumnDef, table_pk: bool) -> (bool, bool) {
    let is_pk = table_pk
        || column
            .options
            .iter()
            .any(|o| matches!(o.option, ColumnOption::PrimaryKey(_)));
    let identity = column.options.iter().any(|o| {
        matches!(
            &o.option,
            ColumnOption::Generated {
                generated_as: GeneratedAs::Always | GeneratedAs::ByDefault,
                generation_expr: None,
                ..
            }
        )
    });
    (is_pk, is_serial(&column.data_type) || identity)
}

/// Column types and options. `serial` and identity primary keys become
/// `INTEGER PRIMARY KEY`, SQLite's auto-assigned rowid alias; for one that
/// is not int4, returns the type name its DEFAULT must record (see
/// `serial_key`).
fn column_def(
    column: &mut ColumnDef,
    table_pk: bool,
) -> Result<Option<&'static str>, TranslateError> {
    array_literal_default(column)?;
    let (is_pk, auto) = numbering(column, table_pk);
    let mut key_type = None;
    let mut collation = None;
    column.data_type = if auto && is_pk {
        key_type = crate::sql::serial_key::marker(pg_type(&column.data_type)?);
        DataType::Custom(super::ast::object_name(ROWID_DECL), vec![])
    } else if let Some(user) = super::enums::user_type(&column.data_type) {
        // An enum: its name is the declared type (values read as text),
        // its labels sorting in declaration order (see `enum_order`).
        collation = Some(ObjectName::from(vec![Ident::with_quote(
            '"',
            format!("{}{user}", super::enums::COLLATION_PREFIX),
        )]));
        DataType::Custom(super::ast::object_name(&user), vec![])
    } else if is_citext(&column.data_type) {
        // citext compares, sorts and is unique ignoring case: SQLite's
        // NOCASE collation on the column (ASCII letters only, where citext
        // folds every letter), which `=`, ORDER BY and indexes follow.
        collation = Some(ObjectName::from(vec![Ident::new("NOCASE")]));
        DataType::Custom(super::ast::object_name("citext"), vec![])
    } else {
        // char(n) compares, sorts and is unique ignoring trailing spaces
        // (its values are stored padded): SQLite's RTRIM collation.
        if pg_type(&column.data_type)? == crate::sql::pgtype::PgType::Bpchar {
            collation = Some(ObjectName::from(vec![Ident::new("RTRIM")]));
        }
        declared_type(&column.data_type)?
    };
    let mut options = Vec::with_capacity(column.options.len());
    for def in std::mem::take(&mut column.options) {
        match &def.option {
            ColumnOption::Generated {
                generation_expr: None,
                ..
            } => continue,
            ColumnOption::Generated { .. }
            | ColumnOption::Null
            | ColumnOption::NotNull
            | ColumnOption::Default(_)
            | ColumnOption::PrimaryKey(_)
            | ColumnOption::Unique(_)
            | ColumnOption::Check(_) => {}
            ColumnOption::ForeignKey(fk) => {
                let mut fk = fk.clone();
                check_table_name(&mut fk.foreign_table)?;
                options.push(sqlparser::ast::ColumnOptionDef {
                    name: def.name,
                    option: ColumnOption::ForeignKey(fk),
                });
                continue;
            }
            other_option => {
                return Err(unsupported(format!("column option {other_option}")));
            }
        }
        options.push(def);
    }
    if auto && is_pk {
        // Numbers are never handed out twice, as a sequence's are (without
        // AUTOINCREMENT, SQLite reuses the highest id once its row is gone).
        // SQLite's grammar wants it right after PRIMARY KEY.
        if let Some(at) = options
            .iter()
            .position(|o| matches!(o.option, ColumnOption::PrimaryKey(_)))
        {
            options.insert(
                at + 1,
                sqlparser::ast::ColumnOptionDef {
                    name: None,
                    option: ColumnOption::DialectSpecific(vec![
                        sqlparser::tokenizer::Token::make_keyword("AUTOINCREMENT"),
                    ]),
                },
            );
        }
    }
    if let Some(collation) = collation {
        options.push(sqlparser::ast::ColumnOptionDef {
            name: None,
            option: ColumnOption::Collation(collation),
        });
    }
    column.options = options;
    Ok(key_type)
}

fn is_citext(data_type: &DataType) -> bool {
    matches!(data_type, DataType::Custom(name, m) if m.is_empty()
        && matches!(super::ast::name_parts(name).as_slice(), [n] | [_, n] if n == "citext"))
}

/// An array column's default written as an array literal (`tags text[]
/// DEFAULT '{}'`) is stored as the JSON text arrays are kept in, as an
/// inserted value is: read as written, JSON functions would take `{}` for
/// an object. (`'{}'::text[]` is converted by the cast's translation.)
fn array_literal_default(column: &mut ColumnDef) -> Result<(), TranslateError> {
    let Ok(crate::sql::pgtype::PgType::Array(elem)) = pg_type(&column.data_type) else {
        return Ok(());
    };
    for def in &mut column.options {
        if let ColumnOption::Default(Expr::Value(v)) = &mut def.option {
            if let Value::SingleQuotedString(s) | Value::EscapedStringLiteral(s) = &mut v.value {
                *s = crate::sql::decode::array::from_literal(s, elem)
                    .map_err(|e| other(e.code, e.message))?;
            }
        }
    }
    Ok(())
}

/// SQLite requires non-literal DEFAULT expressions in parentheses.
fn parenthesize_defaults(column: &mut ColumnDef) {
    for def in &mut column.options {
        if let ColumnOption::Default(expr) = &mut def.option {
            let literal = match expr {
                Expr::Value(_) => true,
                Expr::UnaryOp { expr: inner, .. } => matches!(inner.as_ref(), Expr::Value(_)),
                _ => false,
            };
            if !literal {
                *expr = nested(expr.clone());
            }
        }
    }
}

fn table_constraint(constraint: &mut TableConstraint) -> Result<(), TranslateError> {
    match constraint {
        TableConstraint::PrimaryKey(_) | TableConstraint::Unique(_) | TableConstraint::Check(_) => {
            Ok(())
        }
        TableConstraint::ForeignKey(fk) => check_table_name(&mut fk.foreign_table),
        other_constraint => Err(unsupported(format!("constraint {other_constraint}"))),
    }
}

fn create_index(mut index: CreateIndex) -> Result<String, TranslateError> {
    if index.nulls_distinct == Some(false) {
        return Err(unsupported("NULLS NOT DISTINCT on an index"));
    }
    // SQLite has only b-trees; CONCURRENTLY has no meaning for it. INCLUDE
    // (columns a covering index carries) and WITH (fillfactor and other
    // storage parameters) change how PostgreSQL stores the index, never
    // what it finds or refuses: dropped, as a table's WITH options are.
    index.using = None;
    index.concurrently = false;
    index.include.clear();
    index.with.clear();
    index.nulls_distinct = None;
    let table = base_name(&index.table_name);
    match &mut index.name {
        Some(name) => {
            check_table_name(name)?;
            super::schemas::keep_in_schema_of(&table, name);
        }
        None => {
            // PostgreSQL's default name: table_col1_col2_idx (key for UNIQUE).
            // An expression key is named by its function, else `expr`.
            let columns: Vec<String> = index
                .columns
                .iter()
                .map(|c| match &c.column.expr {
                    Expr::Identifier(id) => ident_name(id),
                    Expr::Function(f) => base_name(&f.name),
                    Expr::Nested(inner) => match inner.as_ref() {
                        Expr::Function(f) => base_name(&f.name),
                        _ => "expr".to_owned(),
                    },
                    _ => "expr".to_owned(),
                })
                .collect();
            let suffix = if index.unique { "key" } else { "idx" };
            let name = format!("{table}_{}_{suffix}", columns.join("_"));
            let plain = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            index.name = Some(ObjectName::from(vec![if plain {
                Ident::new(name)
            } else {
                Ident::with_quote('"', name)
            }]));
        }
    }
    for column in &mut index.columns {
        // An operator class picks how PostgreSQL compares keys in one access
        // method (varchar_pattern_ops: byte order for LIKE prefixes, which
        // is SQLite's BINARY order anyway; gin_trgm_ops and the like). The
        // index stays an index on the same column: the class is dropped.
        column.operator_class = None;
        // SQLite's index keys take no NULLS order (a scan sorts in the
        // query's order regardless); the index serves the same lookups.
        column.column.options.nulls_first = None;
    }
    // (The statement rewrite below translates the key expressions once:
    // twice would read `->>`'s translated path as a key.)
    let mut statement = Statement::CreateIndex(index);
    rewrite_statement(&mut statement)?;
    crate::sql::string_literals::seal(&mut statement);
    Ok(statement.to_string())
}

/// `DROP TRIGGER [IF EXISTS] name ON table`: the triggers made for a
/// `tsvector_update_trigger` (see `tsvector_trigger`) or a PL/pgSQL
/// function (see `plpgsql`).
fn drop_trigger(drop: &sqlparser::ast::DropTrigger) -> Result<Vec<String>, TranslateError> {
    let Some(table) = &drop.table_name else {
        return Err(other("42601", "DROP TRIGGER needs ON table"));
    };
    let (table, name) = (
        super::ast::base_name(table),
        super::ast::base_name(&drop.trigger_name),
    );
    let mut names: Vec<String> = ['i', 'u']
        .map(|e| super::tsvector_trigger::sqlite_name(&table, &name, e))
        .into();
    names.extend(super::plpgsql::sqlite_names(&table, &name));
    let mut out = Vec::new();
    if !drop.if_exists {
        let message = format!("trigger \"{name}\" for table \"{table}\" does not exist");
        out.push(format!(
            "SELECT pg_raise('42704', '{}') WHERE NOT EXISTS (SELECT 1 FROM main.sqlite_schema \
             WHERE type = 'trigger' AND ('\"' || name || '\"') IN ({}))",
            message.replace('\'', "''"),
            names
                .iter()
                .map(|n| format!("'{}'", n.replace('\'', "''")))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    out.extend(names.iter().map(|n| format!("DROP TRIGGER IF EXISTS {n}")));
    Ok(out)
}

/// Extensions whose functions pgtenant provides itself (uuid-ossp's
/// uuid_generate_v4, pgcrypto's gen_random_uuid and digest-free helpers,
/// pg_trgm's similarity functions and `%`, plpgsql which PostgreSQL has
/// installed, citext's case-insensitive text, btree_gist whose `=` inside
/// an EXCLUDE constraint `exclusion` emulates): accepted as no-ops, so the
/// first migration of many applications runs. Any other is refused by name.
fn create_extension(ext: &sqlparser::ast::CreateExtension) -> Result<Vec<String>, TranslateError> {
    let name = ext.name.value.to_ascii_lowercase();
    if matches!(
        name.as_str(),
        "uuid-ossp" | "pgcrypto" | "pg_trgm" | "plpgsql" | "citext" | "btree_gist"
    ) {
        return Ok(vec![]);
    }
    Err(unsupported(format!("extension \"{}\"", ext.name.value)))
}

/// `CREATE TABLE AS` and `CREATE MATERIALIZED VIEW`, which the session
/// runs (see `StmtKind::CreateTableAs`); `None` for other statements.
pub(super) fn create_table_as(
    statement: &Statement,
) -> Result<Option<super::CreateTableAs>, TranslateError> {
    let table = match statement {
        Statement::CreateView(view) if view.materialized => {
            return super::matview::create(view.clone()).map(Some)
        }
        Statement::CreateTable(table) if table.query.is_some() => table,
        _ => return Ok(None),
    };
    if table.like.is_some() || table.partition_by.is_some() {
        return Err(unsupported("this CREATE TABLE AS option"));
    }
    let on_commit = on_commit_statement(table)?;
    let mut name = table.name.clone();
    check_table_name(&mut name)?;
    let query = table
        .query
        .as_deref()
        .map(ToString::to_string)
        .unwrap_or_default();
    Ok(Some(super::CreateTableAs {
        table: base_name(&name),
        temporary: table.temporary,
        if_not_exists: table.if_not_exists,
        columns: table.columns.iter().map(|c| ident_name(&c.name)).collect(),
        query: super::matview::plain_select(&query)?,
        after: on_commit.into_iter().collect(),
        skipped_tag: "CREATE TABLE AS",
        like: None,
    }))
}

fn create_view(view: CreateView) -> Result<Vec<String>, TranslateError> {
    if view.or_alter {
        return Err(unsupported("CREATE OR ALTER VIEW"));
    }
    let mut out = Vec::new();
    let mut view = view;
    // SQLite has no CREATE OR REPLACE VIEW.
    if view.or_replace {
        out.push(format!("DROP VIEW IF EXISTS {}", view.name));
        view.or_replace = false;
    }
    view.options = CreateTableOptions::None;
    let name = view.name.to_string();
    let source = view.query.to_string();
    let mut statement = Statement::CreateView(view);
    rewrite_statement(&mut statement)?;
    crate::sql::string_literals::seal(&mut statement);
    let mut text = statement.to_string();
    // The PostgreSQL query rides along before SQLite's (see `view_source`).
    if let Statement::CreateView(v) = &statement {
        let query = v.query.to_string();
        if let Some(at) = text.len().checked_sub(query.len()) {
            if text.is_char_boundary(at) && text[at..] == query {
                text.insert_str(at, &crate::sql::view_source::comment(&source, &query));
            }
        }
    }
    out.push(text);
    // SQLite checks a view's tables and columns only when it is used;
    // PostgreSQL at CREATE VIEW (42P01, 42703): prepared here, run on no row.
    out.push(format!("SELECT 1 FROM {name} LIMIT 0"));
    Ok(out)
}

/// One SQLite ALTER per operation; `ADD PRIMARY KEY` / `ADD UNIQUE` become
/// unique indexes because SQLite cannot add constraints to a table.
fn alter_table(alter: AlterTable) -> Result<Vec<String>, TranslateError> {
    // ONLY (pg_dump writes it) changes nothing: no table inherits another.
    if alter.if_exists {
        return Err(unsupported("ALTER TABLE IF EXISTS"));
    }
    let table = alter.name.clone();
    let table_base = base_name(&table);
    let mut out = Vec::new();
    for operation in alter.operations {
        match operation {
            AlterTableOperation::AddConstraint {
                constraint: TableConstraint::Exclude(c),
                ..
            } => out.extend(super::exclusion::triggers(&table_base, &c, true)?),
            AlterTableOperation::AddConstraint { constraint, .. } => {
                use crate::sql::table_constraints::{PRIMARY_KEY_INDEX, UNIQUE_INDEX};
                let (columns, unique_name, marker) = match &constraint {
                    TableConstraint::PrimaryKey(pk) => (
                        &pk.columns,
                        pk.name
                            .as_ref()
                            .map(ident_name)
                            .unwrap_or(format!("{table_base}_pkey")),
                        PRIMARY_KEY_INDEX,
                    ),
                    TableConstraint::Unique(u) => (
                        &u.columns,
                        {
                            let cols: Vec<String> = u
                                .columns
                                .iter()
                                .map(|c| c.column.expr.to_string())
                                .collect();
                            u.name
                                .as_ref()
                                .map(ident_name)
                                .unwrap_or(format!("{table_base}_{}_key", cols.join("_")))
                        },
                        UNIQUE_INDEX,
                    ),
                    _ => return Err(unsupported(format!("ALTER TABLE ADD {constraint}"))),
                };
                let cols: Vec<String> = columns.iter().map(|c| c.column.expr.to_string()).collect();
                // A name given that a relation already has is 42P07, as in
                // PostgreSQL; a generated one that is taken keeps the
                // existing index (PostgreSQL would number a new one).
                let named = match &constraint {
                    TableConstraint::PrimaryKey(pk) => pk.name.is_some(),
                    TableConstraint::Unique(u) => u.name.is_some(),
                    _ => false,
                };
                if matches!(constraint, TableConstraint::PrimaryKey(_)) {
                    let t = crate::sql::quote_literal(&table_base);
                    out.push(format!(
                        "SELECT pg_raise('42P16', {}) WHERE EXISTS (SELECT 1 FROM \
                         pragma_table_info({t}) WHERE pk > 0) OR EXISTS (SELECT 1 FROM \
                         main.sqlite_schema WHERE type = 'index' AND tbl_name = {t} \
                         COLLATE NOCASE AND sql LIKE '%{PRIMARY_KEY_INDEX}')",
                        crate::sql::quote_literal(&format!(
                            "multiple primary keys for table \"{table_base}\" are not allowed"
                        ))
                    ));
                }
                // The comment (SQLite keeps it in sqlite_schema.sql) tells
                // pg_constraint that this index is a constraint.
                out.push(format!(
                    "CREATE UNIQUE INDEX {}{} ON {table} ({}) {marker}",
                    if named { "" } else { "IF NOT EXISTS " },
                    Ident::with_quote('"', unique_name),
                    cols.join(", ")
                ));
            }
            AlterTableOperation::AddColumn {
                if_not_exists: false,
                mut column_def,
                column_position: None,
                ..
            } => {
                let user = super::enums::user_type(&column_def.data_type);
                out.extend(super::enums::require_types(std::iter::once(
                    &column_def.data_type,
                )));
                column_def_for_add(&mut column_def)?;
                out.push(format!("ALTER TABLE {table} ADD COLUMN {column_def}"));
                if let Some(type_name) = user {
                    out.extend(super::enums::label_triggers(
                        &table_base,
                        &ident_name(&column_def.name),
                        &type_name,
                    ));
                }
            }
            AlterTableOperation::DropColumn {
                column_names,
                if_exists: false,
                ..
            } => {
                for column in column_names {
                    out.extend(super::enums::drop_label_triggers(
                        &table_base,
                        &ident_name(&column),
                    ));
                    out.push(format!("ALTER TABLE {table} DROP COLUMN {column}"));
                    out.extend(super::comments::dropped_column(
                        &table_base,
                        &ident_name(&column),
                    ));
                }
            }
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => {
                out.push(format!(
                    "ALTER TABLE {table} RENAME COLUMN {old_column_name} TO {new_column_name}"
                ));
                out.extend(super::comments::renamed_column(
                    &table_base,
                    &ident_name(&old_column_name),
                    &ident_name(&new_column_name),
                ));
            }
            AlterTableOperation::RenameTable { table_name } => {
                let (RenameTableNameKind::To(mut new_name) | RenameTableNameKind::As(mut new_name)) =
                    table_name;
                check_table_name(&mut new_name)?;
                super::schemas::keep_in_schema_of(&table_base, &mut new_name);
                out.push(format!("ALTER TABLE {table} RENAME TO {new_name}"));
                out.extend(super::comments::renamed_relation(
                    &table_base,
                    &base_name(&new_name),
                ));
                out.extend(super::grants::renamed_relation(
                    &table_base,
                    &base_name(&new_name),
                ));
            }
            // Storage parameters (fillfactor, autovacuum_*): accepted and
            // ignored, as CREATE TABLE ... WITH (...) is.
            AlterTableOperation::SetOptionsParens { .. } => {}
            other_operation => return Err(unsupported(format!("ALTER TABLE {other_operation}"))),
        }
    }
    Ok(out)
}

fn column_def_for_add(column: &mut ColumnDef) -> Result<(), TranslateError> {
    column_def(column, false)?;
    let spelling = default_spelling(column);
    for def in &mut column.options {
        match &mut def.option {
            ColumnOption::Default(expr)
            | ColumnOption::Generated {
                generation_expr: Some(expr),
                ..
            } => rewrite_expression(expr)?,
            ColumnOption::Check(check) => rewrite_expression(&mut check.expr)?,
            _ => {}
        }
    }
    keep_spelling(column, spelling);
    parenthesize_defaults(column);
    Ok(())
}

/// How PostgreSQL prints the column's default, when its translation loses
/// it (`CURRENT_TIMESTAMP`, `gen_random_uuid()`; see
/// `sql::default_spelling`). Read before the default is rewritten.
fn default_spelling(column: &ColumnDef) -> Option<String> {
    fn of(e: &Expr) -> Option<String> {
        match e {
            Expr::Nested(inner) => of(inner),
            Expr::Function(f) => {
                let parenthesized = match &f.args {
                    sqlparser::ast::FunctionArguments::None => false,
                    sqlparser::ast::FunctionArguments::List(l) if l.args.is_empty() => true,
                    _ => return None,
                };
                crate::sql::default_spelling::spelling_of(&base_name(&f.name), parenthesized)
            }
            // `ARRAY[]::text[]` (stored as SQLite's `json_array()`).
            Expr::Cast {
                expr, data_type, ..
            } if matches!(expr.as_ref(), Expr::Array(a) if a.elem.is_empty()) => {
                let t = pg_type(data_type).ok()?;
                let name = crate::sql::catalog::format_type(t.oid(), None);
                Some(format!("ARRAY[]::{name}"))
            }
            _ => None,
        }
    }
    column.options.iter().find_map(|o| match &o.option {
        ColumnOption::Default(e) => of(e).or_else(|| {
            // A computed default of a `timestamp(p)` column is wrapped for
            // rounding (see `keep_spelling`): the wrapper must not show.
            let computed = !matches!(e, Expr::Value(_));
            (computed && fraction_digits(&column.data_type).is_some()).then(|| e.to_string())
        }),
        _ => None,
    })
}

/// Wraps the translated default as `coalesce(default, NULL, 'spelling')`
/// (see `sql::default_spelling`).
/// A clock default of a `timestamp(p)` / `time(p)` column (p < 6) is
/// rounded to the column's precision, as PostgreSQL stores it.
fn keep_spelling(column: &mut ColumnDef, spelling: Option<String>) {
    let Some(spelling) = spelling else { return };
    let digits = fraction_digits(&column.data_type);
    for def in &mut column.options {
        if let ColumnOption::Default(e) = &mut def.option {
            let mut value = std::mem::replace(e, super::ast::null());
            if let Some((places, kind)) = digits {
                value = super::ast::call(
                    "pg_round_seconds",
                    vec![value, super::ast::number(places), super::ast::string(kind)],
                );
            }
            *e = super::ast::call(
                "coalesce",
                vec![
                    value,
                    super::ast::null(),
                    super::ast::string(spelling.clone()),
                ],
            );
        }
    }
}

/// The fractional digits a translated date-time column type keeps, when
/// fewer than 6 (`timestamp(3)`), and `pg_round_seconds`' kind for it.
fn fraction_digits(data_type: &DataType) -> Option<(u32, &'static str)> {
    let DataType::Custom(name, modifiers) = data_type else {
        return None;
    };
    let kind = match base_name(name).as_str() {
        "timestamp" => "ts",
        "timestamptz" => "tz",
        "time" => "time",
        _ => return None,
    };
    let digits: u32 = modifiers.first()?.parse().ok()?;
    (digits < 6).then_some((digits, kind))
}

/// TRUNCATE for the session to run (see `backend::sqlite::exec::truncate`):
/// the tables' SQLite names, RESTART IDENTITY, CASCADE; and the plain
/// DELETEs a remote tenant runs instead (a serial key goes on numbering,
/// as PostgreSQL's CONTINUE IDENTITY; RESTART IDENTITY resets the counter).
pub(super) fn truncate(
    statement: &Statement,
) -> Result<Option<(super::StmtKind, Vec<String>)>, TranslateError> {
    let Statement::Truncate(truncate) = statement else {
        return Ok(None);
    };
    let restart = matches!(
        truncate.identity,
        Some(sqlparser::ast::TruncateIdentityOption::Restart)
    );
    let mut tables = Vec::new();
    let mut deletes = Vec::new();
    for target in &truncate.table_names {
        let mut name = target.name.clone();
        check_table_name(&mut name)?;
        let table = base_name(&name);
        deletes.push(format!("DELETE FROM {name}"));
        if restart {
            deletes.push(format!(
                "SELECT pg_restart_identity({})",
                crate::sql::quote_literal(&table)
            ));
        }
        tables.push(table);
    }
    let kind = super::StmtKind::Truncate {
        tables,
        restart,
        cascade: matches!(
            truncate.cascade,
            Some(sqlparser::ast::CascadeOption::Cascade)
        ),
    };
    Ok(Some((kind, deletes)))
}
