//! Table privileges as the catalogs show them: the explicit grants of the
//! tenant's `pgcat__acl` table (see `backend::sqlite::privileges`) in
//! information_schema's table_privileges and role_table_grants and in
//! pg_class.relacl (`pgcat__acl_item`: one aclitem text per grantee;
//! `pgcat__acl_list`: a table's aclitem[], a JSON array as arrays are
//! stored).
//! A role's default privileges are not listed, as PostgreSQL does not
//! list a table owner's until a GRANT or REVOKE touches the table.

use super::{rel, Relation};

/// The rows of table_privileges and role_table_grants: the owner's (the
/// session's user, as pg_class.relowner says) on every table and view, as
/// far as the user's role and grants give them, then the grants, recorded
/// as made by the owner as PostgreSQL does.
const GRANTS: &str = "SELECT pg_get_userbyid(10) AS grantor, g.grantee AS grantee, \
       pg_current_database() AS table_catalog, 'public' AS table_schema, r.name AS table_name, \
       g.privilege AS privilege_type, g.grantable AS is_grantable, \
       CASE g.privilege WHEN 'SELECT' THEN 'YES' ELSE 'NO' END AS with_hierarchy \
     FROM pgcat__rel r JOIN (SELECT NULL AS rel, pg_get_userbyid(10) AS grantee, p.value AS privilege, \
         'YES' AS grantable FROM json_each('[\"INSERT\",\"SELECT\",\"UPDATE\",\"DELETE\",\
\"TRUNCATE\",\"REFERENCES\",\"TRIGGER\"]') p \
       UNION ALL SELECT a.rel, a.grantee, a.privilege, 'NO' FROM pgcat__acl a WHERE a.granted) g \
       ON g.rel IS NULL OR g.rel = r.name COLLATE NOCASE \
     WHERE r.type <> 'sequence' AND (g.rel IS NOT NULL OR has_table_privilege(r.name, g.privilege))";

const COLUMNS: &str = "grantor:name grantee:name table_catalog:name table_schema:name \
     table_name:name privilege_type:varchar is_grantable:varchar with_hierarchy:varchar";

pub(super) fn add(all: &mut Vec<Relation>) {
    // The ACL letters in PostgreSQL's order (arwdDxt); PUBLIC is the empty
    // name.
    rel(
        all,
        "pgcat__acl_item",
        "rel:text item:text",
        "SELECT a.rel AS rel, CASE a.grantee WHEN 'PUBLIC' THEN '' ELSE a.grantee END || '=' || \
           group_concat(CASE a.privilege WHEN 'INSERT' THEN 'a' WHEN 'SELECT' THEN 'r' \
             WHEN 'UPDATE' THEN 'w' WHEN 'DELETE' THEN 'd' WHEN 'TRUNCATE' THEN 'D' \
             WHEN 'REFERENCES' THEN 'x' ELSE 't' END, '' ORDER BY instr('arwdDxt', \
             CASE a.privilege WHEN 'INSERT' THEN 'a' WHEN 'SELECT' THEN 'r' \
             WHEN 'UPDATE' THEN 'w' WHEN 'DELETE' THEN 'd' WHEN 'TRUNCATE' THEN 'D' \
             WHEN 'REFERENCES' THEN 'x' ELSE 't' END)) || '/' || pg_get_userbyid(10) AS item \
         FROM pgcat__acl a WHERE a.granted GROUP BY a.rel, a.grantee",
    );
    rel(
        all,
        "pgcat__acl_list",
        "rel:text acl:text",
        "SELECT a.rel AS rel, '[' || json_quote(pg_get_userbyid(10) || '=arwdDxt/' || \
           pg_get_userbyid(10)) || coalesce((SELECT ',' || group_concat(json_quote(i.item), ',') \
             FROM pgcat__acl_item i WHERE i.rel = a.rel), '') || ']' AS acl \
         FROM (SELECT DISTINCT rel FROM pgcat__acl) a",
    );
    rel(all, "pgcat_is_table_privileges", COLUMNS, GRANTS);
    rel(all, "pgcat_is_role_table_grants", COLUMNS, GRANTS);
}
