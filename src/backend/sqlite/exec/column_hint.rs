//! PostgreSQL's HINT for a misspelled column (`Perhaps you meant to
//! reference the column "e.name".`): the closest column, by edit distance,
//! of the relations the statement reads, when at most half its letters
//! differ (PostgreSQL's rule), named with its relation's alias.

use rusqlite::Connection;
use sqlparser::ast::{SetExpr, Statement, TableFactor, TableWithJoins};
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;

/// The hint for `column` (as the error names it: `x` or `t.x`) missing
/// from `sql` (SQLite's text), if one column stands out.
pub(super) fn hint(db: &Connection, sql: &str, column: &str) -> Option<String> {
    crate::sql::stack::with_room_for_text(sql, || {
        let (qualifier, wanted) = match column.rsplit_once('.') {
            Some((q, c)) => (Some(q), c),
            None => (None, column),
        };
        let statements = Parser::parse_sql(&SQLiteDialect {}, sql).ok()?;
        let from: Vec<&TableWithJoins> = match statements.first()? {
            Statement::Query(q) => match q.body.as_ref() {
                SetExpr::Select(s) => s.from.iter().collect(),
                _ => return None,
            },
            Statement::Update(u) => std::iter::once(&u.table)
                .chain(u.from.iter().flat_map(|f| match f {
                    sqlparser::ast::UpdateTableFromKind::BeforeSet(t)
                    | sqlparser::ast::UpdateTableFromKind::AfterSet(t) => t.iter(),
                }))
                .collect(),
            _ => return None,
        };
        // (alias or table name, table)
        let mut relations = Vec::new();
        for t in from {
            for factor in std::iter::once(&t.relation).chain(t.joins.iter().map(|j| &j.relation)) {
                if let TableFactor::Table { name, alias, .. } = factor {
                    let table = name.0.last()?.as_ident()?.value.clone();
                    let shown = alias
                        .as_ref()
                        .map(|a| a.name.value.clone())
                        .unwrap_or_else(|| table.clone());
                    relations.push((shown, table));
                }
            }
        }
        // A qualified reference looks in the relation it names, if any does.
        if let Some(q) = qualifier {
            if relations
                .iter()
                .any(|(shown, _)| shown.eq_ignore_ascii_case(q))
            {
                relations.retain(|(shown, _)| shown.eq_ignore_ascii_case(q));
            }
        }
        let mut best: Vec<(String, String)> = Vec::new();
        let mut best_distance = usize::MAX;
        for (shown, table) in &relations {
            let mut stmt = db
                .prepare_cached("SELECT name FROM pragma_table_info(?1)")
                .ok()?;
            let columns: Vec<String> = stmt
                .query_map([table], |r| r.get(0))
                .ok()?
                .filter_map(Result::ok)
                .collect();
            for c in columns {
                let d = levenshtein(wanted, &c);
                if d > c.chars().count() / 2 || d > best_distance {
                    continue;
                }
                if d < best_distance {
                    best.clear();
                    best_distance = d;
                }
                best.push((shown.clone(), c));
            }
        }
        let name = |(t, c): &(String, String)| format!("\"{t}.{c}\"");
        match best.as_slice() {
            [one] => Some(format!(
                "Perhaps you meant to reference the column {}.",
                name(one)
            )),
            [a, b] if a.0 != b.0 => Some(format!(
                "Perhaps you meant to reference the column {} or the column {}.",
                name(a),
                name(b)
            )),
            _ => None,
        }
    })
}

/// Edits (insert, delete, substitute: 1 each) from `a` to `b`.
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let next = (row[j + 1] + 1).min(row[j] + 1).min(prev + cost);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    #[test]
    fn edit_distance() {
        assert_eq!(super::levenshtein("nme", "name"), 1);
        assert_eq!(super::levenshtein("kitten", "sitting"), 3);
        assert_eq!(super::levenshtein("", "ab"), 2);
    }
}
