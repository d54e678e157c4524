//! Relations, columns, indexes and constraints: pg_class, pg_attribute,
//! pg_attrdef, pg_index, pg_constraint (and pg_tables/pg_indexes/pg_views),
//! from `sqlite_schema` and the pragma table functions.
//!
//! OIDs: a table or view is its `sqlite_schema` rowid + 16384; an index
//! SQLite stores is its own rowid + 16384; the primary key of a rowid table
//! (which SQLite keeps without an index) is the table's OID + 1,000,000;
//! constraints of an index are its OID + 2,000,000; foreign keys are
//! 4,000,000 + 100 x (table OID - 16384) + the key's number.

use super::{empty, rel, Relation};

/// Tables and views of the tenant (the `main` schema, SQLite internals excluded).
/// `name` is the SQLite name; `relname`, `nsp` and `nspoid` what PostgreSQL
/// calls it (a user schema's objects carry it in their name: `schemas`).
/// A sequence is a table with the columns `translate::sequences` gives it.
const REL: &str = "SELECT s.rowid + 16384 AS oid, s.name AS name, \
     CASE WHEN s.type = 'table' AND s.sql LIKE '%(last_value BIGINT NOT NULL, log_cnt BIGINT NOT NULL DEFAULT 0, is_called BOOLEAN%' \
       THEN 'sequence' ELSE s.type END AS type, s.sql AS sql, \
     pg_rel_name(s.name) AS relname, pg_rel_schema(s.name) AS nsp, \
     coalesce((SELECT 9000000 + n.rowid FROM pgcat__schema n WHERE n.name = pg_rel_schema(s.name)), 2200) AS nspoid \
     FROM main.sqlite_schema s WHERE s.type IN ('table', 'view') \
     AND s.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND s.name NOT LIKE 'pgcat\\_%' ESCAPE '\\'";

/// A column's declared type: a view's computed column (declared with no
/// type) typed from the view's query (`relation_types`).
macro_rules! col_decl {
    () => {
        "coalesce(CASE WHEN r.type = 'view' AND ti.type = '' \
         THEN pg_view_column_decl(r.name, ti.cid) END, pg_decl(ti.type, ti.dflt_value))"
    };
}

/// Columns with their PostgreSQL view of types and defaults: an INTEGER
/// PRIMARY KEY (what `serial` becomes) has the type its default records
/// (see `serial_key`) and shows the `nextval(...)` PostgreSQL would have.
/// `typid` is the column's type OID: an enum column's declared type is the
/// enum's name (`translate::enums`), which has the OID pg_type gives it, and
/// its default is a label cast to it, as PostgreSQL prints it.
/// `ident` is pg_attribute's `attidentity` (`a`: GENERATED ALWAYS); such a
/// column has no default in PostgreSQL's catalog (`dflt` is what numbers it).
const COL: &str = concat!(
    "SELECT r.oid AS relid, r.name AS relname, r.type AS reltype, ti.cid + 1 AS attnum, \
     ti.name AS attname, ",
    col_decl!(),
    " AS decl, coalesce(en.oid, pg_type_oid(",
    col_decl!(),
    ")) AS typid, \
     (ti.\"notnull\" OR ti.pk > 0) AS nn, ti.pk AS pk, \
     CASE WHEN ti.pk = 1 AND lower(ti.type) = 'integer' AND r.type = 'table' \
         AND (SELECT count(*) FROM pragma_table_info(r.name) p WHERE p.pk > 0) = 1 \
       THEN 'nextval(''' || pg_rel_display(r.name || '_' || ti.name || '_seq') || '''::regclass)' \
       WHEN ti.dflt_value IS NOT NULL AND en.oid IS NOT NULL \
         THEN ti.dflt_value || '::' || quote_ident(en.type) \
       WHEN ti.dflt_value IS NOT NULL THEN pg_default_text(ti.dflt_value, ti.type) END AS dflt, \
     pg_identity(ti.dflt_value) AS ident, \
     CASE WHEN ti.hidden >= 2 THEN pg_generation_expr(r.sql, ti.name) END AS gen \
     FROM pgcat__rel r JOIN pragma_table_xinfo(r.name) ti ON ti.hidden <> 1 \
     LEFT JOIN (SELECT e.type AS type, 1000000 + min(e.rowid) AS oid FROM pgcat__enum e \
       GROUP BY e.type) en ON en.type = ti.type"
);

