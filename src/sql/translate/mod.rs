//! PostgreSQL SQL in, SQLite SQL out, on the sqlparser AST.
//!
//! INTERFACE CONTRACT (used by the server; keep these names and shapes):
//! `translate(sql)` parses with sqlparser's PostgreSQL dialect (through
//! `dialect::PgDialect`), splits into statements and returns one
//! [`Translation`] per statement, in order. It is a pure function:
//! no I/O, no schema access. Schema-dependent facts are returned as hints
//! (`ParamHint::Column`) that the executor resolves against the live schema.

mod aggregates;
mod alter_sequence;
mod arrays;
mod ast;
mod bpchar_length;
mod budget;
mod casts;
mod catalog;
mod column_bools;
mod column_dates;
mod column_input;
mod column_text;
mod columns;
pub(crate) mod comments;
mod copy;
mod copy_options;
mod count_row;
mod create_like;
mod cursor;
mod ddl;
mod default_privileges;
mod defaults;
mod depth;
mod derived_aliases;
mod dialect;
mod distinct_on;
mod do_block;
mod domains;
mod enum_functions;
pub(crate) mod enums;
mod error;
mod exact;
mod exclusion;
pub(crate) use exclusion::trigger_names as exclusion_trigger_names;
mod explain;
mod expr;
mod functions;
mod grants;
mod group_check;
mod grouping_sets;
mod identity_alter;
mod interval_sums;
mod join_star;
mod jsonpath;
mod keyword_aliases;
mod lateral;
mod literals;
mod matview;
mod merge;
mod modifying_with;
mod names;
mod null_order;
mod numeric_division;
mod ordered_set;
mod output_names;
mod overlaps;
mod owner;
mod params;
pub mod plpgsql;
mod populate;
mod pre_parse;
mod prepared;
mod query;
mod range_frames;
mod range_ops;
mod retype;
mod rewrite;
pub mod routines;
mod row_json;
mod scalar_subquery;
mod scale;
pub mod schemas;
mod scopes;
mod sequences;
mod series;
mod session;
mod set_all;
mod set_constraints;
mod set_members;
mod similar;
mod sizes;
mod spelled_out;
mod split;
mod statement;
mod symmetric;
mod text_search;
mod ties;
mod time_zone;
mod tokens;
mod tsvector_trigger;
mod typed_ops;
mod types;
mod upsert_xmax;
mod zoned_columns;

#[cfg(test)]
mod check_exec_tests;
#[cfg(test)]
mod copy_tests;
#[cfg(test)]
mod exec_tests;
#[cfg(test)]
mod output_name_tests;
#[cfg(test)]
mod tests;

use crate::sql::pgtype::PgType;

pub use copy_options::{CopyFormat, CopyOptions, ForceQuote};
pub(crate) use depth::measure as measure_depth;
pub use depth::{check_text as check_depth, MAX_DEPTH};
pub use do_block::{
    Declare, Diagnostic, DoBlock, DoCode, DoHandler, DoQuery, DoStep, Into as DoInto, LoopKind,
    Target as DoTarget, VarDef, VarRef,
};
pub use domains::{with_domains, Domain, DOMAIN_TABLE, NOT_NULL_PREFIX as DOMAIN_NOT_NULL_PREFIX};
pub use functions::UUID_V4_SQL;
pub use grants::{Grant, GrantTarget, CURRENT_USER as GRANT_CURRENT_USER};
pub use literals::interval_modifiers;
pub use matview::TABLE_DDL as MATVIEW_TABLE_DDL;
pub use modifying_with::TEMP_PREFIX as WITH_TABLE_PREFIX;
pub use names::is_user_schema;
pub use owner::AlterOwner;
pub use prepared::bind as bind_prepared;
pub use retype::{pick_scale, ResultTypes, Retype, Retyped, TableColumn, TableColumns};
pub use sequences::{uses as uses_sequences, COLUMNS as SEQUENCE_COLUMNS};

