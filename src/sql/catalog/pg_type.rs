//! pg_type and the type functions around it: `format_type`, typmods,
//! information_schema's `data_type`.

/// OIDs of enum types (created by CREATE TYPE ... AS ENUM, kept in the
/// tenant's `pgcat__enum` table): this plus the rowid of the type's first
/// label; labels are ENUM_LABEL_OID plus their rowid.
pub const ENUM_OID: i64 = 1_000_000;
pub const ENUM_LABEL_OID: i64 = 2_000_000;

use super::{rel, Relation};
use crate::sql::pgtype::PgType;
use std::fmt::Write;

/// One built-in type: oid, name, typlen, category, element oid, array oid,
/// SQL name (what `format_type` prints).
pub struct TypeRow {
    pub oid: u32,
    pub name: &'static str,
    pub len: i16,
    pub category: char,
    pub elem: u32,
    pub array: u32,
    pub sql_name: &'static str,
}

const fn t(
    oid: u32,
    name: &'static str,
    len: i16,
    category: char,
    elem: u32,
    array: u32,
    sql_name: &'static str,
) -> TypeRow {
    TypeRow {
        oid,
        name,
        len,
        category,
        elem,
        array,
        sql_name,
    }
}

/// The types pgtenant speaks (every [`PgType`]) plus common ones drivers ask about.
pub const TYPES: &[TypeRow] = &[
    t(16, "bool", 1, 'B', 0, 1000, "boolean"),
    t(17, "bytea", -1, 'U', 0, 1001, "bytea"),
    t(18, "char", 1, 'Z', 0, 1002, "\"char\""),
    t(19, "name", 64, 'S', 18, 1003, "name"),
    t(20, "int8", 8, 'N', 0, 1016, "bigint"),
    t(21, "int2", 2, 'N', 0, 1005, "smallint"),
    t(22, "int2vector", -1, 'A', 21, 1006, "int2vector"),
    t(23, "int4", 4, 'N', 0, 1007, "integer"),
    t(24, "regproc", 4, 'N', 0, 1008, "regproc"),
    t(25, "text", -1, 'S', 0, 1009, "text"),
    t(26, "oid", 4, 'N', 0, 1028, "oid"),
    t(27, "tid", 6, 'U', 0, 1010, "tid"),
    t(28, "xid", 4, 'U', 0, 1011, "xid"),
    t(29, "cid", 4, 'U', 0, 1012, "cid"),
    t(30, "oidvector", -1, 'A', 26, 1013, "oidvector"),
    t(114, "json", -1, 'U', 0, 199, "json"),
    t(142, "xml", -1, 'U', 0, 143, "xml"),
    t(700, "float4", 4, 'N', 0, 1021, "real"),
    t(701, "float8", 8, 'N', 0, 1022, "double precision"),
    t(705, "unknown", -2, 'X', 0, 0, "unknown"),
    t(790, "money", 8, 'N', 0, 791, "money"),
    t(829, "macaddr", 6, 'U', 0, 1040, "macaddr"),
    t(869, "inet", -1, 'I', 0, 1041, "inet"),
    t(650, "cidr", -1, 'I', 0, 651, "cidr"),
    t(600, "point", 16, 'G', 0, 1017, "point"),
    t(3904, "int4range", -1, 'R', 0, 3905, "int4range"),
    t(3926, "int8range", -1, 'R', 0, 3927, "int8range"),
    t(3906, "numrange", -1, 'R', 0, 3907, "numrange"),
    t(3912, "daterange", -1, 'R', 0, 3913, "daterange"),
    t(3908, "tsrange", -1, 'R', 0, 3909, "tsrange"),
    t(3910, "tstzrange", -1, 'R', 0, 3911, "tstzrange"),
    t(1042, "bpchar", -1, 'S', 0, 1014, "character"),
    t(1043, "varchar", -1, 'S', 0, 1015, "character varying"),
    t(1082, "date", 4, 'D', 0, 1182, "date"),
    t(1083, "time", 8, 'D', 0, 1183, "time without time zone"),
    t(
        1114,
        "timestamp",
        8,
        'D',
        0,
        1115,
        "timestamp without time zone",
    ),
    t(
        1184,
        "timestamptz",
        8,
        'D',
        0,
        1185,
        "timestamp with time zone",
    ),
    t(1186, "interval", 16, 'T', 0, 1187, "interval"),
    t(1266, "timetz", 12, 'D', 0, 1270, "time with time zone"),
    t(1560, "bit", -1, 'V', 0, 1561, "bit"),
    t(1562, "varbit", -1, 'V', 0, 1563, "bit varying"),
    t(1700, "numeric", -1, 'N', 0, 1231, "numeric"),
    t(2202, "regprocedure", 4, 'N', 0, 2207, "regprocedure"),
    t(2205, "regclass", 4, 'N', 0, 2210, "regclass"),
    t(2206, "regtype", 4, 'N', 0, 2211, "regtype"),
    t(4089, "regnamespace", 4, 'N', 0, 4090, "regnamespace"),
    t(2249, "record", -1, 'P', 0, 2287, "record"),
    t(2275, "cstring", -2, 'P', 0, 1263, "cstring"),
    t(2276, "any", 4, 'P', 0, 0, "\"any\""),
    t(2277, "anyarray", -1, 'P', 0, 0, "anyarray"),
    t(2278, "void", 4, 'P', 0, 0, "void"),
    t(2279, "trigger", 4, 'P', 0, 0, "trigger"),
    t(2950, "uuid", 16, 'U', 0, 2951, "uuid"),
    t(3802, "jsonb", -1, 'U', 0, 3807, "jsonb"),
    t(4072, "jsonpath", -1, 'U', 0, 4073, "jsonpath"),
    t(3614, "tsvector", -1, 'U', 0, 3643, "tsvector"),
    t(3615, "tsquery", -1, 'U', 0, 3645, "tsquery"),
];

