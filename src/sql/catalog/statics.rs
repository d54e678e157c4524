//! Catalogs with fixed rows (namespaces, access methods, the database, the
//! session's role, settings drivers read) and the ones that are always empty.

use super::{empty, rel, Relation};

pub(super) fn add(all: &mut Vec<Relation>) {
    rel(
        all,
        "pgcat_pg_namespace",
        "oid:oid nspname:name nspowner:oid nspacl:text[]",
        "SELECT 11 AS oid, 'pg_catalog' AS nspname, 10 AS nspowner, NULL AS nspacl \
         UNION ALL SELECT 2200, 'public', 6171, NULL \
         UNION ALL SELECT 13000, 'information_schema', 10, NULL",
    );
    rel(
        all,
        "pgcat_pg_am",
        "oid:oid amname:name amhandler:text amtype:char",
        "SELECT 2 AS oid, 'heap' AS amname, 'heap_tableam_handler' AS amhandler, 't' AS amtype \
         UNION ALL SELECT 403, 'btree', 'bthandler', 'i'",
    );
    rel(
        all,
        "pgcat_pg_database",
        "oid:oid datname:name datdba:oid encoding:int4 datlocprovider:char datistemplate:bool \
         datallowconn:bool datconnlimit:int4 datfrozenxid:int8 datminmxid:int8 \
         dattablespace:oid datcollate:text datctype:text daticulocale:text \
         datcollversion:text datacl:text[]",
        "SELECT 16384 AS oid, pg_current_database() AS datname, 10 AS datdba, 6 AS encoding, \
           'c' AS datlocprovider, 0 AS datistemplate, 1 AS datallowconn, -1 AS datconnlimit, \
           0 AS datfrozenxid, 0 AS datminmxid, 1663 AS dattablespace, 'C.UTF-8' AS datcollate, \
           'C.UTF-8' AS datctype, NULL AS daticulocale, NULL AS datcollversion, NULL AS datacl",
    );
    let role_cols = "oid:oid rolname:name rolsuper:bool rolinherit:bool rolcreaterole:bool \
         rolcreatedb:bool rolcanlogin:bool rolreplication:bool rolconnlimit:int4 \
         rolpassword:text rolvaliduntil:timestamptz rolbypassrls:bool rolconfig:text[]";
    let role_body = "SELECT 10 AS oid, pg_session_user() AS rolname, 0 AS rolsuper, \
           1 AS rolinherit, 0 AS rolcreaterole, 0 AS rolcreatedb, 1 AS rolcanlogin, \
           0 AS rolreplication, -1 AS rolconnlimit, '********' AS rolpassword, \
           NULL AS rolvaliduntil, 0 AS rolbypassrls, NULL AS rolconfig";
    rel(all, "pgcat_pg_roles", role_cols, role_body);
    rel(all, "pgcat_pg_authid", role_cols, role_body);
    rel(
        all,
        "pgcat_pg_user",
        "usename:name usesysid:oid usecreatedb:bool usesuper:bool userepl:bool \
         usebypassrls:bool passwd:text valuntil:timestamptz useconfig:text[]",
        "SELECT pg_session_user() AS usename, 10 AS usesysid, 0 AS usecreatedb, 0 AS usesuper, \
           0 AS userepl, 0 AS usebypassrls, '********' AS passwd, NULL AS valuntil, \
           NULL AS useconfig",
    );
    rel(
        all,
        "pgcat_pg_collation",
        "oid:oid collname:name collnamespace:oid collowner:oid collprovider:char \
         collisdeterministic:bool collencoding:int4 collcollate:text collctype:text",
        "SELECT 100 AS oid, 'default' AS collname, 11 AS collnamespace, 10 AS collowner, \
           'd' AS collprovider, 1 AS collisdeterministic, -1 AS collencoding, NULL AS collcollate, \
           NULL AS collctype \
         UNION ALL SELECT 950, 'C', 11, 10, 'c', 1, -1, 'C', 'C' \
         UNION ALL SELECT 951, 'POSIX', 11, 10, 'c', 1, -1, 'POSIX', 'POSIX'",
    );
    rel(
        all,
        "pgcat_pg_extension",
        "oid:oid extname:name extowner:oid extnamespace:oid extrelocatable:bool \
         extversion:text extconfig:text extcondition:text",
        "SELECT 13001 AS oid, 'plpgsql' AS extname, 10 AS extowner, 11 AS extnamespace, \
           0 AS extrelocatable, '1.0' AS extversion, NULL AS extconfig, NULL AS extcondition",
    );
    rel(
        all,
        "pgcat_pg_tablespace",
        "oid:oid spcname:name spcowner:oid spcacl:text[] spcoptions:text[]",
        "SELECT 1663 AS oid, 'pg_default' AS spcname, 10 AS spcowner, NULL AS spcacl, \
           NULL AS spcoptions UNION ALL SELECT 1664, 'pg_global', 10, NULL, NULL",
    );
    rel(
        all,
        "pgcat_pg_settings",
        "name:text setting:text unit:text category:text short_desc:text context:text \
         vartype:text source:text",
        "SELECT column1 AS name, column2 AS setting, NULL AS unit, 'Preset Options' AS category, \
           '' AS short_desc, 'internal' AS context, column3 AS vartype, 'default' AS source \
         FROM (VALUES ('server_version', '15.8', 'string'), ('server_version_num', '150008', 'integer'), \
           ('server_encoding', 'UTF8', 'string'), ('client_encoding', 'UTF8', 'string'), \
           ('standard_conforming_strings', 'on', 'bool'), ('integer_datetimes', 'on', 'bool'), \
           ('max_identifier_length', '63', 'integer'), ('max_index_keys', '32', 'integer'), \
           ('block_size', '8192', 'integer'), ('default_table_access_method', 'heap', 'string'), ('DateStyle', 'ISO, MDY', 'string'), \
           ('TimeZone', 'UTC', 'string'), ('search_path', '\"$user\", public', 'string'), \
           ('default_transaction_isolation', 'serializable', 'enum'))",
    );
    empty(
        all,
        "pgcat_pg_auth_members",
        "oid:oid roleid:oid member:oid grantor:oid admin_option:bool",
    );
    empty(
        all,
        "pgcat_pg_shdescription",
        "objoid:oid classoid:oid description:text",
    );
    empty(
        all,
        "pgcat_pg_proc",
        "oid:oid proname:name pronamespace:oid proowner:oid prolang:oid prokind:char \
         proretset:bool prorettype:oid pronargs:int2 proargtypes:text prosrc:text",
    );
    // This tenant's live sessions (server::activity).
    rel(
        all,
        "pgcat_pg_stat_activity",
        "datid:oid datname:name pid:int4 usesysid:oid usename:name application_name:text \
         client_addr:text backend_start:timestamptz state:text query:text backend_type:text",
        "SELECT 16384 AS datid, json_extract(a.value, '$.datname') AS datname, \
           json_extract(a.value, '$.pid') AS pid, 10 AS usesysid, \
           json_extract(a.value, '$.usename') AS usename, \
           json_extract(a.value, '$.application_name') AS application_name, \
           NULL AS client_addr, NULL AS backend_start, json_extract(a.value, '$.state') AS state, \
           NULL AS query, 'client backend' AS backend_type \
         FROM json_each(pg_tenant_activity()) a",
    );
    empty(
        all,
        "pgcat_pg_publication",
        "oid:oid pubname:name pubowner:oid puballtables:bool pubinsert:bool pubupdate:bool \
         pubdelete:bool pubtruncate:bool pubviaroot:bool",
    );
    empty(
        all,
        "pgcat_pg_publication_rel",
        "oid:oid prpubid:oid prrelid:oid prqual:text prattrs:int2[]",
    );
    empty(
        all,
        "pgcat_pg_publication_namespace",
        "oid:oid pnpubid:oid pnnspid:oid",
    );
    empty(
        all,
        "pgcat_pg_foreign_table",
        "ftrelid:oid ftserver:oid ftoptions:text[]",
    );
    empty(
        all,
        "pgcat_pg_depend",
        "classid:oid objid:oid objsubid:int4 refclassid:oid refobjid:oid refobjsubid:int4 \
         deptype:char",
    );
    // No operator classes are listed: every index uses its type's default
    // (what SQLAlchemy's reflection reports as no opclass options).
    empty(
        all,
        "pgcat_pg_opclass",
        "oid:oid opcmethod:oid opcname:name opcnamespace:oid opcowner:oid opcfamily:oid \
         opcintype:oid opcdefault:bool opckeytype:oid",
    );
}
