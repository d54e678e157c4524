//! Object sizes: `pg_relation_size`, `pg_table_size`, `pg_indexes_size`
//! and `pg_total_relation_size` of a table (by name or OID) read SQLite's
//! `dbstat` table for the b-trees the table and its indexes occupy; a
//! table has no TOAST, so its table size is its relation size.
//! (`pg_database_size` and `pg_size_pretty` are server functions.)

use super::ast::{plain_args, template};
use sqlparser::ast::{Expr, Function};

/// The replacement of a size function's call; `None` for other calls.
pub(super) fn rewrite(name: &str, func: &Function) -> Option<Expr> {
    // Which of the table's b-trees count.
    let objects = match name {
        "pg_relation_size" | "pg_table_size" => "s.type = 'table'",
        "pg_indexes_size" => "s.type = 'index'",
        "pg_total_relation_size" => "s.type IN ('table', 'index')",
        _ => return None,
    };
    let args = plain_args(func)?;
    let [rel] = args.as_slice() else {
        return None;
    };
    // The argument is a name ('orders', a regclass cast already made an
    // OID) or an OID (pg_class.oid): either finds the table.
    Some(template(
        &format!(
            "(SELECT coalesce(sum((SELECT sum(d.pgsize) FROM dbstat d \
               WHERE d.name = s.name AND d.aggregate = 1)), 0) \
             FROM main.sqlite_schema s WHERE {objects} AND s.tbl_name = \
               (SELECT c.relname FROM pgcat_pg_class c WHERE c.oid = $1 OR c.relname = $1))"
        ),
        [(*rel).clone()],
    ))
}
