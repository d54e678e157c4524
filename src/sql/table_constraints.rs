//! The constraints written in a table's stored CREATE TABLE text, with the
//! names PostgreSQL gives them, and where each sits in the text.
//!
//! SQLite keeps no constraint names: a constraint is a clause of the
//! table's definition. pg_constraint, `ALTER TABLE ... DROP CONSTRAINT` and
//! `RENAME CONSTRAINT` need the name PostgreSQL would report: the one
//! written after `CONSTRAINT`, or PostgreSQL's default (`t_pkey`,
//! `t_a_b_key`, `t_a_fkey`, `t_a_check` when the check reads one column,
//! else `t_check`; a repeated name gets `1`, `2`, ... as PostgreSQL's
//! ChooseConstraintName does). The text is read on tokens, so strings and
//! quoted names inside the definition cannot confuse it.

use std::ops::Range;

use sqlparser::dialect::SQLiteDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Location, Token, Tokenizer};

/// The comment ending a unique index that `ALTER TABLE ... ADD UNIQUE` /
/// `ADD PRIMARY KEY` made: SQLite keeps it in `sqlite_schema.sql`, and the
/// catalog (`sql::catalog::pg_class`, which spells them in its SQL) lists
/// such an index as that constraint.
pub const UNIQUE_INDEX: &str = "/* pgtenant:unique */";
pub const PRIMARY_KEY_INDEX: &str = "/* pgtenant:primary key */";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    PrimaryKey,
    Unique,
    Check,
    ForeignKey,
}

