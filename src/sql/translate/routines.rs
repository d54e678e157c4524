//! User-defined functions: `CREATE [OR REPLACE] FUNCTION f(a int, b int)
//! RETURNS int LANGUAGE sql | plpgsql AS '...'` (and `RETURN expr`
//! bodies). The definition is kept in the tenant's `pgcat__routine` table;
//! the connection registers `f` with SQLite the first time a statement
//! calls it, and runs its body there (`backend::sqlite::routines`), so a
//! call works anywhere an expression does — a select list, WHERE, a
//! default, a view — and the translation of the calling statement stays
//! the same for every tenant. The body is compiled here, when created (so
//! its errors are reported then) and when first called.

use std::ops::ControlFlow;

use sqlparser::ast::{
    visit_expressions_mut, ArgMode, CastKind, CreateFunction, CreateFunctionBody, DataType, Expr,
    FunctionReturnType, Value,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::ast::base_name;
use super::error::{other, unsupported};
use super::{StmtKind, TranslateError};
use crate::sql::pgtype::PgType;
use crate::sql::quote_literal;

/// The table keeping user-defined functions, one row per name and
/// argument count.
pub const ROUTINE_TABLE: &str = "CREATE TABLE IF NOT EXISTS main.pgcat__routine (\
     name TEXT NOT NULL, nargs INTEGER NOT NULL, language TEXT NOT NULL, \
     args TEXT NOT NULL, returns TEXT NOT NULL, body TEXT NOT NULL, \
     PRIMARY KEY (name, nargs))";

/// A function as stored: arguments as `name<TAB>type` lines (the name may
/// be empty), the return type's text (`void` for none).
#[derive(Debug, Clone, PartialEq)]
pub struct RoutineDef {
    pub name: String,
    pub language: String,
    pub args: String,
    pub returns: String,
    pub body: String,
}

/// A function body ready to run.
#[derive(Debug, Clone, PartialEq)]
pub enum Compiled {
    /// LANGUAGE sql: SQLite statements reading the arguments as `?1..`;
    /// the last one's first value is the result, shown with `scale`
    /// digits when its expression fixes them (`round(x, 2)`).
    Sql {
        statements: Vec<String>,
        scale: Option<u16>,
    },
    /// LANGUAGE plpgsql: the block, its arguments in slots 1..=n.
    PlPgSql(super::DoCode),
}

impl RoutineDef {
    /// Each argument's name (empty for none) and type, as written.
    pub fn argument_texts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.args
            .lines()
            .filter(|l| !l.is_empty())
            .map(|line| line.split_once('\t').unwrap_or(("", line)))
    }

    /// The arguments' names and types.
    fn arguments(&self) -> Result<Vec<(String, DataType)>, TranslateError> {
        self.argument_texts()
            .map(|(name, ty)| Ok((name.to_owned(), data_type(ty)?)))
            .collect()
    }

    /// The declared return type (`None` for void).
    fn return_type(&self) -> Result<Option<DataType>, TranslateError> {
        match self.returns.as_str() {
            "void" => Ok(None),
            t => data_type(t).map(Some),
        }
    }

    /// The `index`-th argument's PostgreSQL type.
    pub fn argument_type(&self, index: usize) -> Option<PgType> {
        self.argument_types().get(index).copied().flatten()
    }

    /// Each argument's PostgreSQL type (`None` for one it has no OID for).
    pub fn argument_types(&self) -> Vec<Option<PgType>> {
        self.arguments()
            .unwrap_or_default()
            .iter()
            .map(|(_, ty)| super::types::pg_type(ty).ok())
            .collect()
    }

    /// The result's PostgreSQL type, for the column a call fills.
    pub fn result_type(&self) -> Option<PgType> {
        let ty = self.return_type().ok()??;
        super::types::pg_type(&ty).ok()
    }

    pub fn compile(&self) -> Result<Compiled, TranslateError> {
        let args = self.arguments()?;
        match self.language.as_str() {
            "plpgsql" => Ok(Compiled::PlPgSql(super::do_block::parse::function_code(
                &self.body,
                &args,
                self.return_type()?,
            )?)),
            _ => compile_sql(&self.body, &args, self.return_type()?.is_some()),
        }
    }
}

