use super::*;

#[test]
fn view_names_resolve() {
    assert_eq!(view_for(None, "pg_class"), Some("pgcat_pg_class"));
    assert_eq!(
        view_for(Some("pg_catalog"), "pg_type"),
        Some("pgcat_pg_type")
    );
    assert_eq!(
        view_for(Some("information_schema"), "columns"),
        Some("pgcat_is_columns")
    );
    assert_eq!(view_for(None, "todo"), None);
    assert_eq!(view_for(None, "_rel"), None);
    assert_eq!(column_type("pgcat_pg_type", "typtype"), Some(PgType::Char));
    assert_eq!(column_type("pgcat_pg_type", "oid"), Some(PgType::Oid));
}

#[test]
fn type_functions() {
    assert_eq!(format_type(1043, Some(104)), "character varying(100)");
    assert_eq!(
        format_type(1700, Some(type_mod("numeric(10,2)"))),
        "numeric(10,2)"
    );
    assert_eq!(format_type(23, None), "integer");
    assert_eq!(format_type(1007, None), "integer[]");
    assert_eq!(info_data_type(1114), "timestamp without time zone");
    assert_eq!(regtype_oid("integer"), Some(23));
    assert_eq!(regtype_oid("int4"), Some(23));
    assert_eq!(regtype_oid("text[]"), Some(1009));
    assert_eq!(regtype_oid("hstore"), None);
}