/// Indexes, named as PostgreSQL names constraint indexes. The unique index
/// `ALTER TABLE ... ADD PRIMARY KEY / UNIQUE` creates ends in a comment
/// saying which constraint it stands for (see `translate::ddl`).
const IDX: &str = "SELECT x.*, 'CREATE ' || CASE WHEN x.isunique THEN 'UNIQUE ' ELSE '' END || 'INDEX ' \
       || quote_ident(pg_rel_name(x.name)) || ' ON ' || quote_ident(pg_rel_schema(x.relname)) || '.' \
       || quote_ident(pg_rel_name(x.relname)) || ' USING btree (' \
       || coalesce(pg_index_part(x.xsql, 0), x.cols) || ')' \
       || coalesce(' WHERE ' || pg_index_part(x.xsql, -1), '') AS def \
     FROM (SELECT sx.rowid + 16384 AS oid, \
       CASE il.origin WHEN 'pk' THEN pg_pk_name(r.name, r.sql) \
         WHEN 'u' THEN pg_unique_name(r.name, r.sql, (SELECT group_concat(ii.name, ',') FROM pragma_index_info(il.name) ii)) \
         ELSE il.name END AS name, \
       r.oid AS relid, r.name AS relname, il.\"unique\" AS isunique, \
       il.origin = 'pk' OR coalesce(sx.sql, '') LIKE '%/* pgtenant:primary key */' AS isprimary, \
       CASE WHEN sx.sql LIKE '%/* pgtenant:primary key */' THEN 'pk' \
         WHEN sx.sql LIKE '%/* pgtenant:unique */' THEN 'u' ELSE il.origin END AS origin, \
       (SELECT group_concat(coalesce(quote_ident(ii.name), '?'), ', ') FROM pragma_index_info(il.name) ii) AS cols, \
       (SELECT group_concat(CASE WHEN ii.cid < 0 THEN 0 ELSE ii.cid + 1 END, ' ') \
         FROM pragma_index_info(il.name) ii) AS indkey, \
       (SELECT count(*) FROM pragma_index_info(il.name) ii) AS natts, \
       (SELECT count(*) FROM pragma_index_info(il.name) ii WHERE ii.cid < 0) AS nexprs, sx.sql AS xsql \
     FROM pgcat__rel r JOIN pragma_index_list(r.name) il \
       JOIN main.sqlite_schema sx ON sx.type = 'index' AND sx.name = il.name \
     WHERE r.type = 'table' \
     UNION ALL \
     SELECT c.relid + 1000000, (SELECT pg_pk_name(r.name, r.sql) FROM pgcat__rel r WHERE r.oid = c.relid), \
       c.relid, c.relname, 1, 1, 'pk', quote_ident(c.attname), \
       CAST(c.attnum AS TEXT), 1, 0, NULL \
     FROM pgcat__col c WHERE c.dflt LIKE 'nextval(%' AND c.pk = 1 \
       AND NOT EXISTS (SELECT 1 FROM pragma_index_list(c.relname) il WHERE il.origin = 'pk')) x";

