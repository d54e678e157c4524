//! `DO [LANGUAGE plpgsql] 'BEGIN ... [EXCEPTION WHEN ... THEN ...] END'`:
//! an anonymous PL/pgSQL block. ORMs and migration scripts create objects
//! this way where PostgreSQL has no IF NOT EXISTS (Sequelize: `DO 'BEGIN
//! CREATE TYPE ...; EXCEPTION WHEN duplicate_object THEN null; END'`),
//! and hand-written ones loop over the catalog (`FOR r IN SELECT tablename
//! FROM pg_tables ... LOOP EXECUTE format('DROP TABLE %I', r.tablename);
//! END LOOP`).
//!
//! The block is compiled once: each SQL statement and expression is
//! translated as if sent alone, with the block's variables (DECLARE, loop
//! variables, FOUND) turned into parameters (`vars`); the session runs the
//! steps in order (`server::do_run`), binding the variables' current
//! values. Supported: DECLARE (scalars, `record`, `%TYPE`/`%ROWTYPE`,
//! defaults, CONSTANT, NOT NULL), `:=`, `SELECT/RETURNING ... INTO
//! [STRICT]`, IF/ELSIF/ELSE, LOOP, WHILE, `FOR i IN [REVERSE] a..b [BY
//! s]`, `FOR r IN query`, `FOR r IN EXECUTE`, `FOREACH x IN ARRAY`,
//! EXIT/CONTINUE [label] [WHEN], RETURN, EXECUTE [INTO] [USING], GET
//! DIAGNOSTICS ROW_COUNT, ASSERT, RAISE, PERFORM, nested blocks with
//! exception handlers (run in savepoints). CASE statements, cursors and
//! transaction control are refused by name with 0A000.

pub(super) mod parse;
mod text;
mod vars;

pub(in crate::sql::translate) use vars::fold as fold_ident;

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::error::other;
use super::split::is_keyword;
use super::{StmtKind, TranslateError, Translation};
use crate::sql::pgtype::PgType;

/// A compiled DO block: its variables and its outermost block.
#[derive(Debug, Clone, PartialEq)]
pub struct DoCode {
    /// Every variable of the block and its nested blocks and loops, by
    /// slot; slot 0 is FOUND.
    pub vars: Vec<VarDef>,
    pub block: DoBlock,
}

/// One variable.
#[derive(Debug, Clone, PartialEq)]
pub struct VarDef {
    pub name: String,
    /// The declared type; `None` for `%TYPE` (the assigned value's type).
    pub ty: Option<PgType>,
    /// `record` or `%ROWTYPE`: a row of named fields.
    pub record: bool,
}

/// A block (the DO's body, or a nested `[DECLARE ...] BEGIN ... END`).
#[derive(Debug, Clone, PartialEq)]
pub struct DoBlock {
    pub label: Option<String>,
    /// The block's variables, set on entry: to their defaults or NULL.
    pub declares: Vec<Declare>,
    pub body: Vec<DoStep>,
    pub handlers: Vec<DoHandler>,
}

/// A variable a block declares: its slot and default.
#[derive(Debug, Clone, PartialEq)]
pub struct Declare {
    pub slot: usize,
    pub default: Option<DoQuery>,
    pub not_null: bool,
}

/// A statement or expression of the block, translated, with the variables
/// its parameters stand for (`$1` is `binds[0]`).
#[derive(Debug, Clone, PartialEq)]
pub struct DoQuery {
    pub t: Box<Translation>,
    pub binds: Vec<VarRef>,
}

/// A variable read as a parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum VarRef {
    Var(usize),
    /// `r.field` of a record variable.
    Field(usize, String),
}

/// Where a row read by INTO or a FOR loop goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A record variable: the whole row, fields named by the columns.
    Record(usize),
    /// Scalar variables, one per column in order.
    Vars(Vec<usize>),
}

/// `INTO [STRICT] target`.
#[derive(Debug, Clone, PartialEq)]
pub struct Into {
    pub target: Target,
    pub strict: bool,
}

