//! Result column types that depend on the schema: `max(batch)`, `sum(n)`,
//! `price * 2`. SQLite reports a declared type only for a bare column, and
//! the translator sees no schema, so for a statement with such columns the
//! translation keeps its parsed form; the executor hands in the declared
//! columns of the tables it reads and the same typing rules run again.

use super::ast::base_name;
use crate::sql::pgtype::PgType;
use sqlparser::ast::{visit_expressions, visit_relations, Expr, Statement};
use std::ops::ControlFlow;
use std::sync::Arc;

/// A statement whose result types are worked out again against the schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Retype(Arc<Statement>);

/// A table's declared columns, in order.
pub type TableColumns = Vec<TableColumn>;

/// One declared column: its name, type and (for `numeric(p, s)`) scale.
#[derive(Debug, Clone, PartialEq)]
pub struct TableColumn {
    pub name: String,
    pub ty: PgType,
    pub scale: Option<u16>,
}

impl TableColumn {
    /// From `pragma_table_info`'s name and declared type text.
    pub fn from_decl(name: String, decl: &str) -> TableColumn {
        let ty = PgType::from_decl(decl);
        let scale = match ty {
            PgType::Numeric | PgType::Array(crate::sql::pgtype::ArrayElem::Numeric) => {
                PgType::numeric_scale(decl)
            }
            _ => None,
        };
        TableColumn { name, ty, scale }
    }
}

/// What the schema says of a statement's result columns.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Retyped {
    pub types: Vec<Option<PgType>>,
    /// Numeric display scales (see `scale.rs`); may be empty.
    pub scales: Vec<Option<u16>>,
}

impl Retype {
    /// Kept only when some result column is unknown and a real table is read.
    pub(super) fn for_statement(
        statement: &mut Statement,
        columns: &[Option<PgType>],
    ) -> Option<Retype> {
        // RETURNING lists are bare columns more often than not (typed by
        // their declarations), and an INSERT's text may be large: a data
        // change keeps its parse only for an item the schema must type
        // (`RETURNING doc || '{..}'`).
        let returning = match statement {
            Statement::Query(_) => true,
            Statement::Update(u) => u.returning.is_some(),
            Statement::Delete(d) => d.returning.is_some(),
            Statement::Insert(i) => i.returning.is_some(),
            _ => false,
        };
        if !returning {
            return None;
        }
        let unknown = columns.is_empty() || columns.iter().any(Option::is_none);
        let reads_table = visit_relations(statement, |_| ControlFlow::Break(())).is_break()
            || !super::populate::tables_read(statement).is_empty();
        // A function the translator does not know may be the tenant's.
        let calls = || {
            visit_expressions(statement, |e| match e {
                Expr::Function(_) => ControlFlow::Break(()),
                _ => ControlFlow::Continue(()),
            })
            .is_break()
        };
        (unknown && (reads_table || calls())).then(|| Retype(Arc::new(typing_copy(statement))))
    }

    /// A view's PostgreSQL query, to type its computed columns.
    pub fn for_view(query: Statement) -> Retype {
        Retype(Arc::new(query))
    }

    /// The functions the statement calls (folded, unqualified), each once:
    /// the executor tells the return types of those the tenant defined.
    pub fn functions(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let _ = visit_expressions(self.0.as_ref(), |e| {
            if let Expr::Function(f) = e {
                let name = base_name(&f.name);
                if !out.contains(&name) {
                    out.push(name);
                }
            }
            ControlFlow::<()>::Continue(())
        });
        out
    }

    /// The tables the statement names (folded, unqualified), each once.
    /// Catalog views are left out: their SQLite declarations are coarser
    /// than the types the catalog pass gives them (oid, name, oid[]).
    pub fn tables(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let _ = visit_relations(self.0.as_ref(), |name| {
            let base = base_name(name);
            if crate::sql::catalog::relation(&base).is_none() && !out.contains(&base) {
                out.push(base);
            }
            ControlFlow::<()>::Continue(())
        });
        // Row types (`jsonb_populate_record(null::t, j)`) name tables too.
        for t in super::populate::tables_read(self.0.as_ref()) {
            if !out.contains(&t) {
                out.push(t);
            }
        }
        out
    }

