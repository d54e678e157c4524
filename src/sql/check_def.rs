//! `pg_get_constraintdef` of a CHECK constraint as PostgreSQL deparses it
//! (ruleutils): every operator application in parentheses, AND/OR chains
//! flattened, `IN (...)` as `= ANY (ARRAY[...])`, `BETWEEN` as two
//! comparisons, and constants with the casts PostgreSQL's parse added
//! (`price > (0)::numeric` on a numeric column, `status = 'a'::text`,
//! `(v)::text <> ''::text` on a varchar). Works on the stored (SQLite)
//! expression with the table's column types; any shape not covered here
//! gives `None`, and the caller keeps the stored text.

use sqlparser::ast::{
    BinaryOperator, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, UnaryOperator, Value,
};
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;

use super::pg_ident::quote_ident;
use super::pgtype::PgType;

/// `CHECK (...)` for the stored check expression `text`; `column_type`
/// gives a column's type by name.
pub fn deparse(text: &str, column_type: &dyn Fn(&str) -> Option<PgType>) -> Option<String> {
    crate::sql::stack::with_room_for_text(text, || {
        let expr = Parser::new(&SQLiteDialect {})
            .try_with_sql(text)
            .ok()?
            .parse_expr()
            .ok()?;
        let d = Deparser { column_type };
        let (out, _) = d.expr(&expr)?;
        Some(format!("CHECK ({out})"))
    })
}

struct Deparser<'a> {
    column_type: &'a dyn Fn(&str) -> Option<PgType>,
}

/// A deparsed operand and its type (`None`: unknown, or a bare literal,
/// whose form depends on the other side).
type Part = (String, Option<PgType>);