/// One translated statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Translation {
    /// What the statement is; drives command tags and session handling.
    pub kind: StmtKind,
    /// SQLite SQL text for `StmtKind::Query` (empty for session commands).
    /// Parameters stay numbered: `$1` becomes `?1`.
    ///
    /// One PostgreSQL statement may need several SQLite statements (e.g.
    /// `DROP TABLE a, b` or `TRUNCATE a, b`); they are then joined with `; `
    /// and the executor runs them in order with `execute_batch` semantics.
    /// Only single-statement text ever has parameters or returns rows.
    pub sql: String,
    /// One entry per parameter `$1..$n` (index 0 is `$1`); length = highest $n used.
    pub params: Vec<ParamHint>,
    /// One entry per output column when the statement returns rows and the
    /// type is known from the expression (a cast, a literal, count(*), ...).
    /// `None` = unknown here; the executor then uses the SQLite declared type.
    /// May be empty when no column is known.
    pub columns: Vec<Option<PgType>>,
    /// Set when some result column's type depends on the schema (`max(n)`):
    /// the executor works the types out again with the tables' columns.
    pub retype: Option<Retype>,
    /// The display scale of each numeric output column, where the
    /// expression fixes it without the schema (`1.10 + 2.20`); may be empty.
    pub scales: Vec<Option<u16>>,
    /// Data-modifying WITH queries to run first, in order (see
    /// `modifying_with`); empty for almost every statement.
    pub steps: Vec<WithStep>,
    /// `SELECT ... FOR UPDATE / FOR SHARE`: the statement takes the tenant's
    /// writer slot before it reads, as it waits for row locks in PostgreSQL
    /// (SQLite locks the whole database), so the block's later write works
    /// on what it read instead of failing with 40001.
    pub locks_rows: bool,
}

impl Translation {
    /// A command the server acts on itself: no SQLite text, parameters or
    /// result columns.
    pub(crate) fn command(kind: StmtKind) -> Translation {
        Translation {
            kind,
            sql: String::new(),
            params: vec![],
            columns: vec![],
            retype: None,
            scales: vec![],
            steps: Vec::new(),
            locks_rows: false,
        }
    }

    /// Whether the statement only reads: a SELECT that advances no sequence
    /// and locks no rows.
    pub fn reads_only(&self) -> bool {
        matches!(self.kind, StmtKind::Query { tag: "SELECT", .. })
            && self.steps.is_empty()
            && !self.locks_rows
            && !sequences::writes(&self.sql)
    }
}

/// A data-modifying WITH query, run before the statement that names it.
#[derive(Debug, Clone, PartialEq)]
pub struct WithStep {
    /// The connection-local TEMP table that keeps its RETURNING rows, which
    /// the main statement reads in place of the WITH name; `None` without
    /// RETURNING. The executor creates and drops it.
    pub table: Option<String>,
    /// Column names from `name(a, b) AS (...)`; empty: the RETURNING names.
    pub columns: Vec<String>,
    /// The INSERT, UPDATE or DELETE, with its RETURNING list.
    pub run: Translation,
}

/// `CREATE [TEMP] TABLE t AS query` and `CREATE MATERIALIZED VIEW`: the
/// session creates the table with the query's PostgreSQL column types
/// (SQLite's own CREATE TABLE AS declares only affinities: booleans would
/// read 0/1, arrays as JSON) and fills it (see
/// `backend::sqlite::exec::create_table_as`).
#[derive(Debug, Clone, PartialEq)]
pub struct CreateTableAs {
    /// The table's name (unquoted).
    pub table: String,
    pub temporary: bool,
    pub if_not_exists: bool,
    /// Column names given before AS; the query's otherwise.
    pub columns: Vec<String>,
    /// The query's translation (a plain SELECT).
    pub query: Translation,
    /// Statements to run once the table is filled (a materialized view's
    /// stored definition).
    pub after: Vec<String>,
    /// The tag when IF NOT EXISTS finds the table (PostgreSQL's tag for a
    /// created one is `SELECT n`).
    pub skipped_tag: &'static str,
    /// `CREATE TABLE t (LIKE source ...)`: the source's columns, no rows.
    pub like: Option<Like>,
}

/// What `CREATE TABLE t (LIKE source ...)` copies besides the columns'
/// names, types and NOT NULL (see `create_like`).
#[derive(Debug, Clone, PartialEq)]
pub struct Like {
    pub source: String,
    /// DEFAULTS / IDENTITY: column defaults, a serial key's numbering.
    pub defaults: bool,
    /// CONSTRAINTS: CHECK constraints.
    pub constraints: bool,
    /// INDEXES: the primary key, unique constraints and plain indexes.
    pub indexes: bool,
}

