//! A PL/pgSQL trigger function made SQLite triggers, for one table and
//! event. SQLite's triggers cannot change NEW, so the function is run
//! symbolically: each `NEW.col := e` becomes the column's value as an
//! expression of the row (IF branches become CASE), RAISE and RETURN NULL
//! become conditional `pg_raise(..)` / `RAISE(IGNORE)` in a BEFORE trigger
//! with the function's SQL statements, and the final NEW values are written
//! by an AFTER trigger updating the row (`pgtenant_applying` keeps that
//! write from firing the table's other PL/pgSQL triggers, as PostgreSQL's
//! BEFORE trigger changes no row twice).

use sqlparser::ast::{
    BinaryOperator, Expr, Ident, SetExpr, Statement, UnaryOperator, Value, Values,
};

use super::super::ast::{call, string};
use super::super::error::unsupported;
use super::super::TranslateError;
use super::parse::{Returned, Stmt};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event {
    Insert,
    Update,
    Delete,
}

impl Event {
    pub fn keyword(self) -> &'static str {
        match self {
            Event::Insert => "INSERT",
            Event::Update => "UPDATE",
            Event::Delete => "DELETE",
        }
    }
}

/// What the function does for one row of one event, in PostgreSQL terms.
pub struct Compiled {
    /// Run before the row is written, in order (raises, skips, SQL).
    pub before: Vec<Statement>,
    /// The row's changed columns and their new values.
    pub assigned: Vec<(String, Expr)>,
}

enum Action {
    Raise(String, Box<Expr>),
    /// A notice for the session: level, SQLSTATE, message.
    Notice(String, String, Box<Expr>),
    Skip,
    Sql(Box<Statement>),
}

struct Run<'a> {
    event: Event,
    table: &'a str,
    /// The table's columns, for the whole row (`to_jsonb(NEW)`).
    columns: &'a [String],
    is_before: bool,
    assigned: Vec<(String, Expr)>,
    before: Vec<Statement>,
    /// Conditions under which the function has already returned.
    returned: Vec<Expr>,
    ended: bool,
}

pub fn compile(
    stmts: &[Stmt],
    table: &str,
    columns: &[String],
    event: Event,
    is_before: bool,
) -> Result<Compiled, TranslateError> {
    let mut run = Run {
        event,
        table,
        columns,
        is_before,
        assigned: Vec::new(),
        before: Vec::new(),
        returned: Vec::new(),
        ended: false,
    };
    run.block(stmts, &[])?;
    if !is_before || event == Event::Delete {
        run.assigned.clear();
    }
    Ok(Compiled {
        before: run.before,
        assigned: run.assigned,
    })
}