impl Deparser<'_> {
    fn expr(&self, e: &Expr) -> Option<Part> {
        match e {
            Expr::Nested(inner) => self.expr(inner),
            Expr::Identifier(id) => {
                let ty = (self.column_type)(&id.value)?;
                Some((quote_ident(&id.value), Some(ty)))
            }
            Expr::BinaryOp {
                op: op @ (BinaryOperator::And | BinaryOperator::Or),
                ..
            } => {
                let mut items = Vec::new();
                chain(e, op, &mut items);
                let word = if *op == BinaryOperator::And {
                    " AND "
                } else {
                    " OR "
                };
                let parts = items
                    .iter()
                    .map(|i| self.expr(i).map(|(s, _)| s))
                    .collect::<Option<Vec<_>>>()?;
                Some((format!("({})", parts.join(word)), Some(PgType::Bool)))
            }
            Expr::BinaryOp { left, op, right } => {
                let (symbol, comparison) = operator(op)?;
                let (l, r) = self.operands(left, right)?;
                let ty = if comparison {
                    Some(PgType::Bool)
                } else {
                    l.1.or(r.1)
                };
                Some((format!("({} {symbol} {})", l.0, r.0), ty))
            }
            Expr::IsNull(inner) => {
                let (s, _) = self.expr(inner)?;
                Some((format!("({s} IS NULL)"), Some(PgType::Bool)))
            }
            Expr::IsNotNull(inner) => {
                let (s, _) = self.expr(inner)?;
                Some((format!("({s} IS NOT NULL)"), Some(PgType::Bool)))
            }
            Expr::UnaryOp {
                op: UnaryOperator::Not,
                expr,
            } => {
                if let Some(matched) = self.pattern_match(expr, true) {
                    return Some((matched, Some(PgType::Bool)));
                }
                let (inner, _) = self.expr(expr)?;
                Some((format!("(NOT {inner})"), Some(PgType::Bool)))
            }
            // SQLite's LIKE ignores case: PostgreSQL's ILIKE became it.
            Expr::Like {
                negated,
                expr,
                pattern,
                escape_char: None,
                any: false,
            } => {
                let (column, ty) = self.expr(expr)?;
                if ty != Some(PgType::Text) {
                    return None;
                }
                let Literal::Text(p) = literal_value(pattern)? else {
                    return None;
                };
                let op = if *negated { "!~~*" } else { "~~*" };
                Some((
                    format!("({column} {op} {})", text_constant(&p)),
                    Some(PgType::Bool),
                ))
            }
            Expr::Between {
                expr,
                negated,
                low,
                high,
            } => {
                let (lo_op, hi_op, join) = if *negated {
                    ("<", ">", "OR")
                } else {
                    (">=", "<=", "AND")
                };
                let (a, lo) = self.operands(expr, low)?;
                let (b, hi) = self.operands(expr, high)?;
                Some((
                    format!(
                        "(({} {lo_op} {}) {join} ({} {hi_op} {}))",
                        a.0, lo.0, b.0, hi.0
                    ),
                    Some(PgType::Bool),
                ))
            }
            Expr::InList {
                expr,
                list,
                negated,
            } => {
                let (column, ty) = self.expr(expr)?;
                let ty = ty?;
                if matches!(ty, PgType::Varchar | PgType::Bpchar) {
                    return None;
                }
                let items = list
                    .iter()
                    .map(|i| literal_as(i, ty))
                    .collect::<Option<Vec<_>>>()?;
                let op = if *negated { "<> ALL" } else { "= ANY" };
                Some((
                    format!("({column} {op} (ARRAY[{}]))", items.join(", ")),
                    Some(PgType::Bool),
                ))
            }
            Expr::Function(_) if self.pattern_match(e, false).is_some() => {
                Some((self.pattern_match(e, false)?, Some(PgType::Bool)))
            }
            Expr::Function(f) => {
                let name = f.name.0.last()?.as_ident()?.value.to_ascii_lowercase();
                let ty = match name.as_str() {
                    "lower" | "upper" | "btrim" | "ltrim" | "rtrim" => PgType::Text,
                    "length" | "octet_length" => PgType::Int4,
                    _ => return None,
                };
                let FunctionArguments::List(list) = &f.args else {
                    return None;
                };
                let args = list
                    .args
                    .iter()
                    .map(|a| match a {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => {
                            self.expr(e).map(|(s, _)| s)
                        }
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()?;
                Some((format!("{name}({})", args.join(", ")), Some(ty)))
            }
            _ => None,
        }
    }

    /// `glob(pattern, column)` (what LIKE became) and `regexp(pattern,
    /// column)` (`~`; `~*` with a leading `'(?i)' ||`), as PostgreSQL's
    /// operators; `negated` for the `!` forms.
    fn pattern_match(&self, e: &Expr, negated: bool) -> Option<String> {
        let e = match e {
            Expr::Nested(inner) => inner.as_ref(),
            other => other,
        };
        let Expr::Function(f) = e else { return None };
        let name = f.name.0.last()?.as_ident()?.value.to_ascii_lowercase();
        let FunctionArguments::List(list) = &f.args else {
            return None;
        };
        let [FunctionArg::Unnamed(FunctionArgExpr::Expr(pattern)), FunctionArg::Unnamed(FunctionArgExpr::Expr(subject))] =
            list.args.as_slice()
        else {
            return None;
        };
        let (column, ty) = self.expr(subject)?;
        if ty != Some(PgType::Text) {
            return None;
        }
        let bang = if negated { "!" } else { "" };
        match name.as_str() {
            "glob" => {
                let Literal::Text(p) = literal_value(pattern)? else {
                    return None;
                };
                // Only patterns whose LIKE form is certain.
                if p.contains(['%', '_', '[', '\\']) {
                    return None;
                }
                let like = p.replace('*', "%").replace('?', "_");
                Some(format!("({column} {bang}~~ {})", text_constant(&like)))
            }
            "regexp" => {
                let (p, star) = match pattern {
                    Expr::BinaryOp {
                        left,
                        op: BinaryOperator::StringConcat,
                        right,
                    } if matches!(literal_value(left), Some(Literal::Text(ref f)) if f == "(?i)") => {
                        (literal_value(right)?, "*")
                    }
                    other => (literal_value(other)?, ""),
                };
                let Literal::Text(p) = p else { return None };
                Some(format!("({column} {bang}~{star} {})", text_constant(&p)))
            }
            _ => None,
        }
    }

    /// Both sides of a binary operator: a literal takes the other side's
    /// type (PostgreSQL types an untyped constant from it).
    fn operands(&self, left: &Expr, right: &Expr) -> Option<(Part, Part)> {
        match (is_literal(left), is_literal(right)) {
            (false, false) => Some((self.expr(left)?, self.expr(right)?)),
            (false, true) => {
                let (l, ty) = self.expr(left)?;
                let (l, ty) = coerced_column(l, ty?, right)?;
                Some(((l, Some(ty)), (literal_as(right, ty)?, Some(ty))))
            }
            (true, false) => {
                let (r, ty) = self.expr(right)?;
                let (r, ty) = coerced_column(r, ty?, left)?;
                Some(((literal_as(left, ty)?, Some(ty)), (r, Some(ty))))
            }
            (true, true) => None,
        }
    }
}

/// The operands of a chain of one boolean operator, flattened as
/// PostgreSQL's BoolExpr keeps them.
fn chain<'e>(e: &'e Expr, op: &BinaryOperator, out: &mut Vec<&'e Expr>) {
    match e {
        Expr::BinaryOp {
            left,
            op: inner,
            right,
        } if inner == op => {
            chain(left, op, out);
            chain(right, op, out);
        }
        Expr::Nested(inner) if matches!(inner.as_ref(), Expr::BinaryOp { op: o, .. } if o == op) => {
            chain(inner, op, out)
        }
        other => out.push(other),
    }
}