impl Kind {
    /// pg_constraint.contype.
    pub fn contype(self) -> &'static str {
        match self {
            Kind::PrimaryKey => "p",
            Kind::Unique => "u",
            Kind::Check => "c",
            Kind::ForeignKey => "f",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Constraint {
    pub name: String,
    pub kind: Kind,
    /// The constrained columns (for a CHECK: the columns it reads).
    pub columns: Vec<String>,
    /// The clause as written, without `CONSTRAINT name` (`CHECK (a > 0)`).
    pub definition: String,
    /// Where `CONSTRAINT name` (when written) ends and the clause begins.
    pub clause_start: usize,
    /// The bytes to cut to remove the constraint: a table constraint's
    /// leading comma through its end, or a column constraint's clause.
    pub range: Range<usize>,
    /// The byte range of the written name after `CONSTRAINT`, if any.
    pub name_range: Option<Range<usize>>,
}

impl Constraint {
    /// A CHECK's expression as written inside its parentheses: what SQLite
    /// names a failed unnamed check by (`CHECK constraint failed: a > 0`).
    pub fn check_expression(&self) -> Option<&str> {
        if self.kind != Kind::Check {
            return None;
        }
        let rest = self.definition.get(5..)?.trim();
        rest.strip_prefix('(')?.strip_suffix(')').map(str::trim)
    }
}

/// A significant token of a definition and its byte range.
pub(crate) struct Tok {
    pub token: Token,
    pub start: usize,
    pub end: usize,
}

impl Tok {
    fn keyword(&self) -> Option<Keyword> {
        match &self.token {
            Token::Word(w) if w.quote_style.is_none() => Some(w.keyword),
            _ => None,
        }
    }

    pub fn is(&self, k: Keyword) -> bool {
        self.keyword() == Some(k)
    }

    fn ident(&self) -> Option<&str> {
        match &self.token {
            Token::Word(w) => Some(&w.value),
            Token::SingleQuotedString(s) => Some(s),
            _ => None,
        }
    }
}

/// The significant tokens of `sql` with their byte ranges.
pub(crate) fn tokens(sql: &str) -> Option<Vec<Tok>> {
    let raw = Tokenizer::new(&SQLiteDialect {}, sql)
        .tokenize_with_location()
        .ok()?;
    // Locations count characters from 1 on each line: one forward pass
    // maps them to bytes (tokens come in text order).
    let mut locator = super::locator::Locator::new(sql);
    let mut byte = |l: Location| locator.offset(l.line, l.column).unwrap_or(sql.len());
    Some(
        raw.into_iter()
            .filter(|t| !matches!(t.token, Token::Whitespace(_) | Token::EOF))
            .map(|t| Tok {
                start: byte(t.span.start),
                end: byte(t.span.end),
                token: t.token,
            })
            .collect(),
    )
}

/// The index just past the parenthesised group opening at `open`.
fn close_of(toks: &[Tok], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate().skip(open) {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    toks.len()
}

fn names_in(toks: &[Tok]) -> Vec<String> {
    toks.iter()
        .filter(|t| matches!(t.token, Token::Word(_)))
        .filter_map(|t| t.ident().map(str::to_string))
        .collect()
}

/// The constraints of `table`, whose stored definition is `sql`, in the
/// order they are written.
pub fn constraints(table: &str, sql: &str) -> Vec<Constraint> {
    // Default names are made from the name within the table's schema
    // (`cd.members` -> `members_pkey`).
    let table = crate::sql::translate::schemas::relation_parts(table).1;
    let Some(toks) = tokens(sql) else {
        return Vec::new();
    };
    let Some(open) = toks.iter().position(|t| t.token == Token::LParen) else {
        return Vec::new();
    };
    // Top-level items between the outer parentheses, with the comma before.
    let mut items: Vec<(Range<usize>, Option<usize>)> = Vec::new();
    let (mut depth, mut start, mut comma) = (0usize, open + 1, None);
    for (i, t) in toks.iter().enumerate().skip(open) {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => {
                depth -= 1;
                if depth == 0 {
                    items.push((start..i, comma));
                    break;
                }
            }
            Token::Comma if depth == 1 => {
                items.push((start..i, comma));
                (start, comma) = (i + 1, Some(t.start));
            }
            _ => {}
        }
    }
    let starts_constraint = |t: &Tok| {
        matches!(
            t.keyword(),
            Some(
                Keyword::CONSTRAINT
                    | Keyword::PRIMARY
                    | Keyword::UNIQUE
                    | Keyword::CHECK
                    | Keyword::FOREIGN
            )
        )
    };
    let columns: Vec<String> = items
        .iter()
        .filter_map(|(r, _)| toks.get(r.start))
        .filter(|t| !starts_constraint(t))
        .filter_map(|t| t.ident().map(str::to_string))
        .collect();
    let reads = |range: &[Tok]| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (i, t) in range.iter().enumerate() {
            let Some(name) = t.ident() else { continue };
            let call = range.get(i + 1).is_some_and(|n| n.token == Token::LParen);
            if matches!(t.token, Token::Word(_)) && !call {
                if let Some(c) = columns.iter().find(|c| c.eq_ignore_ascii_case(name)) {
                    if !out.contains(c) {
                        out.push(c.clone());
                    }
                }
            }
        }
        out
    };
    let mut found = Vec::new();
    for (range, comma) in items {
        let item = &toks[range.clone()];
        let Some(first) = item.first() else { continue };
        if starts_constraint(first) {
            let (name, name_range, at) = match first.is(Keyword::CONSTRAINT) {
                true => match item.get(1) {
                    Some(n) => (n.ident().map(str::to_string), Some(n.start..n.end), 2),
                    None => continue,
                },
                false => (None, None, 0),
            };
            let Some(kind_tok) = item.get(at) else {
                continue;
            };
            let kind = match kind_tok.keyword() {
                Some(Keyword::PRIMARY) => Kind::PrimaryKey,
                Some(Keyword::UNIQUE) => Kind::Unique,
                Some(Keyword::CHECK) => Kind::Check,
                Some(Keyword::FOREIGN) => Kind::ForeignKey,
                _ => continue,
            };
            let rest = &item[at..];
            let cols = match kind {
                Kind::Check => reads(rest),
                _ => match rest.iter().position(|t| t.token == Token::LParen) {
                    Some(p) => names_in(&rest[p + 1..close_of(rest, p).saturating_sub(1)]),
                    None => Vec::new(),
                },
            };
            let end = item.last().map_or(kind_tok.end, |t| t.end);
            found.push(Constraint {
                name: name.unwrap_or_default(),
                kind,
                columns: cols,
                definition: sql[kind_tok.start..end].to_string(),
                clause_start: kind_tok.start,
                range: comma.unwrap_or(first.start)..end,
                name_range,
            });
            continue;
        }
        // A column definition: its name, type, then its constraints.
        let column = first.ident().unwrap_or_default().to_string();
        let mut named: Option<(String, Range<usize>, usize)> = None;
        let mut j = 1;
        while j < item.len() {
            let t = &item[j];
            let clause_from = |named: &Option<(String, Range<usize>, usize)>| {
                named.as_ref().map_or(t.start, |n| n.2)
            };
            let kind = match t.keyword() {
                Some(Keyword::CONSTRAINT) => {
                    if let Some(n) = item.get(j + 1) {
                        named = Some((
                            n.ident().unwrap_or_default().to_string(),
                            n.start..n.end,
                            t.start,
                        ));
                    }
                    j += 2;
                    continue;
                }
                Some(Keyword::CHECK) => Kind::Check,
                Some(Keyword::REFERENCES) => Kind::ForeignKey,
                Some(Keyword::PRIMARY) => Kind::PrimaryKey,
                Some(Keyword::UNIQUE) => Kind::Unique,
                _ => {
                    if t.token == Token::LParen {
                        j = close_of(item, j);
                    } else {
                        if t.keyword().is_some() {
                            named = None;
                        }
                        j += 1;
                    }
                    continue;
                }
            };
            let from = clause_from(&named);
            let end = match kind {
                Kind::Check => match item.get(j + 1) {
                    Some(p) if p.token == Token::LParen => close_of(item, j + 1),
                    _ => j + 1,
                },
                Kind::ForeignKey => references_end(item, j + 1),
                Kind::PrimaryKey => (j + 2).min(item.len()),
                Kind::Unique => j + 1,
            };
            let cols = match kind {
                Kind::Check => {
                    let read = reads(&item[j..end]);
                    if read.is_empty() {
                        vec![column.clone()]
                    } else {
                        read
                    }
                }
                _ => vec![column.clone()],
            };
            let last = item[end - 1].end;
            let (name, name_range) = match named.take() {
                Some((n, r, _)) => (n, Some(r)),
                None => (String::new(), None),
            };
            found.push(Constraint {
                name,
                kind,
                columns: cols,
                definition: sql[t.start..last].to_string(),
                clause_start: t.start,
                range: from..last,
                name_range,
            });
            j = end;
        }
    }
    // PostgreSQL's default names, unique within the table.
    let mut used: Vec<String> = found
        .iter()
        .filter(|c| !c.name.is_empty())
        .map(|c| c.name.clone())
        .collect();
    for c in found.iter_mut().filter(|c| c.name.is_empty()) {
        let base = default_name(table, c.kind, &c.columns);
        let mut name = base.clone();
        let mut n = 0;
        while used.iter().any(|u| u.eq_ignore_ascii_case(&name)) {
            n += 1;
            name = format!("{base}{n}");
        }
        used.push(name.clone());
        c.name = name;
    }
    found
}

/// PostgreSQL's name for an unnamed constraint on `columns` (before any
/// numeric suffix that keeps it unique).
fn default_name<S: AsRef<str>>(table: &str, kind: Kind, columns: &[S]) -> String {
    let joined = || {
        columns
            .iter()
            .map(AsRef::as_ref)
            .collect::<Vec<_>>()
            .join("_")
    };
    match kind {
        Kind::PrimaryKey => format!("{table}_pkey"),
        Kind::Unique => format!("{table}_{}_key", joined()),
        Kind::ForeignKey => format!("{table}_{}_fkey", joined()),
        Kind::Check => match columns {
            [one] => format!("{table}_{}_check", one.as_ref()),
            _ => format!("{table}_check"),
        },
    }
}

/// The name of the foreign key SQLite's `pragma_foreign_key_list` numbers
/// `id` (it numbers them from the last written).
pub fn foreign_key_name(table: &str, sql: &str, id: usize) -> Option<String> {
    let keys: Vec<Constraint> = constraints(table, sql)
        .into_iter()
        .filter(|c| c.kind == Kind::ForeignKey)
        .collect();
    let at = keys.len().checked_sub(id + 1)?;
    keys.into_iter().nth(at).map(|c| c.name)
}

/// The name of the table's PRIMARY KEY constraint: as written
/// (`CONSTRAINT name PRIMARY KEY (..)`), else PostgreSQL's `<table>_pkey`.
pub fn primary_key_name(table: &str, sql: &str) -> String {
    constraints(table, sql)
        .into_iter()
        .find(|c| c.kind == Kind::PrimaryKey)
        .map_or_else(
            || {
                format!(
                    "{}_pkey",
                    crate::sql::translate::schemas::relation_parts(table).1
                )
            },
            |c| c.name,
        )
}

/// The name of the UNIQUE constraint on `columns` (comma-separated);
/// PostgreSQL's default when the definition does not show it.
pub fn unique_name(table: &str, sql: &str, columns: &str) -> String {
    let wanted: Vec<&str> = columns.split(',').map(str::trim).collect();
    constraints(table, sql)
        .into_iter()
        .find(|c| {
            c.kind == Kind::Unique
                && c.columns.len() == wanted.len()
                && c.columns
                    .iter()
                    .zip(&wanted)
                    .all(|(a, b)| a.eq_ignore_ascii_case(b))
        })
        .map_or_else(|| default_name(table, Kind::Unique, &wanted), |c| c.name)
}

/// The CHECK constraints as a JSON array of `[name, definition, pretty
/// definition]`, for the catalog's pg_constraint; `deparse` gives a check
/// expression's definition as PostgreSQL prints it where it can (see
/// `check_def`), the pretty one is the stored text (close to PostgreSQL's
/// pretty form, which drops the parentheses precedence makes redundant).
pub fn checks_json(table: &str, sql: &str, deparse: &dyn Fn(&str) -> Option<String>) -> String {
    let list: Vec<serde_json::Value> = constraints(table, sql)
        .into_iter()
        .filter(|c| c.kind == Kind::Check)
        .map(|c| {
            let definition = c
                .check_expression()
                .and_then(deparse)
                .unwrap_or_else(|| c.definition.clone());
            serde_json::json!([c.name, definition, c.definition])
        })
        .collect();
    serde_json::Value::Array(list).to_string()
}

/// `REFERENCES t [(cols)] [ON DELETE|UPDATE action]... [MATCH m]
/// [[NOT] DEFERRABLE] [INITIALLY DEFERRED|IMMEDIATE]`: the index past it,
/// given the index after REFERENCES.
fn references_end(item: &[Tok], mut j: usize) -> usize {
    j += 1; // the referenced table
    if item.get(j).is_some_and(|t| t.token == Token::LParen) {
        j = close_of(item, j);
    }
    loop {
        let at = |k: usize, kw: Keyword| item.get(k).is_some_and(|t| t.is(kw));
        if at(j, Keyword::ON) && (at(j + 1, Keyword::DELETE) || at(j + 1, Keyword::UPDATE)) {
            j += 2;
            j += if at(j, Keyword::SET) || at(j, Keyword::NO) {
                2
            } else {
                1
            };
        } else if at(j, Keyword::MATCH)
            || at(j, Keyword::INITIALLY)
            || (at(j, Keyword::NOT) && at(j + 1, Keyword::DEFERRABLE))
        {
            j += 2;
        } else if at(j, Keyword::DEFERRABLE) {
            j += 1;
        } else {
            return j.min(item.len());
        }
    }
}

/// The expression of generated column `column` in a stored CREATE TABLE
/// text, as PostgreSQL prints it (`(a * 2)`); `None` for other columns.
pub fn generation_expression(sql: &str, column: &str) -> Option<String> {
    crate::sql::stack::with_room_for_text(sql, || {
        use sqlparser::ast::{ColumnOption, Expr, Statement};
        let statement = sqlparser::parser::Parser::parse_sql(&SQLiteDialect {}, sql)
            .ok()?
            .pop()?;
        let Statement::CreateTable(table) = statement else {
            return None;
        };
        let def = table
            .columns
            .iter()
            .find(|c| c.name.value.eq_ignore_ascii_case(column))?;
        def.options.iter().find_map(|o| match &o.option {
            ColumnOption::Generated {
                generation_expr: Some(e),
                ..
            } => Some(match e {
                Expr::Identifier(_) | Expr::Function(_) | Expr::Value(_) | Expr::Nested(_) => {
                    e.to_string()
                }
                _ => format!("({e})"),
            }),
            _ => None,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(table: &str, sql: &str) -> Vec<(String, &'static str, String)> {
        constraints(table, sql)
            .into_iter()
            .map(|c| (c.name, c.kind.contype(), c.columns.join(",")))
            .collect()
    }

    #[test]
    fn names_follow_postgres() {
        let sql = "CREATE TABLE transfers (id uuid PRIMARY KEY DEFAULT (lower(hex(randomblob(4)))), \
            src int8 NOT NULL REFERENCES accounts (id) ON DELETE CASCADE, \
            dst int8 NOT NULL CHECK (dst > 0) REFERENCES accounts (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED, \
            amount numeric(12, 2) NOT NULL CONSTRAINT pos CHECK (amount > 0), \"note\" text UNIQUE, \
            CONSTRAINT positive CHECK (amount > 0), CHECK (src <> dst), CHECK (lower('src') = 'x'), \
            CONSTRAINT transfers_dst_fk FOREIGN KEY (dst) REFERENCES accounts(id), CHECK (amount < 1000), \
            UNIQUE (src, dst))";
        let s = summary("transfers", sql);
        let want = [
            ("transfers_pkey", "p", "id"),
            ("transfers_src_fkey", "f", "src"),
            ("transfers_dst_check", "c", "dst"),
            ("transfers_dst_fkey", "f", "dst"),
            ("pos", "c", "amount"),
            ("transfers_note_key", "u", "note"),
            ("positive", "c", "amount"),
            ("transfers_check", "c", "src,dst"),
            ("transfers_check1", "c", ""),
            ("transfers_dst_fk", "f", "dst"),
            ("transfers_amount_check", "c", "amount"),
            ("transfers_src_dst_key", "u", "src,dst"),
        ];
        let got: Vec<(&str, &str, &str)> = s
            .iter()
            .map(|(a, b, c)| (a.as_str(), *b, c.as_str()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn check_expressions_read_inside_their_parentheses() {
        let sql = "CREATE TABLE t (a int CHECK (a > 0), b int, CHECK ((a > 0) OR (b < 1)))";
        let exprs: Vec<String> = constraints("t", sql)
            .iter()
            .filter_map(|c| c.check_expression().map(str::to_string))
            .collect();
        assert_eq!(exprs, ["a > 0", "(a > 0) OR (b < 1)"]);
    }

    #[test]
    fn ranges_cut_cleanly() {
        let sql = "CREATE TABLE t (a int CONSTRAINT a_pos CHECK (a > 0) NOT NULL, b int REFERENCES p (id) ON DELETE CASCADE, CHECK (a < b), CONSTRAINT f FOREIGN KEY (b) REFERENCES p(id))";
        let cut = |name: &str| {
            let c = constraints("t", sql)
                .into_iter()
                .find(|c| c.name == name)
                .unwrap();
            format!("{}{}", &sql[..c.range.start], &sql[c.range.end..])
        };
        assert_eq!(
            cut("a_pos"),
            "CREATE TABLE t (a int  NOT NULL, b int REFERENCES p (id) ON DELETE CASCADE, CHECK (a < b), CONSTRAINT f FOREIGN KEY (b) REFERENCES p(id))"
        );
        assert_eq!(
            cut("t_b_fkey"),
            "CREATE TABLE t (a int CONSTRAINT a_pos CHECK (a > 0) NOT NULL, b int , CHECK (a < b), CONSTRAINT f FOREIGN KEY (b) REFERENCES p(id))"
        );
        assert_eq!(
            cut("t_check"),
            "CREATE TABLE t (a int CONSTRAINT a_pos CHECK (a > 0) NOT NULL, b int REFERENCES p (id) ON DELETE CASCADE, CONSTRAINT f FOREIGN KEY (b) REFERENCES p(id))"
        );
        assert_eq!(
            cut("f"),
            "CREATE TABLE t (a int CONSTRAINT a_pos CHECK (a > 0) NOT NULL, b int REFERENCES p (id) ON DELETE CASCADE, CHECK (a < b))"
        );
    }
}