/// Array types of the element types above: (oid, element row).
fn arrays() -> impl Iterator<Item = (u32, &'static TypeRow)> {
    TYPES.iter().filter(|r| r.array != 0).map(|r| (r.array, r))
}

fn row(oid: u32) -> Option<&'static TypeRow> {
    TYPES.iter().find(|r| r.oid == oid)
}

fn array_of(oid: u32) -> Option<&'static TypeRow> {
    arrays().find(|(a, _)| *a == oid).map(|(_, r)| r)
}

/// Whether values of a type sort with a collation (text-like types).
pub fn type_collation(oid: u32) -> i64 {
    match oid {
        25 | 1042 | 1043 => 100,
        19 => 950,
        _ => 0,
    }
}

/// `atttypmod` of a declared column type: `varchar(n)` is n + 4,
/// `numeric(p, s)` is (p << 16 | s) + 4, anything else -1.
pub fn type_mod(decl: &str) -> i64 {
    let Some((head, rest)) = decl.split_once('(') else {
        return -1;
    };
    let args: Vec<i64> = rest
        .trim_end_matches("[]")
        .trim_end_matches(')')
        .split(',')
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    // `_numeric(6,2)`: an array's typmod is its elements'.
    let ty = match PgType::from_decl(head) {
        PgType::Array(elem) => elem.scalar(),
        ty => ty,
    };
    match (ty, args.as_slice()) {
        (PgType::Varchar | PgType::Bpchar, [n]) => n + 4,
        (PgType::Numeric, [p]) => (p << 16) + 4,
        (PgType::Numeric, [p, s]) => (p << 16 | s) + 4,
        // Date-time precisions are the typmod itself.
        (PgType::Timestamp | PgType::Timestamptz | PgType::Time, [p]) => *p,
        _ => -1,
    }
}

/// PostgreSQL's `format_type(oid, typmod)`.
pub fn format_type(oid: u32, typmod: Option<i64>) -> String {
    if let Some(elem) = array_of(oid) {
        return format!("{}[]", format_type(elem.oid, typmod));
    }
    let Some(r) = row(oid) else {
        return "???".into();
    };
    // `timestamp(6) without time zone`: the precision after the first word.
    if let (1114 | 1184 | 1083, Some(p)) = (oid, typmod.filter(|m| *m >= 0)) {
        if let Some((head, rest)) = r.sql_name.split_once(' ') {
            return format!("{head}({p}) {rest}");
        }
    }
    let m = typmod.filter(|m| *m >= 4).map(|m| m - 4);
    match (oid, m) {
        (1043 | 1042, Some(n)) => format!("{}({n})", r.sql_name),
        (1700, Some(m)) => format!("numeric({},{})", m >> 16, m & 0xffff),
        _ => r.sql_name.to_string(),
    }
}

/// information_schema's `data_type`: the SQL name, `ARRAY` for arrays.
pub fn info_data_type(oid: u32) -> String {
    if array_of(oid).is_some() {
        return "ARRAY".into();
    }
    match row(oid) {
        Some(r) if r.oid != 1042 => r.sql_name.trim_matches('"').to_string(),
        Some(_) => "character".into(),
        None => "USER-DEFINED".into(),
    }
}

/// The OID a type name means (`'int4'::regtype`, `to_regtype('integer')`),
/// or `None` for an unknown type.
pub fn regtype_oid(name: &str) -> Option<u32> {
    let lower = name.trim().to_ascii_lowercase();
    let base = lower.strip_prefix("pg_catalog.").unwrap_or(&lower);
    if let Some(r) = TYPES.iter().find(|r| r.name == base || r.sql_name == base) {
        return Some(r.oid);
    }
    if let Some(elem) = base.strip_suffix("[]") {
        return regtype_oid(elem)
            .and_then(row)
            .map(|r| r.array)
            .filter(|a| *a != 0);
    }
    let t = PgType::from_decl(base);
    (t != PgType::Text || matches!(base, "text" | "clob" | "citext")).then(|| t.oid())
}