/// An operator's PostgreSQL symbol, and whether it compares.
fn operator(op: &BinaryOperator) -> Option<(&'static str, bool)> {
    use BinaryOperator as B;
    Some(match op {
        B::Eq => ("=", true),
        B::NotEq => ("<>", true),
        B::Lt => ("<", true),
        B::LtEq => ("<=", true),
        B::Gt => (">", true),
        B::GtEq => (">=", true),
        B::Plus => ("+", false),
        B::Minus => ("-", false),
        B::Multiply => ("*", false),
        B::Divide => ("/", false),
        B::Modulo => ("%", false),
        _ => return None,
    })
}

fn is_literal(e: &Expr) -> bool {
    match e {
        Expr::Value(_) => true,
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => matches!(expr.as_ref(), Expr::Value(_)),
        Expr::Nested(inner) => is_literal(inner),
        _ => false,
    }
}

/// A column compared with a literal as PostgreSQL casts it: a varchar
/// compared with text is cast to text. Others stay.
fn coerced_column(column: String, ty: PgType, literal: &Expr) -> Option<(String, PgType)> {
    let text = matches!(literal_value(literal)?, Literal::Text(_));
    match ty {
        PgType::Varchar if text => Some((format!("({column})::text"), PgType::Text)),
        PgType::Varchar | PgType::Bpchar => None,
        _ => Some((column, ty)),
    }
}

enum Literal {
    Integer(i64),
    Decimal(String),
    Text(String),
}

fn literal_value(e: &Expr) -> Option<Literal> {
    match e {
        Expr::Nested(inner) => literal_value(inner),
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match literal_value(expr)? {
            Literal::Integer(n) => Some(Literal::Integer(-n)),
            Literal::Decimal(d) => Some(Literal::Decimal(format!("-{d}"))),
            Literal::Text(_) => None,
        },
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => Some(match n.parse::<i64>() {
                Ok(i) => Literal::Integer(i),
                Err(_) if n.bytes().all(|b| b.is_ascii_digit() || b == b'.') => {
                    Literal::Decimal(n.clone())
                }
                Err(_) => return None,
            }),
            Value::SingleQuotedString(s) => Some(Literal::Text(s.clone())),
            _ => None,
        },
        _ => None,
    }
}