impl Run<'_> {
    fn block(&mut self, stmts: &[Stmt], path: &[Expr]) -> Result<(), TranslateError> {
        for s in stmts {
            if self.ended {
                return Ok(());
            }
            self.statement(s, path)?;
        }
        Ok(())
    }

    /// The condition under which a statement on `path` runs (None: always).
    fn condition(&self, path: &[Expr]) -> Option<Expr> {
        let mut parts: Vec<Expr> = path.to_vec();
        parts.extend(self.returned.iter().map(|r| not(r.clone())));
        parts.into_iter().reduce(and)
    }

    fn statement(&mut self, s: &Stmt, path: &[Expr]) -> Result<(), TranslateError> {
        match s {
            Stmt::Assign(column, value) => {
                let value = self.substituted(value)?;
                let value = match self.condition(path) {
                    None => value,
                    Some(c) => case(c, value, self.current(column)),
                };
                match self.assigned.iter_mut().find(|(c, _)| c == column) {
                    Some(slot) => slot.1 = value,
                    None => self.assigned.push((column.clone(), value)),
                }
            }
            Stmt::If(branches, otherwise) => {
                // Every condition reads the row as it is before any branch.
                let mut earlier: Vec<Expr> = Vec::new();
                let mut arms = Vec::new();
                for (cond, body) in branches {
                    let c = truthy(self.substituted(cond)?);
                    let mut conds: Vec<Expr> = earlier.iter().cloned().map(not).collect();
                    conds.push(c.clone());
                    arms.push((conds.into_iter().reduce(and), body));
                    earlier.push(c);
                }
                let rest = earlier.into_iter().map(not).reduce(and);
                arms.push((rest, otherwise));
                for (cond, body) in arms {
                    let mut inner = path.to_vec();
                    inner.extend(cond);
                    self.block(body, &inner)?;
                }
            }
            Stmt::Return(r) => {
                match (r, self.event, self.is_before) {
                    (Returned::Null, _, true) => self.action(Action::Skip, path),
                    (Returned::Old, Event::Update, true) => {
                        return Err(unsupported("RETURN OLD in a BEFORE UPDATE trigger"))
                    }
                    _ => {}
                }
                match self.condition(path) {
                    None => self.ended = true,
                    Some(c) => self.returned.push(c),
                }
            }
            Stmt::Raise(code, format, args) => {
                let args = args
                    .iter()
                    .map(|a| self.substituted(a))
                    .collect::<Result<Vec<_>, _>>()?;
                let message = message(format, args);
                self.action(Action::Raise(code.clone(), Box::new(message)), path);
            }
            Stmt::Notice(level, code, format, args) => {
                let args = args
                    .iter()
                    .map(|a| self.substituted(a))
                    .collect::<Result<Vec<_>, _>>()?;
                let message = message(format, args);
                self.action(
                    Action::Notice(level.clone(), code.clone(), Box::new(message)),
                    path,
                );
            }
            Stmt::Sql(statement) => {
                let mut statement = (**statement).clone();
                let _ = sqlparser::ast::visit_expressions_mut(&mut statement, |e| {
                    if let Some(v) = self.replacement(e) {
                        *e = v;
                    }
                    std::ops::ControlFlow::<()>::Continue(())
                });
                self.action(Action::Sql(Box::new(statement)), path);
            }
        }
        Ok(())
    }

    fn action(&mut self, action: Action, path: &[Expr]) {
        let cond = self.condition(path);
        let statement = match action {
            Action::Raise(code, message) => {
                select(call("pg_raise", vec![string(code), *message]), cond)
            }
            Action::Notice(level, code, message) => select(
                call(
                    "pg_raise_notice",
                    vec![string(level), string(code), *message],
                ),
                cond,
            ),
            Action::Skip => select(raise_ignore(), cond),
            Action::Sql(statement) => match cond {
                None => *statement,
                Some(c) => conditional(*statement, c),
            },
        };
        self.before.push(statement);
    }

    fn current(&self, column: &str) -> Expr {
        self.assigned
            .iter()
            .find(|(c, _)| c == column)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| row_ref("NEW", column))
    }

    fn substituted(&self, e: &Expr) -> Result<Expr, TranslateError> {
        let mut e = e.clone();
        if let Some(v) = self.replacement(&e) {
            return Ok(v);
        }
        let _ = sqlparser::ast::visit_expressions_mut(&mut e, |x| {
            if let Some(v) = self.replacement(x) {
                *x = v;
            }
            std::ops::ControlFlow::<()>::Continue(())
        });
        Ok(e)
    }

    /// `NEW.col` as assigned so far (NULL in a DELETE), `TG_OP` and the
    /// other trigger variables as the literals they are for this trigger.
    fn replacement(&self, e: &Expr) -> Option<Expr> {
        if let Some(whole) = self.whole_row(e) {
            return Some(whole);
        }
        match e {
            Expr::CompoundIdentifier(ids) if ids.len() == 2 => {
                let row = ids[0].value.to_ascii_lowercase();
                let column = match ids[1].quote_style {
                    Some(_) => ids[1].value.clone(),
                    None => ids[1].value.to_ascii_lowercase(),
                };
                match row.as_str() {
                    "new" if self.event == Event::Delete => Some(Expr::value(Value::Null)),
                    "new" => Some(self.current(&column)),
                    "old" if self.event == Event::Insert => Some(Expr::value(Value::Null)),
                    "old" => Some(row_ref("OLD", &column)),
                    _ => None,
                }
            }
            Expr::Identifier(id) if id.quote_style.is_none() => {
                match id.value.to_ascii_lowercase().as_str() {
                    "tg_op" => Some(string(self.event.keyword())),
                    "tg_table_name" | "tg_relname" => Some(string(self.table)),
                    "tg_table_schema" => Some(string("public")),
                    "tg_when" => Some(string(if self.is_before { "BEFORE" } else { "AFTER" })),
                    "tg_level" => Some(string("ROW")),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

impl Run<'_> {
    /// The row as one value, column by column: `to_jsonb(NEW)` (also
    /// to_json, row_to_json) as the JSON object of its columns, and
    /// `NEW IS [NOT] DISTINCT FROM OLD` compared column by column.
    fn whole_row(&self, e: &Expr) -> Option<Expr> {
        let row = |e: &Expr| match e {
            Expr::Identifier(id) if id.quote_style.is_none() => {
                match id.value.to_ascii_lowercase().as_str() {
                    "new" => Some(true),
                    "old" => Some(false),
                    _ => None,
                }
            }
            _ => None,
        };
        let column = |new: bool, c: &str| match (new, self.event) {
            (true, Event::Delete) | (false, Event::Insert) => Expr::value(Value::Null),
            (true, _) => self.current(c),
            (false, _) => row_ref("OLD", c),
        };
        match e {
            Expr::Function(f) => {
                let name = super::super::ast::base_name(&f.name);
                let builder = match name.as_str() {
                    "to_jsonb" => "jsonb_build_object",
                    "to_json" | "row_to_json" => "json_build_object",
                    _ => return None,
                };
                let args = super::super::ast::plain_args(f)?;
                let [arg] = args.as_slice() else { return None };
                let new = row(arg)?;
                // A row that is not there (NEW of a DELETE) is NULL.
                if matches!(
                    (new, self.event),
                    (true, Event::Delete) | (false, Event::Insert)
                ) {
                    return Some(Expr::value(Value::Null));
                }
                let mut pairs = Vec::with_capacity(self.columns.len() * 2);
                for c in self.columns {
                    pairs.push(string(c.clone()));
                    pairs.push(column(new, c));
                }
                Some(call(builder, pairs))
            }
            Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => {
                let (a, b) = (row(a)?, row(b)?);
                let distinct = matches!(e, Expr::IsDistinctFrom(..));
                let parts = self.columns.iter().map(|c| {
                    let (l, r) = (Box::new(column(a, c)), Box::new(column(b, c)));
                    if distinct {
                        Expr::IsDistinctFrom(l, r)
                    } else {
                        Expr::IsNotDistinctFrom(l, r)
                    }
                });
                let joined = if distinct {
                    parts.reduce(or)
                } else {
                    parts.reduce(and)
                };
                Some(nested(
                    joined.unwrap_or_else(|| Expr::value(Value::Boolean(!distinct))),
                ))
            }
            _ => None,
        }
    }
}

fn or(a: Expr, b: Expr) -> Expr {
    Expr::BinaryOp {
        left: Box::new(nested(a)),
        op: BinaryOperator::Or,
        right: Box::new(nested(b)),
    }
}

fn row_ref(row: &str, column: &str) -> Expr {
    Expr::CompoundIdentifier(vec![Ident::new(row), Ident::with_quote('"', column)])
}

fn and(a: Expr, b: Expr) -> Expr {
    Expr::BinaryOp {
        left: Box::new(nested(a)),
        op: BinaryOperator::And,
        right: Box::new(nested(b)),
    }
}

/// NOT of a condition, where NULL counts as false (an IF takes its ELSE).
fn not(e: Expr) -> Expr {
    Expr::UnaryOp {
        op: UnaryOperator::Not,
        expr: Box::new(nested(e)),
    }
}

/// `c IS TRUE`: an IF whose condition is NULL does not take the branch.
fn truthy(c: Expr) -> Expr {
    Expr::IsTrue(Box::new(nested(c)))
}

fn nested(e: Expr) -> Expr {
    match e {
        Expr::Nested(_) | Expr::Identifier(_) | Expr::CompoundIdentifier(_) | Expr::Value(_) => e,
        other => Expr::Nested(Box::new(other)),
    }
}

fn case(cond: Expr, then: Expr, otherwise: Expr) -> Expr {
    Expr::Case {
        case_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
        end_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
        operand: None,
        conditions: vec![sqlparser::ast::CaseWhen {
            condition: cond,
            result: then,
        }],
        else_result: Some(Box::new(otherwise)),
    }
}

/// A call the trigger's SQLite text spells `RAISE(IGNORE)` (see `SKIP_MARKER`).
fn raise_ignore() -> Expr {
    call(super::SKIP_MARKER, vec![])
}

/// `SELECT e [WHERE cond]`.
fn select(e: Expr, cond: Option<Expr>) -> Statement {
    let text = match cond {
        Some(c) => format!("SELECT {e} WHERE {c}"),
        None => format!("SELECT {e}"),
    };
    parse_statement(&text)
}

fn parse_statement(text: &str) -> Statement {
    sqlparser::parser::Parser::new(&sqlparser::dialect::PostgreSqlDialect {})
        .try_with_sql(text)
        .and_then(|mut p| p.parse_statement())
        .expect("compiler's own statement parses")
}

/// A statement that runs only when `cond` holds: UPDATE/DELETE with it in
/// WHERE, a one-row INSERT ... VALUES as INSERT ... SELECT ... WHERE, a
/// SELECT (PERFORM) filtered by it.
fn conditional(mut statement: Statement, cond: Expr) -> Statement {
    let add = |w: &mut Option<Expr>| {
        *w = Some(match w.take() {
            Some(old) => and(old, cond.clone()),
            None => cond.clone(),
        })
    };
    match &mut statement {
        Statement::Update(u) => add(&mut u.selection),
        Statement::Delete(d) => add(&mut d.selection),
        Statement::Insert(i) => {
            if let Some(source) = &mut i.source {
                if let SetExpr::Values(Values { rows, .. }) = source.body.as_ref() {
                    if let [row] = rows.as_slice() {
                        let items: Vec<String> = row.iter().map(ToString::to_string).collect();
                        let q = format!("SELECT {} WHERE {cond}", items.join(", "));
                        if let Statement::Query(query) = parse_statement(&q) {
                            *source = query;
                        }
                    }
                }
            }
        }
        Statement::Query(q) => {
            if let SetExpr::Select(s) = q.body.as_mut() {
                add(&mut s.selection);
            }
        }
        _ => {}
    }
    statement
}

/// RAISE's message: the format with each `%` replaced by the next
/// argument's text (`%%` is a percent sign, NULL prints as `<NULL>`).
/// DO blocks' RAISE uses it too.
pub(in crate::sql::translate) fn message(format: &str, args: Vec<Expr>) -> Expr {
    let mut parts: Vec<Expr> = Vec::new();
    let mut literal = String::new();
    let mut args = args.into_iter();
    let mut chars = format.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch == '%' {
            if chars.peek() == Some(&'%') {
                chars.next();
                literal.push('%');
                continue;
            }
            if let Some(arg) = args.next() {
                parts.push(string(std::mem::take(&mut literal)));
                // The value's output text (`format`'s %s: a boolean is
                // `t`, where a cast to text says `true`), NULL as <NULL>.
                let text = call("format", vec![string("%s"), nested(arg.clone())]);
                parts.push(Expr::Case {
                    case_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
                    end_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
                    operand: None,
                    conditions: vec![sqlparser::ast::CaseWhen {
                        condition: Expr::IsNull(Box::new(nested(arg))),
                        result: string("<NULL>"),
                    }],
                    else_result: Some(Box::new(text)),
                });
                continue;
            }
        }
        literal.push(ch);
    }
    parts.push(string(literal));
    parts
        .into_iter()
        .reduce(|a, b| Expr::BinaryOp {
            left: Box::new(a),
            op: BinaryOperator::StringConcat,
            right: Box::new(b),
        })
        .unwrap_or_else(|| string(""))
}

/// The SQLSTATE a `RAISE level` carries without `USING ERRCODE`, as
/// PL/pgSQL's: P0001 for an exception, 01000 for a warning, 00000 for the
/// other notices.
pub(crate) fn raise_default_code(level: &str) -> &'static str {
    match level {
        "exception" => "P0001",
        "warning" => "01000",
        _ => "00000",
    }
}
