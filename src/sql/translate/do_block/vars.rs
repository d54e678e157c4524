//! The block's variables while it is compiled: which names are in scope,
//! and statements with the variables they read turned into parameters, as
//! PL/pgSQL does (a variable stands for a value wherever an expression may
//! appear in SELECT, INSERT, UPDATE and DELETE; other statements are taken
//! as written, and EXECUTE builds their text instead).

use std::ops::ControlFlow;

use sqlparser::ast::{visit_expressions_mut, CastKind, DataType, Expr, Ident, Statement, Value};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::super::error::other;
use super::super::TranslateError;
use super::{DoQuery, VarDef, VarRef};
use crate::sql::pgtype::PgType;

pub(super) struct Scope {
    pub vars: Vec<VarDef>,
    /// The declared types as written, for the casts that type parameters.
    data_types: Vec<Option<DataType>>,
    constants: Vec<bool>,
    /// The slots each open block or loop declares, innermost last.
    frames: Vec<Vec<usize>>,
}

impl Scope {
    pub fn new() -> Scope {
        let mut scope = Scope {
            vars: Vec::new(),
            data_types: Vec::new(),
            constants: Vec::new(),
            frames: vec![Vec::new()],
        };
        // Slot 0: FOUND.
        scope.declare("found", Some(DataType::Boolean), false, false);
        scope
    }

    pub fn push(&mut self) {
        self.frames.push(Vec::new());
    }

    pub fn pop(&mut self) {
        self.frames.pop();
    }

    /// A new variable in the innermost frame; a `data_type` gives its type
    /// (`None`: the type of what is assigned).
    pub fn declare(
        &mut self,
        name: &str,
        data_type: Option<DataType>,
        record: bool,
        constant: bool,
    ) -> usize {
        let slot = self.vars.len();
        let ty = data_type.as_ref().map(|d| {
            super::super::types::pg_type(d).unwrap_or(PgType::Text) // enums and domains read as text
        });
        self.vars.push(VarDef {
            name: name.to_owned(),
            ty,
            record,
        });
        self.data_types.push(data_type);
        self.constants.push(constant);
        if let Some(frame) = self.frames.last_mut() {
            frame.push(slot);
        }
        slot
    }

    /// The innermost variable called `name` (already case-folded).
    pub fn lookup(&self, name: &str) -> Option<usize> {
        self.frames
            .iter()
            .rev()
            .flat_map(|f| f.iter().rev())
            .copied()
            .find(|&s| self.vars[s].name == name)
    }

    pub fn is_record(&self, slot: usize) -> bool {
        self.vars[slot].record
    }

    /// A variable a statement assigns to: not CONSTANT.
    pub fn assignable(&self, slot: usize) -> Result<usize, TranslateError> {
        if self.constants[slot] {
            return Err(other(
                "22005",
                format!("variable \"{}\" is declared CONSTANT", self.vars[slot].name),
            ));
        }
        Ok(slot)
    }

    /// `SELECT (a), (b), ...` for expressions of the block.
    pub fn select(&self, exprs: &[String]) -> Result<DoQuery, TranslateError> {
        let list: Vec<String> = exprs.iter().map(|e| format!("({e})")).collect();
        self.query(&format!("SELECT {}", list.join(", ")))
            .map_err(|e| match e.code {
                "42601" => other("42601", format!("{} in PL/pgSQL expression", e.message)),
                _ => e,
            })
    }

    /// `SELECT expr` cast to `slot`'s declared type: the value an
    /// assignment or a default gives it.
    pub fn value_for(&self, slot: usize, expr: &str) -> Result<DoQuery, TranslateError> {
        let as_type = self.data_types[slot]
            .as_ref()
            .filter(|_| !self.vars[slot].record);
        self.value_as(as_type, expr)
    }