/// A named constraint or index changed by name, which SQLite's ALTER has
/// no statement for (see `backend::sqlite::schema_edit`). Names are as
/// written (folded).
#[derive(Debug, Clone, PartialEq)]
pub enum SchemaEdit {
    /// `ALTER TABLE t DROP CONSTRAINT [IF EXISTS] name`.
    DropConstraint {
        table: String,
        name: String,
        if_exists: bool,
    },
    /// `ALTER TABLE t RENAME CONSTRAINT from TO to`.
    RenameConstraint {
        table: String,
        from: String,
        to: String,
    },
    /// `ALTER INDEX [IF EXISTS] from RENAME TO to`.
    RenameIndex { from: String, to: String },
    /// `ALTER TABLE t VALIDATE CONSTRAINT name`.
    ValidateConstraint { table: String, name: String },
}

/// One change of an `ALTER TABLE` that SQLite's own ALTER cannot make.
/// Column names are as written (folded); SQL texts are SQLite's.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnChange {
    SetNotNull(String),
    DropNotNull(String),
    /// The column and its default expression.
    SetDefault(String, String),
    DropDefault(String),
    SetType {
        column: String,
        /// The new declared type.
        decl: String,
        /// `USING expr`, which computes every row's new value.
        using: Option<String>,
    },
    AddColumn {
        column: String,
        /// The definition SQLite's ADD COLUMN accepts (a non-constant
        /// default and NOT NULL taken out: they follow as edits).
        def: String,
        /// IF NOT EXISTS: nothing happens when the column exists.
        if_missing: bool,
        /// A default SQLite's ADD COLUMN refuses (`now()`): existing rows
        /// get its value, then it becomes the column's default.
        default: Option<String>,
        not_null: bool,
    },
    DropColumn {
        column: String,
        if_exists: bool,
    },
    /// Server-written SQLite text run in its place among the edits (an
    /// added primary key's check and unique index).
    Run(String),
    /// `DROP IDENTITY [IF EXISTS]`: the column keeps its values, loses
    /// its numbering (and the sequence behind it).
    DropIdentity {
        column: String,
        if_exists: bool,
    },
    /// `SET GENERATED ALWAYS | BY DEFAULT` of an identity column.
    SetGenerated {
        column: String,
        always: bool,
    },
    /// `RESTART [WITH n]` of an identity column's numbering (no `n`: its
    /// start).
    RestartIdentity {
        column: String,
        value: Option<i64>,
    },
}

