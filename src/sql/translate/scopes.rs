//! The names a column reference may resolve to while a statement is
//! rewritten: the FROM items of each query level and the WITH queries in
//! scope. Rewrites that depend on a column's type ask here; what the
//! translation cannot know becomes a `scopes` argument for a run-time
//! declaration lookup (`pg_column_type(scopes, column)`):
//! `t1,t2;outer`, innermost level first. A `?` entry is a relation whose
//! columns are unknown (the search stops at its level); `=type` is a WITH
//! query's column whose type its first SELECT gives (SQLite declares no
//! type for it, so the run-time lookup could not find one).

use std::borrow::Cow;

use crate::sql::pgtype::PgType;
use sqlparser::ast::{Query, Select, Statement, TableFactor, TableWithJoins};

/// A WITH query's columns: names and types where known.
pub(super) type CteColumns = Vec<(String, Option<PgType>)>;

/// The FROM items visible at each query level, innermost last (the name
/// an expression qualifies with, the base table or WITH query or `None`
/// for a derived one), and the WITH queries in scope, innermost last.
#[derive(Clone)]
pub(super) struct Scopes {
    levels: Vec<Vec<(String, Option<String>)>>,
    ctes: Vec<Vec<(String, CteColumns)>>,
}

thread_local! {
    /// The table whose rows NEW and OLD are, while a trigger function's
    /// statements translate (see [`TriggerRows`]).
    static TRIGGER_TABLE: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// While alive, statements translate as a trigger's body on `table`: `NEW.col`
/// and `OLD.col` are that table's columns.
pub(super) struct TriggerRows;

impl TriggerRows {
    pub(super) fn on(table: &str) -> TriggerRows {
        TRIGGER_TABLE.with(|t| *t.borrow_mut() = Some(table.to_owned()));
        TriggerRows
    }
}

impl Drop for TriggerRows {
    fn drop(&mut self) {
        TRIGGER_TABLE.with(|t| *t.borrow_mut() = None);
    }
}

impl Default for Scopes {
    fn default() -> Self {
        let rows = TRIGGER_TABLE.with(|t| t.borrow().clone());
        let levels = match rows {
            Some(table) => vec![vec![
                ("new".to_owned(), Some(table.clone())),
                ("old".to_owned(), Some(table)),
            ]],
            None => Vec::new(),
        };
        Scopes {
            levels,
            ctes: Vec::new(),
        }
    }
}

impl Scopes {
    /// A query's SELECT is pushed for the query (its ORDER BY sees the
    /// same items) and again for the SELECT itself: the second time adds
    /// an empty level, which changes no lookup.
    pub(super) fn push_select(&mut self, select: &Select) {
        self.push(&select.from);
        let n = self.levels.len();
        if n >= 2 && self.levels[n - 1] == self.levels[n - 2] {
            self.levels[n - 1].clear();
        }
    }

    /// UPDATE and DELETE name their table outside any SELECT.
    pub(super) fn push_statement(&mut self, statement: &Statement) -> bool {
        match statement {
            Statement::Update(u) => {
                let mut items = vec![u.table.clone()];
                if let Some(sqlparser::ast::UpdateTableFromKind::AfterSet(f)) = &u.from {
                    items.extend(f.iter().cloned());
                }
                self.push(&items);
                true
            }
            Statement::Delete(d) => {
                let tables = match &d.from {
                    sqlparser::ast::FromTable::WithFromKeyword(t)
                    | sqlparser::ast::FromTable::WithoutKeyword(t) => t,
                };
                self.push(tables);
                true
            }
            _ => false,
        }
    }

    /// A level with nothing in it (a VALUES or set operation body).
    pub(super) fn push_none(&mut self) {
        self.levels.push(Vec::new());
    }

    pub(super) fn pop(&mut self) {
        self.levels.pop();
    }

    fn push(&mut self, from: &[TableWithJoins]) {
        let mut level = Vec::new();
        for t in from {
            level.push(item(&t.relation));
            level.extend(t.joins.iter().map(|j| item(&j.relation)));
        }
        self.levels.push(level);
    }

    /// A query's WITH queries come into scope (for the query and, in a
    /// recursive WITH, for their own bodies), with their columns as their
    /// first SELECT types them; `pop_ctes` at the query's end.
    pub(super) fn push_ctes(&mut self, query: &Query) {
        self.ctes.push(
            query
                .with
                .iter()
                .flat_map(|w| &w.cte_tables)
                .map(|cte| {
                    let mut columns = super::columns::query_named_columns(&cte.query);
                    for (c, alias) in columns.iter_mut().zip(&cte.alias.columns) {
                        c.0 = alias.name.value.clone();
                    }
                    (cte.alias.name.value.clone(), columns)
                })
                .collect(),
        );
    }

    pub(super) fn pop_ctes(&mut self) {
        self.ctes.pop();
    }

    /// Whether any WITH query is in scope.
    pub(super) fn has_ctes(&self) -> bool {
        !self.ctes.iter().all(Vec::is_empty)
    }

    /// The WITH queries in scope, by name.
    pub(super) fn cte_names(&self) -> impl Iterator<Item = &str> {
        self.ctes.iter().flatten().map(|(name, _)| name.as_str())
    }

    /// The columns of the WITH query `name` names, innermost first.
    pub(super) fn cte(&self, name: &str) -> Option<&CteColumns> {
        self.ctes
            .iter()
            .rev()
            .flatten()
            .find(|(cte, _)| cte.eq_ignore_ascii_case(name))
            .map(|(_, columns)| columns)
    }

    /// The type of `column` of the WITH query `name`, where known.
    pub(super) fn cte_column_type(&self, name: &str, column: &str) -> Option<PgType> {
        self.cte(name)?
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(column))
            .and_then(|(_, t)| *t)
    }

    /// The table or WITH query an alias (or unaliased name) in scope
    /// stands for, innermost first.
    pub(super) fn base_of(&self, qualifier: &str) -> Option<String> {
        self.levels.iter().rev().find_map(|level| {
            level
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(qualifier))
                .and_then(|(_, base)| base.clone())
        })
    }

    /// The innermost FROM clause's items: the name each goes by, and the
    /// table or WITH query it reads (`None` for a derived table).
    pub(super) fn innermost_items(&self) -> &[(String, Option<String>)] {
        self.levels
            .iter()
            .rev()
            .find(|level| !level.is_empty())
            .map_or(&[], Vec::as_slice)
    }

    /// The tables or WITH queries of the innermost FROM clause.
    pub(super) fn innermost_bases(&self) -> Vec<String> {
        self.levels
            .iter()
            .rev()
            .find(|level| !level.is_empty())
            .map(|level| level.iter().filter_map(|(_, base)| base.clone()).collect())
            .unwrap_or_default()
    }

    /// The `scopes` argument for a column reference, or `None` when no
    /// relation in scope can hold it.
    pub(super) fn tables_for(&self, qualifier: Option<&str>, column: &str) -> Option<String> {
        if column.is_empty() {
            return None;
        }
        if let Some(q) = qualifier {
            let base = self.levels.iter().rev().find_map(|level| {
                level
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(q))
                    .map(|(_, base)| base.as_deref())
            })??;
            return self.entry(base, column).map(Cow::into_owned);
        }
        let levels: Vec<String> = self
            .levels
            .iter()
            .rev()
            .filter(|level| !level.is_empty())
            .map(|level| {
                let names: Vec<Cow<str>> = level
                    .iter()
                    .filter_map(|(_, base)| match base {
                        Some(base) => self.entry(base, column),
                        None => Some(Cow::Borrowed("?")),
                    })
                    .collect();
                names.join(",")
            })
            .collect();
        (!levels.is_empty()).then(|| levels.join(";"))
    }

    /// A relation's entry in a `scopes` argument for `column`: a table's
    /// name, or for a WITH query its column's type (`=date`), `?` when
    /// that is unknown, nothing when it has no such column.
    fn entry<'a>(&self, base: &'a str, column: &str) -> Option<Cow<'a, str>> {
        let Some(columns) = self.cte(base) else {
            return Some(Cow::Borrowed(base));
        };
        if columns.is_empty() {
            return Some(Cow::Borrowed("?"));
        }
        let (_, ty) = columns
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(column))?;
        Some(match ty {
            Some(ty) => Cow::Owned(format!("={}", ty.name())),
            None => Cow::Borrowed("?"),
        })
    }
}

