//! The PostgreSQL types pgtenant speaks on the wire, and how a SQLite declared
//! column type maps to one of them.
//!
//! Translated DDL keeps PostgreSQL type names as SQLite declared types (SQLite
//! accepts any name), so `decltype` of a result column tells us the OID to send.

/// A PostgreSQL type as seen by clients: OID, name, and wire encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PgType {
    Bool,
    Int2,
    Int4,
    Int8,
    Float4,
    Float8,
    Numeric,
    Text,
    Varchar,
    Bpchar,
    Name,
    Char,
    Bytea,
    Date,
    Time,
    Timestamp,
    Timestamptz,
    Interval,
    Uuid,
    Json,
    Jsonb,
    Oid,
    /// Full-text search values, stored as their text form.
    Tsvector,
    Tsquery,
    /// Network addresses and points, stored as their canonical text
    /// (see `sql::textual`).
    Inet,
    Cidr,
    Macaddr,
    Point,
    /// `int4range`, `tstzrange`, ...: canonical text (`sql::textual::range`).
    Range(crate::sql::textual::range::RangeKind),
    /// `text[]` and friends: stored as JSON text, sent in PostgreSQL array form.
    Array(ArrayElem),
    /// A literal of unresolved type (`'abc'` with no context), OID 705.
    Unknown,
    /// `void`, the result type of functions that return nothing.
    Void,
}

/// Element types supported for arrays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArrayElem {
    Bool,
    Int2,
    Int4,
    Int8,
    Float4,
    Float8,
    Numeric,
    Text,
    Varchar,
    Uuid,
    Date,
    Timestamp,
    Timestamptz,
    Json,
    Jsonb,
    /// oid[]: asyncpg's type introspection takes one as its parameter.
    Oid,
    /// name[]: `array_agg` of a catalog's names, which node-postgres leaves
    /// as text (Sequelize parses it itself).
    Name,
}

impl ArrayElem {
    pub fn scalar(self) -> PgType {
        match self {
            ArrayElem::Bool => PgType::Bool,
            ArrayElem::Int2 => PgType::Int2,
            ArrayElem::Int4 => PgType::Int4,
            ArrayElem::Int8 => PgType::Int8,
            ArrayElem::Float4 => PgType::Float4,
            ArrayElem::Float8 => PgType::Float8,
            ArrayElem::Numeric => PgType::Numeric,
            ArrayElem::Text => PgType::Text,
            ArrayElem::Name => PgType::Name,
            ArrayElem::Varchar => PgType::Varchar,
            ArrayElem::Uuid => PgType::Uuid,
            ArrayElem::Date => PgType::Date,
            ArrayElem::Timestamp => PgType::Timestamp,
            ArrayElem::Timestamptz => PgType::Timestamptz,
            ArrayElem::Json => PgType::Json,
            ArrayElem::Jsonb => PgType::Jsonb,
            ArrayElem::Oid => PgType::Oid,
        }
    }

    pub fn from_scalar(t: PgType) -> Option<ArrayElem> {
        Some(match t {
            PgType::Bool => ArrayElem::Bool,
            PgType::Int2 => ArrayElem::Int2,
            PgType::Int4 => ArrayElem::Int4,
            PgType::Int8 => ArrayElem::Int8,
            PgType::Float4 => ArrayElem::Float4,
            PgType::Float8 => ArrayElem::Float8,
            PgType::Numeric => ArrayElem::Numeric,
            PgType::Text | PgType::Bpchar => ArrayElem::Text,
            PgType::Name => ArrayElem::Name,
            PgType::Varchar => ArrayElem::Varchar,
            PgType::Uuid => ArrayElem::Uuid,
            PgType::Date => ArrayElem::Date,
            PgType::Timestamp => ArrayElem::Timestamp,
            PgType::Timestamptz => ArrayElem::Timestamptz,
            PgType::Json => ArrayElem::Json,
            PgType::Jsonb => ArrayElem::Jsonb,
            PgType::Oid => ArrayElem::Oid,
            _ => return None,
        })
    }
}

