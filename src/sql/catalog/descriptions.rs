//! pg_description: the tenant's `COMMENT ON` texts (`pgcat__comment`, see
//! `COMMENT_TABLE`) under the OIDs pg_class, pg_attribute, pg_constraint,
//! pg_type and pg_namespace give their objects. A comment is matched to
//! its object by name, so one whose object is gone has no row. The public schema
//! has PostgreSQL's own comment until one replaces it (an empty text stored
//! for `IS NULL` hides it).

use super::pg_type::ENUM_OID;
use super::{rel, Relation};

/// The catalogs' own OIDs, as PostgreSQL numbers them (`classoid`, and what
/// `'pg_class'::regclass` or `obj_description(x, 'pg_class')` name).
pub const CATALOG_OIDS: &[(&str, i64)] = &[
    ("pg_type", 1247),
    ("pg_attribute", 1249),
    ("pg_proc", 1255),
    ("pg_class", 1259),
    ("pg_database", 1262),
    ("pg_constraint", 2606),
    ("pg_description", 2609),
    ("pg_namespace", 2615),
    // The rest: what pg_dump and BI tools read `tableoid` and `classid` of.
    ("pg_default_acl", 826),
    ("pg_tablespace", 1213),
    ("pg_authid", 1260),
    ("pg_foreign_server", 1417),
    ("pg_sequence", 2224),
    ("pg_foreign_data_wrapper", 2328),
    ("pg_aggregate", 2600),
    ("pg_am", 2601),
    ("pg_amop", 2602),
    ("pg_amproc", 2603),
    ("pg_attrdef", 2604),
    ("pg_cast", 2605),
    ("pg_conversion", 2607),
    ("pg_depend", 2608),
    ("pg_index", 2610),
    ("pg_inherits", 2611),
    ("pg_language", 2612),
    ("pg_operator", 2617),
    ("pg_rewrite", 2618),
    ("pg_trigger", 2620),
    ("pg_opclass", 2616),
    ("pg_opfamily", 2753),
    ("pg_largeobject_metadata", 2995),
    ("pg_extension", 3079),
    ("pg_policy", 3256),
    ("pg_partitioned_table", 3350),
    ("pg_statistic_ext", 3381),
    ("pg_init_privs", 3394),
    ("pg_collation", 3456),
    ("pg_event_trigger", 3466),
    ("pg_enum", 3501),
    ("pg_range", 3541),
    ("pg_transform", 3576),
    ("pg_seclabel", 3596),
    ("pg_ts_dict", 3600),
    ("pg_ts_parser", 3601),
    ("pg_ts_config", 3602),
    ("pg_ts_template", 3764),
    ("pg_subscription", 6100),
    ("pg_publication", 6104),
    ("pg_publication_rel", 6106),
    ("pg_publication_namespace", 6237),
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
    // Each arm starts from the schema row its OID comes from, so a query
    // for one object (`obj_description(oid)`, `objoid = x`, pushed into the
    // arms) tests that row's OID before it looks up a comment (by the
    // table's key) or reads a table's columns; the rarer kinds look their
    // object up per comment.
    let body = format!(
        "SELECT * FROM (\
         SELECT s.rowid + 16384 AS objoid, 1259 AS classoid, 0 AS objsubid, \
           c.description AS description \
           FROM main.sqlite_schema s JOIN pgcat__comment c \
             ON c.kind = CASE s.type WHEN 'index' THEN 'idx' ELSE 'rel' END \
             AND c.obj = s.name AND c.sub = '' \
           WHERE s.type IN ('table', 'view', 'index') \
         UNION ALL SELECT (SELECT x.oid FROM pgcat__idx x WHERE x.name = c.obj COLLATE NOCASE), \
           1259, 0, c.description FROM pgcat__comment c WHERE c.kind = 'idx' \
           AND NOT EXISTS (SELECT 1 FROM main.sqlite_schema s WHERE s.type = 'index' \
             AND s.name = c.obj COLLATE NOCASE) \
         UNION ALL SELECT s.rowid + 16384, 1259, p.cid + 1, c.description \
           FROM main.sqlite_schema s JOIN pgcat__comment c ON c.kind = 'col' AND c.obj = s.name \
           JOIN pragma_table_info(s.name) p ON p.name = c.sub COLLATE NOCASE \
           WHERE s.type IN ('table', 'view') \
         UNION ALL SELECT (SELECT k.oid FROM pgcat__con k JOIN pgcat__rel r ON r.oid = k.conrelid \
             WHERE r.name = c.obj COLLATE NOCASE AND k.conname = c.sub COLLATE NOCASE), \
           2606, 0, c.description FROM pgcat__comment c WHERE c.kind = 'con' \
         UNION ALL SELECT {ENUM_OID} + (SELECT min(e.rowid) FROM pgcat__enum e WHERE e.type = c.obj), \
           1247, 0, c.description FROM pgcat__comment c WHERE c.kind = 'type' \
         UNION ALL SELECT 2200, 2615, 0, coalesce((SELECT c.description FROM pgcat__comment c \
           WHERE c.kind = 'schema' AND c.obj = 'public'), 'standard public schema') \
         UNION ALL SELECT p.oid, 1255, 0, c.description FROM pgcat__comment c \
           JOIN pgcat_pg_proc p ON p.proname = c.obj \
             AND (c.sub = '' OR p.pronargs = CAST(c.sub AS INTEGER)) \
           WHERE c.kind = 'func' \
         UNION ALL SELECT 13001, 3079, 0, 'PL/pgSQL procedural language') \
         WHERE objoid IS NOT NULL AND objsubid IS NOT NULL AND description <> ''"
    );
    rel(
        all,
        "pgcat_pg_description",
        "objoid:oid classoid:oid objsubid:int4 description:text",
        &body,
    );
}
