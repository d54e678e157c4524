//! The parsed form of a jsonpath: its mode and expression tree.

use serde_json::Value as Json;

/// A parsed path: its mode and its expression.
#[derive(Debug, Clone)]
pub struct JsonPath {
    pub strict: bool,
    pub expr: Expr,
}

#[derive(Debug, Clone)]
pub enum Expr {
    /// `$`
    Root,
    /// `@`, the item a filter is testing.
    Current,
    /// `$name`, from the `vars` argument.
    Var(String),
    /// `last`, the last index of the array being subscripted.
    Last,
    Literal(Json),
    /// A primary followed by accessors and item methods.
    Chain(Box<Expr>, Vec<Step>),
    Arith(char, Box<Expr>, Box<Expr>),
    /// Unary `-` or `+`.
    Sign(bool, Box<Expr>),
    Compare(Cmp, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Exists(Box<Expr>),
    IsUnknown(Box<Expr>),
    LikeRegex(Box<Expr>, regex::Regex),
    StartsWith(Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone)]
pub enum Step {
    Key(String),
    AnyKey,
    AnyIndex,
    /// `[a, b to c]`: each subscript with its optional range end.
    Index(Vec<(Expr, Option<Expr>)>),
    /// `.**{first to last}`; `u32::MAX` stands for `last`.
    AnyLevel(u32, u32),
    Filter(Expr),
    Method(Method),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    Type,
    Size,
    Double,
    Abs,
    Floor,
    Ceiling,
    KeyValue,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Type => "type",
            Method::Size => "size",
            Method::Double => "double",
            Method::Abs => "abs",
            Method::Floor => "floor",
            Method::Ceiling => "ceiling",
            Method::KeyValue => "keyvalue",
        }
    }
}

impl Expr {
    /// Whether the expression is a predicate (a filter needs one).
    pub fn is_predicate(&self) -> bool {
        matches!(
            self,
            Expr::Compare(..)
                | Expr::And(..)
                | Expr::Or(..)
                | Expr::Not(..)
                | Expr::Exists(..)
                | Expr::IsUnknown(..)
                | Expr::LikeRegex(..)
                | Expr::StartsWith(..)
        )
    }
}