impl PgType {
    /// The type's OID in `pg_type`.
    pub fn oid(self) -> u32 {
        match self {
            PgType::Bool => 16,
            PgType::Bytea => 17,
            PgType::Char => 18,
            PgType::Name => 19,
            PgType::Int8 => 20,
            PgType::Int2 => 21,
            PgType::Int4 => 23,
            PgType::Text => 25,
            PgType::Oid => 26,
            PgType::Json => 114,
            PgType::Float4 => 700,
            PgType::Float8 => 701,
            PgType::Unknown => 705,
            PgType::Bpchar => 1042,
            PgType::Varchar => 1043,
            PgType::Date => 1082,
            PgType::Time => 1083,
            PgType::Timestamp => 1114,
            PgType::Timestamptz => 1184,
            PgType::Interval => 1186,
            PgType::Numeric => 1700,
            PgType::Uuid => 2950,
            PgType::Jsonb => 3802,
            PgType::Tsvector => 3614,
            PgType::Tsquery => 3615,
            PgType::Inet => 869,
            PgType::Cidr => 650,
            PgType::Macaddr => 829,
            PgType::Point => 600,
            PgType::Range(k) => k.oid(),
            PgType::Void => 2278,
            PgType::Array(e) => match e {
                ArrayElem::Bool => 1000,
                ArrayElem::Int2 => 1005,
                ArrayElem::Int4 => 1007,
                ArrayElem::Int8 => 1016,
                ArrayElem::Oid => 1028,
                ArrayElem::Float4 => 1021,
                ArrayElem::Float8 => 1022,
                ArrayElem::Numeric => 1231,
                ArrayElem::Text => 1009,
                ArrayElem::Name => 1003,
                ArrayElem::Varchar => 1015,
                ArrayElem::Uuid => 2951,
                ArrayElem::Date => 1182,
                ArrayElem::Timestamp => 1115,
                ArrayElem::Timestamptz => 1185,
                ArrayElem::Json => 199,
                ArrayElem::Jsonb => 3807,
            },
        }
    }

    /// The inverse of [`PgType::oid`], for parameter types sent by clients.
    pub fn from_oid(oid: u32) -> Option<PgType> {
        use ArrayElem as A;
        Some(match oid {
            16 => PgType::Bool,
            17 => PgType::Bytea,
            18 => PgType::Char,
            19 => PgType::Name,
            20 => PgType::Int8,
            21 => PgType::Int2,
            23 => PgType::Int4,
            25 => PgType::Text,
            26 => PgType::Oid,
            114 => PgType::Json,
            700 => PgType::Float4,
            701 => PgType::Float8,
            705 => PgType::Unknown,
            1042 => PgType::Bpchar,
            1043 => PgType::Varchar,
            1082 => PgType::Date,
            1083 => PgType::Time,
            1114 => PgType::Timestamp,
            1184 => PgType::Timestamptz,
            1186 => PgType::Interval,
            1700 => PgType::Numeric,
            2950 => PgType::Uuid,
            3802 => PgType::Jsonb,
            3614 => PgType::Tsvector,
            3615 => PgType::Tsquery,
            869 => PgType::Inet,
            650 => PgType::Cidr,
            829 => PgType::Macaddr,
            600 => PgType::Point,
            3904 | 3906 | 3908 | 3910 | 3912 | 3926 => {
                use crate::sql::textual::range::RangeKind;
                PgType::Range(RangeKind::ALL.into_iter().find(|k| k.oid() == oid)?)
            }
            2278 => PgType::Void,
            1000 => PgType::Array(A::Bool),
            1005 => PgType::Array(A::Int2),
            1007 => PgType::Array(A::Int4),
            1016 => PgType::Array(A::Int8),
            1028 => PgType::Array(A::Oid),
            1021 => PgType::Array(A::Float4),
            1022 => PgType::Array(A::Float8),
            1231 => PgType::Array(A::Numeric),
            1009 => PgType::Array(A::Text),
            1015 => PgType::Array(A::Varchar),
            2951 => PgType::Array(A::Uuid),
            1182 => PgType::Array(A::Date),
            1115 => PgType::Array(A::Timestamp),
            1185 => PgType::Array(A::Timestamptz),
            199 => PgType::Array(A::Json),
            3807 => PgType::Array(A::Jsonb),
            _ => return None,
        })
    }

