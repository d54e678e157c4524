//! pg_description: the tenant's `COMMENT ON` texts (`pgcat__comment`, see
//! `COMMENT_TABLE`) under the OIDs pg_class, pg_attribute, pg_constraint,
//! pg_type and pg_namespace give their objects. Each comment's OID is looked up by
//! name, so a comment whose object is gone has no row. The public schema
//! has PostgreSQL's own comment until one replaces it (an empty text stored
//! for `IS NULL` hides it).

use super::pg_type::ENUM_OID;
use super::{rel, Relation};

/// The catalogs' own OIDs, as PostgreSQL numbers them (`classoid`, and what
/// `'pg_class'::regclass` or `obj_description(x, 'pg_class')` name).
pub const CATALOG_OIDS: [(&str, i64); 8] = [
    ("pg_type", 1247),
    ("pg_attribute", 1249),
    ("pg_proc", 1255),
    ("pg_class", 1259),
    ("pg_database", 1262),
    ("pg_constraint", 2606),
    ("pg_description", 2609),
    ("pg_namespace", 2615),
];

/// The OID of catalog `name` (`pg_class` or `pg_catalog.pg_class`).
pub fn catalog_oid(name: &str) -> Option<i64> {
    let name = name.strip_prefix("pg_catalog.").unwrap_or(name);
    CATALOG_OIDS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, oid)| *oid)
}

pub(super) fn add(all: &mut Vec<Relation>) {
    // Correlated lookups per comment row: with no comments, nothing of the
    // (pragma-heavy) relation views is computed.
    let body = format!(
        "SELECT * FROM (\
         SELECT (SELECT r.oid FROM pgcat__rel r WHERE r.name = c.obj COLLATE NOCASE) AS objoid, \
           1259 AS classoid, 0 AS objsubid, c.description AS description \
           FROM pgcat__comment c WHERE c.kind = 'rel' \
         UNION ALL SELECT (SELECT x.oid FROM pgcat__idx x WHERE x.name = c.obj COLLATE NOCASE), \
           1259, 0, c.description FROM pgcat__comment c WHERE c.kind = 'idx' \
         UNION ALL SELECT (SELECT r.oid FROM pgcat__rel r WHERE r.name = c.obj COLLATE NOCASE), \
           1259, (SELECT p.cid + 1 FROM pragma_table_info(c.obj) p \
             WHERE p.name = c.sub COLLATE NOCASE), c.description \
           FROM pgcat__comment c WHERE c.kind = 'col' \
         UNION ALL SELECT {ENUM_OID} + (SELECT min(e.rowid) FROM pgcat__enum e WHERE e.type = c.obj), \
           1247, 0, c.description FROM pgcat__comment c WHERE c.kind = 'type' \
         UNION ALL SELECT (SELECT k.oid FROM pgcat__con k JOIN pgcat__rel r ON r.oid = k.conrelid \
             WHERE r.name = c.obj COLLATE NOCASE AND k.conname = c.sub COLLATE NOCASE), \
           2606, 0, c.description FROM pgcat__comment c WHERE c.kind = 'con' \
         UNION ALL SELECT 2200, 2615, 0, coalesce((SELECT c.description FROM pgcat__comment c \
           WHERE c.kind = 'schema' AND c.obj = 'public'), 'standard public schema')) \
         WHERE objoid IS NOT NULL AND objsubid IS NOT NULL AND description <> ''"
    );
    rel(
        all,
        "pgcat_pg_description",
        "objoid:oid classoid:oid objsubid:int4 description:text",
        &body,
    );
}