/// Constraints: primary keys and UNIQUE constraints (from their indexes),
/// foreign keys, and CHECK constraints (from the table's text); names as
/// `sql::table_constraints` gives them. `conpretty`: a CHECK's definition
/// for `pg_get_constraintdef(oid, true)` (NULL: the same as `condef`). OIDs of checks: 5,000,000 + 100 x
/// (table OID - 16384) + their number.
const CON: &str = "SELECT x.oid + 2000000 AS oid, x.name AS conname, CASE WHEN x.isprimary THEN 'p' ELSE 'u' END AS contype, \
       x.relid AS conrelid, x.oid AS conindid, 0 AS confrelid, \
       '[' || replace(x.indkey, ' ', ',') || ']' AS conkey, NULL AS confkey, \
       ' ' AS confupdtype, ' ' AS confdeltype, \
       CASE WHEN x.isprimary THEN 'PRIMARY KEY (' ELSE 'UNIQUE (' END || x.cols || ')' AS condef, \
       NULL AS conpretty \
     FROM pgcat__idx x WHERE x.origin IN ('pk', 'u') \
     UNION ALL \
     SELECT 4000000 + 100 * (r.oid - 16384) + fk.id, \
       coalesce(pg_fk_name(r.name, r.sql, fk.id), r.name || '_' || group_concat(fk.\"from\", '_') || '_fkey'), 'f', r.oid, \
       (SELECT x.oid FROM pgcat__idx x JOIN pgcat__rel p ON p.oid = x.relid \
         WHERE p.name = fk.\"table\" COLLATE NOCASE AND x.isprimary), \
       (SELECT p.oid FROM pgcat__rel p WHERE p.name = fk.\"table\" COLLATE NOCASE), \
       '[' || group_concat((SELECT p.cid + 1 FROM pragma_table_info(r.name) p \
         WHERE p.name = fk.\"from\" COLLATE NOCASE), ',') || ']', \
       '[' || group_concat(coalesce((SELECT p.cid + 1 FROM pragma_table_info(fk.\"table\") p \
         WHERE p.name = fk.\"to\" COLLATE NOCASE), (SELECT p.cid + 1 FROM \
         pragma_table_info(fk.\"table\") p WHERE p.pk = fk.seq + 1)), ',') || ']', \
       CASE fk.on_update WHEN 'CASCADE' THEN 'c' WHEN 'SET NULL' THEN 'n' WHEN 'SET DEFAULT' THEN 'd' WHEN 'RESTRICT' THEN 'r' ELSE 'a' END, \
       CASE fk.on_delete WHEN 'CASCADE' THEN 'c' WHEN 'SET NULL' THEN 'n' WHEN 'SET DEFAULT' THEN 'd' WHEN 'RESTRICT' THEN 'r' ELSE 'a' END, \
       'FOREIGN KEY (' || group_concat(quote_ident(fk.\"from\"), ', ') || ') REFERENCES ' || pg_rel_display(fk.\"table\") || '(' \
         || coalesce(group_concat(quote_ident(fk.\"to\"), ', '), (SELECT group_concat(quote_ident(p.name), ', ') FROM pragma_table_info(fk.\"table\") p WHERE p.pk > 0)) || ')' \
         || CASE fk.on_update WHEN 'NO ACTION' THEN '' ELSE ' ON UPDATE ' || fk.on_update END \
         || CASE fk.on_delete WHEN 'NO ACTION' THEN '' ELSE ' ON DELETE ' || fk.on_delete END, \
       NULL \
     FROM pgcat__rel r JOIN pragma_foreign_key_list(r.name) fk WHERE r.type = 'table' \
     GROUP BY r.oid, fk.id \
     UNION ALL \
     SELECT 5000000 + 100 * (r.oid - 16384) + ck.key, json_extract(ck.value, '$[0]'), 'c', r.oid, \
       0, 0, NULL, NULL, ' ', ' ', json_extract(ck.value, '$[1]'), json_extract(ck.value, '$[2]') \
     FROM pgcat__rel r JOIN json_each(pg_table_checks(r.name, r.sql)) ck WHERE r.type = 'table'";

/// The sequences serial columns have in PostgreSQL (`t_id_seq`), owned by
/// their column. A serial key is SQLite's AUTOINCREMENT here, with no
/// relation behind its sequence (`stored` 0: OID 6,000,000 + the table's);
/// another serial column's sequence is a stored one (`stored` 1: its OID).
const SERIAL: &str = "SELECT coalesce(r.oid, c.relid + 6000000) AS oid, \
       c.relname || '_' || c.attname || '_seq' AS name, c.relid AS relid, c.attnum AS attnum, \
       c.typid AS typid, r.oid IS NOT NULL AS stored, c.ident AS ident \
     FROM pgcat__col c LEFT JOIN pgcat__rel r ON r.type = 'sequence' \
       AND r.name = c.relname || '_' || c.attname || '_seq' \
     WHERE c.dflt LIKE 'nextval(%' AND instr(c.dflt, c.relname || '_' || c.attname || '_seq') > 0 \
       AND (c.pk = 1 OR r.oid IS NOT NULL)";