fn data_type(text: &str) -> Result<DataType, TranslateError> {
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(text)
        .and_then(|mut p| p.parse_data_type())
        .map_err(|_| other("42704", format!("type \"{text}\" does not exist")))
}

/// A SQL function's statements, each argument read as `$n` (by number or
/// by name, cast to its type).
fn compile_sql(
    body: &str,
    args: &[(String, DataType)],
    returns: bool,
) -> Result<Compiled, TranslateError> {
    let statements =
        Parser::parse_sql(&PostgreSqlDialect {}, body).map_err(super::split::parse_error)?;
    if statements.is_empty() && returns {
        return Err(other(
            "42P13",
            "return type mismatch in function declared to return a value: \
             its final statement must be SELECT or INSERT/UPDATE/DELETE RETURNING",
        ));
    }
    let mut out = Vec::new();
    let mut scale = None;
    for mut statement in statements {
        let _ = visit_expressions_mut(&mut statement, |e| {
            let named = match e {
                Expr::Identifier(id) if id.quote_style.is_none() => {
                    position(args, &id.value.to_ascii_lowercase())
                }
                Expr::Identifier(id) => position(args, &id.value),
                // `$1` as well: typed by its declaration.
                Expr::Value(v) => match &v.value {
                    Value::Placeholder(p) => p
                        .strip_prefix('$')
                        .and_then(|n| n.parse::<usize>().ok())
                        .filter(|n| (1..=args.len()).contains(n))
                        .map(|n| n - 1),
                    _ => None,
                },
                _ => None,
            };
            if let Some(i) = named {
                *e = Expr::Nested(Box::new(Expr::Cast {
                    kind: CastKind::DoubleColon,
                    expr: Box::new(Expr::value(Value::Placeholder(format!("${}", i + 1)))),
                    data_type: args[i].1.clone(),
                    format: None,
                }));
            }
            ControlFlow::<()>::Continue(())
        });
        for t in super::translate(&statement.to_string())? {
            if !matches!(t.kind, StmtKind::Query { .. }) || !t.steps.is_empty() {
                return Err(unsupported(format!(
                    "this statement in a SQL function: {statement}"
                )));
            }
            scale = t.scales.first().copied().flatten();
            out.push(t.sql);
        }
    }
    Ok(Compiled::Sql {
        statements: out,
        scale,
    })
}

fn position(args: &[(String, DataType)], name: &str) -> Option<usize> {
    args.iter().position(|(n, _)| !n.is_empty() && n == name)
}