    /// The name `format_type` prints and `pg_type.typname` holds.
    /// The name `regtype` prints (what `pg_typeof` shows).
    pub fn display_name(self) -> String {
        let scalar = |t: PgType| -> &'static str {
            match t {
                PgType::Bool => "boolean",
                PgType::Int2 => "smallint",
                PgType::Int4 => "integer",
                PgType::Int8 => "bigint",
                PgType::Float4 => "real",
                PgType::Float8 => "double precision",
                PgType::Varchar => "character varying",
                PgType::Bpchar => "character",
                PgType::Char => "\"char\"",
                PgType::Time => "time without time zone",
                PgType::Timestamp => "timestamp without time zone",
                PgType::Timestamptz => "timestamp with time zone",
                other => other.name(),
            }
        };
        match self {
            PgType::Array(e) => format!("{}[]", scalar(e.scalar())),
            other => scalar(other).to_owned(),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            PgType::Bool => "bool",
            PgType::Int2 => "int2",
            PgType::Int4 => "int4",
            PgType::Int8 => "int8",
            PgType::Float4 => "float4",
            PgType::Float8 => "float8",
            PgType::Numeric => "numeric",
            PgType::Text => "text",
            PgType::Varchar => "varchar",
            PgType::Bpchar => "bpchar",
            PgType::Name => "name",
            PgType::Char => "char",
            PgType::Bytea => "bytea",
            PgType::Date => "date",
            PgType::Time => "time",
            PgType::Timestamp => "timestamp",
            PgType::Timestamptz => "timestamptz",
            PgType::Interval => "interval",
            PgType::Uuid => "uuid",
            PgType::Json => "json",
            PgType::Jsonb => "jsonb",
            PgType::Oid => "oid",
            PgType::Tsvector => "tsvector",
            PgType::Tsquery => "tsquery",
            PgType::Inet => "inet",
            PgType::Cidr => "cidr",
            PgType::Macaddr => "macaddr",
            PgType::Point => "point",
            PgType::Range(k) => k.name(),
            PgType::Unknown => "unknown",
            PgType::Void => "void",
            PgType::Array(e) => match e {
                ArrayElem::Bool => "_bool",
                ArrayElem::Int2 => "_int2",
                ArrayElem::Int4 => "_int4",
                ArrayElem::Int8 => "_int8",
                ArrayElem::Oid => "_oid",
                ArrayElem::Float4 => "_float4",
                ArrayElem::Float8 => "_float8",
                ArrayElem::Numeric => "_numeric",
                ArrayElem::Text => "_text",
                ArrayElem::Name => "_name",
                ArrayElem::Varchar => "_varchar",
                ArrayElem::Uuid => "_uuid",
                ArrayElem::Date => "_date",
                ArrayElem::Timestamp => "_timestamp",
                ArrayElem::Timestamptz => "_timestamptz",
                ArrayElem::Json => "_json",
                ArrayElem::Jsonb => "_jsonb",
            },
        }
    }

    /// `pg_type.typlen`: fixed width in bytes, or -1 for variable width.
    pub fn typlen(self) -> i16 {
        match self {
            PgType::Bool | PgType::Char => 1,
            PgType::Int2 => 2,
            PgType::Int4 | PgType::Float4 | PgType::Date | PgType::Oid => 4,
            PgType::Int8
            | PgType::Float8
            | PgType::Time
            | PgType::Timestamp
            | PgType::Timestamptz => 8,
            PgType::Interval | PgType::Uuid | PgType::Point => 16,
            PgType::Macaddr => 6,
            PgType::Name => 64,
            PgType::Void => 4,
            _ => -1,
        }
    }

    /// The scale of a declared `numeric(p, s)` / `decimal(p, s)` (`numeric(p)`
    /// is scale 0); `None` for any other type, or unconstrained numeric.
    pub fn numeric_scale(decl: &str) -> Option<u16> {
        let (p, s) = numeric_modifiers(decl)?;
        match s {
            Some(s) => s.trim().parse().ok(),
            None => p.trim().parse::<u16>().ok().map(|_| 0),
        }
    }

    /// The precision `p` of a declared `numeric(p[, s])` / `decimal(p[, s])`.
    pub fn numeric_precision(decl: &str) -> Option<u16> {
        numeric_modifiers(decl)?.0.trim().parse().ok()
    }

    /// Whether values of the type are numbers (integers, floats, numeric).
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            PgType::Int2
                | PgType::Int4
                | PgType::Int8
                | PgType::Numeric
                | PgType::Float4
                | PgType::Float8
        )
    }

    /// Whether values of the type are character strings (text, varchar,
    /// char(n), name).
    pub fn is_string(self) -> bool {
        matches!(
            self,
            PgType::Text | PgType::Varchar | PgType::Bpchar | PgType::Name
        )
    }

    /// Maps a SQLite declared column type (as written in translated DDL,
    /// which keeps PostgreSQL names) to the PostgreSQL type clients see.
    ///
    /// Follows PostgreSQL's spellings and aliases; anything unknown is text,
    /// which every client can read.
    pub fn from_decl(decl: &str) -> PgType {
        let lower = decl.trim().to_ascii_lowercase();
        let mut base = lower.as_str();
        // `varchar(20)`, `numeric(10, 2)`: the modifier does not change the OID.
        if let Some(i) = base.find('(') {
            let (head, tail) = base.split_at(i);
            // keep a trailing `[]` after the modifier
            base = if tail.ends_with("[]") {
                return match PgType::from_decl(&format!("{}[]", head.trim())) {
                    t @ PgType::Array(_) => t,
                    _ => PgType::Text,
                };
            } else {
                head.trim()
            };
        }
        if let Some(elem) = base.strip_suffix("[]") {
            return ArrayElem::from_scalar(PgType::from_decl(elem))
                .map(PgType::Array)
                .unwrap_or(PgType::Array(ArrayElem::Text));
        }
        if let Some(elem) = base.strip_prefix('_') {
            if let Some(e) = ArrayElem::from_scalar(PgType::from_decl(elem)) {
                return PgType::Array(e);
            }
        }
        match base {
            "bool" | "boolean" => PgType::Bool,
            "int2" | "smallint" | "smallserial" | "serial2" => PgType::Int2,
            "int" | "int4" | "integer" | "serial" | "serial4" | "mediumint" => PgType::Int4,
            "int8" | "bigint" | "bigserial" | "serial8" => PgType::Int8,
            "float4" | "real" => PgType::Float4,
            "float8" | "double precision" | "double" | "float" => PgType::Float8,
            "numeric" | "decimal" => PgType::Numeric,
            "text" | "clob" | "citext" => PgType::Text,
            "varchar" | "character varying" => PgType::Varchar,
            "char" | "character" | "bpchar" | "nchar" => PgType::Bpchar,
            "name" => PgType::Name,
            "\"char\"" => PgType::Char,
            "bytea" | "blob" => PgType::Bytea,
            "date" => PgType::Date,
            "time" | "time without time zone" => PgType::Time,
            "timestamp" | "timestamp without time zone" | "datetime" => PgType::Timestamp,
            "timestamptz" | "timestamp with time zone" => PgType::Timestamptz,
            "interval" => PgType::Interval,
            "uuid" => PgType::Uuid,
            "json" => PgType::Json,
            "jsonb" => PgType::Jsonb,
            "oid" | "regclass" | "regtype" | "regproc" => PgType::Oid,
            "tsvector" => PgType::Tsvector,
            "tsquery" => PgType::Tsquery,
            "inet" => PgType::Inet,
            "cidr" => PgType::Cidr,
            "macaddr" => PgType::Macaddr,
            "point" => PgType::Point,
            other => match crate::sql::textual::range::RangeKind::from_name(other) {
                Some(k) => PgType::Range(k),
                None => PgType::Text,
            },
        }
    }

    /// Whether the type's text form needs no conversion from what SQLite
    /// stores (so the encoder can copy bytes straight through).
    pub fn is_textual(self) -> bool {
        matches!(
            self,
            PgType::Text
                | PgType::Varchar
                | PgType::Bpchar
                | PgType::Name
                | PgType::Json
                | PgType::Jsonb
                | PgType::Tsvector
                | PgType::Tsquery
                | PgType::Inet
                | PgType::Cidr
                | PgType::Macaddr
                | PgType::Point
                | PgType::Range(_)
                | PgType::Unknown
        )
    }
}