fn item(factor: &TableFactor) -> (String, Option<String>) {
    match factor {
        TableFactor::Table {
            name, alias, args, ..
        } if args.is_none() => {
            let base = super::ast::base_name(name);
            let visible = alias
                .as_ref()
                .map_or_else(|| base.clone(), |a| a.name.value.clone());
            (visible, Some(base))
        }
        other => {
            let alias = match other {
                TableFactor::Derived { alias, .. }
                | TableFactor::Table { alias, .. }
                | TableFactor::Function { alias, .. }
                | TableFactor::UNNEST { alias, .. } => alias.as_ref(),
                _ => None,
            };
            (
                alias.map(|a| a.name.value.clone()).unwrap_or_default(),
                None,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::ast::SetExpr;

    fn query(sql: &str) -> Query {
        let mut statements =
            sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::PostgreSqlDialect {}, sql)
                .unwrap();
        match statements.remove(0) {
            Statement::Query(q) => *q,
            other => panic!("not a query: {other}"),
        }
    }

    /// The `scopes` argument for `column` in the outer SELECT of `sql`.
    fn tables_for(sql: &str, qualifier: Option<&str>, column: &str) -> Option<String> {
        let q = query(sql);
        let mut scopes = Scopes::default();
        scopes.push_ctes(&q);
        let SetExpr::Select(select) = q.body.as_ref() else {
            panic!("not a SELECT");
        };
        scopes.push_select(select);
        scopes.tables_for(qualifier, column)
    }

    #[test]
    fn with_query_columns_carry_their_known_type() {
        let sql = "WITH days(d, n) AS (SELECT date '2024-01-01', x FROM t) \
                   SELECT * FROM days, orders o";
        // A typed column: its type; the table after it is not searched
        // by the run-time lookup, which stops at the first entry found.
        assert_eq!(tables_for(sql, None, "d").as_deref(), Some("=date,orders"));
        // A column the first SELECT does not type: unknown, the search
        // stops at this level.
        assert_eq!(tables_for(sql, None, "n").as_deref(), Some("?,orders"));
        // A column the WITH query lacks: only the table can hold it.
        assert_eq!(tables_for(sql, None, "total").as_deref(), Some("orders"));
        assert_eq!(tables_for(sql, Some("days"), "d").as_deref(), Some("=date"));
        assert_eq!(tables_for(sql, Some("days"), "total"), None);
        assert_eq!(
            tables_for(sql, Some("o"), "total").as_deref(),
            Some("orders")
        );
        // A WITH query whose columns are unknown (`*`): `?`.
        let star = "WITH c AS (SELECT * FROM t) SELECT * FROM c";
        assert_eq!(tables_for(star, None, "a").as_deref(), Some("?"));
        // Without WITH, names are tables, as before.
        assert_eq!(
            tables_for("SELECT * FROM a, b x", None, "c").as_deref(),
            Some("a,b")
        );
    }
}