    /// `SELECT CAST((expr) AS type)`, or `SELECT (expr)` with no type.
    pub fn value_as(&self, ty: Option<&DataType>, expr: &str) -> Result<DoQuery, TranslateError> {
        match ty {
            Some(dt) => self.select(&[format!("CAST(({expr}) AS {dt})")]),
            None => self.select(&[expr.to_owned()]),
        }
    }

    /// One statement of the block, translated to exactly one statement.
    pub fn query(&self, text: &str) -> Result<DoQuery, TranslateError> {
        let mut all = self.queries(text)?;
        match (all.len(), all.pop()) {
            (1, Some(q)) => Ok(q),
            _ => Err(other("42601", "syntax error in PL/pgSQL statement")),
        }
    }

    /// A statement of the block translated (one PostgreSQL statement may
    /// need several SQLite ones; only the last may read variables).
    pub fn queries(&self, text: &str) -> Result<Vec<DoQuery>, TranslateError> {
        let Some((text, binds)) = self.substitute(text) else {
            return Ok(super::super::translate(text)?
                .into_iter()
                .map(|t| DoQuery {
                    t: Box::new(t),
                    binds: Vec::new(),
                })
                .collect());
        };
        let mut out: Vec<DoQuery> = super::super::translate(&text)?
            .into_iter()
            .map(|t| DoQuery {
                t: Box::new(t),
                binds: Vec::new(),
            })
            .collect();
        match out.last_mut() {
            Some(last) if last.t.params.len() <= binds.len() => last.binds = binds,
            _ => return Err(other("42601", "syntax error in PL/pgSQL statement")),
        }
        Ok(out)
    }

    /// The statement with each variable it reads as `$n` (typed by a cast
    /// where declared), and what `$1..` stand for; `None` when it reads
    /// none (or is not a statement variables appear in).
    fn substitute(&self, text: &str) -> Option<(String, Vec<VarRef>)> {
        let mut stmts = Parser::parse_sql(&PostgreSqlDialect {}, text).ok()?;
        let [stmt] = stmts.as_mut_slice() else {
            return None;
        };
        if !matches!(
            stmt,
            Statement::Query(_)
                | Statement::Insert(_)
                | Statement::Update(_)
                | Statement::Delete(_)
        ) {
            return None;
        }
        let mut binds: Vec<VarRef> = Vec::new();
        let _ = visit_expressions_mut(stmt, |e| {
            let found = match e {
                Expr::Identifier(id) => self.lookup(&fold(id)).map(VarRef::Var),
                Expr::CompoundIdentifier(parts) if parts.len() == 2 => self
                    .lookup(&fold(&parts[0]))
                    .filter(|&s| self.is_record(s))
                    .map(|s| VarRef::Field(s, fold(&parts[1]))),
                _ => None,
            };
            if let Some(r) = found {
                let n = match binds.iter().position(|b| *b == r) {
                    Some(i) => i + 1,
                    None => {
                        binds.push(r.clone());
                        binds.len()
                    }
                };
                *e = self.parameter(n, &r);
            }
            ControlFlow::<()>::Continue(())
        });
        if binds.is_empty() {
            return None;
        }
        Some((stmt.to_string(), binds))
    }

    /// `$n`, cast to the variable's declared type.
    fn parameter(&self, n: usize, r: &VarRef) -> Expr {
        let placeholder = Expr::value(Value::Placeholder(format!("${n}")));
        match r {
            VarRef::Var(slot) if !self.vars[*slot].record => match &self.data_types[*slot] {
                Some(dt) => Expr::Nested(Box::new(Expr::Cast {
                    kind: CastKind::DoubleColon,
                    expr: Box::new(placeholder),
                    data_type: dt.clone(),
                    format: None,
                })),
                None => placeholder,
            },
            _ => placeholder,
        }
    }
}

/// An identifier as PostgreSQL folds it.
pub(in crate::sql::translate) fn fold(id: &Ident) -> String {
    match id.quote_style {
        None => id.value.to_ascii_lowercase(),
        Some(_) => id.value.clone(),
    }
}