/// What kind of statement it is.
#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    /// Runs on SQLite. `tag` is the PostgreSQL command tag word(s):
    /// "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE TABLE", "DROP TABLE", ...
    /// `returns_rows` is true for SELECT/VALUES/WITH ... SELECT/SHOW-like and any
    /// DML with RETURNING.
    Query {
        tag: &'static str,
        returns_rows: bool,
    },
    /// BEGIN / START TRANSACTION (any isolation level: SQLite is
    /// serializable); `read_only` from READ ONLY / READ WRITE.
    Begin {
        tag: &'static str,
        read_only: Option<bool>,
    },
    /// SET TRANSACTION / SET SESSION CHARACTERISTICS AS TRANSACTION
    /// (`session`): the access mode given, if any (isolation levels are
    /// accepted and ignored).
    SetTransaction {
        read_only: Option<bool>,
        session: bool,
    },
    /// COMMIT / END.
    Commit,
    /// ROLLBACK / ABORT.
    Rollback,
    Savepoint(String),
    Release(String),
    RollbackTo(String),
    /// SET [SESSION|LOCAL] name = value / SET name TO value / SET TIME ZONE x.
    /// `name` lower-cased, `value` unquoted text as PostgreSQL would store it.
    Set {
        name: String,
        value: String,
        local: bool,
    },
    /// SET CONSTRAINTS ... DEFERRED (`deferred`) or IMMEDIATE: foreign key
    /// checks of the block deferred to COMMIT, or checked now.
    SetConstraints {
        deferred: bool,
    },
    /// SHOW name (lower-cased), or SHOW ALL as name "all".
    Show {
        name: String,
    },
    /// RESET name / RESET ALL (name None).
    Reset {
        name: Option<String>,
    },
    /// LISTEN channel (`on`) or UNLISTEN channel; `UNLISTEN *` has no channel.
    Listen {
        channel: Option<String>,
        on: bool,
    },
    /// NOTIFY channel [, payload].
    Notify {
        channel: String,
        payload: String,
    },
    /// Accepted and ignored with this command tag (e.g. "VACUUM",
    /// "ANALYZE", "DISCARD ALL", "CREATE SCHEMA" for public, "SET" for ignored settings).
    Noop {
        tag: &'static str,
    },
    /// `COPY table [(columns)] FROM STDIN [options]`. `table` is the folded
    /// base name (`public.` stripped); `columns` empty means all, in table
    /// order. Table and columns are checked against the live schema when it runs.
    CopyIn {
        table: String,
        columns: Vec<String>,
        options: CopyOptions,
    },
    /// `COPY table [(columns)] TO STDOUT` or `COPY (query) TO STDOUT`:
    /// `query_sql` is the translated SQLite SELECT (also in `sql`, with its
    /// column hints in `columns`). Files and PROGRAM are refused (42501).
    CopyOut {
        query_sql: String,
        options: CopyOptions,
    },
    /// `ALTER TABLE t ADD [CONSTRAINT name] FOREIGN KEY ... | CHECK (...)`:
    /// SQLite cannot add a constraint with ALTER, so the session edits the
    /// table's definition (see `backend::sqlite::add_constraint`).
    /// `constraint` is rendered as SQLite text by the backend, which first
    /// names a FOREIGN KEY's parent key columns when the clause leaves them
    /// out (the parent's primary key may be one of pgtenant's key indexes,
    /// which SQLite does not take for an omitted column list).
    AddConstraint {
        table: String,
        constraint: Box<sqlparser::ast::TableConstraint>,
        /// A CHECK constraint's expression, to validate existing rows.
        check: Option<String>,
    },
    /// `ALTER TABLE t ALTER COLUMN ...` (and ADD COLUMN IF NOT EXISTS /
    /// DROP COLUMN IF EXISTS among them): changes SQLite's ALTER cannot
    /// make, applied by editing the table's definition (see
    /// `backend::sqlite::alter_column`), in order.
    AlterColumns {
        table: String,
        changes: Vec<ColumnChange>,
    },
    /// A constraint or index changed by name (see [`SchemaEdit`]).
    EditSchema(SchemaEdit),
    /// A table made from a query (see [`CreateTableAs`]).
    CreateTableAs(Box<CreateTableAs>),
    /// `TRUNCATE`: `tables` are SQLite's names; the session empties them
    /// (and with `cascade` the tables referencing them) together. `sql`
    /// holds one DELETE per table named, for a remote tenant.
    Truncate {
        tables: Vec<String>,
        restart: bool,
        cascade: bool,
    },
    /// `REFRESH MATERIALIZED VIEW name`: the session runs the view's stored
    /// query again (see `matview`).
    RefreshMatview {
        name: String,
    },
    /// `DO '...'`: statements run in a savepoint; an error a handler
    /// catches rolls them back and runs the handler's (see `do_block`).
    DoBlock(Box<DoCode>),
    /// `PREPARE name [(types)] AS statement`: `statement` is its PostgreSQL
    /// text (already checked to translate), `types` the declared type names.
    Prepare {
        name: String,
        statement: String,
        types: Vec<String>,
    },
    /// `EXECUTE name [(args)]`: each argument's PostgreSQL text; the
    /// session binds them with [`bind_prepared`].
    Execute {
        name: String,
        args: Vec<String>,
    },
    /// `DEALLOCATE [PREPARE] name`, or `ALL` (name `None`).
    Deallocate {
        name: Option<String>,
    },
    /// `DECLARE name CURSOR FOR query`: `query` is its translation.
    Declare {
        name: String,
        query: Box<Translation>,
        binary: bool,
        hold: bool,
    },
    /// `FETCH [FORWARD] n | ALL FROM name` (`count` None = ALL).
    Fetch {
        name: String,
        count: Option<u64>,
        only_move: bool,
    },
    /// `CLOSE name`, or `CLOSE ALL` (name `None`).
    CloseCursor {
        name: Option<String>,
    },
    /// `GRANT` or `REVOKE` (see [`Grant`]).
    Grant(Box<Grant>),
    /// A CREATE TABLE or ADD COLUMN whose columns name `types`, which
    /// PostgreSQL does not have built in: translated again with the
    /// domains among them (`domains::with_domains`), else `then`.
    WithUserTypes {
        statement: Box<sqlparser::ast::Statement>,
        types: Vec<String>,
        then: Box<Translation>,
    },
    /// `ALTER TABLE IF EXISTS t ...`: `then` when table `t` exists, else
    /// PostgreSQL's notice (`relation "t" does not exist, skipping`).
    IfTableExists {
        table: String,
        then: Box<Translation>,
    },
    /// `DROP TABLE ... CASCADE`: the views that read `tables` (SQLite's
    /// names) are dropped with them, found when the statement runs; `then`
    /// drops the tables.
    DropTablesCascade {
        tables: Vec<String>,
        then: Box<Translation>,
    },
    /// `ALTER ... OWNER TO role`: checked, changes nothing (see `owner`).
    AlterOwner(Box<AlterOwner>),
    /// `DROP SCHEMA [IF EXISTS] names [CASCADE]` of user schemas: the
    /// session lists each one's objects (see `schemas`).
    DropSchema {
        names: Vec<String>,
        if_exists: bool,
        cascade: bool,
    },
}

