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
         UNION ALL SELECT 13000, 'information_schema', 10, NULL \
         UNION ALL SELECT 9000000 + rowid, name, 10, NULL FROM pgcat__schema",
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
           NULL AS rolvaliduntil, 0 AS rolbypassrls, NULL AS rolconfig \
         UNION ALL SELECT 6171, 'pg_database_owner', 0, 1, 0, 0, 0, 0, -1, '********', NULL, 0, NULL";
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
           ('default_transaction_isolation', 'serializable', 'enum'), \
           ('max_connections', '100', 'integer'))",
    );
    // No heavyweight locks are kept (SQLite's are per file): none held.
    empty(
        all,
        "pgcat_pg_locks",
        "locktype:text database:oid relation:oid page:int4 tuple:int2 virtualxid:text \
         transactionid:int8 classid:oid objid:oid objsubid:int2 virtualtransaction:text \
         pid:int4 mode:text granted:bool fastpath:bool waitstart:timestamptz",
    );
    // The tenant's database, its counters not kept: 0.
    rel(
        all,
        "pgcat_pg_stat_database",
        "datid:oid datname:name numbackends:int4 xact_commit:int8 xact_rollback:int8 \
         blks_read:int8 blks_hit:int8 tup_returned:int8 tup_fetched:int8 tup_inserted:int8 \
         tup_updated:int8 tup_deleted:int8 conflicts:int8 temp_files:int8 temp_bytes:int8 \
         deadlocks:int8 checksum_failures:int8 checksum_last_failure:timestamptz \
         blk_read_time:float8 blk_write_time:float8 session_time:float8 active_time:float8 \
         idle_in_transaction_time:float8 sessions:int8 sessions_abandoned:int8 \
         sessions_fatal:int8 sessions_killed:int8 stats_reset:timestamptz",
        "SELECT 16384 AS datid, pg_current_database() AS datname, 1 AS numbackends, \
           0 AS xact_commit, 0 AS xact_rollback, 0 AS blks_read, 0 AS blks_hit, \
           0 AS tup_returned, 0 AS tup_fetched, 0 AS tup_inserted, 0 AS tup_updated, \
           0 AS tup_deleted, 0 AS conflicts, 0 AS temp_files, 0 AS temp_bytes, 0 AS deadlocks, \
           NULL AS checksum_failures, NULL AS checksum_last_failure, 0 AS blk_read_time, \
           0 AS blk_write_time, 0 AS session_time, 0 AS active_time, \
           0 AS idle_in_transaction_time, 0 AS sessions, 0 AS sessions_abandoned, \
           0 AS sessions_fatal, 0 AS sessions_killed, NULL AS stats_reset",
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
    // The tenant's functions: PL/pgSQL trigger functions (OID: rowid +
    // 7,000,000) and functions with arguments (`backend::sqlite::proc_catalog`).
    rel(
        all,
        "pgcat_pg_proc",
        "oid:oid proname:name pronamespace:oid proowner:oid prolang:oid procost:float4 \
         prorows:float4 provariadic:oid prosupport:text prokind:char prosecdef:bool \
         proleakproof:bool proisstrict:bool proretset:bool provolatile:char proparallel:char \
         pronargs:int2 pronargdefaults:int2 prorettype:oid proargtypes:text \
         proallargtypes:oid[] proargmodes:text proargnames:text[] proargdefaults:text \
         protrftypes:text prosrc:text probin:text prosqlbody:text proconfig:text[] \
         proacl:text[]",
        "SELECT 7000000 + json_extract(f.value, '$[0]') AS oid, \
           json_extract(f.value, '$[1]') AS proname, 2200 AS pronamespace, 10 AS proowner, \
           13002 AS prolang, 100 AS procost, 0 AS prorows, 0 AS provariadic, '-' AS prosupport, \
           'f' AS prokind, 0 AS prosecdef, 0 AS proleakproof, 0 AS proisstrict, 0 AS proretset, \
           'v' AS provolatile, 'u' AS proparallel, 0 AS pronargs, 0 AS pronargdefaults, \
           2279 AS prorettype, '' AS proargtypes, NULL AS proallargtypes, NULL AS proargmodes, \
           NULL AS proargnames, NULL AS proargdefaults, NULL AS protrftypes, \
           json_extract(f.value, '$[2]') AS prosrc, NULL AS probin, NULL AS prosqlbody, \
           NULL AS proconfig, NULL AS proacl FROM json_each(pg_trigger_functions()) f \
         UNION ALL SELECT json_extract(f.value, '$[0]'), json_extract(f.value, '$[1]'), 2200, 10, \
           json_extract(f.value, '$[2]'), 100, 0, 0, '-', 'f', 0, 0, 0, 0, 'v', 'u', \
           json_extract(f.value, '$[3]'), 0, json_extract(f.value, '$[4]'), \
           json_extract(f.value, '$[5]'), NULL, NULL, json_extract(f.value, '$[6]'), NULL, \
           NULL, json_extract(f.value, '$[7]'), NULL, NULL, NULL, NULL \
         FROM json_each(pg_routines()) f",
    );
    rel(
        all,
        "pgcat_pg_language",
        "oid:oid lanname:name lanowner:oid lanispl:bool lanpltrusted:bool lanplcallfoid:oid \
         laninline:oid lanvalidator:oid lanacl:text[]",
        "SELECT 12 AS oid, 'internal' AS lanname, 10 AS lanowner, 0 AS lanispl, \
           0 AS lanpltrusted, 0 AS lanplcallfoid, 0 AS laninline, 0 AS lanvalidator, \
           NULL AS lanacl \
         UNION ALL SELECT 13, 'c', 10, 0, 0, 0, 0, 0, NULL \
         UNION ALL SELECT 14, 'sql', 10, 0, 1, 0, 0, 0, NULL \
         UNION ALL SELECT 13002, 'plpgsql', 10, 1, 1, 0, 0, 0, NULL",
    );
    // Catalogs of objects a tenant cannot make here (operators, casts,
    // foreign servers, publications, ...): their columns, no rows, so
    // pg_dump and BI tools read them as of a database that has none.
    for (view, spec) in NONE_HERE {
        empty(all, view, spec);
    }
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
    // No operator classes are listed: every index uses its type's default
    // (what SQLAlchemy's reflection reports as no opclass options).
    empty(
        all,
        "pgcat_pg_opclass",
        "oid:oid opcmethod:oid opcname:name opcnamespace:oid opcowner:oid opcfamily:oid \
         opcintype:oid opcdefault:bool opckeytype:oid",
    );
}