/// `CREATE [OR REPLACE] FUNCTION` of a function other than a trigger's:
/// the statements storing it, after its body compiled.
pub(super) fn create(f: &CreateFunction) -> Result<Vec<String>, TranslateError> {
    let language = f
        .language
        .as_ref()
        .map(|l| l.value.to_ascii_lowercase())
        .unwrap_or_else(|| "sql".to_owned());
    if !matches!(language.as_str(), "sql" | "plpgsql") {
        return Err(match language.as_str() {
            "c" | "internal" | "plpython3u" | "plperl" | "plv8" | "pltcl" => {
                unsupported(format!("functions in language \"{language}\""))
            }
            _ => other("42704", format!("language \"{language}\" does not exist")),
        });
    }
    let returns = match &f.return_type {
        None => "void".to_owned(),
        Some(FunctionReturnType::DataType(DataType::Custom(name, _)))
            if base_name(name) == "void" =>
        {
            "void".to_owned()
        }
        Some(FunctionReturnType::DataType(DataType::Table(_)))
        | Some(FunctionReturnType::SetOf(_)) => {
            return Err(unsupported(
                "set-returning functions (RETURNS SETOF / TABLE)",
            ))
        }
        Some(FunctionReturnType::DataType(t)) => t.to_string(),
    };
    let mut args = String::new();
    for a in f.args.iter().flatten() {
        if matches!(a.mode, Some(ArgMode::Out | ArgMode::InOut)) {
            return Err(unsupported("OUT and INOUT function arguments"));
        }
        if a.default_expr.is_some() {
            return Err(unsupported("default values of function arguments"));
        }
        let name = a
            .name
            .as_ref()
            .map(super::do_block::fold_ident)
            .unwrap_or_default();
        args.push_str(&format!("{name}\t{}\n", a.data_type));
    }
    let body = match (super::plpgsql::string_body(f)?, &f.function_body) {
        (Some(body), _) => body,
        (None, Some(CreateFunctionBody::Return(e) | CreateFunctionBody::AsReturnExpr(e)))
            if language == "sql" =>
        {
            format!("SELECT {e}")
        }
        _ => return Err(other("42601", "no function body specified")),
    };
    super::schemas::function_in_public(&f.name)?;
    let name = base_name(&f.name);
    let nargs = f.args.as_ref().map_or(0, |a| a.len());
    let def = RoutineDef {
        name: name.clone(),
        language,
        args,
        returns,
        body,
    };
    def.compile()?;
    let mut out = vec![ROUTINE_TABLE.to_owned()];
    if !f.or_replace {
        out.push(format!(
            "SELECT pg_raise('42723', {}) WHERE EXISTS (SELECT 1 FROM main.pgcat__routine WHERE name = {} AND nargs = {nargs})",
            quote_literal(&format!(
                "function \"{name}\" already exists with same argument types"
            )),
            quote_literal(&name)
        ));
    }
    out.push(format!(
        "INSERT INTO main.pgcat__routine (name, nargs, language, args, returns, body) \
         VALUES ({}, {nargs}, {}, {}, {}, {}) \
         ON CONFLICT (name, nargs) DO UPDATE SET language = excluded.language, \
         args = excluded.args, returns = excluded.returns, body = excluded.body",
        quote_literal(&def.name),
        quote_literal(&def.language),
        quote_literal(&def.args),
        quote_literal(&def.returns),
        quote_literal(&def.body),
    ));
    Ok(out)
}

/// `DROP FUNCTION [IF EXISTS] f[(types)], ...`: trigger functions and
/// user-defined ones.
pub(super) fn drop(
    functions: &[(sqlparser::ast::ObjectName, Option<Vec<String>>)],
    if_exists: bool,
) -> Vec<String> {
    let mut out = vec![
        super::plpgsql::FUNCTION_TABLE.to_owned(),
        ROUTINE_TABLE.to_owned(),
    ];
    for (name, types) in functions {
        let name = base_name(name);
        let arity = types
            .as_ref()
            .map(|t| format!(" AND nargs = {}", t.len()))
            .unwrap_or_default();
        let routine = format!(
            "SELECT 1 FROM main.pgcat__routine WHERE name = {}{arity}",
            quote_literal(&name)
        );
        let trigger = format!(
            "SELECT 1 FROM main.pgcat__function WHERE name = {}",
            quote_literal(&name)
        );
        if !if_exists {
            out.push(format!(
                "SELECT pg_raise('42883', {}) WHERE NOT EXISTS ({routine}) AND NOT EXISTS ({trigger})",
                quote_literal(&format!(
                    "function {}({}) does not exist",
                    name,
                    types.as_deref().unwrap_or_default().join(", ")
                ))
            ));
        }
        out.push(format!(
            "DELETE FROM main.pgcat__routine WHERE name = {}{arity}",
            quote_literal(&name)
        ));
        out.push(format!(
            "DELETE FROM main.pgcat__function WHERE name = {}",
            quote_literal(&name)
        ));
        // Its comment goes with it.
        let sub = types
            .as_ref()
            .map(|t| format!(" AND sub IN ('', '{}')", t.len()))
            .unwrap_or_default();
        out.push(crate::sql::catalog::COMMENT_TABLE.to_owned());
        out.push(format!(
            "DELETE FROM main.pgcat__comment WHERE kind = 'func' AND obj = {}{sub}",
            quote_literal(&name)
        ));
    }
    out
}