/// The stem of a type's I/O functions (`date_in`, `int4in`, `array_in`):
/// PostgreSQL names some with an underscore, some without.
fn io_stem(name: &str, category: char) -> String {
    match name {
        _ if category == 'A' => "array_".to_owned(),
        "unknown" => name.to_owned(),
        _ if category == 'P' => format!("{name}_"),
        "money" => "cash_".to_owned(),
        "json" | "jsonb" | "xml" | "date" | "time" | "timetz" | "timestamp" | "timestamptz"
        | "interval" | "numeric" | "uuid" | "inet" | "cidr" | "macaddr" | "macaddr8" | "bit"
        | "varbit" | "point" | "lseg" | "path" | "box" | "line" | "circle" | "record"
        | "pg_lsn" | "jsonpath" => format!("{name}_"),
        "polygon" => "poly_".to_owned(),
        _ => name.to_owned(),
    }
}

pub(super) fn add(all: &mut Vec<Relation>) {
    let mut values = String::new();
    let mut push = |oid: u32, name: String, len: i16, cat: char, elem: u32, array: u32| {
        if !values.is_empty() {
            values.push_str(", ");
        }
        let stem = io_stem(&name, cat);
        let _ = write!(
            values,
            "({oid}, '{name}', {len}, '{cat}', {elem}, {array}, {}, '{stem}')",
            type_collation(oid)
        );
    };
    for r in TYPES {
        push(
            r.oid,
            r.name.to_string(),
            r.len,
            r.category,
            r.elem,
            r.array,
        );
    }
    for (oid, r) in arrays() {
        push(oid, format!("_{}", r.name), -1, 'A', r.oid, 0);
    }
    let body = format!(
        "SELECT column1 AS oid, column2 AS typname, 11 AS typnamespace, 10 AS typowner, \
           column3 AS typlen, column3 > 0 AS typbyval, \
           CASE column4 WHEN 'P' THEN 'p' ELSE 'b' END AS typtype, column4 AS typcategory, \
           0 AS typispreferred, 1 AS typisdefined, ',' AS typdelim, 0 AS typrelid, \
           0 AS typsubscript, column5 AS typelem, column6 AS typarray, \
           column8 || 'in' AS typinput, column8 || 'out' AS typoutput, \
           column8 || 'recv' AS typreceive, column8 || 'send' AS typsend, \
           '-' AS typmodin, '-' AS typmodout, '-' AS typanalyze, \
           CASE WHEN column3 = 8 OR column3 = -1 THEN 'd' ELSE 'i' END AS typalign, \
           CASE WHEN column1 = 1700 THEN 'm' WHEN column3 = -1 THEN 'x' ELSE 'p' END AS typstorage, 0 AS typnotnull, \
           0 AS typbasetype, -1 AS typtypmod, 0 AS typndims, column7 AS typcollation, \
           NULL AS typdefaultbin, NULL AS typdefault, NULL AS typacl \
         FROM (VALUES {values}) \
         UNION ALL SELECT {ENUM_OID} + min(e.rowid), e.type, 2200, 10, 4, 1, 'e', 'E', 0, 1, ',', 0, \
           0, 0, 0, 'enum_in', 'enum_out', 'enum_recv', 'enum_send', '-', '-', '-', 'i', 'p', 0, \
           0, -1, 0, 0, NULL, NULL, NULL FROM pgcat__enum e GROUP BY e.type"
    );
    rel(
        all,
        "pgcat_pg_type",
        "oid:oid typname:name typnamespace:oid typowner:oid typlen:int2 typbyval:bool \
         typtype:char typcategory:char typispreferred:bool typisdefined:bool typdelim:char \
         typrelid:oid typsubscript:oid typelem:oid typarray:oid typinput:text typoutput:text \
         typreceive:text typsend:text typmodin:text typmodout:text typanalyze:text \
         typalign:char typstorage:char typnotnull:bool typbasetype:oid typtypmod:int4 \
         typndims:int4 typcollation:oid typdefaultbin:text typdefault:text typacl:text[]",
        &body,
    );
    super::empty(
        all,
        "pgcat_pg_range",
        "rngtypid:oid rngsubtype:oid rngmultitypid:oid rngcollation:oid rngsubopc:oid \
         rngcanonical:text rngsubdiff:text",
    );
    rel(
        all,
        "pgcat_pg_enum",
        "oid:oid enumtypid:oid enumsortorder:float4 enumlabel:name",
        &format!(
            "SELECT {ENUM_LABEL_OID} + e.rowid AS oid, \
               {ENUM_OID} + (SELECT min(t.rowid) FROM pgcat__enum t WHERE t.type = e.type) \
                 AS enumtypid, e.sort AS enumsortorder, e.label AS enumlabel \
             FROM pgcat__enum e"
        ),
    );
}