impl StmtKind {
    /// The command a read-only transaction refuses, named as PostgreSQL's
    /// error names it: writes, DDL, GRANT, COMMENT, TRUNCATE, COPY FROM.
    pub fn write_tag(&self) -> Option<&'static str> {
        match self {
            StmtKind::Query { tag, .. } => {
                let writes = matches!(
                    *tag,
                    "INSERT" | "UPDATE" | "DELETE" | "MERGE" | "TRUNCATE TABLE" | "COMMENT"
                ) || ["CREATE ", "ALTER ", "DROP ", "GRANT", "REVOKE", "REFRESH "]
                    .iter()
                    .any(|p| tag.starts_with(p));
                writes.then_some(*tag)
            }
            StmtKind::CopyIn { .. } => Some("COPY FROM"),
            StmtKind::AddConstraint { .. }
            | StmtKind::AlterColumns { .. }
            | StmtKind::EditSchema(_)
            | StmtKind::AlterOwner(_) => Some("ALTER TABLE"),
            StmtKind::CreateTableAs(_) => Some("CREATE TABLE AS"),
            StmtKind::Truncate { .. } => Some("TRUNCATE TABLE"),
            StmtKind::RefreshMatview { .. } => Some("REFRESH MATERIALIZED VIEW"),
            StmtKind::Grant(_) => Some("GRANT"),
            StmtKind::DropSchema { .. } => Some("DROP SCHEMA"),
            StmtKind::DropTablesCascade { .. } => Some("DROP TABLE"),
            _ => None,
        }
    }
}

/// What is known about a parameter's type.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamHint {
    Unknown,
    Type(PgType),
    /// Compared with / assigned to this column; the executor looks up its declared type.
    Column {
        table: String,
        column: String,
    },
    /// The value for the table's `index`-th column (0-based), from an INSERT
    /// with no column list.
    Position {
        table: String,
        index: usize,
    },
    /// The `index`-th (0-based) argument of a call to a function the
    /// translator does not know, with `nargs` arguments: a tenant's own
    /// (see `routines`) declares its type.
    Routine {
        name: String,
        nargs: usize,
        index: usize,
    },
}

/// A translation failure, reported to the client with this SQLSTATE.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct TranslateError {
    pub code: &'static str,
    pub message: String,
}

/// Translates a (possibly multi-statement) PostgreSQL query string.
pub fn translate(sql: &str) -> Result<Vec<Translation>, TranslateError> {
    let (tokens, depth) = split::tokenize(sql)?;
    crate::sql::stack::with_room(depth, || {
        split::split_tokens(tokens)?
            .into_iter()
            .map(|parsed| budget::metered(|| statement::translate_statement(parsed)))
            .collect()
    })
}
