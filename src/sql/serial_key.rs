//! The PostgreSQL type of a serial or identity primary key.
//!
//! Such a key becomes SQLite's rowid alias, which must be declared exactly
//! `INTEGER`, so SQLite reports that type for it and it would read as int4.
//! A key of another type (bigserial: int8, smallserial: int2) is declared
//! `INTEGER PRIMARY KEY DEFAULT (CAST(NULL AS int8))`: the default never
//! applies (SQLite numbers a rowid that is left out or NULL itself), and it
//! keeps the real type where `pragma_table_info` shows it. [`decl`] reads
//! it back; SQL reads it through the `pg_decl(type, dflt_value)` function.
//!
//! An identity column `GENERATED ALWAYS` (which refuses values written into
//! it, see `pgfuncs::column_input`) records so in its default the same way:
//! the default is cast to the type named `"<type> always"` (`CAST(NULL AS
//! "int4 always")` for a key, `CAST(pg_nextval('t_n_seq') AS "int8
//! always")` otherwise). SQLite gives such a cast the type's affinity (the
//! name holds `INT`), so the default's value is unchanged; the mark lives in
//! the table's definition, which survives a restart and moves with renames.

use crate::sql::pgtype::PgType;

/// The declared type of a rowid alias key.
pub const ROWID_DECL: &str = "INTEGER";

const PREFIX: &str = "CAST(NULL AS ";

/// What follows the type's name in an identity `GENERATED ALWAYS` mark.
pub const ALWAYS_SUFFIX: &str = " always";

/// The type name an identity `GENERATED ALWAYS` column's default is cast to.
pub fn always_marker(ty: PgType) -> String {
    format!("{}{ALWAYS_SUFFIX}", ty.name())
}

/// Whether a column's default (`pragma_table_info`'s `dflt_value`) marks
/// an identity column `GENERATED ALWAYS`.
pub fn is_always(dflt: Option<&str>) -> bool {
    dflt.is_some_and(|d| {
        let d = d.trim();
        let d = d
            .strip_prefix('(')
            .and_then(|d| d.strip_suffix(')'))
            .unwrap_or(d);
        d.get(..5).is_some_and(|h| h.eq_ignore_ascii_case("CAST("))
            && d.ends_with(&format!("{ALWAYS_SUFFIX}\")"))
    })
}

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
        let name = head
            .eq_ignore_ascii_case(PREFIX)
            .then(|| d[PREFIX.len()..].strip_suffix(')'))
            .flatten()?;
        // The GENERATED ALWAYS mark: `"int4 always"`.
        Some(
            name.strip_prefix('"')
                .and_then(|n| n.strip_suffix('"'))
                .and_then(|n| n.strip_suffix(ALWAYS_SUFFIX))
                .unwrap_or(name),
        )
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
        let always = format!("CAST(NULL AS \"{}\")", always_marker(PgType::Int4));
        assert_eq!(decl("INTEGER", Some(&always)), "int4");
        assert!(is_always(Some(&always)));
        assert!(is_always(Some(
            "(CAST(pg_nextval('t_n_seq') AS \"int8 always\"))"
        )));
        assert!(!is_always(Some("CAST(NULL AS int8)")));
        assert!(!is_always(None));
    }
}