pub(super) fn add(all: &mut Vec<Relation>) {
    rel(
        all,
        "pgcat__rel",
        "oid:oid name:text type:text sql:text relname:name nsp:name nspoid:oid",
        REL,
    );
    rel(
        all,
        "pgcat__col",
        "relid:oid relname:text reltype:text attnum:int2 attname:name decl:text typid:oid \
         nn:bool pk:int4 dflt:text ident:char gen:text",
        COL,
    );
    rel(
        all,
        "pgcat__serial",
        "oid:oid name:name relid:oid attnum:int2 typid:oid stored:bool ident:char",
        SERIAL,
    );
    rel(
        all,
        "pgcat__idx",
        "oid:oid name:name relid:oid relname:name isunique:bool isprimary:bool origin:text \
         cols:text indkey:text natts:int2 nexprs:int2 xsql:text def:text",
        IDX,
    );
    rel(
        all,
        "pgcat__con",
        "oid:oid conname:name contype:char conrelid:oid conindid:oid confrelid:oid conkey:text \
         confkey:text confupdtype:char confdeltype:char condef:text conpretty:text",
        CON,
    );
    // Lookups for the translator's rewrites, with column names no client
    // query uses, so an unqualified `oid` argument binds to the client's table.
    rel(
        all,
        "pgcat__lookup",
        "pgcat_kind:text pgcat_key:oid pgcat_name:text pgcat_def:text",
        "SELECT 'rel' AS pgcat_kind, r.oid AS pgcat_key, r.name AS pgcat_name, NULL AS pgcat_def \
           FROM pgcat__rel r \
         UNION ALL SELECT 'rel', x.oid, x.name, NULL FROM pgcat__idx x \
         UNION ALL SELECT 'idx', x.oid, x.name, x.def FROM pgcat__idx x \
         UNION ALL SELECT 'con', k.oid, k.conname, k.condef FROM pgcat__con k \
         UNION ALL SELECT 'conp', k.oid, k.conname, coalesce(k.conpretty, k.condef) FROM pgcat__con k \
         UNION ALL SELECT 'trg', s.rowid + 3000000, NULL, pg_trigger_meta(s.sql, 'def') \
           FROM main.sqlite_schema s WHERE s.type = 'trigger' AND s.sql LIKE '%/* pgtenant:trigger %'",
    );
    rel(
        all,
        "pgcat_pg_class",
        "oid:oid relname:name relnamespace:oid reltype:oid reloftype:oid relowner:oid relam:oid \
         relfilenode:oid reltablespace:oid relpages:int4 reltuples:float4 relallvisible:int4 \
         reltoastrelid:oid relhasindex:bool relisshared:bool relpersistence:char relkind:char \
         relnatts:int2 relchecks:int2 relhasrules:bool relhastriggers:bool relhassubclass:bool \
         relrowsecurity:bool relforcerowsecurity:bool relispopulated:bool relreplident:char \
         relispartition:bool relrewrite:oid relfrozenxid:int8 relminmxid:int8 relacl:text[] \
         reloptions:text[] relpartbound:text",
        "SELECT r.oid, r.relname AS relname, r.nspoid AS relnamespace, 0 AS reltype, 0 AS reloftype, \
           10 AS relowner, CASE r.type WHEN 'table' THEN 2 ELSE 0 END AS relam, \
           r.oid AS relfilenode, 0 AS reltablespace, 0 AS relpages, -1 AS reltuples, \
           0 AS relallvisible, 0 AS reltoastrelid, \
           (r.type = 'table' AND EXISTS (SELECT 1 FROM pgcat__idx x WHERE x.relid = r.oid)) AS relhasindex, \
           0 AS relisshared, 'p' AS relpersistence, CASE r.type WHEN 'table' THEN 'r' WHEN 'sequence' THEN 'S' ELSE 'v' END AS relkind, \
           (SELECT count(*) FROM pragma_table_info(r.name)) AS relnatts, \
           json_array_length(pg_table_checks(r.name, r.sql)) AS relchecks, \
           r.type = 'view' AS relhasrules, \
           (EXISTS (SELECT 1 FROM pgcat__con k WHERE k.contype = 'f' AND (k.conrelid = r.oid OR k.confrelid = r.oid)) \
             OR EXISTS (SELECT 1 FROM main.sqlite_schema s WHERE s.type = 'trigger' AND s.tbl_name = r.name \
               AND s.sql LIKE '%/* pgtenant:trigger %')) AS relhastriggers, 0 AS relhassubclass, \
           0 AS relrowsecurity, 0 AS relforcerowsecurity, 1 AS relispopulated, \
           CASE r.type WHEN 'table' THEN 'd' ELSE 'n' END AS relreplident, 0 AS relispartition, \
           0 AS relrewrite, 0 AS relfrozenxid, 0 AS relminmxid, \
           (SELECT l.acl FROM pgcat__acl_list l WHERE l.rel = r.name COLLATE NOCASE) AS relacl, NULL AS reloptions, \
           NULL AS relpartbound \
         FROM pgcat__rel r \
         UNION ALL \
         SELECT x.oid, pg_rel_name(x.name), r.nspoid, 0, 0, 10, 403, x.oid, 0, 0, -1, 0, 0, 0, 0, 'p', 'i', \
           x.natts, 0, 0, 0, 0, 0, 0, 1, 'n', 0, 0, 0, 0, NULL, NULL, NULL \
         FROM pgcat__idx x JOIN pgcat__rel r ON r.oid = x.relid \
         UNION ALL \
         SELECT s.oid, pg_rel_name(s.name), r.nspoid, 0, 0, 10, 0, s.oid, 0, 1, -1, 0, 0, 0, 0, 'p', 'S', \
           3, 0, 0, 0, 0, 0, 0, 1, 'n', 0, 0, 0, 0, NULL, NULL, NULL \
         FROM pgcat__serial s JOIN pgcat__rel r ON r.oid = s.relid WHERE NOT s.stored",
    );
    rel(
        all,
        "pgcat_pg_attribute",
        "attrelid:oid attname:name atttypid:oid attstattarget:int4 attlen:int2 attnum:int2 \
         attndims:int4 attcacheoff:int4 atttypmod:int4 attbyval:bool attalign:char \
         attstorage:char attcompression:char attnotnull:bool atthasdef:bool atthasmissing:bool \
         attidentity:char attgenerated:char attisdropped:bool attislocal:bool attinhcount:int4 \
         attcollation:oid attacl:text[] attoptions:text[] attfdwoptions:text[] attmissingval:text",
        "SELECT c.relid AS attrelid, c.attname, c.typid AS atttypid, -1 AS attstattarget, \
           coalesce(t.typlen, -1) AS attlen, c.attnum, 0 AS attndims, -1 AS attcacheoff, \
           pg_type_mod(c.decl) AS atttypmod, coalesce(t.typbyval, 0) AS attbyval, \
           coalesce(t.typalign, 'i') AS attalign, coalesce(t.typstorage, 'x') AS attstorage, \
           '' AS attcompression, \
           c.nn AS attnotnull, (c.dflt IS NOT NULL AND c.ident = '') OR c.gen IS NOT NULL AS atthasdef, \
           0 AS atthasmissing, c.ident AS attidentity, \
           CASE WHEN c.gen IS NULL THEN '' ELSE 's' END AS attgenerated, 0 AS attisdropped, 1 AS attislocal, \
           0 AS attinhcount, pg_type_collation(c.typid) AS attcollation, \
           NULL AS attacl, NULL AS attoptions, NULL AS attfdwoptions, NULL AS attmissingval \
         FROM pgcat__col c LEFT JOIN pgcat_pg_type t ON t.oid = c.typid",
    );
    rel(
        all,
        "pgcat_pg_attrdef",
        "oid:oid adrelid:oid adnum:int2 adbin:text",
        "SELECT 3000000 + 100 * (c.relid - 16384) + c.attnum AS oid, c.relid AS adrelid, \
           c.attnum AS adnum, coalesce(c.gen, c.dflt) AS adbin FROM pgcat__col c \
         WHERE (c.dflt IS NOT NULL AND c.ident = '') OR c.gen IS NOT NULL",
    );
    rel(
        all,
        "pgcat_pg_index",
        "indexrelid:oid indrelid:oid indnatts:int2 indnkeyatts:int2 indisunique:bool \
         indnullsnotdistinct:bool indisprimary:bool indisexclusion:bool indimmediate:bool \
         indisclustered:bool indisvalid:bool indcheckxmin:bool indisready:bool indislive:bool \
         indisreplident:bool indkey:text indcollation:text indclass:text indoption:text \
         indexprs:text indpred:text",
        "SELECT x.oid AS indexrelid, x.relid AS indrelid, x.natts AS indnatts, x.natts AS indnkeyatts, \
           x.isunique AS indisunique, 0 AS indnullsnotdistinct, x.isprimary AS indisprimary, \
           0 AS indisexclusion, 1 AS indimmediate, 0 AS indisclustered, 1 AS indisvalid, \
           0 AS indcheckxmin, 1 AS indisready, 1 AS indislive, 0 AS indisreplident, \
           x.indkey AS indkey, z.zeros AS indcollation, z.zeros AS indclass, z.zeros AS indoption, \
           CASE WHEN x.nexprs > 0 THEN pg_index_part(x.xsql, 0) END AS indexprs, \
           pg_index_part(x.xsql, -1) AS indpred FROM pgcat__idx x \
         JOIN (SELECT x2.oid AS oid, substr('0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0', \
           1, 2 * x2.natts - 1) AS zeros FROM pgcat__idx x2) z ON z.oid = x.oid",
    // One `0` per index column in the vectors above: no explicit
    // collation, default operator class, default ordering.
    );
    rel(
        all,
        "pgcat_pg_constraint",
        "oid:oid conname:name connamespace:oid contype:char condeferrable:bool condeferred:bool \
         convalidated:bool conrelid:oid contypid:oid conindid:oid conparentid:oid confrelid:oid \
         confupdtype:char confdeltype:char confmatchtype:char conislocal:bool coninhcount:int4 \
         connoinherit:bool conkey:int2[] confkey:int2[] conbin:text",
        "SELECT k.oid, k.conname, (SELECT r.nspoid FROM pgcat__rel r WHERE r.oid = k.conrelid) AS connamespace, \
           k.contype, 0 AS condeferrable, \
           0 AS condeferred, 1 AS convalidated, k.conrelid, 0 AS contypid, k.conindid, \
           0 AS conparentid, k.confrelid, k.confupdtype, k.confdeltype, 's' AS confmatchtype, \
           1 AS conislocal, 0 AS coninhcount, 0 AS connoinherit, k.conkey, k.confkey, \
           NULL AS conbin FROM pgcat__con k",
    );
    rel(
        all,
        "pgcat_pg_tables",
        "schemaname:name tablename:name tableowner:name tablespace:name hasindexes:bool \
         hasrules:bool hastriggers:bool rowsecurity:bool",
        "SELECT n.nspname AS schemaname, c.relname AS tablename, pg_get_userbyid(10) AS tableowner, \
           NULL AS tablespace, c.relhasindex AS hasindexes, 0 AS hasrules, 0 AS hastriggers, \
           0 AS rowsecurity FROM pgcat_pg_class c JOIN pgcat_pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind = 'r'",
    );
    // Statistics views BI tools join for row estimates: no counters are
    // kept, so every figure is 0 and the timestamps are NULL.
    for view in ["pgcat_pg_stat_user_tables", "pgcat_pg_stat_all_tables"] {
        rel(
            all,
            view,
            "relid:oid schemaname:name relname:name seq_scan:int8 seq_tup_read:int8 \
             idx_scan:int8 idx_tup_fetch:int8 n_tup_ins:int8 n_tup_upd:int8 n_tup_del:int8 \
             n_tup_hot_upd:int8 n_live_tup:int8 n_dead_tup:int8 n_mod_since_analyze:int8 \
             last_vacuum:timestamptz last_autovacuum:timestamptz last_analyze:timestamptz \
             last_autoanalyze:timestamptz vacuum_count:int8 autovacuum_count:int8 \
             analyze_count:int8 autoanalyze_count:int8",
            "SELECT c.oid AS relid, (SELECT n.nspname FROM pgcat_pg_namespace n WHERE n.oid = c.relnamespace) AS schemaname, \
               c.relname AS relname, 0 AS seq_scan, \
               0 AS seq_tup_read, 0 AS idx_scan, 0 AS idx_tup_fetch, 0 AS n_tup_ins, \
               0 AS n_tup_upd, 0 AS n_tup_del, 0 AS n_tup_hot_upd, 0 AS n_live_tup, \
               0 AS n_dead_tup, 0 AS n_mod_since_analyze, NULL AS last_vacuum, \
               NULL AS last_autovacuum, NULL AS last_analyze, NULL AS last_autoanalyze, \
               0 AS vacuum_count, 0 AS autovacuum_count, 0 AS analyze_count, \
               0 AS autoanalyze_count FROM pgcat_pg_class c WHERE c.relkind = 'r'",
        );
    }
    // I/O statistics (Sequelize's describeTable joins them for column
    // comments by relid): likewise all 0.
    for view in ["pgcat_pg_statio_user_tables", "pgcat_pg_statio_all_tables"] {
        rel(
            all,
            view,
            "relid:oid schemaname:name relname:name heap_blks_read:int8 heap_blks_hit:int8 \
             idx_blks_read:int8 idx_blks_hit:int8 toast_blks_read:int8 toast_blks_hit:int8 \
             tidx_blks_read:int8 tidx_blks_hit:int8",
            "SELECT c.oid AS relid, (SELECT n.nspname FROM pgcat_pg_namespace n WHERE n.oid = c.relnamespace) AS schemaname, \
               c.relname AS relname, 0 AS heap_blks_read, 0 AS heap_blks_hit, 0 AS idx_blks_read, 0 AS idx_blks_hit, \
               0 AS toast_blks_read, 0 AS toast_blks_hit, 0 AS tidx_blks_read, \
               0 AS tidx_blks_hit FROM pgcat_pg_class c WHERE c.relkind = 'r'",
        );
    }
    // Index statistics (monitoring tools, unused-index reports): all 0.
    for view in ["pgcat_pg_stat_user_indexes", "pgcat_pg_stat_all_indexes"] {
        rel(
            all,
            view,
            "relid:oid indexrelid:oid schemaname:name relname:name indexrelname:name \
             idx_scan:int8 idx_tup_read:int8 idx_tup_fetch:int8",
            "SELECT i.indrelid AS relid, i.indexrelid AS indexrelid, \
               (SELECT n.nspname FROM pgcat_pg_namespace n WHERE n.oid = t.relnamespace) AS schemaname, \
               t.relname AS relname, x.relname AS indexrelname, 0 AS idx_scan, 0 AS idx_tup_read, \
               0 AS idx_tup_fetch FROM pgcat_pg_index i JOIN pgcat_pg_class t ON t.oid = i.indrelid \
             JOIN pgcat_pg_class x ON x.oid = i.indexrelid",
        );
    }
    for view in [
        "pgcat_pg_statio_user_indexes",
        "pgcat_pg_statio_all_indexes",
    ] {
        rel(
            all,
            view,
            "relid:oid indexrelid:oid schemaname:name relname:name indexrelname:name \
             idx_blks_read:int8 idx_blks_hit:int8",
            "SELECT i.indrelid AS relid, i.indexrelid AS indexrelid, \
               (SELECT n.nspname FROM pgcat_pg_namespace n WHERE n.oid = t.relnamespace) AS schemaname, \
               t.relname AS relname, x.relname AS indexrelname, 0 AS idx_blks_read, \
               0 AS idx_blks_hit FROM pgcat_pg_index i JOIN pgcat_pg_class t ON t.oid = i.indrelid \
             JOIN pgcat_pg_class x ON x.oid = i.indexrelid",
        );
    }
    // Sequences as the pg_sequences view shows them (last_value NULL until
    // the first nextval).
    rel(
        all,
        "pgcat_pg_sequences",
        "schemaname:name sequencename:name sequenceowner:name data_type:text start_value:int8 \
         min_value:int8 max_value:int8 increment_by:int8 cycle:bool cache_size:int8 \
         last_value:int8",
        "SELECT (SELECT n.nspname FROM pgcat_pg_namespace n WHERE n.oid = c.relnamespace) AS schemaname, \
           c.relname AS sequencename, pg_get_userbyid(10) AS sequenceowner, \
           format_type(q.seqtypid, NULL) AS data_type, q.seqstart AS start_value, \
           q.seqmin AS min_value, q.seqmax AS max_value, q.seqincrement AS increment_by, \
           q.seqcycle AS cycle, q.seqcache AS cache_size, \
           CASE WHEN r.oid IS NOT NULL THEN pg_sequence_field(r.name, 'last_value') \
             ELSE nullif(pg_serial_last(c.relname), 0) END AS last_value \
         FROM pgcat_pg_sequence q JOIN pgcat_pg_class c ON c.oid = q.seqrelid \
         LEFT JOIN pgcat__rel r ON r.oid = q.seqrelid AND r.type = 'sequence'",
    );
    rel(
        all,
        "pgcat_pg_indexes",
        "schemaname:name tablename:name indexname:name tablespace:name indexdef:text",
        "SELECT pg_rel_schema(x.relname) AS schemaname, pg_rel_name(x.relname) AS tablename, \
           pg_rel_name(x.name) AS indexname, \
           NULL AS tablespace, x.def AS indexdef FROM pgcat__idx x",
    );
    rel(
        all,
        "pgcat_pg_views",
        "schemaname:name viewname:name viewowner:name definition:text",
        "SELECT r.nsp AS schemaname, r.relname AS viewname, pg_get_userbyid(10) AS viewowner, \
           pg_view_body(r.sql) AS definition FROM pgcat__rel r WHERE r.type = 'view'",
    );
    // Materialized views are tables here; their definitions are kept in
    // `pgcat__matview` (`translate::matview`).
    rel(
        all,
        "pgcat_pg_matviews",
        "schemaname:name matviewname:name matviewowner:name tablespace:name hasindexes:bool \
         ispopulated:bool definition:text",
        "SELECT 'public' AS schemaname, m.name AS matviewname, pg_get_userbyid(10) AS matviewowner, \
           NULL AS tablespace, EXISTS (SELECT 1 FROM pgcat__idx x WHERE x.relname = m.name) AS hasindexes, \
           1 AS ispopulated, m.query AS definition FROM pgcat__matview m",
    );
    empty(
        all,
        "pgcat_pg_inherits",
        "inhrelid:oid inhparent:oid inhseqno:int4 inhdetachpending:bool",
    );
    empty(
        all,
        "pgcat_pg_partitioned_table",
        "partrelid:oid partstrat:char partnatts:int2 partdefid:oid partattrs:text \
         partclass:text partcollation:text partexprs:text",
    );
    rel(
        all,
        "pgcat_pg_sequence",
        "seqrelid:oid seqtypid:oid seqstart:int8 seqincrement:int8 seqmax:int8 seqmin:int8 \
         seqcache:int8 seqcycle:bool",
        "SELECT r.oid AS seqrelid, 20 AS seqtypid, \
           pg_sequence_field(r.name, 'start_value') AS seqstart, \
           pg_sequence_field(r.name, 'increment_by') AS seqincrement, \
           pg_sequence_field(r.name, 'max_value') AS seqmax, \
           pg_sequence_field(r.name, 'min_value') AS seqmin, \
           pg_sequence_field(r.name, 'cache_size') AS seqcache, \
           pg_sequence_field(r.name, 'cycle') AS seqcycle \
         FROM pgcat__rel r WHERE r.type = 'sequence' \
         UNION ALL \
         SELECT s.oid, s.typid, 1, 1, CASE s.typid WHEN 21 THEN 32767 WHEN 23 THEN 2147483647 \
           ELSE 9223372036854775807 END, 1, 1, 0 FROM pgcat__serial s WHERE NOT s.stored",
    );
    // A serial key's sequence is owned by its column ('a'), and the
    // column's default uses the sequence ('n'): pg_dump then creates the
    // table, the sequence, and sets the default last.
    rel(
        all,
        "pgcat_pg_depend",
        "classid:oid objid:oid objsubid:int4 refclassid:oid refobjid:oid refobjsubid:int4 \
         deptype:char",
        "SELECT 1259 AS classid, s.oid AS objid, 0 AS objsubid, 1259 AS refclassid, \
           s.relid AS refobjid, s.attnum AS refobjsubid, \
           CASE WHEN s.ident = '' THEN 'a' ELSE 'i' END AS deptype FROM pgcat__serial s \
         UNION ALL SELECT 2604, 3000000 + 100 * (s.relid - 16384) + s.attnum, 0, 1259, s.oid, 0, 'n' \
           FROM pgcat__serial s WHERE s.ident = ''",
    );
    // PL/pgSQL triggers, from the comment each of their SQLite triggers
    // carries (`translate::plpgsql`); OID: the first one's rowid + 3,000,000.
    rel(
        all,
        "pgcat_pg_trigger",
        "oid:oid tgrelid:oid tgparentid:oid tgname:name tgfoid:oid tgtype:int2 tgenabled:char \
         tgisinternal:bool tgconstrrelid:oid tgconstrindid:oid tgconstraint:oid \
         tgdeferrable:bool tginitdeferred:bool tgnargs:int2 tgattr:text tgargs:bytea \
         tgqual:text tgoldtable:name tgnewtable:name",
        "SELECT min(s.rowid) + 3000000 AS oid, r.oid AS tgrelid, 0 AS tgparentid, \
           pg_trigger_meta(s.sql, 'name') AS tgname, 0 AS tgfoid, \
           max(pg_trigger_meta(s.sql, 'type')) AS tgtype, 'O' AS tgenabled, 0 AS tgisinternal, \
           0 AS tgconstrrelid, 0 AS tgconstrindid, 0 AS tgconstraint, 0 AS tgdeferrable, \
           0 AS tginitdeferred, 0 AS tgnargs, '' AS tgattr, '' AS tgargs, NULL AS tgqual, \
           NULL AS tgoldtable, NULL AS tgnewtable \
         FROM main.sqlite_schema s JOIN pgcat__rel r ON r.name = s.tbl_name \
         WHERE s.type = 'trigger' AND s.sql LIKE '%/* pgtenant:trigger %' \
         GROUP BY r.oid, tgname",
    );
    empty(
        all,
        "pgcat_pg_policy",
        "oid:oid polname:name polrelid:oid polcmd:char polpermissive:bool polroles:text \
         polqual:text polwithcheck:text",
    );
    empty(
        all,
        "pgcat_pg_statistic_ext",
        "oid:oid stxrelid:oid stxname:name stxnamespace:oid stxowner:oid stxstattarget:int4 \
         stxkeys:text stxkind:text stxexprs:text",
    );
    empty(
        all,
        "pgcat_pg_rewrite",
        "oid:oid rulename:name ev_class:oid ev_type:char ev_enabled:char is_instead:bool \
         ev_qual:text ev_action:text",
    );
}