/// One statement of a block.
#[derive(Debug, Clone, PartialEq)]
pub enum DoStep {
    /// SQL; `into` for `SELECT ... INTO` and `... RETURNING ... INTO`.
    Sql {
        query: DoQuery,
        into: Option<Into>,
    },
    /// `target := expr`: the value as `SELECT expr` (cast to the variable's
    /// declared type).
    Assign {
        target: VarRef,
        value: DoQuery,
    },
    /// `IF c THEN .. [ELSIF c THEN ..] [ELSE ..] END IF`: each condition
    /// as `SELECT (c)`, the first true one's statements run.
    If {
        arms: Vec<(DoQuery, Vec<DoStep>)>,
        otherwise: Vec<DoStep>,
    },
    /// `RAISE [level]`: `SELECT message, detail, hint`, the SQLSTATE, and
    /// the level (`exception` fails the block; the others send a notice).
    Raise {
        fields: DoQuery,
        code: String,
        level: String,
    },
    /// `ASSERT c [, message]`: `SELECT c, message`.
    Assert(DoQuery),
    Block(Box<DoBlock>),
    Loop {
        label: Option<String>,
        kind: LoopKind,
        body: Vec<DoStep>,
    },
    /// EXIT (`next` false) or CONTINUE (`next` true).
    Exit {
        label: Option<String>,
        when: Option<DoQuery>,
        next: bool,
    },
    Return,
    /// `RETURN expr` in a function: its value, cast to the return type.
    ReturnValue(DoQuery),
    /// `EXECUTE expr [INTO ..] [USING ..]`: the statement's text as `SELECT
    /// expr`, and the USING values as `SELECT a, b, ..`.
    Execute {
        sql: DoQuery,
        into: Option<Into>,
        using: Option<DoQuery>,
    },
    /// `GET [STACKED] DIAGNOSTICS v = item, ...`.
    Diagnostics(Vec<(usize, Diagnostic)>),
    /// `RAISE;` in a handler: the error it caught, again.
    Reraise,
}

/// What GET DIAGNOSTICS reads: the last statement's row count, or (STACKED,
/// in a handler) the caught error's fields.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Diagnostic {
    RowCount,
    MessageText,
    ReturnedSqlstate,
    Detail,
    Hint,
}

/// What a loop runs over.
#[derive(Debug, Clone, PartialEq)]
pub enum LoopKind {
    Forever,
    While(DoQuery),
    /// `FOR var IN [REVERSE] a .. b [BY s]`: `SELECT a, b, s`.
    Range {
        var: usize,
        bounds: DoQuery,
        reverse: bool,
    },
    /// `FOR target IN query` (FOREACH is a loop over `unnest`).
    Rows {
        target: Target,
        query: DoQuery,
    },
    /// `FOR target IN EXECUTE expr [USING ..]`.
    Dynamic {
        target: Target,
        sql: DoQuery,
        using: Option<DoQuery>,
    },
}

/// `WHEN condition [OR condition ...] THEN statements`.
#[derive(Debug, Clone, PartialEq)]
pub struct DoHandler {
    /// SQLSTATEs; `OTHERS` is every code but query_canceled (57014) and
    /// assert_failure (P0004), as in PL/pgSQL.
    pub codes: Vec<String>,
    pub others: bool,
    pub body: Vec<DoStep>,
    /// The handler's SQLSTATE and SQLERRM variables.
    pub sqlstate: usize,
    pub sqlerrm: usize,
}

impl DoHandler {
    pub fn catches(&self, code: &str) -> bool {
        if self.others {
            return !matches!(code, "57014" | "P0004");
        }
        self.codes.iter().any(|c| c == code)
    }
}

/// Whether a statement's first significant token is DO.
pub(super) fn is_do(significant: &[&TokenWithSpan]) -> bool {
    significant
        .first()
        .is_some_and(|t| is_keyword(&t.token, Keyword::DO))
}

/// The DO statement's significant tokens as a block.
pub(super) fn translate(significant: &[TokenWithSpan]) -> Result<Translation, TranslateError> {
    let mut body = None;
    let mut i = 1;
    while let Some(t) = significant.get(i) {
        match &t.token {
            Token::Word(w) if w.keyword == Keyword::LANGUAGE => {
                let lang = match significant.get(i + 1).map(|t| &t.token) {
                    Some(Token::Word(w)) => w.value.to_ascii_lowercase(),
                    Some(Token::SingleQuotedString(s)) => s.to_ascii_lowercase(),
                    _ => return Err(other("42601", "syntax error at end of input")),
                };
                match lang.as_str() {
                    "plpgsql" => {}
                    "sql" | "c" | "internal" => {
                        return Err(other(
                            "0A000",
                            format!("language \"{lang}\" does not support inline code execution"),
                        ))
                    }
                    _ => {
                        return Err(other(
                            "42704",
                            format!("language \"{lang}\" does not exist"),
                        ))
                    }
                }
                i += 2;
            }
            Token::SingleQuotedString(s) if body.is_none() => {
                body = Some(s.clone());
                i += 1;
            }
            Token::DollarQuotedString(s) if body.is_none() => {
                body = Some(s.value.clone());
                i += 1;
            }
            other_token => {
                return Err(other(
                    "42601",
                    format!("syntax error at or near \"{other_token}\""),
                ))
            }
        }
    }
    let Some(body) = body else {
        return Err(other("42601", "no inline code specified"));
    };
    Ok(Translation::command(StmtKind::DoBlock(Box::new(
        parse::code(&body)?,
    ))))
}