    /// The result column types with the tables' columns known (`schema`
    /// from [`Retype::tables`]; a table missing from it stays unknown).
    pub fn types(
        &self,
        schema: Vec<(String, TableColumns)>,
        functions: Vec<(String, PgType)>,
    ) -> Retyped {
        super::columns::with_schema(schema, functions, || {
            let mut types = super::columns::infer(&self.0);
            super::catalog::result_types(&self.0, &mut types);
            let scales = match self.0.as_ref() {
                Statement::Query(q) => super::columns::result_scales(q),
                _ => Vec::new(),
            };
            Retyped { types, scales }
        })
    }
}

/// A copy of `statement` with what cannot type a result column left out:
/// a query's WHERE, ORDER BY, LIMIT / OFFSET / FETCH and locking clauses
/// (an ORM's filters are most of its statement, and copying them cost more
/// than the rest of the copy). Result columns, FROM, WITH, GROUP BY and
/// HAVING stay, so [`Retype::tables`] and [`Retype::functions`] still name
/// every table and function a result column can read.
fn typing_copy(statement: &mut Statement) -> Statement {
    let Statement::Query(query) = statement else {
        return statement.clone();
    };
    let order_by = query.order_by.take();
    let limit_clause = query.limit_clause.take();
    let fetch = query.fetch.take();
    let locks = std::mem::take(&mut query.locks);
    let selection = match query.body.as_mut() {
        sqlparser::ast::SetExpr::Select(select) => select.selection.take(),
        _ => None,
    };
    let copy = Statement::Query(query.clone());
    query.order_by = order_by;
    query.limit_clause = limit_clause;
    query.fetch = fetch;
    query.locks = locks;
    if let sqlparser::ast::SetExpr::Select(select) = query.body.as_mut() {
        select.selection = selection;
    }
    copy
}

/// Chooses result column types before the first row: the declared type,
/// else the translator's hint, else the schema's answer (looked up only
/// when some column has neither).
pub struct ResultTypes<'a> {
    n: usize,
    hints: &'a [Option<PgType>],
    retype: Option<&'a Retype>,
}

impl<'a> ResultTypes<'a> {
    /// Hints are positional: a list of another length than the `n` result
    /// columns (a `*` expanded differently) says nothing.
    pub fn new(n: usize, hints: &'a [Option<PgType>], retype: Option<&'a Retype>) -> Self {
        let hints = if hints.len() == n { hints } else { &[] };
        ResultTypes { n, hints, retype }
    }

    /// The statement to work out again, when a column with no declared
    /// type has no hint either.
    pub fn wants_schema(&self, decl: impl Fn(usize) -> Option<PgType>) -> Option<&'a Retype> {
        let retype = self.retype?;
        (0..self.n)
            .any(|i| decl(i).is_none() && self.hint(i).is_none())
            .then_some(retype)
    }

    /// Column `i`'s type if known; `retyped` is the schema's answer (empty
    /// when not looked up).
    pub fn pick(
        &self,
        i: usize,
        decl: Option<PgType>,
        retyped: &[Option<PgType>],
    ) -> Option<PgType> {
        decl.or_else(|| self.hint(i))
            .or_else(|| (retyped.len() == self.n).then(|| retyped[i]).flatten())
    }

    fn hint(&self, i: usize) -> Option<PgType> {
        self.hints.get(i).copied().flatten()
    }
}

/// Column `i`'s numeric display scale: the declared column's, else the
/// statement's own (`scales`), else the schema's answer.
pub fn pick_scale(
    i: usize,
    decl: Option<u16>,
    scales: &[Option<u16>],
    retyped: &Retyped,
) -> Option<u16> {
    decl.or_else(|| scales.get(i).copied().flatten())
        .or_else(|| retyped.scales.get(i).copied().flatten())
}
