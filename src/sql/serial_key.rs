//! The PostgreSQL type of a serial or identity primary key.
//!
//! Such a key becomes SQLite's rowid alias, which must be declared exactly
//! `INTEGER`, so SQLite reports that type for it and it would read as int4.
//! A key of another type (bigserial: int8, smallserial: int2) is declared
//! `INTEGER PRIMARY KEY DEFAULT (CAST(NULL AS int8))`: the default never
//! applies (SQLite numbers a rowid that is left out or NULL itself), and it
//! keeps the real type where `pragma_table_info` shows it. [`decl`] reads
//! it back; SQL reads it through the `pg_decl(type, dflt_value)` function.

use crate::sql::pgtype::PgType;

/// The declared type of a rowid alias key.
pub const ROWID_DECL: &str = "INTEGER";

const PREFIX: &str = "CAST(NULL AS ";

/// The type name a key's DEFAULT `CAST(NULL AS name)` records; `None` for
/// int4, which `INTEGER` already reads as.
pub fn marker(ty: PgType) -> Option<&'static str> {
    matches!(ty, PgType::Int8 | PgType::Int2).then(|| ty.name())
}

/// The declared type to read a column as: `decl`, or for a rowid alias
/// key the type its default records.
pub fn decl<'a>(decl: &'a str, dflt: Option<&'a str>) -> &'a str {
    if decl != ROWID_DECL {
        return decl;
    }
    dflt.and_then(|d| {
        let head = d.get(..PREFIX.len())?;
        head.eq_ignore_ascii_case(PREFIX)
            .then(|| d[PREFIX.len()..].strip_suffix(')'))
            .flatten()
    })
    .unwrap_or(decl)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_read_back() {
        for ty in [PgType::Int8, PgType::Int2] {
            let m = format!("CAST(NULL AS {})", marker(ty).unwrap());
            assert_eq!(PgType::from_decl(decl("INTEGER", Some(&m))), ty);
        }
        assert_eq!(marker(PgType::Int4), None);
        assert_eq!(decl("INTEGER", None), "INTEGER");
        assert_eq!(decl("int4", Some("CAST(NULL AS int8)")), "int4");
        assert_eq!(decl("INTEGER", Some("7")), "INTEGER");
        assert_eq!(decl("INTEGER", Some("cast(null as int2)")), "int2");
    }
}
