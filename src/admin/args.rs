//! Arguments of management function calls: literals, `$n` parameters and
//! named arguments (`plan => 'pro'`).

use rusqlite::types::Value;
use sqlparser::ast::{self, Expr, FunctionArg, FunctionArgExpr};

use crate::sql::errors::SqlError;

#[derive(Debug, Clone, PartialEq)]
pub enum ArgValue {
    Literal(Option<String>),
    Param(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub name: Option<String>,
    pub value: ArgValue,
}

impl Arg {
    /// 1-based parameter number, if the argument is `$n`.
    pub fn param_index(&self) -> Option<usize> {
        match self.value {
            ArgValue::Param(n) => Some(n),
            ArgValue::Literal(_) => None,
        }
    }
}

fn literal(expr: &Expr) -> Result<ArgValue, SqlError> {
    match expr {
        Expr::Value(v) => match &v.value {
            ast::Value::SingleQuotedString(s)
            | ast::Value::EscapedStringLiteral(s)
            | ast::Value::DoubleQuotedString(s) => Ok(ArgValue::Literal(Some(s.clone()))),
            ast::Value::DollarQuotedString(d) => Ok(ArgValue::Literal(Some(d.value.clone()))),
            ast::Value::Number(n, _) => Ok(ArgValue::Literal(Some(n.to_string()))),
            ast::Value::Boolean(b) => Ok(ArgValue::Literal(Some(b.to_string()))),
            ast::Value::Null => Ok(ArgValue::Literal(None)),
            ast::Value::Placeholder(p) => p
                .strip_prefix('$')
                .and_then(|n| n.parse().ok())
                .filter(|n| *n > 0)
                .map(ArgValue::Param)
                .ok_or_else(|| SqlError::new("42601", format!("invalid parameter {p}"))),
            other => Err(SqlError::new(
                "22023",
                format!("unsupported argument {other} to a management function"),
            )),
        },
        Expr::Cast { expr, .. } | Expr::Nested(expr) => literal(expr),
        // ARRAY['a','b'] arrives as the array's text form, '{a,b}'.
        Expr::Array(array) => {
            let mut items = Vec::with_capacity(array.elem.len());
            for e in &array.elem {
                match literal(e)? {
                    ArgValue::Literal(Some(s)) => {
                        items.push(format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")))
                    }
                    ArgValue::Literal(None) => items.push("NULL".into()),
                    ArgValue::Param(_) => {
                        return Err(SqlError::new(
                            "0A000",
                            "parameters inside ARRAY[...] are not supported here; pass the whole array as one parameter",
                        ))
                    }
                }
            }
            Ok(ArgValue::Literal(Some(format!("{{{}}}", items.join(",")))))
        }
        other => Err(SqlError::new(
            "22023",
            format!("management function arguments must be literals or parameters, not {other}"),
        )),
    }
}

/// Collects the arguments of a call.
pub fn collect(args: &[FunctionArg]) -> Result<Vec<Arg>, SqlError> {
    args.iter()
        .map(|a| {
            let (name, arg) = match a {
                FunctionArg::Named { name, arg, .. } => {
                    (Some(name.value.to_ascii_lowercase()), arg)
                }
                FunctionArg::ExprNamed { name, arg, .. } => {
                    (Some(name.to_string().to_ascii_lowercase()), arg)
                }
                FunctionArg::Unnamed(arg) => (None, arg),
            };
            match arg {
                FunctionArgExpr::Expr(e) => Ok(Arg {
                    name,
                    value: literal(e)?,
                }),
                _ => Err(SqlError::new(
                    "42601",
                    "wildcard arguments are not allowed here",
                )),
            }
        })
        .collect()
}

/// An argument after binding: its name, if given, and its text value (None = NULL).
pub type BoundArg = (Option<String>, Option<String>);

/// Resolves `$n` against bound parameter values.
pub fn bind(args: &[Arg], params: &[Value]) -> Result<Vec<BoundArg>, SqlError> {
    args.iter()
        .map(|a| {
            let v = match &a.value {
                ArgValue::Literal(v) => v.clone(),
                ArgValue::Param(n) => match params.get(n - 1) {
                    None => {
                        return Err(SqlError::new(
                            "08P01",
                            format!("there is no parameter ${n}"),
                        ))
                    }
                    Some(Value::Null) => None,
                    Some(Value::Text(s)) => Some(s.clone()),
                    Some(Value::Integer(i)) => Some(i.to_string()),
                    Some(Value::Real(f)) => Some(f.to_string()),
                    Some(Value::Blob(b)) => Some(String::from_utf8_lossy(b).into_owned()),
                },
            };
            Ok((a.name.clone(), v))
        })
        .collect()
}