/// The modifiers of `numeric(p[, s])` / `decimal(p[, s])`, untrimmed; no
/// allocation, as the scale is read for every result column of a query.
fn numeric_modifiers(decl: &str) -> Option<(&str, Option<&str>)> {
    let (head, rest) = decl.split_once('(')?;
    // `_numeric(6,2)` / `numeric(6,2)[]`: an array's elements have them.
    let head = head.trim();
    let head = head.strip_prefix('_').unwrap_or(head);
    if !head.eq_ignore_ascii_case("numeric") && !head.eq_ignore_ascii_case("decimal") {
        return None;
    }
    let mut rest = rest.trim_end();
    while let Some(inner) = rest.strip_suffix(']') {
        rest = inner.rsplit_once('[')?.0.trim_end();
    }
    let args = rest.strip_suffix(')')?;
    Some(match args.split_once(',') {
        Some((p, s)) => (p, Some(s)),
        None => (args, None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decl_types_map_to_pg() {
        for (decl, t) in [
            ("INTEGER", PgType::Int4),
            ("int8", PgType::Int8),
            ("bigint", PgType::Int8),
            ("varchar(20)", PgType::Varchar),
            ("character varying(3)", PgType::Varchar),
            ("numeric(10, 2)", PgType::Numeric),
            ("double precision", PgType::Float8),
            ("timestamp with time zone", PgType::Timestamptz),
            ("boolean", PgType::Bool),
            ("text[]", PgType::Array(ArrayElem::Text)),
            ("int4[]", PgType::Array(ArrayElem::Int4)),
            ("varchar(10)[]", PgType::Array(ArrayElem::Varchar)),
            ("whatever", PgType::Text),
        ] {
            assert_eq!(PgType::from_decl(decl), t, "{decl}");
        }
    }

    #[test]
    fn oids_round_trip() {
        for oid in [
            16, 17, 20, 21, 23, 25, 700, 701, 1043, 1114, 1184, 1700, 2950, 3802, 1007,
        ] {
            assert_eq!(PgType::from_oid(oid).unwrap().oid(), oid);
        }
    }
}