/// A literal as PostgreSQL prints the constant of type `ty` it became.
fn literal_as(e: &Expr, ty: PgType) -> Option<String> {
    let quoted = |s: &str| format!("'{}'", s.replace('\'', "''"));
    Some(match (literal_value(e)?, ty) {
        (Literal::Integer(n), PgType::Int2 | PgType::Int4 | PgType::Int8) => {
            match i32::try_from(n) {
                Ok(_) if n >= 0 => n.to_string(),
                Ok(_) => format!("{}::integer", quoted(&n.to_string())),
                Err(_) => format!("{}::bigint", quoted(&n.to_string())),
            }
        }
        (Literal::Integer(n), PgType::Numeric) if n >= 0 && i32::try_from(n).is_ok() => {
            format!("({n})::numeric")
        }
        (Literal::Integer(n), PgType::Float8) if n >= 0 && i32::try_from(n).is_ok() => {
            format!("({n})::double precision")
        }
        (Literal::Integer(n), PgType::Float4) if n >= 0 && i32::try_from(n).is_ok() => {
            format!("({n})::real")
        }
        (Literal::Decimal(d), PgType::Numeric) if !d.starts_with('-') => d,
        (Literal::Decimal(d), PgType::Float8) if !d.starts_with('-') => {
            format!("({d})::double precision")
        }
        (Literal::Decimal(d), PgType::Float4) if !d.starts_with('-') => format!("({d})::real"),
        (Literal::Text(s), PgType::Text) => format!("{}::text", quoted(&s)),
        (Literal::Text(s), PgType::Date) if is_iso_date(&s) => format!("{}::date", quoted(&s)),
        _ => return None,
    })
}

/// A text constant as PostgreSQL prints it: `'it''s'::text`.
fn text_constant(s: &str) -> String {
    format!("'{}'::text", s.replace('\'', "''"))
}

/// `YYYY-MM-DD`, which PostgreSQL's date output prints back as written.
fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types(name: &str) -> Option<PgType> {
        Some(match name {
            "price" => PgType::Numeric,
            "qty" | "x" | "y" => PgType::Int4,
            "status" | "name" => PgType::Text,
            "v" => PgType::Varchar,
            "z" => PgType::Float8,
            "d" => PgType::Date,
            _ => return None,
        })
    }

    #[test]
    fn prints_as_postgresql() {
        let cases = [
            ("price > 0", "CHECK ((price > (0)::numeric))"),
            ("qty > 0", "CHECK ((qty > 0))"),
            (
                "status IN ('a', 'b')",
                "CHECK ((status = ANY (ARRAY['a'::text, 'b'::text])))",
            ),
            ("length(name) > 0", "CHECK ((length(name) > 0))"),
            (
                "x > 1 OR y < 2 AND x IS NULL",
                "CHECK (((x > 1) OR ((y < 2) AND (x IS NULL))))",
            ),
            (
                "qty BETWEEN 1 AND 10",
                "CHECK (((qty >= 1) AND (qty <= 10)))",
            ),
            ("NOT (x = 3)", "CHECK ((NOT (x = 3)))"),
            ("x + 1 > y * 2", "CHECK (((x + 1) > (y * 2)))"),
            ("qty <> -1", "CHECK ((qty <> '-1'::integer))"),
            ("v <> ''", "CHECK (((v)::text <> ''::text))"),
            ("z >= 0.5", "CHECK ((z >= (0.5)::double precision))"),
            ("d > '2020-01-01'", "CHECK ((d > '2020-01-01'::date))"),
            ("x IN (1, 2, 3)", "CHECK ((x = ANY (ARRAY[1, 2, 3])))"),
            ("a AND b AND c", "CHECK ((a AND b AND c))"),
        ];
        for (stored, pg) in cases {
            let got = deparse(stored, &types);
            if stored == "a AND b AND c" {
                assert_eq!(got, None);
                continue;
            }
            assert_eq!(got.as_deref(), Some(pg), "{stored}");
        }
        assert_eq!(
            deparse("glob('a*', name)", &types).as_deref(),
            Some("CHECK ((name ~~ 'a%'::text))")
        );
        assert_eq!(deparse("glob('a%', name)", &types), None);
        assert_eq!(deparse("mystery(x) > 0", &types), None);
    }
}