const NONE_HERE: &[(&str, &str)] = &[
    (
        "pgcat_pg_init_privs",
        "objoid:oid classoid:oid objsubid:int4 privtype:char initprivs:text[]",
    ),
    (
        "pgcat_pg_operator",
        "oid:oid oprname:name oprnamespace:oid oprowner:oid oprkind:char oprcanmerge:bool \
         oprcanhash:bool oprleft:oid oprright:oid oprresult:oid oprcom:oid oprnegate:oid \
         oprcode:oid oprrest:oid oprjoin:oid",
    ),
    (
        "pgcat_pg_opfamily",
        "oid:oid opfmethod:oid opfname:name opfnamespace:oid opfowner:oid",
    ),
    (
        "pgcat_pg_amop",
        "oid:oid amopfamily:oid amoplefttype:oid amoprighttype:oid amopstrategy:int2 \
         amoppurpose:char amopopr:oid amopmethod:oid amopsortfamily:oid",
    ),
    (
        "pgcat_pg_amproc",
        "oid:oid amprocfamily:oid amproclefttype:oid amprocrighttype:oid amprocnum:int2 \
         amproc:oid",
    ),
    (
        "pgcat_pg_aggregate",
        "aggfnoid:oid aggkind:char aggnumdirectargs:int2 aggtransfn:oid aggfinalfn:oid \
         aggtranstype:oid agginitval:text",
    ),
    (
        "pgcat_pg_cast",
        "oid:oid castsource:oid casttarget:oid castfunc:oid castcontext:char castmethod:char",
    ),
    (
        "pgcat_pg_conversion",
        "oid:oid conname:name connamespace:oid conowner:oid conforencoding:int4 \
         contoencoding:int4 conproc:oid condefault:bool",
    ),
    (
        "pgcat_pg_transform",
        "oid:oid trftype:oid trflang:oid trffromsql:oid trftosql:oid",
    ),
    (
        "pgcat_pg_ts_parser",
        "oid:oid prsname:name prsnamespace:oid prsstart:oid prstoken:oid prsend:oid \
         prsheadline:oid prslextype:oid",
    ),
    (
        "pgcat_pg_ts_template",
        "oid:oid tmplname:name tmplnamespace:oid tmplinit:oid tmpllexize:oid",
    ),
    (
        "pgcat_pg_ts_dict",
        "oid:oid dictname:name dictnamespace:oid dictowner:oid dicttemplate:oid \
         dictinitoption:text",
    ),
    (
        "pgcat_pg_ts_config",
        "oid:oid cfgname:name cfgnamespace:oid cfgowner:oid cfgparser:oid",
    ),
    (
        "pgcat_pg_foreign_data_wrapper",
        "oid:oid fdwname:name fdwowner:oid fdwhandler:oid fdwvalidator:oid fdwacl:text[] \
         fdwoptions:text[]",
    ),
    (
        "pgcat_pg_foreign_server",
        "oid:oid srvname:name srvowner:oid srvfdw:oid srvtype:text srvversion:text \
         srvacl:text[] srvoptions:text[]",
    ),
    (
        "pgcat_pg_default_acl",
        "oid:oid defaclrole:oid defaclnamespace:oid defaclobjtype:char defaclacl:text[]",
    ),
    (
        "pgcat_pg_event_trigger",
        "oid:oid evtname:name evtevent:name evtowner:oid evtfoid:oid evtenabled:char \
         evttags:text[]",
    ),
    (
        "pgcat_pg_subscription",
        "oid:oid subdbid:oid subskiplsn:text subname:name subowner:oid subenabled:bool \
         subbinary:bool substream:bool subtwophasestate:char subdisableonerr:bool \
         subconninfo:text subslotname:name subsynccommit:text subpublications:text[]",
    ),
    (
        "pgcat_pg_largeobject_metadata",
        "oid:oid lomowner:oid lomacl:text[]",
    ),
    (
        "pgcat_pg_seclabel",
        "objoid:oid classoid:oid objsubid:int4 provider:text label:text",
    ),
    (
        "pgcat_pg_seclabels",
        "objoid:oid classoid:oid objsubid:int4 objtype:text objnamespace:oid objname:text \
         provider:text label:text",
    ),
];
